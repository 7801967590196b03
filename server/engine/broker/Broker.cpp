#include "engine/broker/Broker.h"

#include "Duration.h"
#include "engine/Engine.h"
#include "engine/Metrics.h"
#include "engine/crypto/Crypto.h"
#include "engine/crypto/SealManager.h"
#include "engine/crypto/SecureBytes.h"
#include "engine/token/TokenStore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QMetaObject>
#include <QMutexLocker>
#include <QObject>
#include <QThread>
#include <QTimer>

Q_LOGGING_CATEGORY(lcBroker, "gatekeeper.broker")

namespace gk {

namespace {

constexpr qsizetype kMaxTaskIdLength = 512;
constexpr qint64 kMinRenewDelayMs = 500;

QFuture<Response> ready(Response r)
{
    return QtFuture::makeReadyFuture(std::move(r));
}

template <typename T> QFuture<Result<T>> fail(int status, const QString &message)
{
    return QtFuture::makeReadyFuture(Result<T>::fail(message, status));
}

// The first message of a pipeline answer ({"errors": [...]}).
QString firstError(const Response &answer)
{
    const QJsonArray errors = answer.json.value(QStringLiteral("errors")).toArray();
    return errors.isEmpty() ? QStringLiteral("status %1").arg(answer.status) : errors.first().toString();
}

// A request of the broker's own to the engine's /v1 API (the token store, wrapping, an auth method), so that it runs
// through the same pipeline as any client's: token check, ACL, audit.
Request internalRequest(const Request &from, const QString &path, const QByteArray &token, QJsonObject data = {})
{
    Request r;
    r.api = Api::V1;
    r.operation = Operation::Update;
    r.method = QByteArrayLiteral("POST");
    r.path = path;
    r.token = token;
    r.peer = from.peer;
    r.data = std::move(data);
    return r;
}

bool isOfflineMethod(const QString &method)
{
    return method == u"aws" || method == u"aws-ec2" || method == u"aws-iam" || method == u"gcp" ||
           method == u"azure";
}

} // namespace

Broker::Broker(Engine *engine)
    : m_engine(engine),
      m_store(engine->seal().barrier()),
      m_thread(std::make_unique<QThread>()),
      m_id(crypto::randomUuid()),
      m_startedMsecs(QDateTime::currentMSecsSinceEpoch()),
      m_policies(std::make_shared<TaskPolicies>()),
      m_peers(std::make_shared<NoPeers>())
{
    m_thread->setObjectName(QStringLiteral("gk-broker"));
    m_context = new QObject;
    m_context->moveToThread(m_thread.get());
    QObject::connect(m_thread.get(), &QThread::finished, m_context, &QObject::deleteLater);
    m_thread->start();
    m_lookup = std::make_unique<TaskLookup>(&m_store, m_context);

    Metrics &metrics = engine->metrics();
    metrics.addGauge(QStringLiteral("gatekeeper_broker_unsealed"), QStringLiteral("1 when the task token broker is unsealed."),
                     [this] { return isUnsealed() ? 1.0 : 0.0; });
    const auto counter = [&](const char *name, const char *help, const std::atomic<quint64> &value) {
        metrics.addGauge(QLatin1String(name), QLatin1String(help),
                         [&value] { return static_cast<double>(value.load()); });
    };
    counter("gatekeeper_broker_requests", "POST /token calls served by this server.", m_stats.requests);
    counter("gatekeeper_broker_successful", "POST /token calls answered with a token.", m_stats.successful);
    counter("gatekeeper_broker_denied", "POST /token calls refused by a rule (401, 403, 429, bad input).",
            m_stats.denied);
    counter("gatekeeper_broker_failed", "POST /token calls not served for a fault of the server (500, 503).",
            m_stats.failed);
}

Broker::~Broker()
{
    sealNow(QStringLiteral("the server stops"));
    m_thread->quit();
    m_thread->wait();
}

void Broker::setPeers(std::shared_ptr<BrokerPeers> peers)
{
    QMutexLocker lock(&m_mutex);
    m_peers = std::move(peers);
}

std::optional<Broker::Credential> Broker::credential() const
{
    QMutexLocker lock(&m_mutex);
    return m_credential;
}

bool Broker::isUnsealed() const
{
    if (m_engine->seal().state().sealed)
        return false;
    QMutexLocker lock(&m_mutex);
    return m_credential.has_value();
}

void Broker::sealNow(const QString &why)
{
    QMutexLocker lock(&m_mutex);
    if (!m_credential)
        return;
    SecureBytes::wipe(m_credential->token);
    m_credential.reset();
    ++m_generation;
    lock.unlock();
    m_lookup->clear();
    qCInfo(lcBroker) << "task token broker sealed:" << why;
}

std::shared_ptr<const TaskPolicies> Broker::policies() const
{
    QMutexLocker lock(&m_mutex);
    return m_policies;
}

Response Broker::standardAnswer(int status, const QString &message, const QString &error) const
{
    return Response::ok({{QStringLiteral("unsealed"), isUnsealed()},
                         {QStringLiteral("message"), message},
                         {QStringLiteral("error"), error}},
                        status);
}

Response Broker::reshape(Response answer) const
{
    if (answer.status < 400 || !answer.json.contains(QStringLiteral("errors")))
        return answer;
    QStringList messages;
    for (const QJsonValue &v : answer.json.value(QStringLiteral("errors")).toArray())
        messages.append(v.toString());
    Response r = standardAnswer(answer.status, QString(), messages.join(QStringLiteral("; ")));
    r.headers = answer.headers;
    return r;
}

Response Broker::counted(Response answer)
{
    if (answer.status == 200)
        ++m_stats.successful;
    else if (answer.status >= 500)
        ++m_stats.failed;
    else
        ++m_stats.denied;
    return answer;
}

// ---- POST /token ----

QFuture<Result<Grid>> Broker::gridFor(const QString &scheduler)
{
    using R = Result<Grid>;
    const QString unknown = QStringLiteral("unknown task");
    if (!scheduler.isEmpty()) {
        if (!Grid::validName(scheduler))
            return fail<Grid>(401, unknown);
        return m_store.grid(scheduler).then([unknown](Result<std::optional<Grid>> g) -> R {
            if (!g)
                return g.status();
            if (!g.value())
                return R::fail(unknown, 401);
            return *g.value();
        });
    }
    // No scheduler named: the grid called "default", else the only grid there is.
    return m_store.gridNames()
        .then([this, unknown](Result<QStringList> names) -> QFuture<R> {
            if (!names)
                return QtFuture::makeReadyFuture(R(names.status()));
            const QStringList &all = names.value();
            const QString chosen = all.contains(QStringLiteral("default")) ? QStringLiteral("default")
                                   : all.size() == 1                      ? all.first()
                                                                          : QString();
            if (chosen.isEmpty())
                return fail<Grid>(401, unknown);
            return gridFor(chosen);
        })
        .unwrap();
}

QFuture<Response> Broker::token(const Request &request)
{
    ++m_stats.requests;
    if (!request.bodyError.isEmpty())
        return ready(counted(standardAnswer(400, QString(), request.bodyError)));
    if (!isUnsealed()) {
        std::shared_ptr<BrokerPeers> peers;
        {
            QMutexLocker lock(&m_mutex);
            peers = m_peers;
        }
        return peers->forwardToken(request).then([this](std::optional<Response> forwarded) {
            return counted(forwarded ? *forwarded : standardAnswer(503, QString(), QStringLiteral("gatekeeper is sealed")));
        });
    }
    const QJsonValue taskId = request.data.value(QStringLiteral("task_id"));
    const QJsonValue scheduler = request.data.value(QStringLiteral("scheduler"));
    const QJsonValue role = request.data.value(QStringLiteral("role"));
    if (!taskId.isString() || taskId.toString().isEmpty() || taskId.toString().size() > kMaxTaskIdLength)
        return ready(counted(standardAnswer(400, QString(), QStringLiteral("task_id must be a task id"))));
    if ((!scheduler.isUndefined() && !scheduler.isNull() && !scheduler.isString()) ||
        (!role.isUndefined() && !role.isNull() && !role.isString()))
        return ready(counted(standardAnswer(400, QString(), QStringLiteral("scheduler and role must be strings"))));

    const QString id = taskId.toString();
    const QString asked = role.toString().toLower();
    const QHostAddress peer = Grid::normalized(request.peer);
    return gridFor(scheduler.toString())
        .then([this, request, id, asked, peer](Result<Grid> grid) -> QFuture<Response> {
            if (!grid)
                return ready(standardAnswer(grid.httpStatus(), QString(), grid.error()));
            if (!grid.value().allowsPeer(peer))
                return ready(standardAnswer(401, QString(), QStringLiteral("the host is not authorized")));
            return m_lookup->lookup(grid.value(), id)
                .then([this, request, g = grid.value(), asked, peer](Result<TaskInfo> found) -> QFuture<Response> {
                    const Grid &grid = g;
                    if (!found) {
                        const int status = found.httpStatus() == 404 ? 401 : 500;
                        if (status == 500)
                            qCWarning(lcBroker) << "task lookup in grid" << grid.name << "failed:" << found.error();
                        return ready(standardAnswer(status, QString(), found.error()));
                    }
                    const TaskInfo &task = found.value();
                    if (grid.hostCheck) {
                        QHostAddress host;
                        if (!host.setAddress(task.host) || !Grid::normalized(host).isEqual(peer))
                            return ready(standardAnswer(401, QString(), QStringLiteral("the host is not the task's host")));
                    }
                    if (!task.running)
                        return ready(standardAnswer(403, QString(), QStringLiteral("the task is not running")));
                    const qint64 now = QDateTime::currentSecsSinceEpoch();
                    if (task.startedAt > 0 && now - task.startedAt > grid.taskGrace)
                        return ready(standardAnswer(
                            403, QString(),
                            QStringLiteral("the task started more than %1 ago").arg(formatDuration(grid.taskGrace))));
                    const TaskPolicies::Decision decision = policies()->match(grid.name, task.group, task.name);
                    if (decision.roles.isEmpty())
                        return ready(standardAnswer(403, QString(), QStringLiteral("no task policy allows this task")));
                    const QString chosen = asked.isEmpty() ? decision.roles.first() : asked;
                    if (!decision.roles.contains(chosen))
                        return ready(standardAnswer(403, QString(),
                                                    QStringLiteral("the role \"%1\" is not allowed").arg(chosen.left(128))));
                    return issue(request, grid, task, chosen, decision.numUses);
                })
                .unwrap();
        })
        .unwrap()
        .then([this](Response answer) { return counted(std::move(answer)); });
}

QFuture<Response> Broker::issue(const Request &request, const Grid &grid, const TaskInfo &task, const QString &role,
                                int numUses)
{
    // The role must exist before a use is counted: a policy naming a missing role is the server's configuration.
    return m_engine->tokens()
        .role(role)
        .then([this, request, grid, task, role, numUses](Result<std::optional<TokenRole>> found) -> QFuture<Response> {
            if (!found)
                return ready(standardAnswer(found.httpStatus(), QString(), found.error()));
            if (!found.value())
                return ready(standardAnswer(500, QString(),
                                            QStringLiteral("the task policy names the token role \"%1\", which does "
                                                           "not exist")
                                                .arg(role)));
            const std::function<QFuture<Response>()> inTurn = [this, request, grid, task, role, numUses] {
                return m_store.allotmentUsed(grid.name, task.id, role)
                    .then([this, request, grid, task, role, numUses](Result<int> used) -> QFuture<Response> {
                        if (!used)
                            return ready(standardAnswer(used.httpStatus(), QString(), used.error()));
                        if (used.value() >= numUses)
                            return ready(standardAnswer(
                                429, QString(),
                                QStringLiteral("the task already got its %1 token(s) for role \"%2\"").arg(numUses).arg(role)));
                        const int before = used.value();
                        return m_store.setAllotmentUsed(grid.name, task.id, role, before + 1, task.startedAt)
                            .then([this, request, grid, task, role, before](Status counted) -> QFuture<Response> {
                                if (!counted)
                                    return ready(standardAnswer(counted.httpStatus(), QString(), counted.error()));
                                return createWrappedToken(request, grid, task, role)
                                    .then([this, grid, task, role, before](Result<QJsonObject> made) -> QFuture<Response> {
                                        if (made)
                                            return ready(Response::ok(made.value()));
                                        // Not issued: the use is given back.
                                        return m_store.setAllotmentUsed(grid.name, task.id, role, before, task.startedAt)
                                            .then([this, made](Status) {
                                                return standardAnswer(made.httpStatus(), QString(), made.error());
                                            });
                                    })
                                    .unwrap();
                            })
                            .unwrap();
                    })
                    .unwrap();
            };
            return m_store.inAllotment<Response>(grid.name, task.id, role, inTurn,
                                                 standardAnswer(503, QString(), QStringLiteral("the server is stopping")));
        })
        .unwrap();
}

QFuture<Result<QJsonObject>> Broker::createWrappedToken(const Request &request, const Grid &grid,
                                                        const TaskInfo &task, const QString &role)
{
    using R = Result<QJsonObject>;
    const std::optional<Credential> cred = credential();
    if (!cred)
        return fail<QJsonObject>(503, QStringLiteral("gatekeeper is sealed"));
    QJsonObject meta{{QStringLiteral("grid"), grid.name},
                     {QStringLiteral("task_id"), task.id},
                     {QStringLiteral("task_name"), task.name}};
    if (!task.group.isEmpty())
        meta.insert(QStringLiteral("task_group"), task.group);
    Request create = internalRequest(request, QStringLiteral("auth/token/create/") + role, cred->token,
                                     {{QStringLiteral("display_name"), QStringLiteral("task-") + task.name.left(64)},
                                      {QStringLiteral("meta"), meta}});
    create.headers.insert(QByteArrayLiteral("x-vault-wrap-ttl"), QByteArray::number(grid.wrapTtl));
    const quint64 generation = cred->generation;
    const QByteArray credentialToken = cred->token;
    return m_engine->handle(std::move(create))
        .then([this, generation, credentialToken](Response answer) -> QFuture<R> {
            const QJsonObject wrap = answer.json.value(QStringLiteral("wrap_info")).toObject();
            if (answer.status == 200 && !wrap.value(QStringLiteral("token")).toString().isEmpty()) {
                QString address = m_engine->apiAddr();
                if (!address.endsWith(QLatin1Char('/')))
                    address += QLatin1Char('/');
                return QtFuture::makeReadyFuture(R(QJsonObject{
                    {QStringLiteral("token"), wrap.value(QStringLiteral("token"))},
                    {QStringLiteral("ttl"), formatDuration(wrap.value(QStringLiteral("ttl")).toInteger())},
                    {QStringLiteral("vault_addr"), address}}));
            }
            const QString why = QStringLiteral("the token store refused the task token: %1").arg(firstError(answer));
            qCWarning(lcBroker) << why;
            if (answer.status != 403)
                return QtFuture::makeReadyFuture(R::fail(why, 500));
            // Refused: either the credential may not create tokens for this role, or it is no longer valid, in
            // which case the broker can issue nothing until it is unsealed again.
            return m_engine->tokens().lookup(credentialToken).then([this, generation, why](Result<std::shared_ptr<const TokenEntry>> live) {
                if (!live) {
                    QMutexLocker lock(&m_mutex);
                    const bool current = m_credential && m_credential->generation == generation;
                    lock.unlock();
                    if (current)
                        sealNow(QStringLiteral("its credential is no longer valid"));
                }
                return R::fail(why, 500);
            });
        })
        .unwrap();
}

// ---- POST /unseal, /seal ----

QFuture<Response> Broker::unseal(const Request &request)
{
    if (!request.bodyError.isEmpty())
        return ready(standardAnswer(400, QString(), request.bodyError));
    if (m_engine->seal().state().sealed)
        return ready(standardAnswer(503, QString(), QStringLiteral("the server is sealed: unseal it first")));
    const QJsonValue methodValue = request.data.value(QStringLiteral("method"));
    if (!methodValue.isUndefined() && !methodValue.isNull() && !methodValue.isString())
        return ready(standardAnswer(400, QString(), QStringLiteral("method must be a string")));
    const QString method = methodValue.toString();
    if (isOfflineMethod(method))
        return ready(standardAnswer(
            422, QString(),
            QStringLiteral("the %1 method needs the cloud provider's identity services, which cannot work offline: "
                           "use token, token-wrapped or approle")
                .arg(method)));
    if (method != u"token" && method != u"token-wrapped" && method != u"approle")
        return ready(standardAnswer(422, QString(),
                                    QStringLiteral("unknown unseal method \"%1\": use token, token-wrapped or approle")
                                        .arg(method.left(64))));
    if (isUnsealed())
        return ready(standardAnswer(200, QStringLiteral("gatekeeper is already unsealed")));
    return credentialFrom(request, method)
        .then([this](Result<QByteArray> token) -> QFuture<Response> {
            if (!token)
                return ready(standardAnswer(token.httpStatus(), QString(), token.error()));
            return adopt(token.value());
        })
        .unwrap();
}

QFuture<Result<QByteArray>> Broker::credentialFrom(const Request &request, const QString &method)
{
    using R = Result<QByteArray>;
    const auto field = [&](const char *name) {
        const QJsonValue v = request.data.value(QLatin1String(name));
        return v.isString() ? v.toString() : QString();
    };
    if (method == u"token") {
        const QString token = field("token");
        if (token.isEmpty())
            return fail<QByteArray>(400, QStringLiteral("the token method needs \"token\""));
        return QtFuture::makeReadyFuture(R(token.toUtf8()));
    }
    Request login;
    if (method == u"token-wrapped") {
        const QString wrapped = field("token");
        if (wrapped.isEmpty())
            return fail<QByteArray>(400, QStringLiteral("the token-wrapped method needs \"token\""));
        login = internalRequest(request, QStringLiteral("sys/wrapping/unwrap"), wrapped.toUtf8());
    } else {
        const QString roleId = field("role_id");
        const QString secretId = field("secret_id");
        if (roleId.isEmpty() || secretId.isEmpty())
            return fail<QByteArray>(400, QStringLiteral("the approle method needs \"role_id\" and \"secret_id\""));
        QString mount = field("mount");
        if (mount.isEmpty())
            mount = QStringLiteral("approle");
        if (mount.contains(QLatin1String("..")))
            return fail<QByteArray>(400, QStringLiteral("mount must be the path of an approle auth method"));
        login = internalRequest(request, QStringLiteral("auth/%1/login").arg(mount), {},
                                {{QStringLiteral("role_id"), roleId}, {QStringLiteral("secret_id"), secretId}});
    }
    return m_engine->handle(std::move(login)).then([method](Response answer) -> R {
        const QString token =
            answer.json.value(QStringLiteral("auth")).toObject().value(QStringLiteral("client_token")).toString();
        if (answer.status == 200 && !token.isEmpty())
            return token.toUtf8();
        if (answer.status >= 500)
            return R::fail(QStringLiteral("the %1 login failed: %2").arg(method, firstError(answer)), 500);
        return R::fail(QStringLiteral("the %1 credential was refused").arg(method), 401);
    });
}

QFuture<Response> Broker::adopt(const QByteArray &token)
{
    return m_engine->tokens()
        .lookup(token)
        .then([this, token](Result<std::shared_ptr<const TokenEntry>> entry) -> QFuture<Response> {
            if (!entry) {
                if (entry.httpStatus() == 403)
                    return ready(standardAnswer(401, QString(), QStringLiteral("the credential is not a valid token")));
                return ready(standardAnswer(entry.httpStatus(), QString(), entry.error()));
            }
            const std::shared_ptr<const TokenEntry> e = entry.value();
            return loadPolicies().then([this, token, e](Status loaded) {
                if (!loaded)
                    return standardAnswer(loaded.httpStatus(), QString(), loaded.error());
                quint64 generation = 0;
                {
                    QMutexLocker lock(&m_mutex);
                    if (m_credential) // unsealed concurrently with another credential: keep that one
                        return standardAnswer(200, QStringLiteral("gatekeeper is already unsealed"));
                    generation = ++m_generation;
                    m_credential = Credential{token, e->idHmac, generation};
                }
                scheduleRenewal(generation, *e);
                qCInfo(lcBroker) << "task token broker unsealed with the token of accessor" << e->accessor;
                return standardAnswer(200, QStringLiteral("gatekeeper unsealed"));
            });
        })
        .unwrap();
}

QFuture<Response> Broker::seal(const Request &)
{
    sealNow(QStringLiteral("sealed through the API"));
    return ready(standardAnswer(200, QStringLiteral("gatekeeper sealed")));
}

// ---- credential renewal ----

void Broker::scheduleRenewal(quint64 generation, const TokenEntry &entry)
{
    if (entry.expireTime == 0)
        return; // no TTL: nothing to renew
    const qint64 left = entry.expireTime * 1000 - QDateTime::currentMSecsSinceEpoch();
    const bool renewable = entry.renewable;
    const qint64 delay = std::max(kMinRenewDelayMs, renewable ? left * 2 / 3 : left);
    QObject *context = m_context;
    QMetaObject::invokeMethod(
        context,
        [this, context, delay, generation, renewable] {
            QTimer::singleShot(std::chrono::milliseconds(delay), context, [this, generation, renewable] {
                {
                    QMutexLocker lock(&m_mutex);
                    if (!m_credential || m_credential->generation != generation)
                        return; // sealed or unsealed again since
                }
                if (renewable)
                    renew(generation);
                else
                    sealNow(QStringLiteral("its credential expired and cannot be renewed"));
            });
        },
        Qt::QueuedConnection);
}

void Broker::renew(quint64 generation)
{
    const std::optional<Credential> cred = credential();
    if (!cred || cred->generation != generation)
        return;
    Request renewal = internalRequest(Request(), QStringLiteral("auth/token/renew-self"), cred->token);
    m_engine->handle(std::move(renewal))
        .then([this, generation, token = cred->token](Response answer) -> QFuture<void> {
            if (answer.status != 200) {
                QMutexLocker lock(&m_mutex);
                const bool current = m_credential && m_credential->generation == generation;
                lock.unlock();
                if (current)
                    sealNow(QStringLiteral("renewing its credential failed: %1").arg(firstError(answer)));
                return QtFuture::makeReadyFuture();
            }
            return m_engine->tokens().lookup(token).then([this, generation](Result<std::shared_ptr<const TokenEntry>> e) {
                if (!e) {
                    sealNow(QStringLiteral("its credential is no longer valid"));
                    return;
                }
                scheduleRenewal(generation, *e.value());
            });
        })
        .unwrap();
}

// ---- housekeeping ----

QFuture<Result<int>> Broker::tidy()
{
    using R = Result<int>;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    return m_store.gridNames()
        .then([this, now](Result<QStringList> names) -> QFuture<R> {
            if (!names)
                return QtFuture::makeReadyFuture(R(names.status()));
            QList<QFuture<R>> perGrid;
            for (const QString &name : names.value()) {
                perGrid.append(m_store.grid(name)
                                   .then([this, now](Result<std::optional<Grid>> grid) -> QFuture<R> {
                                       if (!grid)
                                           return QtFuture::makeReadyFuture(R(grid.status()));
                                       if (!grid.value())
                                           return QtFuture::makeReadyFuture(R(0));
                                       return m_store.tidyAllotments(*grid.value(), now);
                                   })
                                   .unwrap());
            }
            if (perGrid.isEmpty())
                return QtFuture::makeReadyFuture(R(0));
            return QtFuture::whenAll(perGrid.begin(), perGrid.end()).then([](const QList<QFuture<R>> &done) -> R {
                int removed = 0;
                for (const QFuture<R> &f : done) {
                    if (!f.result())
                        return f.result();
                    removed += f.result().value();
                }
                return removed;
            });
        })
        .unwrap();
}

// ---- GET /status, POST /policies/reload ----

QFuture<Response> Broker::status(const Request &)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QJsonArray peers;
    std::shared_ptr<BrokerPeers> peerList;
    {
        QMutexLocker lock(&m_mutex);
        peerList = m_peers;
    }
    for (const BrokerPeers::Peer &p : peerList->peers())
        peers.append(QJsonObject{{QStringLiteral("id"), p.id},
                                 {QStringLiteral("address"), p.address},
                                 {QStringLiteral("unsealed"), p.unsealed}});
    const bool unsealed = isUnsealed();
    return ready(Response::ok(
        {{QStringLiteral("id"), m_id},
         {QStringLiteral("uptime"), formatDuration((now - m_startedMsecs) / 1000)},
         {QStringLiteral("unsealed"), unsealed},
         {QStringLiteral("started"), formatRfc3339Ms(m_startedMsecs)},
         {QStringLiteral("version"), QStringLiteral(GK_VERSION)},
         {QStringLiteral("peers"), peers},
         {QStringLiteral("stats"),
          QJsonObject{{QStringLiteral("requests"), static_cast<qint64>(m_stats.requests.load())},
                      {QStringLiteral("successful"), static_cast<qint64>(m_stats.successful.load())},
                      {QStringLiteral("denied"), static_cast<qint64>(m_stats.denied.load())},
                      {QStringLiteral("failed"), static_cast<qint64>(m_stats.failed.load())}}}},
        unsealed ? 200 : 503));
}

QFuture<Status> Broker::loadPolicies()
{
    return m_store.policies().then([this](Result<QJsonObject> stored) -> Status {
        if (!stored)
            return stored.status();
        Result<TaskPolicies> parsed = TaskPolicies::parse(stored.value());
        if (!parsed)
            return Status::fail(QStringLiteral("the stored task policies do not parse: ") + parsed.error(), 500);
        QMutexLocker lock(&m_mutex);
        m_policies = std::make_shared<const TaskPolicies>(parsed.takeValue());
        return Status::ok();
    });
}

QFuture<Response> Broker::reloadPolicies(const Request &)
{
    if (!isUnsealed())
        return ready(standardAnswer(503, QString(), QStringLiteral("gatekeeper is sealed")));
    return loadPolicies().then([this](Status loaded) {
        if (!loaded)
            return standardAnswer(loaded.httpStatus(), QString(), loaded.error());
        std::shared_ptr<BrokerPeers> peers;
        {
            QMutexLocker lock(&m_mutex);
            peers = m_peers;
        }
        peers->fanOutReload();
        return standardAnswer(200, QStringLiteral("task policies reloaded"));
    });
}

} // namespace gk
