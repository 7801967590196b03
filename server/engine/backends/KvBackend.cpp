#include "engine/backends/KvBackend.h"

#include "Duration.h"
#include "engine/policy/VaultData.h"
#include "engine/storage/Storage.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace gk {

namespace {

QFuture<Response> ready(Response r)
{
    return QtFuture::makeReadyFuture(std::move(r));
}

// A secret's path: '/'-separated segments, none empty, "." or "..". A folder (for LIST) may end in '/'.
bool validPath(const QString &path, bool folder)
{
    if (path.isEmpty())
        return folder;
    QString p = path;
    if (p.endsWith(QLatin1Char('/'))) {
        if (!folder)
            return false;
        p.chop(1);
    }
    const QStringList segments = p.split(QLatin1Char('/'));
    return std::none_of(segments.cbegin(), segments.cend(), [](const QString &s) {
        return s.isEmpty() || s == QLatin1String(".") || s == QLatin1String("..");
    });
}

} // namespace

KvBackend::KvBackend(const MountContext &context) : m_barrier(context.barrier), m_prefix(context.storagePrefix) {}

QList<PathSpec> KvBackend::paths()
{
    // The handlers keep the backend alive: a request routed before the mount was disabled may still call one.
    const auto bind = [self = shared_from_this()](QFuture<Response> (KvBackend::*fn)(const Request &)) {
        return [self, fn](const Request &r) { return (self.get()->*fn)(r); };
    };
    PathSpec any;
    any.pattern = QStringLiteral("(.*)");
    any.handlers = {{Operation::Read, bind(&KvBackend::read)},
                    {Operation::Update, bind(&KvBackend::write)},
                    {Operation::Delete, bind(&KvBackend::remove)},
                    {Operation::List, bind(&KvBackend::list)}};
    any.help = QStringLiteral("Key/value secrets (kv version 1). GET reads the object stored at the path "
                              "({\"data\": {...}}, lease_duration from its \"ttl\" field, else 768h); PUT/POST "
                              "stores the request's JSON object (replacing what was there); DELETE removes it; LIST "
                              "names the keys below a folder (sub-folders end in \"/\"; 404 when there are none).");
    any.sensitiveFields = {QStringLiteral("data")};
    return {any};
}

QFuture<Response> KvBackend::read(const Request &request)
{
    const QString path = request.captures.value(0);
    if (!validPath(path, false))
        return ready(Response::error(404, QStringLiteral("no secret at \"%1\"").arg(path)));
    return m_barrier->get(m_prefix + path).then([path](Result<std::optional<QByteArray>> got) {
        if (!got)
            return Response::error(got.httpStatus(), got.error());
        if (!got.value().has_value())
            return Response::error(404, QStringLiteral("no secret at \"%1\"").arg(path));
        const QJsonObject data = QJsonDocument::fromJson(*got.value()).object();
        qint64 lease = kDefaultLeaseSeconds;
        if (const auto ttl = parseDurationSeconds(data.value(QStringLiteral("ttl"))))
            lease = *ttl;
        QJsonObject out = vaultData(data);
        out.insert(QStringLiteral("lease_duration"), lease);
        return Response::ok(out);
    });
}

QFuture<Response> KvBackend::write(const Request &request)
{
    const QString path = request.captures.value(0);
    if (!validPath(path, false) || path.isEmpty())
        return ready(Response::error(400, QStringLiteral("invalid secret path \"%1\": it must be non-empty, not end in "
                                                         "\"/\", and have no empty, \".\" or \"..\" segment")
                                              .arg(path)));
    if (request.data.isEmpty())
        return ready(Response::error(400, QStringLiteral("missing data fields")));
    const QJsonValue ttl = request.data.value(QStringLiteral("ttl"));
    if (!ttl.isUndefined() && !parseDurationSeconds(ttl))
        return ready(Response::error(400, QStringLiteral("ttl must be a duration such as 3600 or \"1h\"")));
    return m_barrier->put(m_prefix + path, QJsonDocument(request.data).toJson(QJsonDocument::Compact))
        .then([](Status st) {
            if (!st)
                return Response::error(st.httpStatus(), st.error());
            return Response::noContent();
        });
}

QFuture<Response> KvBackend::remove(const Request &request)
{
    const QString path = request.captures.value(0);
    if (!validPath(path, false) || path.isEmpty())
        return ready(Response::error(400, QStringLiteral("invalid secret path \"%1\"").arg(path)));
    return m_barrier->remove(m_prefix + path).then([](Status st) {
        if (!st)
            return Response::error(st.httpStatus(), st.error());
        return Response::noContent();
    });
}

QFuture<Response> KvBackend::list(const Request &request)
{
    QString folder = request.captures.value(0);
    if (!validPath(folder, true))
        return ready(Response::error(400, QStringLiteral("invalid folder \"%1\"").arg(folder)));
    if (!folder.isEmpty() && !folder.endsWith(QLatin1Char('/')))
        folder += QLatin1Char('/');
    return m_barrier->list(m_prefix + folder).then([folder](Result<QStringList> keys) {
        if (!keys)
            return Response::error(keys.httpStatus(), keys.error());
        if (keys.value().isEmpty())
            return Response::error(404, QStringLiteral("no secrets below \"%1\"").arg(folder));
        return Response::ok(vaultData({{QStringLiteral("keys"), QJsonArray::fromStringList(keys.value())}}));
    });
}

} // namespace gk
