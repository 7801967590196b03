#include "engine/backends/SysBackend.h"

#include "engine/Engine.h"
#include "engine/Metrics.h"
#include "engine/RuntimeConfig.h"
#include "engine/crypto/SealManager.h"
#include "engine/token/TokenStore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSysInfo>

namespace gk {

namespace {

QFuture<Response> ready(Response r)
{
    return QtFuture::makeReadyFuture(std::move(r));
}

QFuture<Response> fail(int status, const QString &message)
{
    return ready(Response::error(status, message));
}

// Reads an integer request field that Vault clients send as a number (or sometimes a string).
std::optional<int> intField(const QJsonObject &data, const QString &name)
{
    const QJsonValue v = data.value(name);
    if (v.isUndefined() || v.isNull())
        return std::nullopt;
    if (v.isDouble() && v.toDouble() == static_cast<double>(v.toInt()))
        return v.toInt();
    if (v.isString()) {
        bool ok = false;
        const int n = v.toString().toInt(&ok);
        if (ok)
            return n;
    }
    return std::nullopt;
}

bool boolField(const QJsonObject &data, const QString &name)
{
    const QJsonValue v = data.value(name);
    if (v.isBool())
        return v.toBool();
    if (v.isString())
        return v.toString() == QLatin1String("true") || v.toString() == QLatin1String("1");
    return false;
}

QString isoTime(qint64 msecs)
{
    return QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC).toString(Qt::ISODateWithMs);
}

} // namespace

QList<PathSpec> SysBackend::paths()
{
    using namespace std::placeholders;
    const auto bind = [this](QFuture<Response> (SysBackend::*fn)(const Request &)) {
        return [this, fn](const Request &r) { return (this->*fn)(r); };
    };
    QList<PathSpec> specs;

    PathSpec init;
    init.pattern = QStringLiteral("init");
    init.handlers = {{Operation::Read, bind(&SysBackend::readInit)}, {Operation::Update, bind(&SysBackend::init)}};
    init.help = QStringLiteral("Read whether the server is initialised, or initialise it: secret_shares and "
                               "secret_threshold give the Shamir split of the unseal key. Answers the key shares "
                               "(keys, keys_base64) and the root token, once.");
    init.unauthenticated = true;
    init.allowedWhileSealed = true;
    init.sensitiveFields = {QStringLiteral("keys"), QStringLiteral("keys_base64"), QStringLiteral("root_token")};
    specs.append(init);

    PathSpec sealStatus;
    sealStatus.pattern = QStringLiteral("seal-status");
    sealStatus.handlers = {{Operation::Read, bind(&SysBackend::sealStatus)}};
    sealStatus.help = QStringLiteral("The seal state: initialized, sealed, threshold t, shares n, unseal progress "
                                     "and the current round's nonce.");
    sealStatus.unauthenticated = true;
    sealStatus.allowedWhileSealed = true;
    specs.append(sealStatus);

    PathSpec unseal;
    unseal.pattern = QStringLiteral("unseal");
    unseal.handlers = {{Operation::Update, bind(&SysBackend::unseal)}};
    unseal.help = QStringLiteral("Submit one unseal key share (\"key\", hex or base64), or {\"reset\": true} to "
                                 "discard the shares given so far. Answers the seal state.");
    unseal.unauthenticated = true;
    unseal.allowedWhileSealed = true;
    unseal.sensitiveFields = {QStringLiteral("key")};
    specs.append(unseal);

    PathSpec seal;
    seal.pattern = QStringLiteral("seal");
    seal.handlers = {{Operation::Update, bind(&SysBackend::seal)}};
    seal.help = QStringLiteral("Seal the server: the keyring leaves memory and every route but the seal routes "
                               "answers 503. Needs sudo on sys/seal.");
    seal.requiresSudo = true;
    specs.append(seal);

    PathSpec health;
    health.pattern = QStringLiteral("health");
    health.handlers = {{Operation::Read, bind(&SysBackend::health)}};
    health.help = QStringLiteral("Health with Vault's codes: 200 active, 429 standby, 501 not initialised, 503 "
                                 "sealed. Query parameters standbyok, perfstandbyok, activecode, standbycode, "
                                 "sealedcode, uninitcode, drsecondarycode, performancestandbycode change them.");
    health.unauthenticated = true;
    health.allowedWhileSealed = true;
    specs.append(health);

    PathSpec leader;
    leader.pattern = QStringLiteral("leader");
    leader.handlers = {{Operation::Read, bind(&SysBackend::leader)}};
    leader.help = QStringLiteral("The HA leader: ha_enabled, is_self, leader_address.");
    leader.unauthenticated = true;
    leader.allowedWhileSealed = true;
    specs.append(leader);

    PathSpec ha;
    ha.pattern = QStringLiteral("ha-status");
    ha.handlers = {{Operation::Read, bind(&SysBackend::haStatus)}};
    ha.help = QStringLiteral("The servers of this cluster and which one is active.");
    specs.append(ha);

    PathSpec metrics;
    metrics.pattern = QStringLiteral("metrics");
    metrics.handlers = {{Operation::Read, bind(&SysBackend::metrics)}};
    metrics.help = QStringLiteral("Request counts and latency per route and the seal state; ?format=prometheus "
                                  "for Prometheus text format.");
    specs.append(metrics);

    PathSpec keyStatus;
    keyStatus.pattern = QStringLiteral("key-status");
    keyStatus.handlers = {{Operation::Read, bind(&SysBackend::keyStatus)}};
    keyStatus.help = QStringLiteral("The barrier's active key term and when it was installed.");
    specs.append(keyStatus);

    PathSpec rotate;
    rotate.pattern = QStringLiteral("rotate");
    rotate.handlers = {{Operation::Update, bind(&SysBackend::rotate)}};
    rotate.help = QStringLiteral("Add a new barrier key term; new writes use it, older terms still decrypt.");
    rotate.requiresSudo = true;
    specs.append(rotate);

    return specs;
}

