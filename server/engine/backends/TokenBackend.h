#pragma once

#include "engine/Backend.h"
#include "engine/Result.h"
#include "engine/token/TokenEntry.h"
#include "engine/token/TokenRole.h"

#include <QJsonObject>

#include <optional>

namespace gk {

class Engine;

// Vault's token store at auth/token/: create (also create-orphan and create/:role), lookup, lookup-self,
// lookup-accessor, renew, renew-self, renew-accessor, revoke, revoke-self, revoke-accessor, revoke-orphan,
// accessors, roles and roles/:name, tidy. Answers in Vault's shapes, so that Vault clients work unchanged.
class TokenBackend final : public Backend
{
public:
    explicit TokenBackend(Engine *engine) : m_engine(engine) {}
    Q_DISABLE_COPY_MOVE(TokenBackend)

    QString type() const override { return QStringLiteral("token"); }
    QList<PathSpec> paths() override;

    // The "data" of a lookup answer. id is shown only when given (lookup and lookup-self of the token itself).
    static QJsonObject lookupData(const TokenEntry &entry, const QString &id, qint64 nowSecs);
    // The "auth" object of create and renew answers.
    static QJsonObject authData(const TokenEntry &entry, const QString &id, qint64 nowSecs);

private:
    enum class CreateMode
    {
        Normal,
        Orphan,
        Role
    };

    QFuture<Response> create(const Request &request, CreateMode mode);
    QFuture<Response> createWith(const Request &request, CreateMode mode, const std::optional<TokenRole> &role,
                                 bool sudo);
    QFuture<Response> lookup(const Request &request);
    QFuture<Response> lookupSelf(const Request &request);
    QFuture<Response> lookupAccessor(const Request &request);
    QFuture<Response> renew(const Request &request);
    QFuture<Response> renewSelf(const Request &request);
    QFuture<Response> renewAccessor(const Request &request);
    QFuture<Response> renewEntry(std::shared_ptr<const TokenEntry> entry, const QString &id, const QJsonObject &data);
    QFuture<Response> revoke(const Request &request);
    QFuture<Response> revokeSelf(const Request &request);
    QFuture<Response> revokeAccessor(const Request &request);
    QFuture<Response> revokeOrphan(const Request &request);
    QFuture<Response> accessors(const Request &request);
    QFuture<Response> listRoles(const Request &request);
    QFuture<Response> readRole(const Request &request);
    QFuture<Response> writeRole(const Request &request);
    QFuture<Response> deleteRole(const Request &request);
    QFuture<Response> tidy(const Request &request);

    // Whether the caller has sudo on the request's path (root tokens always do).
    QFuture<Result<bool>> callerHasSudo(const Request &request);
    qint64 setting(const QString &name) const;

    Engine *m_engine;
};

} // namespace gk
