#pragma once

#include "engine/Backend.h"

namespace gk {

class Broker;

// One route of the task token broker at the root API (Gatekeeper's paths, no /v1):
//   POST /token             a task's wrapped token (unauthenticated: the task proves itself through its scheduler)
//   GET  /status            the broker's state and counters (503 while sealed)
//   POST /unseal            gives the broker its credential (unauthenticated, as in Gatekeeper)
//   POST /seal              forgets it; needs "update" on the policy path "gatekeeper/seal"
//   POST /policies/reload   re-reads the task policies from storage
// Each is mounted on its own prefix; every answer, the pipeline's refusals included, has Gatekeeper's standard
// shape {"unsealed", "message", "error"}.
class BrokerBackend final : public Backend
{
public:
    enum class Endpoint
    {
        Token,
        Status,
        Unseal,
        Seal,
        Reload
    };
    BrokerBackend(Broker *broker, Endpoint endpoint) : m_broker(broker), m_endpoint(endpoint) {}
    Q_DISABLE_COPY_MOVE(BrokerBackend)

    // The root API prefix each endpoint is mounted at.
    static QString prefix(Endpoint endpoint);

    QString type() const override { return QStringLiteral("broker"); }
    QList<PathSpec> paths() override;

private:
    Broker *m_broker;
    Endpoint m_endpoint;
};

} // namespace gk