QJsonObject SysBackend::sealStatusJson() const
{
    const SealState s = m_engine->seal().state();
    QJsonObject out{
        {QStringLiteral("type"), QStringLiteral("shamir")},
        {QStringLiteral("initialized"), s.initialized},
        {QStringLiteral("sealed"), s.sealed},
        {QStringLiteral("t"), s.threshold},
        {QStringLiteral("n"), s.shares},
        {QStringLiteral("progress"), s.progress},
        {QStringLiteral("nonce"), s.nonce},
        {QStringLiteral("version"), QStringLiteral(GK_VERSION)},
        {QStringLiteral("build_date"), QStringLiteral(__DATE__)},
        {QStringLiteral("migration"), false},
        {QStringLiteral("recovery_seal"), false},
        {QStringLiteral("storage_type"), m_engine->options().storageType},
    };
    if (!s.sealed) {
        out.insert(QStringLiteral("cluster_name"), m_engine->clusterName());
        out.insert(QStringLiteral("cluster_id"), m_engine->clusterId());
    }
    return out;
}

QFuture<Response> SysBackend::readInit(const Request &)
{
    return ready(Response::ok({{QStringLiteral("initialized"), m_engine->seal().state().initialized}}));
}

QFuture<Response> SysBackend::init(const Request &request)
{
    const QJsonObject &d = request.data;
    const auto shares = intField(d, QStringLiteral("secret_shares"));
    const auto threshold = intField(d, QStringLiteral("secret_threshold"));
    if (!shares || !threshold)
        return fail(400, QStringLiteral("secret_shares and secret_threshold must be given as integers"));
    for (const char *unsupported : {"pgp_keys", "root_token_pgp_key", "recovery_pgp_keys"}) {
        const QJsonValue v = d.value(QLatin1String(unsupported));
        if ((v.isArray() && !v.toArray().isEmpty()) || (v.isString() && !v.toString().isEmpty()))
            return fail(400, QStringLiteral("%1 is not supported").arg(QLatin1String(unsupported)));
    }
    return m_engine->initialize(*shares, *threshold).then([](Result<Engine::InitAnswer> r) {
        if (!r)
            return Response::error(r.httpStatus(), r.error());
        QJsonArray keys;
        QJsonArray keysBase64;
        for (const QString &k : r.value().keysHex)
            keys.append(k);
        for (const QString &k : r.value().keysBase64)
            keysBase64.append(k);
        return Response::ok({{QStringLiteral("keys"), keys},
                             {QStringLiteral("keys_base64"), keysBase64},
                             {QStringLiteral("root_token"), r.value().rootToken}});
    });
}

QFuture<Response> SysBackend::sealStatus(const Request &)
{
    return ready(Response::ok(sealStatusJson()));
}

QFuture<Response> SysBackend::unseal(const Request &request)
{
    if (boolField(request.data, QStringLiteral("reset"))) {
        m_engine->seal().resetProgress();
        return ready(Response::ok(sealStatusJson()));
    }
    const QJsonValue key = request.data.value(QStringLiteral("key"));
    if (!key.isString() || key.toString().isEmpty())
        return fail(400, QStringLiteral("'key' must be specified in request body as JSON, or 'reset' set to true"));
    if (!m_engine->seal().state().initialized)
        return fail(400, QStringLiteral("server is not initialized"));
    if (!m_engine->seal().state().sealed)
        return ready(Response::ok(sealStatusJson()));
    const QString nonce = request.data.value(QStringLiteral("nonce")).toString();
    return m_engine->seal()
        .submitShare(key.toString(), nonce)
        .then([this](Result<SealState> r) -> QFuture<Response> {
            if (!r)
                return fail(r.httpStatus(), r.error());
            if (r.value().sealed)
                return ready(Response::ok(sealStatusJson()));
            return m_engine->afterUnseal().then([this](Status st) {
                if (!st)
                    return Response::error(st.httpStatus(), st.error());
                return Response::ok(sealStatusJson());
            });
        })
        .unwrap();
}

