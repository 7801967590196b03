#include "engine/audit/AuditBackend.h"

#include "engine/audit/AuditBroker.h"
#include "engine/policy/VaultData.h"

namespace gk {

namespace {

QFuture<Response> ready(Response r)
{
    return QtFuture::makeReadyFuture(std::move(r));
}

Response answer(const Status &st)
{
    return st ? Response::noContent() : Response::error(st.httpStatus(), st.error());
}

} // namespace

QList<PathSpec> AuditBackend::paths()
{
    const auto bind = [this](QFuture<Response> (AuditBackend::*fn)(const Request &)) {
        return [this, fn](const Request &r) { return (this->*fn)(r); };
    };
    if (m_flavour == Flavour::Hash) {
        PathSpec hash;
        hash.pattern = QStringLiteral("(.+)");
        hash.handlers = {{Operation::Update, bind(&AuditBackend::hash)}};
        hash.help = QStringLiteral("POST {\"input\": \"...\"}: answers {\"hash\": \"hmac-sha256:...\"}, the form in "
                                   "which the audit device at this path writes that value, to find it in the log.");
        hash.sensitiveFields = {QStringLiteral("input")};
        return {hash};
    }
    PathSpec all;
    all.pattern = QString();
    all.handlers = {{Operation::Read, bind(&AuditBackend::list)}};
    all.help = QStringLiteral("The enabled audit devices: {\"<path>/\": {\"type\": \"file\", \"description\", "
                              "\"options\": {\"file_path\", \"mode\"}, \"path\", \"local\"}, ...}, also under "
                              "\"data\". Needs sudo.");
    all.requiresSudo = true;
    PathSpec one;
    one.pattern = QStringLiteral("(.+)");
    one.handlers = {{Operation::Update, bind(&AuditBackend::enable)},
                    {Operation::Delete, bind(&AuditBackend::disable)}};
    one.help = QStringLiteral("PUT {\"type\": \"file\", \"description\", \"options\": {\"file_path\": \"/abs/path\", "
                              "\"mode\": \"0600\"}, \"local\"} enables a file audit device at this path; DELETE "
                              "disables it. Needs sudo.");
    one.requiresSudo = true;
    return {all, one};
}

QFuture<Response> AuditBackend::list(const Request &)
{
    QJsonObject data;
    for (const AuditDeviceEntry &e : m_broker->entries())
        data.insert(e.path, e.toListing());
    return ready(Response::ok(vaultData(data, true)));
}

QFuture<Response> AuditBackend::enable(const Request &request)
{
    return m_broker->enable(request.captures.value(0), request.data).then(answer);
}

QFuture<Response> AuditBackend::disable(const Request &request)
{
    return m_broker->disable(request.captures.value(0)).then(answer);
}

QFuture<Response> AuditBackend::hash(const Request &request)
{
    const QJsonValue input = request.data.value(QStringLiteral("input"));
    if (!input.isString())
        return ready(Response::error(400, QStringLiteral("input must be given as a string")));
    const Result<QString> hashed = m_broker->hash(request.captures.value(0), input.toString());
    if (!hashed)
        return ready(Response::error(hashed.httpStatus(), hashed.error()));
    return ready(Response::ok(vaultData({{QStringLiteral("hash"), hashed.value()}}, true)));
}

} // namespace gk
