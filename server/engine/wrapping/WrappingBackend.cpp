#include "engine/wrapping/WrappingBackend.h"

#include "engine/policy/VaultData.h"
#include "engine/wrapping/ResponseWrapper.h"

namespace gk {

namespace {
const QString kToken = QStringLiteral("token");

QFuture<Response> ready(Response r)
{
    return QtFuture::makeReadyFuture(std::move(r));
}

// The "token" field of the body: empty when absent, null or "", a 400 when it is not a string.
Result<QByteArray> bodyToken(const Request &request)
{
    const QJsonValue value = request.data.value(kToken);
    if (value.isUndefined() || value.isNull())
        return QByteArray();
    if (!value.isString())
        return Result<QByteArray>::fail(QStringLiteral("\"token\" must be a string"), 400);
    return value.toString().toUtf8();
}

// The wrapping token a route needs in its body: a 400 when it is missing or of the wrong type.
Result<QByteArray> requiredToken(const Request &request)
{
    Result<QByteArray> token = bodyToken(request);
    if (token && token.value().isEmpty())
        return Result<QByteArray>::fail(QStringLiteral("missing \"token\" value in input"), 400);
    return token;
}

Response answer(const Result<QJsonObject> &result, bool envelope)
{
    if (!result)
        return Response::error(result.httpStatus(), result.error());
    return Response::ok(envelope ? vaultData(result.value()) : result.value());
}
} // namespace

bool WrappingBackend::unwrapsOwnToken(const Request &request)
{
    if (request.api != Api::V1 || request.path != QLatin1String("sys/wrapping/unwrap"))
        return false;
    const Result<QByteArray> token = bodyToken(request);
    return token && token.value().isEmpty();
}

QList<PathSpec> WrappingBackend::paths()
{
    const auto bind = [this](QFuture<Response> (WrappingBackend::*fn)(const Request &)) {
        return [this, fn](const Request &r) { return (this->*fn)(r); };
    };
    const QStringList sensitive{kToken, QStringLiteral("wrap_info.token")};

    PathSpec unwrap;
    unwrap.pattern = QStringLiteral("unwrap");
    unwrap.handlers = {{Operation::Update, bind(&WrappingBackend::unwrap)}};
    unwrap.help = QStringLiteral(
        "Returns the answer wrapped under a wrapping token, once; the token is spent. Give the wrapping token as "
        "{\"token\": ...} (the caller authenticates with its own X-Vault-Token) or as the X-Vault-Token itself. "
        "An unknown, expired or already used wrapping token is a 400.");
    unwrap.sensitiveFields = sensitive;

    PathSpec lookup;
    lookup.pattern = QStringLiteral("lookup");
    lookup.handlers = {{Operation::Update, bind(&WrappingBackend::lookup)}};
    lookup.help = QStringLiteral("Tells creation_path, creation_time and creation_ttl of the wrapping token given "
                                 "as {\"token\": ...} without spending it. Needs no X-Vault-Token.");
    lookup.unauthenticated = true;
    lookup.changesNothing = true;
    lookup.sensitiveFields = sensitive;

    PathSpec wrap;
    wrap.pattern = QStringLiteral("wrap");
    wrap.handlers = {{Operation::Update, bind(&WrappingBackend::wrap)}};
    wrap.help = QStringLiteral("Wraps the request's JSON object as the data of a wrapped answer; needs the "
                               "X-Vault-Wrap-TTL header.");
    wrap.sensitiveFields = sensitive;

    PathSpec rewrap;
    rewrap.pattern = QStringLiteral("rewrap");
    rewrap.handlers = {{Operation::Update, bind(&WrappingBackend::rewrap)}};
    rewrap.help = QStringLiteral("Moves the answer wrapped under the wrapping token given as {\"token\": ...} under "
                                 "a new wrapping token with the same creation path and TTL; the old token is "
                                 "spent.");
    rewrap.sensitiveFields = sensitive;

    return {unwrap, lookup, wrap, rewrap};
}

QFuture<Response> WrappingBackend::unwrap(const Request &request)
{
    const Result<QByteArray> fromBody = bodyToken(request);
    if (!fromBody)
        return ready(Response::error(fromBody.httpStatus(), fromBody.error()));
    const QByteArray token = fromBody.value().isEmpty() ? request.token : fromBody.value();
    if (token.isEmpty())
        return ready(Response::error(400, QStringLiteral("missing \"token\" value in input")));
    return m_wrapper->unwrap(token).then([](Result<QJsonObject> r) { return answer(r, false); });
}

QFuture<Response> WrappingBackend::lookup(const Request &request)
{
    const Result<QByteArray> token = requiredToken(request);
    if (!token)
        return ready(Response::error(token.httpStatus(), token.error()));
    return m_wrapper->lookup(token.value()).then([](Result<QJsonObject> r) { return answer(r, true); });
}

QFuture<Response> WrappingBackend::wrap(const Request &request)
{
    // The pipeline wraps the answer (it has already refused a malformed X-Vault-Wrap-TTL).
    if (request.header("x-vault-wrap-ttl").trimmed().isEmpty())
        return ready(Response::error(400, QStringLiteral("a wrap TTL is required: set the X-Vault-Wrap-TTL header")));
    if (request.data.isEmpty())
        return ready(Response::error(400, QStringLiteral("empty request body")));
    return ready(Response::ok(vaultData(request.data)));
}

QFuture<Response> WrappingBackend::rewrap(const Request &request)
{
    const Result<QByteArray> token = requiredToken(request);
    if (!token)
        return ready(Response::error(token.httpStatus(), token.error()));
    return m_wrapper->rewrap(token.value()).then([](Result<QJsonObject> r) { return answer(r, false); });
}

} // namespace gk