QFuture<Response> SysBackend::seal(const Request &)
{
    m_engine->sealNow();
    return ready(Response::noContent());
}

QFuture<Response> SysBackend::health(const Request &request)
{
    const SealState s = m_engine->seal().state();
    const QJsonObject &q = request.data;
    const auto code = [&](const char *param, int fallback) {
        const auto v = intField(q, QLatin1String(param));
        return v && *v >= 100 && *v <= 599 ? *v : fallback;
    };
    int status = code("activecode", 200);
    if (!s.initialized)
        status = code("uninitcode", 501);
    else if (s.sealed)
        status = code("sealedcode", 503);

    QJsonObject body{
        {QStringLiteral("initialized"), s.initialized},
        {QStringLiteral("sealed"), s.sealed},
        {QStringLiteral("standby"), false},
        {QStringLiteral("performance_standby"), false},
        {QStringLiteral("replication_performance_mode"), QStringLiteral("disabled")},
        {QStringLiteral("replication_dr_mode"), QStringLiteral("disabled")},
        {QStringLiteral("server_time_utc"), QDateTime::currentSecsSinceEpoch()},
        {QStringLiteral("version"), QStringLiteral(GK_VERSION)},
    };
    if (!s.sealed) {
        body.insert(QStringLiteral("cluster_name"), m_engine->clusterName());
        body.insert(QStringLiteral("cluster_id"), m_engine->clusterId());
    }
    // Health answers the state with whatever code applies (as Vault does); answers >= 400 also carry "errors".
    if (status >= 400) {
        const QString why = !s.initialized ? QStringLiteral("server is not initialized")
                            : s.sealed     ? QStringLiteral("server is sealed")
                                           : QStringLiteral("server is active");
        body.insert(QStringLiteral("errors"), QJsonArray{why});
    }
    return ready(Response::ok(std::move(body), status));
}

QFuture<Response> SysBackend::leader(const Request &)
{
    const SealState s = m_engine->seal().state();
    return ready(Response::ok({
        {QStringLiteral("ha_enabled"), false},
        {QStringLiteral("is_self"), !s.sealed},
        {QStringLiteral("active_time"), s.sealed ? QStringLiteral("0001-01-01T00:00:00Z")
                                                 : isoTime(m_engine->activeSinceMsecs())},
        {QStringLiteral("leader_address"), s.sealed ? QString() : m_engine->apiAddr()},
        {QStringLiteral("leader_cluster_address"), QString()},
        {QStringLiteral("performance_standby"), false},
        {QStringLiteral("performance_standby_last_remote_wal"), 0},
    }));
}

QFuture<Response> SysBackend::haStatus(const Request &)
{
    const QJsonObject self{
        {QStringLiteral("hostname"), QSysInfo::machineHostName()},
        {QStringLiteral("api_address"), m_engine->apiAddr()},
        {QStringLiteral("cluster_address"), QString()},
        {QStringLiteral("active_node"), true},
        {QStringLiteral("last_echo"), QJsonValue::Null},
        {QStringLiteral("version"), QStringLiteral(GK_VERSION)},
        {QStringLiteral("unsealed"), !m_engine->seal().state().sealed},
    };
    return ready(Response::ok({{QStringLiteral("nodes"), QJsonArray{self}}}));
}

QFuture<Response> SysBackend::metrics(const Request &request)
{
    const QString format = request.data.value(QStringLiteral("format")).toString();
    const bool prometheus = format == QLatin1String("prometheus") ||
                            request.header("accept").contains("text/plain");
    if (!format.isEmpty() && format != QLatin1String("prometheus") && format != QLatin1String("json"))
        return fail(400, QStringLiteral("format must be \"prometheus\" or \"json\""));
    if (prometheus)
        return ready(Response::text(m_engine->metrics().renderPrometheus(), "text/plain; version=0.0.4; charset=utf-8"));
    return ready(Response::ok(m_engine->metrics().renderJson()));
}

QFuture<Response> SysBackend::keyStatus(const Request &)
{
    const Barrier::KeyStatus ks = m_engine->seal().barrier()->keyStatus();
    return ready(Response::ok({{QStringLiteral("term"), static_cast<qint64>(ks.term)},
                               {QStringLiteral("install_time"), ks.installTime.toUTC().toString(Qt::ISODate)},
                               {QStringLiteral("encryptions"), static_cast<qint64>(ks.encryptions)}}));
}

QFuture<Response> SysBackend::rotate(const Request &)
{
    return m_engine->seal().barrier()->rotate().then([](Status st) {
        if (!st)
            return Response::error(st.httpStatus(), st.error());
        return Response::noContent();
    });
}

} // namespace gk
