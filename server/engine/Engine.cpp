#include "engine/Engine.h"

#include "engine/Chain.h"
#include "engine/Metrics.h"
#include "engine/Router.h"
#include "engine/RuntimeConfig.h"
#include "engine/audit/AuditBackend.h"
#include "engine/audit/AuditBroker.h"
#include "engine/backends/AuthMountsBackend.h"
#include "engine/backends/ConfigBackend.h"
#include "engine/backends/IdentityBackend.h"
#include "engine/backends/IdentityStore.h"
#include "engine/backends/MountTable.h"
#include "engine/backends/NomadAclBackend.h"
#include "engine/backends/OAuth2Backend.h"
#include "engine/backends/SysBackend.h"
#include "engine/backends/TokenBackend.h"
#include "engine/broker/Broker.h"
#include "engine/broker/BrokerBackend.h"
#include "engine/broker/GridsBackend.h"
#include "engine/crypto/Crypto.h"
#include "engine/crypto/SealManager.h"
#include "engine/events/EventLog.h"
#include "engine/events/EventsBackend.h"
#include "engine/notify/WebhookNotifier.h"
#include "engine/policy/Acl.h"
#include "engine/policy/CapabilitiesBackend.h"
#include "engine/policy/PolicyBackend.h"
#include "engine/policy/PolicyStore.h"
#include "engine/storage/Storage.h"
#include "engine/token/TokenStore.h"
#include "engine/wrapping/ResponseWrapper.h"
#include "engine/wrapping/WrappingBackend.h"

#include "Duration.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <QTimer>

Q_LOGGING_CATEGORY(lcEngine, "gatekeeper.engine")

