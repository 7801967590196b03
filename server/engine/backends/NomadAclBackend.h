#pragma once

#include "engine/Backend.h"
#include "engine/Result.h"
#include "engine/token/TokenEntry.h"

#include <QJsonObject>
#include <QMutex>

#include <memory>

namespace gk {

class Engine;

// Nomad's ACL token API at acl/: bootstrap, tokens (list, ?prefix= on the AccessorID), token (create),
// token/:accessor_id (read, update, delete) and token/self, in Nomad's capitalised JSON. The tokens are views of the
// token store (auth/token): SecretID is the token id, AccessorID its accessor; a management token holds the root
// policy, a client token its listed policies. Nomad's own fields (Name, Type, Global, CreateIndex, ModifyIndex) are
// kept in the token's metadata under "nomad_*" keys.
class NomadAclBackend final : public Backend
{
public:
    explicit NomadAclBackend(Engine *engine) : m_engine(engine) {}
    Q_DISABLE_COPY_MOVE(NomadAclBackend)

    QString type() const override { return QStringLiteral("acl"); }
    QList<PathSpec> paths() override;

    // The Nomad view of a token; SecretID only when secretId is given (create, bootstrap, self).
    static QJsonObject tokenJson(const TokenEntry &entry, const QString &secretId = {});

private:
    QFuture<Response> bootstrap(const Request &request);
    QFuture<Response> list(const Request &request);
    QFuture<Response> create(const Request &request);
    QFuture<Response> read(const Request &request);
    QFuture<Response> update(const Request &request);
    QFuture<Response> remove(const Request &request);
    QFuture<Response> self(const Request &request);

    // The body's Name, Type, Policies and Global checked and applied to entry (a new one when creating); the
    // problems found, none when it was applied.
    static QStringList applyBody(const QJsonObject &body, TokenEntry *entry, bool creating);
    QFuture<Response> issue(TokenEntry entry);

    Engine *m_engine;
    QMutex m_mutex;
    bool m_bootstrapping = false; // one bootstrap at a time: the second of two concurrent calls gets 400
};

} // namespace gk
