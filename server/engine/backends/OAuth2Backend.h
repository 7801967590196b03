#pragma once

#include "engine/Backend.h"
#include "engine/Result.h"
#include "engine/backends/KeyedSequencer.h"

#include <QJsonObject>
#include <QString>

#include <memory>

namespace gk {

class Engine;

// Kontena's OAuth2 endpoints, at the root API under "oauth2/":
//   POST   oauth2/token        grant_type=password (a userpass login) or grant_type=refresh_token, as a form or JSON
//   GET    oauth2/tokens       the caller's access tokens (by the caller's identity entity)
//   GET    oauth2/tokens/:id   one of them
//   DELETE oauth2/tokens/:id   revokes it (the access token and its refresh token)
//
// An access token is an ordinary token of the token store, made by the userpass login it stands for, so it works
// as "Authorization: Bearer" on every route its policies allow. Next to it the backend keeps a grant record (below
// "sys/oauth2/" in the barrier): who it belongs to, the access token's accessor, the last four characters of both
// tokens (which Kontena shows), the expiries, and the refresh token as its SHA-256 only. A refresh token is used once:
// it yields a new access token (made from the user's current settings; the old access token is revoked) and a new
// refresh token. Refreshes and deletions of one grant are serialised, so of two concurrent refreshes with one token one wins.
class OAuth2Backend final : public Backend, public std::enable_shared_from_this<OAuth2Backend>
{
public:
    // The userpass mount that grant_type=password logs in to, unless the request names another ("mount").
    static constexpr const char *kDefaultMount = "userpass";

    explicit OAuth2Backend(Engine *engine);
    Q_DISABLE_COPY_MOVE(OAuth2Backend)

    QString type() const override { return QStringLiteral("oauth2"); }
    QList<PathSpec> paths() override;

    // What the barrier keeps per issued access token.
    struct Grant
    {
        QString id;
        QString mount; // "userpass/"
        QString userName;
        QString entityId;
        QString accessor; // of the current access token
        QString accessLastFour;
        QString refreshLastFour;
        QString refreshHash; // hex SHA-256 of the current refresh token
        qint64 createdAt = 0;
        qint64 accessExpiresAt = 0; // 0: the access token does not expire
        qint64 refreshExpiresAt = 0;

        QJsonObject toJson() const;
        static Grant fromJson(const QJsonObject &json);
        // Kontena's access token shape: id, token_type, access_token_last_four, refresh_token_last_four,
        // expires_in, scopes, user {id, name}.
        QJsonObject toView(qint64 nowSecs) const;
    };

private:
    QFuture<Response> token(const Request &request);
    QFuture<Response> passwordGrant(const Request &request);
    QFuture<Response> refreshGrant(const Request &request);
    // The refresh itself, in the grant's turn.
    QFuture<Response> refreshNow(const QString &grantId, const QString &refreshHash);
    QFuture<Response> list(const Request &request);
    QFuture<Response> read(const Request &request);
    QFuture<Response> remove(const Request &request);

    // Makes the grant record for a fresh login answer (Vault's {"auth": {...}}) and answers the token endpoint.
    QFuture<Response> issue(Grant grant, const QJsonObject &auth, const QString &previousRefreshHash);
    // The grant named in the path when it is the caller's; a 404 when it does not exist or is someone else's.
    QFuture<Result<Grant>> ownGrant(const Request &request);
    QFuture<Status> revokeAccessToken(const QString &accessor);
    qint64 refreshLifetime() const;

    Engine *m_engine;
    KeyedSequencer m_grants; // per grant id: refreshes and deletions of one grant run one at a time
};

} // namespace gk
