#pragma once

#include "engine/Backend.h"
#include "engine/backends/KeyedSequencer.h"
#include "engine/backends/MountTable.h"

#include <memory>

namespace gk {

// Vault's approle auth method: roles (role/:name with bind_secret_id, secret_id_num_uses, secret_id_ttl and the
// token_* settings; LIST role), their role id (role/:name/role-id, GET and POST), secret ids (POST
// role/:name/secret-id or custom-secret-id; LIST role/:name/secret-id lists accessors; lookup and destroy by id or by
// accessor), and login (role_id + secret_id -> token).
//
// Role ids and secret ids are found through HMAC-SHA256 under a key kept in the mount's storage ("salt"), so neither
// is a storage key. A secret id is stored only as that HMAC. Using a secret id (check ttl, count down num_uses,
// delete at the last use) is serialised per secret id: of concurrent logins with one use left, exactly one succeeds.
class AppRoleBackend final : public Backend, public std::enable_shared_from_this<AppRoleBackend>
{
public:
    explicit AppRoleBackend(const MountContext &context);
    Q_DISABLE_COPY_MOVE(AppRoleBackend)

    QString type() const override { return QStringLiteral("approle"); }
    QList<PathSpec> paths() override;

private:
    QFuture<Response> listRoles(const Request &request);
    QFuture<Response> readRole(const Request &request);
    QFuture<Response> writeRole(const Request &request);
    QFuture<Response> deleteRole(const Request &request);
    QFuture<Response> readRoleId(const Request &request);
    QFuture<Response> writeRoleId(const Request &request);
    QFuture<Response> generateSecretId(const Request &request);
    QFuture<Response> customSecretId(const Request &request);
    QFuture<Response> listSecretIds(const Request &request);
    QFuture<Response> lookupSecretId(const Request &request);
    QFuture<Response> destroySecretId(const Request &request);
    QFuture<Response> lookupAccessor(const Request &request);
    QFuture<Response> destroyAccessor(const Request &request);
    QFuture<Response> login(const Request &request);

    // Read-modify-write of one role, serialised per name. mustExist: only the role id changes (POST role-id).
    QFuture<Response> updateRole(const QString &rawName, const QJsonObject &data, bool mustExist);
    QFuture<Response> createSecretId(const QString &rawName, const QJsonObject &data, const QString &chosen);

    MountContext m_context;
    std::shared_ptr<KeyedSequencer> m_sequencer; // by "role:<name>", "secret:<hmac>" and "salt"
};

} // namespace gk
