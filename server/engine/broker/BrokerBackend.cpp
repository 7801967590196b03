#include "engine/broker/BrokerBackend.h"

#include "engine/broker/Broker.h"

namespace gk {

QString BrokerBackend::prefix(Endpoint endpoint)
{
    switch (endpoint) {
    case Endpoint::Token:
        return QStringLiteral("token/");
    case Endpoint::Status:
        return QStringLiteral("status/");
    case Endpoint::Unseal:
        return QStringLiteral("unseal/");
    case Endpoint::Seal:
        return QStringLiteral("seal/");
    case Endpoint::Reload:
        return QStringLiteral("policies/");
    }
    return {};
}

QList<PathSpec> BrokerBackend::paths()
{
    Broker *broker = m_broker;
    PathSpec spec;
    spec.pattern = QString();
    spec.unauthenticated = true;
    spec.allowedWhileSealed = true; // the broker answers "sealed" in its own shape
    spec.reshape = [broker](Response r) { return broker->reshape(std::move(r)); };
    switch (m_endpoint) {
    case Endpoint::Token:
        spec.handlers = {{Operation::Update, [broker](const Request &r) { return broker->token(r); }}};
        spec.sensitiveFields = {QStringLiteral("token")};
        spec.help = QStringLiteral(
            "POST {\"task_id\", \"scheduler\", \"role\"}: a response-wrapped token for the task, made from a token "
            "role its task policy allows -> {\"token\", \"ttl\", \"vault_addr\"}. 401 unknown task, wrong host or "
            "outside the grid's trusted_subnets; 403 task too old or role not allowed; 429 allotment used up; "
            "503 sealed.");
        break;
    case Endpoint::Status:
        spec.handlers = {{Operation::Read, [broker](const Request &r) { return broker->status(r); }}};
        spec.help = QStringLiteral("The broker's id, uptime, seal state, version, peers and /token counters "
                                   "(requests, successful, denied, failed); 503 while sealed.");
        break;
    case Endpoint::Unseal:
        spec.handlers = {{Operation::Update, [broker](const Request &r) { return broker->unseal(r); }}};
        spec.sensitiveFields = {QStringLiteral("token"), QStringLiteral("secret_id")};
        spec.help = QStringLiteral("POST {\"method\": \"token\" | \"token-wrapped\" | \"approle\", \"token\", "
                                   "\"role_id\", \"secret_id\"}: unseal the broker with a credential it keeps only "
                                   "in memory. 400 unparsable, 422 unknown or unsupported method, 401 refused.");
        break;
    case Endpoint::Seal:
        spec.handlers = {{Operation::Update, [broker](const Request &r) { return broker->seal(r); }}};
        spec.unauthenticated = false;
        spec.allowedWhileSealed = false;
        spec.aclPath = QStringLiteral("gatekeeper/seal");
        spec.help = QStringLiteral("POST: seal the broker (it forgets its credential). Needs a token with "
                                   "\"update\" on gatekeeper/seal.");
        break;
    case Endpoint::Reload:
        spec.pattern = QStringLiteral("reload");
        spec.handlers = {{Operation::Update, [broker](const Request &r) { return broker->reloadPolicies(r); }}};
        spec.help = QStringLiteral("POST: re-read the task policies from storage and apply them.");
        break;
    }
    return {spec};
}

} // namespace gk
