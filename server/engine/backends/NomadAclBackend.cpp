#include "engine/backends/NomadAclBackend.h"

#include "engine/Engine.h"
#include "engine/crypto/SealManager.h"
#include "engine/events/EventLog.h"
#include "engine/policy/PolicyStore.h"
#include "engine/storage/Storage.h"
#include "engine/token/TokenStore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutexLocker>

#include <algorithm>

namespace gk {

namespace {

const QString kBootstrapKey = QStringLiteral("sys/nomad-acl/bootstrap");
const QString kManagement = QStringLiteral("management");
const QString kClient = QStringLiteral("client");
const QString kMetaName = QStringLiteral("nomad_name");
const QString kMetaType = QStringLiteral("nomad_type");
const QString kMetaGlobal = QStringLiteral("nomad_global");
const QString kMetaCreateIndex = QStringLiteral("nomad_create_index");
const QString kMetaModifyIndex = QStringLiteral("nomad_modify_index");
constexpr qsizetype kMaxName = 256;

QFuture<Response> ready(Response r)
{
    return QtFuture::makeReadyFuture(std::move(r));
}

Response denied()
{
    return Response::error(403, QStringLiteral("Permission denied: a management token is required"));
}

// Nomad answers 404 for an accessor it does not know; the token store says 400 "invalid accessor".
Response lookupFailure(int status, const QString &message)
{
    if (status == 400)
        return Response::error(404, QStringLiteral("ACL token not found"));
    return Response::error(status, message);
}

// Accessors are UUIDs: a prefix is hex digits and dashes.
bool validPrefix(const QString &prefix)
{
    return prefix.size() <= 36 && std::all_of(prefix.cbegin(), prefix.cend(), [](QChar c) {
               return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F') || c == u'-';
           });
}

QByteArray indexHeader(Engine *engine)
{
    return QByteArray::number(engine->events().index());
}

// The index a change made now will most likely get (the event log's own record is authoritative).
QString nextIndex(Engine *engine)
{
    return QString::number(engine->events().index() + 1);
}

bool isManagement(const Request &request)
{
    return request.auth && request.auth->isRoot();
}

} // namespace

QList<PathSpec> NomadAclBackend::paths()
{
    const auto bind = [this](QFuture<Response> (NomadAclBackend::*fn)(const Request &)) {
        return [this, fn](const Request &r) { return (this->*fn)(r); };
    };
    const QStringList secretFields{QStringLiteral("SecretID")};
    QList<PathSpec> specs;
    const auto add = [&](const QString &pattern, std::map<Operation, Handler> handlers, const QString &help) {
        PathSpec spec;
        spec.pattern = pattern;
        spec.handlers = std::move(handlers);
        spec.help = help;
        spec.sensitiveFields = secretFields;
        specs.append(spec);
        return specs.size() - 1;
    };
    const qsizetype boot = add(QStringLiteral("bootstrap"), {{Operation::Update, bind(&NomadAclBackend::bootstrap)}},
                               QStringLiteral("POST, without a token: creates the first management token and answers "
                                              "it with its SecretID. Works once; later calls get 400."));
    specs[boot].unauthenticated = true;
    const qsizetype tokens = add(
        QStringLiteral("tokens"), {{Operation::Read, bind(&NomadAclBackend::list)}},
        QStringLiteral("GET: the token stubs (no SecretID), sorted by AccessorID; ?prefix= filters on the "
                       "AccessorID. A blocking query (?index=N&wait=30s) answered with X-Nomad-Index. Needs a "
                       "management token."));
    specs[tokens].listLike = true;
    add(QStringLiteral("token"), {{Operation::Update, bind(&NomadAclBackend::create)}},
        QStringLiteral("POST {\"Name\", \"Type\": \"client\"|\"management\", \"Policies\", \"Global\"}: creates a "
                       "token and answers it with its SecretID. Client tokens need at least one policy; management "
                       "tokens take none (they hold the root policy). Needs a management token."));
    const qsizetype self = add(QStringLiteral("token/self"), {{Operation::Read, bind(&NomadAclBackend::self)}},
                               QStringLiteral("GET: the calling token (X-Nomad-Token or X-Vault-Token), with its "
                                              "SecretID. Any valid token."));
    specs[self].callerScoped = true; // any valid token may ask about itself
    add(QStringLiteral("token/([^/]+)"),
        {{Operation::Read, bind(&NomadAclBackend::read)},
         {Operation::Update, bind(&NomadAclBackend::update)},
         {Operation::Delete, bind(&NomadAclBackend::remove)}},
        QStringLiteral("GET reads the token with that AccessorID (without its SecretID); POST updates its Name, "
                       "Type and Policies (AccessorID in the body, when given, must match); DELETE revokes it. Needs "
                       "a management token; 404 for an unknown accessor."));
    return specs;
}

QJsonObject NomadAclBackend::tokenJson(const TokenEntry &entry, const QString &secretId)
{
    const QString type = entry.meta.value(kMetaType, entry.isRoot() ? kManagement : kClient);
    QJsonObject out{
        {QStringLiteral("AccessorID"), entry.accessor},
        {QStringLiteral("Name"), entry.meta.value(kMetaName, entry.displayName)},
        {QStringLiteral("Type"), type},
        {QStringLiteral("Policies"),
         type == kManagement ? QJsonValue(QJsonValue::Null) : QJsonValue(QJsonArray::fromStringList(entry.policies))},
        {QStringLiteral("Global"), entry.meta.value(kMetaGlobal) == QLatin1String("true")},
        {QStringLiteral("CreateTime"),
         QDateTime::fromSecsSinceEpoch(entry.creationTime, Qt::UTC).toString(Qt::ISODateWithMs)},
        {QStringLiteral("CreateIndex"), entry.meta.value(kMetaCreateIndex).toLongLong()},
        {QStringLiteral("ModifyIndex"), entry.meta.value(kMetaModifyIndex).toLongLong()},
    };
    if (!secretId.isEmpty())
        out.insert(QStringLiteral("SecretID"), secretId);
    return out;
}

QStringList NomadAclBackend::applyBody(const QJsonObject &body, TokenEntry *entry, bool creating)
{
    QStringList errors;
    const auto given = [&](const QString &name) {
        const QJsonValue v = body.value(name);
        return !v.isUndefined() && !v.isNull();
    };

    QString name = entry->meta.value(kMetaName, creating ? QString() : entry->displayName);
    if (given(QStringLiteral("Name"))) {
        const QJsonValue v = body.value(QStringLiteral("Name"));
        if (!v.isString() || v.toString().size() > kMaxName)
            errors.append(QStringLiteral("Name must be a string of at most %1 characters").arg(kMaxName));
        else
            name = v.toString();
    }

    QString type = creating ? QString() : entry->meta.value(kMetaType, entry->isRoot() ? kManagement : kClient);
    if (given(QStringLiteral("Type"))) {
        type = body.value(QStringLiteral("Type")).toString();
        if (type != kClient && type != kManagement)
            errors.append(QStringLiteral("Type must be \"client\" or \"management\""));
    } else if (creating) {
        errors.append(QStringLiteral("Type is required: \"client\" or \"management\""));
    }

    QStringList policies = entry->isRoot() ? QStringList() : entry->policies;
    if (given(QStringLiteral("Policies"))) {
        policies.clear();
        const QJsonValue v = body.value(QStringLiteral("Policies"));
        if (!v.isArray()) {
            errors.append(QStringLiteral("Policies must be a list of policy names"));
        } else {
            for (const QJsonValue &item : v.toArray()) {
                const Result<QString> normal = item.isString()
                                                   ? PolicyStore::normalizeName(item.toString())
                                                   : Result<QString>::fail(QStringLiteral("policy names are strings"));
                if (!normal)
                    errors.append(QStringLiteral("Policies: %1").arg(normal.error()));
                else if (normal.value() == QLatin1String("root"))
                    errors.append(QStringLiteral("Policies: \"root\" is given by Type \"management\", not by name"));
                else if (!policies.contains(normal.value()))
                    policies.append(normal.value());
            }
        }
    }
    if (type == kManagement && !policies.isEmpty() && given(QStringLiteral("Policies")))
        errors.append(QStringLiteral("management tokens cannot have Policies"));
    if (type == kClient && policies.isEmpty() && errors.isEmpty())
        errors.append(QStringLiteral("client tokens need at least one policy"));

    const bool storedGlobal = entry->meta.value(kMetaGlobal) == QLatin1String("true");
    bool global = storedGlobal;
    if (given(QStringLiteral("Global"))) {
        const QJsonValue v = body.value(QStringLiteral("Global"));
        if (!v.isBool())
            errors.append(QStringLiteral("Global must be a boolean"));
        else if (!creating && v.toBool() != storedGlobal)
            errors.append(QStringLiteral("a token cannot be switched between global and local"));
        else
            global = v.toBool();
    }
    for (const QString &field : {QStringLiteral("SecretID"), QStringLiteral("AccessorID")})
        if (creating && given(field) && !body.value(field).toString().isEmpty())
            errors.append(QStringLiteral("%1 cannot be chosen: it is generated").arg(field));
    if (!errors.isEmpty())
        return errors;

    policies.sort();
    entry->policies = type == kManagement ? QStringList{QStringLiteral("root")} : policies;
    entry->meta.insert(kMetaName, name);
    entry->meta.insert(kMetaType, type);
    entry->meta.insert(kMetaGlobal, global ? QStringLiteral("true") : QStringLiteral("false"));
    entry->displayName = name.isEmpty() ? QStringLiteral("nomad") : name;
    return {};
}

QFuture<Response> NomadAclBackend::issue(TokenEntry entry)
{
    // Nomad's tokens stand alone: orphans without expiry, revoked only by DELETE.
    entry.parentHmac.clear();
    entry.orphan = true;
    entry.meta.insert(kMetaCreateIndex, nextIndex(m_engine));
    entry.meta.insert(kMetaModifyIndex, entry.meta.value(kMetaCreateIndex));
    return m_engine->tokens().create(std::move(entry)).then([](Result<TokenStore::Created> created) {
        if (!created)
            return Response::error(created.httpStatus(), created.error());
        return Response::ok(tokenJson(*created.value().entry, created.value().id));
    });
}

QFuture<Response> NomadAclBackend::bootstrap(const Request &)
{
    const Response done = Response::error(400, QStringLiteral("ACL bootstrap already done"));
    {
        QMutexLocker lock(&m_mutex);
        if (m_bootstrapping)
            return ready(done);
        m_bootstrapping = true;
    }
    const auto finished = [this](Response r) {
        QMutexLocker lock(&m_mutex);
        m_bootstrapping = false;
        return r;
    };
    Storage *barrier = m_engine->seal().barrier();
    return barrier->get(kBootstrapKey)
        .then([this, barrier, done](Result<std::optional<QByteArray>> got) -> QFuture<Response> {
            if (!got)
                return ready(Response::error(got.httpStatus(), got.error()));
            if (got.value())
                return ready(done);
            // The mark is written first, so that a failure after it can never allow a second bootstrap.
            const QJsonObject mark{{QStringLiteral("time"), QDateTime::currentSecsSinceEpoch()}};
            return barrier->put(kBootstrapKey, QJsonDocument(mark).toJson(QJsonDocument::Compact))
                .then([this, barrier](Status st) -> QFuture<Response> {
                    if (!st)
                        return ready(Response::error(st.httpStatus(), st.error()));
                    TokenEntry entry;
                    entry.path = QStringLiteral("acl/bootstrap");
                    entry.meta = {{kMetaName, QStringLiteral("Bootstrap Token")},
                                  {kMetaType, kManagement},
                                  {kMetaGlobal, QStringLiteral("true")}};
                    entry.displayName = QStringLiteral("Bootstrap Token");
                    entry.policies = {QStringLiteral("root")};
                    return issue(std::move(entry))
                        .then([barrier](Response r) -> QFuture<Response> {
                            if (r.status < 400)
                                return ready(r);
                            return barrier->remove(kBootstrapKey).then([r](Status) { return r; });
                        })
                        .unwrap();
                })
                .unwrap();
        })
        .unwrap()
        .then(finished);
}

QFuture<Response> NomadAclBackend::list(const Request &request)
{
    if (!isManagement(request))
        return ready(denied());
    const QString prefix = request.query.queryItemValue(QStringLiteral("prefix"), QUrl::FullyDecoded);
    if (!validPrefix(prefix))
        return ready(Response::error(400, QStringLiteral("prefix must be up to 36 hexadecimal digits and dashes")));
    const QByteArray index = indexHeader(m_engine);
    TokenStore &tokens = m_engine->tokens();
    return tokens.accessors()
        .then([&tokens, prefix](Result<QStringList> accessors) -> QFuture<Result<QJsonArray>> {
            using R = Result<QJsonArray>;
            if (!accessors)
                return QtFuture::makeReadyFuture(R(accessors.status()));
            QList<QFuture<Result<TokenStore::EntryPtr>>> lookups;
            for (const QString &accessor : accessors.value())
                if (accessor.startsWith(prefix, Qt::CaseInsensitive))
                    lookups.append(tokens.lookupByAccessor(accessor));
            if (lookups.isEmpty())
                return QtFuture::makeReadyFuture(R(QJsonArray()));
            return QtFuture::whenAll(lookups.begin(), lookups.end())
                .then([](const QList<QFuture<Result<TokenStore::EntryPtr>>> &done) -> R {
                    QList<QJsonObject> stubs;
                    for (const auto &f : done) {
                        const Result<TokenStore::EntryPtr> entry = f.result();
                        if (entry) // revoked or expired meanwhile: not listed
                            stubs.append(tokenJson(*entry.value()));
                        else if (entry.httpStatus() != 400)
                            return entry.status();
                    }
                    std::sort(stubs.begin(), stubs.end(), [](const QJsonObject &a, const QJsonObject &b) {
                        return a.value(QStringLiteral("AccessorID")).toString() <
                               b.value(QStringLiteral("AccessorID")).toString();
                    });
                    QJsonArray out;
                    for (const QJsonObject &stub : std::as_const(stubs))
                        out.append(stub);
                    return out;
                });
        })
        .unwrap()
        .then([index](Result<QJsonArray> stubs) {
            if (!stubs)
                return Response::error(stubs.httpStatus(), stubs.error());
            Response r = Response::text(QJsonDocument(stubs.value()).toJson(QJsonDocument::Compact),
                                        QByteArrayLiteral("application/json"));
            r.withHeader("X-Nomad-Index", index);
            return r;
        });
}

QFuture<Response> NomadAclBackend::create(const Request &request)
{
    if (!isManagement(request))
        return ready(denied());
    TokenEntry entry;
    entry.path = QStringLiteral("acl/token");
    const QStringList errors = applyBody(request.data, &entry, true);
    if (!errors.isEmpty())
        return ready(Response::error(400, errors));
    return issue(std::move(entry));
}

QFuture<Response> NomadAclBackend::read(const Request &request)
{
    if (!isManagement(request))
        return ready(denied());
    const QByteArray index = indexHeader(m_engine);
    return m_engine->tokens()
        .lookupByAccessor(request.captures.value(0))
        .then([index](Result<TokenStore::EntryPtr> entry) {
            if (!entry)
                return lookupFailure(entry.httpStatus(), entry.error());
            return Response::ok(tokenJson(*entry.value())).withHeader("X-Nomad-Index", index);
        });
}

QFuture<Response> NomadAclBackend::update(const Request &request)
{
    if (!isManagement(request))
        return ready(denied());
    const QString accessor = request.captures.value(0);
    const QJsonValue inBody = request.data.value(QStringLiteral("AccessorID"));
    if (!inBody.isUndefined() && !inBody.isNull() && inBody.toString() != accessor)
        return ready(Response::error(400, QStringLiteral("AccessorID in the body does not match the path")));
    // Checked once before the token is looked up, so that bad input is a 400 even for an unknown accessor.
    TokenEntry probe;
    probe.meta.insert(kMetaType, kClient);
    probe.policies = {QStringLiteral("default")};
    const QStringList errors = applyBody(request.data, &probe, false);
    if (!errors.isEmpty())
        return ready(Response::error(400, errors));
    const QJsonObject body = request.data;
    Engine *engine = m_engine;
    return m_engine->tokens()
        .lookupByAccessor(accessor)
        .then([engine, body](Result<TokenStore::EntryPtr> entry) -> QFuture<Response> {
            if (!entry)
                return ready(lookupFailure(entry.httpStatus(), entry.error()));
            return engine->tokens()
                .update(entry.value()->idHmac,
                        [engine, body](TokenEntry current) -> Result<TokenEntry> {
                            const QStringList problems = applyBody(body, &current, false);
                            if (!problems.isEmpty())
                                return Result<TokenEntry>::fail(problems.join(QStringLiteral("; ")), 400);
                            current.meta.insert(kMetaModifyIndex, nextIndex(engine));
                            return current;
                        })
                .then([](Result<TokenStore::EntryPtr> updated) {
                    if (!updated && updated.httpStatus() == 403) // revoked meanwhile
                        return lookupFailure(400, updated.error());
                    if (!updated)
                        return Response::error(updated.httpStatus(), updated.error());
                    return Response::ok(tokenJson(*updated.value()));
                });
        })
        .unwrap();
}

QFuture<Response> NomadAclBackend::remove(const Request &request)
{
    if (!isManagement(request))
        return ready(denied());
    Engine *engine = m_engine;
    return m_engine->tokens()
        .lookupByAccessor(request.captures.value(0))
        .then([engine](Result<TokenStore::EntryPtr> entry) -> QFuture<Response> {
            if (!entry)
                return ready(lookupFailure(entry.httpStatus(), entry.error()));
            return engine->tokens().revoke(entry.value()->idHmac).then([](Status st) {
                return st ? Response::noContent() : Response::error(st.httpStatus(), st.error());
            });
        })
        .unwrap();
}

QFuture<Response> NomadAclBackend::self(const Request &request)
{
    // The pipeline has looked the caller's token up already (callerScoped: no ACL check).
    return ready(Response::ok(tokenJson(*request.auth, QString::fromUtf8(request.token)))
                     .withHeader("X-Nomad-Index", indexHeader(m_engine)));
}

} // namespace gk
