#pragma once

#include "engine/Backend.h"

namespace gk {

class AuditBroker;

// Vault's audit routes, mounted twice: at "sys/audit/" (GET lists the devices; PUT/POST :path enables a file
// device; DELETE :path disables it; all need sudo, as in Vault) and at "sys/audit-hash/" (POST :path
// {"input"} answers {"hash": "hmac-sha256:..."}, the form the device at :path writes input in).
class AuditBackend final : public Backend
{
public:
    enum class Flavour
    {
        Devices,
        Hash
    };
    AuditBackend(AuditBroker *broker, Flavour flavour) : m_broker(broker), m_flavour(flavour) {}
    Q_DISABLE_COPY_MOVE(AuditBackend)

    QString type() const override { return QStringLiteral("audit"); }
    QList<PathSpec> paths() override;

private:
    QFuture<Response> list(const Request &request);
    QFuture<Response> enable(const Request &request);
    QFuture<Response> disable(const Request &request);
    QFuture<Response> hash(const Request &request);

    AuditBroker *m_broker;
    Flavour m_flavour;
};

} // namespace gk
