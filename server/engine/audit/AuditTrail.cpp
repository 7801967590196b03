#include "engine/audit/AuditTrail.h"

#include "engine/audit/AuditFileDevice.h"
#include "engine/crypto/Crypto.h"
#include "engine/token/TokenEntry.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutexLocker>

#include <cmath>

namespace gk {

namespace {

const QString kHmacPrefix = QStringLiteral("hmac-sha256:");

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QString now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QString numberText(double d)
{
    if (std::trunc(d) == d && std::fabs(d) < 9007199254740992.0)
        return QString::number(static_cast<qint64>(d));
    return QString::number(d, 'g', 17);
}

QString errorText(const Response &response)
{
    if (response.status < 400)
        return {};
    QStringList messages;
    for (const QJsonValue &e : response.json.value(QStringLiteral("errors")).toArray())
        messages.append(e.toString());
    return messages.isEmpty() ? QStringLiteral("status %1").arg(response.status) : messages.join(QStringLiteral("; "));
}

// True when some device wrote every one of its entries: results hold entries x devices, entry by entry.
bool someDeviceWroteAll(const QList<QFuture<Status>> &results, qsizetype devices)
{
    if (devices == 0)
        return false;
    const qsizetype entries = results.size() / devices;
    for (qsizetype d = 0; d < devices; ++d) {
        bool all = true;
        for (qsizetype e = 0; e < entries && all; ++e) {
            const QFuture<Status> &f = results.at(e * devices + d);
            all = f.isValid() && f.resultCount() > 0 && f.result().isOk();
        }
        if (all)
            return true;
    }
    return false;
}

Response auditFailure()
{
    return Response::error(500, QStringLiteral("audit: no audit device could record the request"));
}

} // namespace

// ---- AuditHasher -----------------------------------------------------------------------------------------------

QString AuditHasher::hash(const QString &value) const
{
    return kHmacPrefix + QString::fromLatin1(crypto::hmacSha256(m_key, value.toUtf8()).toHex());
}

QJsonValue AuditHasher::hashAll(const QJsonValue &value) const
{
    switch (value.type()) {
    case QJsonValue::String:
        return hash(value.toString());
    case QJsonValue::Double:
        return hash(numberText(value.toDouble()));
    case QJsonValue::Array: {
        QJsonArray out;
        for (const QJsonValue &v : value.toArray())
            out.append(hashAll(v));
        return out;
    }
    case QJsonValue::Object: {
        const QJsonObject in = value.toObject();
        QJsonObject out;
        for (auto it = in.begin(); it != in.end(); ++it)
            out.insert(it.key(), hashAll(it.value()));
        return out;
    }
    default:
        return value;
    }
}

QJsonObject AuditHasher::hashAuth(const QJsonObject &auth) const
{
    static const QStringList plain{QStringLiteral("policies"),          QStringLiteral("token_policies"),
                                   QStringLiteral("identity_policies"), QStringLiteral("display_name"),
                                   QStringLiteral("entity_id"),         QStringLiteral("token_type"),
                                   QStringLiteral("token_issue_time")};
    static const QStringList plainMetadata{QStringLiteral("username"), QStringLiteral("role_name")};
    QJsonObject out;
    for (auto it = auth.begin(); it != auth.end(); ++it) {
        const QJsonValue &v = it.value();
        if (plain.contains(it.key()) || v.isBool() || v.isNull() || v.isDouble()) {
            out.insert(it.key(), v);
        } else if (it.key() == QLatin1String("metadata") && v.isObject()) {
            const QJsonObject meta = v.toObject();
            QJsonObject hashed;
            for (auto m = meta.begin(); m != meta.end(); ++m)
                hashed.insert(m.key(), plainMetadata.contains(m.key()) ? m.value() : hashAll(m.value()));
            out.insert(it.key(), hashed);
        } else {
            out.insert(it.key(), hashAll(v));
        }
    }
    return out;
}

// ---- AuditTrail ------------------------------------------------------------------------------------------------

AuditTrail::AuditTrail(QList<std::shared_ptr<AuditFileDevice>> devices, SecureBytes key, std::shared_ptr<QMutex> order)
    : m_devices(std::move(devices)), m_hasher(std::move(key)), m_order(std::move(order)), m_id(crypto::publicUuid())
{}

QJsonObject AuditTrail::requestEntry(const Request &request, const QString &error) const
{
    QJsonObject auth;
    if (request.auth) {
        const TokenEntry &t = *request.auth;
        QJsonObject meta;
        for (auto it = t.meta.cbegin(); it != t.meta.cend(); ++it)
            meta.insert(it.key(), it.value());
        const QJsonArray policies = QJsonArray::fromStringList(t.policies);
        auth = {{QStringLiteral("accessor"), t.accessor},
                {QStringLiteral("display_name"), t.displayName},
                {QStringLiteral("policies"), policies},
                {QStringLiteral("token_policies"), policies},
                {QStringLiteral("metadata"), meta},
                {QStringLiteral("entity_id"), t.entityId},
                {QStringLiteral("token_type"), t.type},
                {QStringLiteral("token_ttl"), t.ttl},
                {QStringLiteral("token_issue_time"),
                 QDateTime::fromSecsSinceEpoch(t.creationTime, Qt::UTC).toString(Qt::ISODate)}};
    }
    if (!request.token.isEmpty())
        auth.insert(QStringLiteral("client_token"), QString::fromUtf8(request.token));
    auth = m_hasher.hashAuth(auth);

    QJsonObject req{{QStringLiteral("id"), m_id},
                    {QStringLiteral("operation"), operationName(request.operation)},
                    {QStringLiteral("path"), request.path},
                    {QStringLiteral("namespace"), QJsonObject{{QStringLiteral("id"), QStringLiteral("root")}}}};
    if (request.api == Api::Root)
        req.insert(QStringLiteral("api"), QStringLiteral("root"));
    if (!request.mountPoint.isEmpty())
        req.insert(QStringLiteral("mount_point"), request.mountPoint);
    if (!request.peer.isNull())
        req.insert(QStringLiteral("remote_address"), request.peer.toString());
    if (!request.token.isEmpty())
        req.insert(QStringLiteral("client_token"), m_hasher.hash(QString::fromUtf8(request.token)));
    if (request.auth)
        req.insert(QStringLiteral("client_token_accessor"), m_hasher.hash(request.auth->accessor));
    if (!request.data.isEmpty())
        req.insert(QStringLiteral("data"), m_hasher.hashAll(request.data));
    const QByteArray wrapTtl = request.header("x-vault-wrap-ttl");
    if (!wrapTtl.isEmpty())
        req.insert(QStringLiteral("wrap_ttl"), QString::fromLatin1(wrapTtl.left(32)));

    QJsonObject entry{{QStringLiteral("time"), now()},
                      {QStringLiteral("type"), QStringLiteral("request")},
                      {QStringLiteral("auth"), auth},
                      {QStringLiteral("request"), req}};
    if (!error.isEmpty())
        entry.insert(QStringLiteral("error"), error);
    return entry;
}

QJsonObject AuditTrail::responseEntry(const Request &request, const Response &response) const
{
    QJsonObject entry = requestEntry(request, errorText(response));
    entry.insert(QStringLiteral("type"), QStringLiteral("response"));
    QJsonObject out{{QStringLiteral("status"), response.status}};
    if (!request.mountPoint.isEmpty())
        out.insert(QStringLiteral("mount_point"), request.mountPoint);
    if (response.hasJson && response.status < 400) {
        const QJsonObject &body = response.json;
        if (body.contains(QStringLiteral("request_id"))) {
            // Vault's envelope: data, auth, wrap_info and warnings (the top-level copies of data are not repeated).
            const QJsonObject data = body.value(QStringLiteral("data")).toObject();
            if (!data.isEmpty())
                out.insert(QStringLiteral("data"), m_hasher.hashAll(data));
            const QJsonValue auth = body.value(QStringLiteral("auth"));
            if (auth.isObject())
                out.insert(QStringLiteral("auth"), m_hasher.hashAuth(auth.toObject()));
            const QJsonValue wrap = body.value(QStringLiteral("wrap_info"));
            if (wrap.isObject()) {
                QJsonObject wrapInfo;
                const QJsonObject in = wrap.toObject();
                for (auto it = in.begin(); it != in.end(); ++it) {
                    const bool plain = it.key() == QLatin1String("creation_time") ||
                                       it.key() == QLatin1String("creation_path") ||
                                       it.key() == QLatin1String("format") || it.key() == QLatin1String("ttl");
                    wrapInfo.insert(it.key(), plain ? it.value() : m_hasher.hashAll(it.value()));
                }
                out.insert(QStringLiteral("wrap_info"), wrapInfo);
            }
            const QJsonValue warnings = body.value(QStringLiteral("warnings"));
            if (warnings.isArray() && !warnings.toArray().isEmpty())
                out.insert(QStringLiteral("warnings"), warnings);
        } else if (!body.isEmpty()) {
            out.insert(QStringLiteral("data"), m_hasher.hashAll(body));
        }
    }
    entry.insert(QStringLiteral("response"), out);
    return entry;
}

QList<QFuture<Status>> AuditTrail::writeToAll(const QList<QByteArray> &entries)
{
    QList<QFuture<Status>> futures;
    futures.reserve(entries.size() * m_devices.size());
    QMutexLocker lock(m_order.get());
    for (const QByteArray &entry : entries)
        for (const auto &device : std::as_const(m_devices))
            futures.append(device->write(entry));
    return futures;
}

QFuture<Status> AuditTrail::writeEvent(const QJsonObject &event)
{
    const QJsonObject entry{{QStringLiteral("time"), now()},
                            {QStringLiteral("type"), QStringLiteral("event")},
                            {QStringLiteral("event"), event}};
    QList<QFuture<Status>> futures = writeToAll({compact(entry)});
    const qsizetype devices = m_devices.size();
    return QtFuture::whenAll(futures.begin(), futures.end()).then([devices](const QList<QFuture<Status>> &results) {
        return someDeviceWroteAll(results, devices)
                   ? Status::ok()
                   : Status::fail(QStringLiteral("audit: no audit device could record the event"));
    });
}

QFuture<Response> AuditTrail::beforeHandler(const Request &request,
                                            const std::function<QFuture<Response>(const Request &)> &handler)
{
    m_requestWritten = true;
    {
        QMutexLocker lock(&m_routedMutex);
        auto routed = std::make_shared<Request>(request);
        routed->audit.reset(); // the trail must not own itself
        m_routed = std::move(routed);
    }
    QList<QFuture<Status>> futures = writeToAll({compact(requestEntry(request, {}))});
    const qsizetype devices = m_devices.size();
    // Device writes are answered in the caller's home thread (HomeThread), so the handler runs there and never on a
    // device's writer thread.
    return QtFuture::whenAll(futures.begin(), futures.end())
        .then([request, handler, devices](const QList<QFuture<Status>> &results) -> QFuture<Response> {
            if (!someDeviceWroteAll(results, devices))
                return QtFuture::makeReadyFuture(auditFailure());
            return handler(request);
        })
        .unwrap();
}

QFuture<Response> AuditTrail::afterResponse(const Request &request, const Response &response)
{
    QList<QByteArray> entries;
    const bool late = !m_requestWritten.exchange(true);
    std::shared_ptr<const Request> routed;
    {
        QMutexLocker lock(&m_routedMutex);
        routed = m_routed;
    }
    if (late)
        entries.append(compact(requestEntry(request, errorText(response))));
    entries.append(compact(responseEntry(routed ? *routed : request, response)));
    QList<QFuture<Status>> futures = writeToAll(entries);
    const qsizetype devices = m_devices.size();
    return QtFuture::whenAll(futures.begin(), futures.end())
        .then([response, devices](const QList<QFuture<Status>> &results) {
            return someDeviceWroteAll(results, devices) ? response : auditFailure();
        });
}

} // namespace gk
