#pragma once

#include "engine/Backend.h"
#include "engine/backends/MountTable.h"

#include <memory>

namespace gk {

// Vault's key/value secrets engine, version 1: any JSON object written at a path is read back as it was (with the
// lease_duration of its "ttl" field, else 768h), deleted, and listed with folders ending in "/". Values are stored
// below the mount's storage prefix in the barrier, so they are encrypted at rest.
class KvBackend final : public Backend, public std::enable_shared_from_this<KvBackend>
{
public:
    // Vault's default lease for kv v1 reads: 768h.
    static constexpr qint64 kDefaultLeaseSeconds = 2764800;

    explicit KvBackend(const MountContext &context);
    Q_DISABLE_COPY_MOVE(KvBackend)

    QString type() const override { return QStringLiteral("kv"); }
    QList<PathSpec> paths() override;

private:
    QFuture<Response> read(const Request &request);
    QFuture<Response> write(const Request &request);
    QFuture<Response> remove(const Request &request);
    QFuture<Response> list(const Request &request);

    Storage *m_barrier;
    QString m_prefix;
};

} // namespace gk