namespace gk {

namespace {
const QString kClusterKey = QStringLiteral("sys/cluster");

QFuture<Response> ready(Response r)
{
    return QtFuture::makeReadyFuture(std::move(r));
}

QString allowHeader(const std::map<Operation, Handler> &handlers)
{
    QStringList methods;
    for (const auto &[op, handler] : handlers)
        methods += operationMethods(op);
    return methods.join(QStringLiteral(", "));
}

// Applies the log.level runtime setting to every gatekeeper.* logging category.
void applyLogLevel(const QString &level)
{
    QStringList rules;
    const QStringList order{QStringLiteral("debug"), QStringLiteral("info"), QStringLiteral("warning"),
                            QStringLiteral("critical")};
    const qsizetype min = order.indexOf(level);
    for (qsizetype i = 0; i < order.size() - 1; ++i)
        rules.append(QStringLiteral("gatekeeper.*.%1=%2")
                         .arg(order.at(i), i >= min ? QStringLiteral("true") : QStringLiteral("false")));
    QLoggingCategory::setFilterRules(rules.join(QLatin1Char('\n')));
}
} // namespace

Engine::Engine(std::unique_ptr<Storage> physical, EngineOptions options)
    : m_options(std::move(options)), m_physical(std::move(physical)),
      m_seal(std::make_unique<SealManager>(m_physical.get())), m_metrics(std::make_unique<Metrics>()),
      m_startedMsecs(QDateTime::currentMSecsSinceEpoch())
{
    if (m_options.storageType.isEmpty())
        m_options.storageType = m_physical->type();
    m_apiAddr = m_options.apiAddr;
    m_v1 = std::make_unique<Router>(m_metrics.get());
    m_root = std::make_unique<Router>(m_metrics.get());
    m_tokens = std::make_unique<TokenStore>(m_seal->barrier());
    m_policies = std::make_unique<PolicyStore>(m_seal->barrier());
    m_config = std::make_unique<RuntimeConfig>(m_seal->barrier());
    m_identity = std::make_unique<IdentityStore>(m_seal->barrier());
    m_wrapping = std::make_unique<ResponseWrapper>(m_seal->barrier(), m_tokens.get());
    m_mountTable = std::make_unique<MountTable>(this, m_seal->barrier(), m_identity.get(), m_options.passwordHashLogN);
    m_events = std::make_unique<EventLog>(m_seal->barrier());
    m_audit = std::make_unique<AuditBroker>(m_seal->barrier());
    WebhookNotifier::Options webhooks;
    webhooks.attempts = m_options.webhookAttempts;
    webhooks.retryDelayMs = m_options.webhookRetryDelayMs;
    webhooks.timeoutMs = m_options.webhookTimeoutMs;
    m_webhooks = std::make_unique<WebhookNotifier>(webhooks, m_metrics.get());
    m_broker = std::make_unique<Broker>(this);
    m_config->setObserver([](const QString &name, const QJsonValue &value) {
        if (name == QLatin1String("log.level"))
            applyLogLevel(value.toString());
    });
    m_metrics->addGauge(QStringLiteral("gatekeeper_core_unsealed"), QStringLiteral("1 when the server is unsealed."),
                        [this] { return m_seal->state().sealed ? 0.0 : 1.0; });
    m_metrics->addGauge(QStringLiteral("gatekeeper_core_initialized"),
                        QStringLiteral("1 when the server is initialised."),
                        [this] { return m_seal->state().initialized ? 1.0 : 0.0; });
    m_metrics->addGauge(QStringLiteral("gatekeeper_core_unseal_progress"),
                        QStringLiteral("Key shares submitted in the current unseal round."),
                        [this] { return static_cast<double>(m_seal->state().progress); });
}

Engine::~Engine() = default;

QFuture<Status> Engine::start()
{
    mount(Api::V1, QStringLiteral("sys/"), std::make_shared<SysBackend>(this));
    mount(Api::V1, QStringLiteral("config/"), std::make_shared<ConfigBackend>(this));
    mount(Api::V1, QStringLiteral("sys/policy/"),
          std::make_shared<PolicyBackend>(m_policies.get(), PolicyBackend::Flavour::Policy));
    mount(Api::V1, QStringLiteral("sys/policies/acl/"),
          std::make_shared<PolicyBackend>(m_policies.get(), PolicyBackend::Flavour::PoliciesAcl));
    mount(Api::V1, QStringLiteral("sys/capabilities-self/"), std::make_shared<CapabilitiesBackend>(m_policies.get()));
    mount(Api::V1, QStringLiteral("auth/token/"), std::make_shared<TokenBackend>(this));
    mount(Api::V1, QStringLiteral("sys/auth/"),
          std::make_shared<AuthMountsBackend>(m_mountTable.get(), MountKind::Auth));
    mount(Api::V1, QStringLiteral("sys/mounts/"),
          std::make_shared<AuthMountsBackend>(m_mountTable.get(), MountKind::Secret));
    mount(Api::V1, QStringLiteral("identity/"), std::make_shared<IdentityBackend>(m_identity.get()));
    mount(Api::V1, QStringLiteral("sys/wrapping/"), std::make_shared<WrappingBackend>(m_wrapping.get()));
    mount(Api::Root, QStringLiteral("oauth2/"), std::make_shared<OAuth2Backend>(this));
    mount(Api::V1, QStringLiteral("sys/events/"), std::make_shared<EventsBackend>(m_events.get()));
    mount(Api::V1, QStringLiteral("acl/"), std::make_shared<NomadAclBackend>(this));
    mount(Api::V1, QStringLiteral("sys/audit/"),
          std::make_shared<AuditBackend>(m_audit.get(), AuditBackend::Flavour::Devices));
    mount(Api::V1, QStringLiteral("sys/audit-hash/"),
          std::make_shared<AuditBackend>(m_audit.get(), AuditBackend::Flavour::Hash));
    // The task token broker: Gatekeeper's API at the root, its grids and task policies on /v1.
    for (const auto endpoint :
         {BrokerBackend::Endpoint::Token, BrokerBackend::Endpoint::Status, BrokerBackend::Endpoint::Unseal,
          BrokerBackend::Endpoint::Seal, BrokerBackend::Endpoint::Reload})
        mount(Api::Root, BrokerBackend::prefix(endpoint), std::make_shared<BrokerBackend>(m_broker.get(), endpoint));
    mount(Api::V1, QStringLiteral("grids/"),
          std::make_shared<GridsBackend>(m_broker.get(), GridsBackend::Flavour::Grids));
    mount(Api::V1, QStringLiteral("nodes/"),
          std::make_shared<GridsBackend>(m_broker.get(), GridsBackend::Flavour::Nodes));
    mount(Api::V1, QStringLiteral("gatekeeper/"),
          std::make_shared<GridsBackend>(m_broker.get(), GridsBackend::Flavour::Policies));
    m_tokenTidyTimer = std::make_unique<QTimer>();
    m_tokenTidyTimer->setInterval(m_options.tidyIntervalMs);
    QObject::connect(m_tokenTidyTimer.get(), &QTimer::timeout, [this] {
        if (m_seal->state().sealed)
            return;
        if (!m_tokens->isTidying())
            m_tokens->tidy();
        m_wrapping->tidy();
        m_mountTable->tidy();
        m_broker->tidy();
    });
    m_tokenTidyTimer->start();
    return m_seal->load();
}

void Engine::mount(Api api, const QString &prefix, std::shared_ptr<Backend> backend)
{
    (api == Api::V1 ? m_v1 : m_root)->mount(prefix, std::move(backend));
}

bool Engine::unmount(Api api, const QString &prefix)
{
    return (api == Api::V1 ? m_v1 : m_root)->unmount(prefix);
}

QStringList Engine::mountPrefixes(Api api) const
{
    return (api == Api::V1 ? m_v1 : m_root)->prefixes();
}

void Engine::setApiAddr(const QString &address)
{
    QMutexLocker lock(&m_stateMutex);
    m_apiAddr = address;
}

QString Engine::apiAddr() const
{
    QMutexLocker lock(&m_stateMutex);
    return m_apiAddr;
}

QString Engine::clusterName() const
{
    return m_config->value(QStringLiteral("cluster.name")).toString();
}

QString Engine::clusterId() const
{
    QMutexLocker lock(&m_stateMutex);
    return m_clusterId;
}

qint64 Engine::activeSinceMsecs() const
{
    QMutexLocker lock(&m_stateMutex);
    return m_activeSinceMsecs;
}

QFuture<Response> Engine::handle(Request request)
{
    return m_audit->audited(std::move(request), [this](Request r) { return dispatch(std::move(r)); });
}

QFuture<Response> Engine::dispatch(Request request)
{
    QElapsedTimer timer;
    timer.start();

    const QByteArray ns = request.header("x-vault-namespace");
    if (!ns.isEmpty() && ns != "root/" && ns != "root" && ns != "/")
        return ready(Response::error(400, QStringLiteral("namespaces are not supported: X-Vault-Namespace must be "
                                                         "empty or \"root/\"")));

    const Router &router = request.api == Api::V1 ? *m_v1 : *m_root;
    const std::optional<Router::Match> match = router.route(request.path);
    const std::shared_ptr<const Router::Route> route = match ? match->route : nullptr;
    const bool sealed = m_seal->state().sealed;

    if (sealed && !(route && route->spec.allowedWhileSealed))
        return ready(Response::error(503, QStringLiteral("Vault is sealed")));
    if (!match)
        return ready(Response::error(404, QStringLiteral("no handler for route \"%1\"").arg(request.path)));
    if (!route)
        return ready(Response::error(404, QStringLiteral("unsupported path \"%1\"").arg(request.path)));

    if (request.operation == Operation::Help)
        return ready(Response::ok({{QStringLiteral("help"), route->spec.help}}));

    const auto handler = route->spec.handlers.find(request.operation);
    if (handler == route->spec.handlers.end()) {
        Response r = Response::error(405, QStringLiteral("unsupported operation"));
        r.withHeader("Allow", allowHeader(route->spec.handlers).toLatin1());
        if (route->spec.reshape)
            r = route->spec.reshape(std::move(r));
        route->stats->record(r.status, timer.nsecsElapsed());
        return ready(std::move(r));
    }

    request.mountPoint = match->mount->prefix;
    request.mountPath = match->mountPath;
    request.captures = match->captures;
    // Blocking queries and X-Gatekeeper-Index on lists; successful writes recorded in the event log.
    const Handler fn = m_events->wrap(route->spec, request.operation, match->mount->backend->type(), handler->second);

    const auto finish = [route, timer](Response r) {
        if (route->spec.reshape)
            r = route->spec.reshape(std::move(r));
        route->stats->record(r.status, timer.nsecsElapsed());
        return r;
    };
    if (!request.bodyError.isEmpty())
        return ready(finish(Response::error(400, request.bodyError)));

    // X-Vault-Wrap-TTL: the answer, when it carries data, is replaced by a wrapping token for it.
    qint64 wrapTtl = 0;
    if (const QByteArray header = request.header("x-vault-wrap-ttl").trimmed();
        request.api == Api::V1 && !sealed && !header.isEmpty()) {
        const Result<qint64> ttl = ResponseWrapper::parseTtl(
            header, parseDurationSeconds(m_config->value(QStringLiteral("token.max_ttl"))).value_or(0));
        if (!ttl)
            return ready(finish(Response::error(ttl.httpStatus(), ttl.error())));
        wrapTtl = ttl.value();
    }
    const auto wrapped = [this, wrapTtl, path = request.path](QFuture<Response> answer) {
        return wrapTtl > 0 ? m_wrapping->wrapAnswer(std::move(answer), wrapTtl, path) : answer;
    };

    bool needsToken = !route->spec.unauthenticated;
    if (needsToken && request.api == Api::V1 && request.path == QLatin1String("sys/metrics") &&
        m_config->value(QStringLiteral("metrics.unauthenticated")).toBool())
        needsToken = false;
    if (needsToken && WrappingBackend::unwrapsOwnToken(request))
        needsToken = false;

    if (!needsToken) {
        return chain(wrapped(AuditBroker::beforeHandler(request, fn)), finish);
    }

    if (request.token.isEmpty())
        return ready(finish(Response::error(403, QStringLiteral("permission denied"))));
    const QByteArray token = request.token;
    QFuture<Response> answer =
        chain(m_tokens->lookup(token),
              [this, request = std::move(request), route,
               fn](Result<std::shared_ptr<const TokenEntry>> entry) mutable -> QFuture<Response> {
                  if (!entry) {
                      // An unknown or expired token is a 403; storage trouble is the server's fault.
                      const int status = entry.httpStatus() == 403 ? 403 : entry.httpStatus();
                      return ready(
                          Response::error(status, status == 403 ? QStringLiteral("permission denied") : entry.error()));
                  }
                  // The token's policies decide: the operation on the full request path, and sudo where the route
                  // needs it. Deny, or no rule at all, is a 403.
                  request.auth = entry.value();
                  return chain(m_policies->aclFor(entry.value()->policies),
                               [this, request = std::move(request), route,
                                fn](Result<std::shared_ptr<const Acl>> acl) mutable -> QFuture<Response> {
                                   if (!acl)
                                       return ready(Response::error(acl.httpStatus(), acl.error()));
                                   const QString &aclPath =
                                       route->spec.aclPath.isEmpty() ? request.path : route->spec.aclPath;
                                   if (!route->spec.callerScoped &&
                                       !acl.value()->allows(request.operation, aclPath, route->spec.requiresSudo))
                                       return ready(Response::error(403, QStringLiteral("permission denied")));
                                   return AuditBroker::beforeHandler(
                                       request, [this, fn](const Request &r) { return runCountingUse(r, fn); });
                               });
              });
    return chain(wrapped(std::move(answer)), finish);
}

QFuture<Response> Engine::runCountingUse(Request request, const Handler &fn)
{
    // A token with limited uses gives up one use per allowed request (serialised per token, so N concurrent
    // requests never get more than the uses left); after its last use the token is revoked, once the request
    // is done.
    if (!request.auth || request.auth->numUses == 0)
        return fn(request);
    return m_tokens->use(request.auth->idHmac)
        .then([this, request = std::move(request), fn](Result<TokenStore::Use> used) mutable -> QFuture<Response> {
            if (!used)
                return ready(Response::error(
                    used.httpStatus(), used.httpStatus() == 403 ? QStringLiteral("permission denied") : used.error()));
            request.auth = used.value().entry;
            QFuture<Response> answer = fn(request);
            if (!used.value().last)
                return answer;
            const QString idHmac = used.value().entry->idHmac;
            return answer
                .then([this, idHmac](Response r) {
                    return m_tokens->revoke(idHmac).then([r](Status st) {
                        if (!st)
                            qCWarning(lcEngine) << "revoking a used-up token failed:" << st.error();
                        return r;
                    });
                })
                .unwrap();
        })
        .unwrap();
}

QFuture<Result<Engine::InitAnswer>> Engine::initialize(int shares, int threshold)
{
    using R = Result<InitAnswer>;
    return m_seal->initialize(shares, threshold)
        .then([this](Result<SealManager::InitResult> init) -> QFuture<R> {
            if (!init)
                return QtFuture::makeReadyFuture(R(init.status()));
            auto answer = std::make_shared<InitAnswer>();
            for (const SecureBytes &share : init.value().shares) {
                QByteArray bytes = share.toByteArray();
                answer->keysHex.append(QString::fromLatin1(bytes.toHex()));
                answer->keysBase64.append(QString::fromLatin1(bytes.toBase64()));
                SecureBytes::wipe(bytes);
            }
            const SecureBytes unsealKey = init.value().unsealKey;
            // Open the barrier once to write the cluster identity and the root token, then seal it again:
            // the operator unseals with the shares.
            return m_seal->unsealWithKey(unsealKey)
                .then([this](Status st) -> QFuture<Result<TokenStore::Created>> {
                    if (!st)
                        return QtFuture::makeReadyFuture(Result<TokenStore::Created>(st));
                    return createClusterIdentity()
                        .then([this](Status cs) -> QFuture<Result<TokenStore::Created>> {
                            if (!cs)
                                return QtFuture::makeReadyFuture(Result<TokenStore::Created>(cs));
                            return m_tokens->createRoot();
                        })
                        .unwrap();
                })
                .unwrap()
                .then([this, answer](Result<TokenStore::Created> root) -> R {
                    sealNow();
                    if (!root)
                        return root.status();
                    answer->rootToken = root.value().id;
                    qCInfo(lcEngine) << "initialised with" << answer->keysHex.size() << "key shares";
                    return *answer;
                });
        })
        .unwrap();
}

QFuture<Status> Engine::createClusterIdentity()
{
    const QJsonObject cluster{{QStringLiteral("id"), crypto::randomUuid()}};
    return m_seal->barrier()->put(kClusterKey, QJsonDocument(cluster).toJson(QJsonDocument::Compact));
}

QFuture<Result<Engine::DevInit>> Engine::initDev(const QString &rootTokenId)
{
    using R = Result<DevInit>;
    return m_seal->initialize(1, 1)
        .then([this, rootTokenId](Result<SealManager::InitResult> init) -> QFuture<R> {
            if (!init)
                return QtFuture::makeReadyFuture(R(init.status()));
            QByteArray keyBytes = init.value().shares.constFirst().toByteArray();
            const QString unsealKey = QString::fromLatin1(keyBytes.toBase64());
            SecureBytes::wipe(keyBytes);
            return m_seal->unsealWithKey(init.value().unsealKey)
                .then([this](Status st) -> QFuture<Status> {
                    if (!st)
                        return QtFuture::makeReadyFuture(st);
                    return createClusterIdentity();
                })
                .unwrap()
                .then([this, rootTokenId](Status st) -> QFuture<Result<TokenStore::Created>> {
                    if (!st)
                        return QtFuture::makeReadyFuture(Result<TokenStore::Created>(st));
                    return m_tokens->createRoot(rootTokenId);
                })
                .unwrap()
                .then([this, unsealKey](Result<TokenStore::Created> root) -> QFuture<R> {
                    if (!root)
                        return QtFuture::makeReadyFuture(R(root.status()));
                    const QString rootToken = root.value().id;
                    return afterUnseal().then([unsealKey, rootToken](Status st) -> R {
                        if (!st)
                            return st;
                        return DevInit{unsealKey, rootToken};
                    });
                })
                .unwrap();
        })
        .unwrap();
}

QFuture<Status> Engine::afterUnseal()
{
    return m_seal->barrier()
        ->get(kClusterKey)
        .then([this](Result<std::optional<QByteArray>> got) -> QFuture<Status> {
            if (!got)
                return QtFuture::makeReadyFuture(got.status());
            if (got.value().has_value()) {
                const QJsonObject cluster = QJsonDocument::fromJson(*got.value()).object();
                QMutexLocker lock(&m_stateMutex);
                m_clusterId = cluster.value(QStringLiteral("id")).toString();
                m_activeSinceMsecs = QDateTime::currentMSecsSinceEpoch();
            }
            return m_config->load();
        })
        .unwrap()
        .then([this](Status st) -> QFuture<Status> {
            // The auth and secret mount tables: mounted on the router (made with their defaults on first unseal).
            if (!st)
                return QtFuture::makeReadyFuture(st);
            return m_mountTable->load();
        })
        .unwrap()
        .then([this](Status st) -> QFuture<Status> {
            if (!st)
                return QtFuture::makeReadyFuture(st);
            return m_events->load();
        })
        .unwrap()
        .then([this](Status st) -> QFuture<Status> {
            if (!st)
                return QtFuture::makeReadyFuture(st);
            return m_audit->load();
        })
        .unwrap();
}

void Engine::sealNow()
{
    m_broker->sealNow(QStringLiteral("the server was sealed"));
    m_seal->seal();
    m_audit->seal();
    m_tokens->clearCache();
    m_policies->clear();
    m_config->reset();
    QMutexLocker lock(&m_stateMutex);
    m_clusterId.clear();
    m_activeSinceMsecs = 0;
}

} // namespace gk
