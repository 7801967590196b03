#pragma once

#include "engine/Backend.h"
#include "engine/backends/MountTable.h"

namespace gk {

// Vault's mount table routes, mounted twice: at "sys/auth/" for auth methods (GET lists them; POST :path
// {"type", "description", "config"} enables one at auth/<path>/; DELETE :path disables it and deletes its data;
// writes need sudo, as Vault's sys/auth/* does) and at "sys/mounts/" for secret engines (the same for kv mounts).
class AuthMountsBackend final : public Backend
{
public:
    AuthMountsBackend(MountTable *table, MountKind kind) : m_table(table), m_kind(kind) {}
    Q_DISABLE_COPY_MOVE(AuthMountsBackend)

    QString type() const override { return QStringLiteral("mounts"); }
    QList<PathSpec> paths() override;

private:
    QFuture<Response> list(const Request &request);
    QFuture<Response> read(const Request &request);
    QFuture<Response> enable(const Request &request);
    QFuture<Response> disable(const Request &request);

    MountTable *m_table;
    MountKind m_kind;
};

} // namespace gk
