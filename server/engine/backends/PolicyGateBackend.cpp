#include "engine/backends/PolicyGateBackend.h"

#include "engine/Engine.h"
#include "engine/audit/AuditBroker.h"
#include "engine/backends/IdentityStore.h"
#include "engine/crypto/Crypto.h"
#include "engine/events/EventLog.h"
#include "engine/notify/WebhookNotifier.h"
#include "engine/policy/VaultData.h"
#include "engine/token/TokenEntry.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QUuid>

#include <algorithm>

Q_LOGGING_CATEGORY(lcGate, "gatekeeper.gate")

namespace gk {

namespace {

const QString kPending = QStringLiteral("pending");
const QString kApproved = QStringLiteral("approved");
const QString kClaimed = QStringLiteral("claimed");
const QString kDenied = QStringLiteral("denied");
const QString kCancelled = QStringLiteral("cancelled");
const QString kExpired = QStringLiteral("expired");

constexpr qint64 kMaxTtlSecs = 365LL * 24 * 3600;
constexpr qint64 kMaxRequiredApprovals = 100;
constexpr int kNonceBytes = 16;
constexpr int kKeyBytes = 32;

template <typename T> QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

QFuture<Response> fail(int status, const QString &message)
{
    return ready(Response::error(status, message));
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString timestamp(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

// A lower-case RFC 4122 UUID string, or nullopt.
std::optional<QString> uuidField(const QJsonValue &v)
{
    if (!v.isString())
        return std::nullopt;
    const QString s = v.toString().trimmed().toLower();
    if (s.size() != 36 || QUuid::fromString(s).isNull())
        return std::nullopt;
    return s;
}

// 400 naming the first field of data that is not among allowed.
std::optional<QString> unknownField(const QJsonObject &data, std::initializer_list<const char *> allowed)
{
    for (auto it = data.constBegin(); it != data.constEnd(); ++it) {
        if (std::none_of(allowed.begin(), allowed.end(), [&](const char *a) { return it.key() == QLatin1String(a); }))
            return QStringLiteral("unknown field \"%1\"").arg(it.key());
    }
    return std::nullopt;
}

// A free-text reason: a string of at most kMaxReasonChars characters, control characters removed, trimmed.
Result<QString> reasonText(const QJsonValue &v, const QString &field)
{
    if (v.isUndefined() || v.isNull())
        return QString();
    if (!v.isString())
        return Result<QString>::fail(QStringLiteral("%1 must be a string").arg(field), 400);
    const QString raw = v.toString();
    if (raw.size() > PolicyGateBackend::kMaxReasonChars)
        return Result<QString>::fail(
            QStringLiteral("%1 must be at most %2 characters").arg(field).arg(PolicyGateBackend::kMaxReasonChars),
            400);
    QString out;
    out.reserve(raw.size());
    for (const QChar c : raw) {
        if (c.category() != QChar::Other_Control)
            out.append(c);
    }
    return out.trimmed();
}

Response fromStatus(const Status &st)
{
    return Response::error(st.httpStatus(), st.error());
}

} // namespace

// ---- GateConfig ----------------------------------------------------------------------------------------------

QJsonObject GateConfig::toJson() const
{
    return {{QStringLiteral("policies"), QJsonArray::fromStringList(policies)},
            {QStringLiteral("token_ttl"), tokenTtl},
            {QStringLiteral("approval_ttl"), approvalTtl},
            {QStringLiteral("request_ttl"), requestTtl},
            {QStringLiteral("required_approvals"), requiredApprovals},
            {QStringLiteral("require_reason"), requireReason},
            {QStringLiteral("delete_after"), deleteAfter},
            {QStringLiteral("webhooks"), Webhook::toJsonList(webhooks)}};
}

GateConfig GateConfig::fromJson(const QJsonObject &json)
{
    GateConfig c;
    for (const QJsonValue &p : json.value(QStringLiteral("policies")).toArray())
        c.policies.append(p.toString());
    c.tokenTtl = json.value(QStringLiteral("token_ttl")).toInteger(c.tokenTtl);
    c.approvalTtl = json.value(QStringLiteral("approval_ttl")).toInteger(c.approvalTtl);
    c.requestTtl = json.value(QStringLiteral("request_ttl")).toInteger(c.requestTtl);
    c.requiredApprovals = json.value(QStringLiteral("required_approvals")).toInteger(c.requiredApprovals);
    c.requireReason = json.value(QStringLiteral("require_reason")).toBool(c.requireReason);
    c.deleteAfter = json.value(QStringLiteral("delete_after")).toInteger(c.deleteAfter);
    c.webhooks = Webhook::fromJsonList(json.value(QStringLiteral("webhooks")).toArray());
    return c;
}

Status GateConfig::update(const QJsonObject &data)
{
    if (const auto unknown = unknownField(data, {"policies", "token_ttl", "approval_ttl", "request_ttl",
                                                 "required_approvals", "require_reason", "delete_after",
                                                 "webhooks"}))
        return Status::fail(*unknown, 400);
    GateConfig next = *this;
    const auto policyList = fields::stringList(data, QStringLiteral("policies"));
    if (!policyList)
        return policyList.status();
    if (policyList.value()) {
        static const QRegularExpression valid(QStringLiteral("\\A[a-z0-9_][a-z0-9_.@-]{0,127}\\z"));
        QStringList names;
        for (const QString &p : *policyList.value()) {
            const QString name = p.toLower();
            if (name == QLatin1String("root"))
                return Status::fail(QStringLiteral("policies: a gate cannot grant the root policy"), 400);
            if (!valid.match(name).hasMatch())
                return Status::fail(QStringLiteral("policies: \"%1\" is not a valid policy name").arg(p), 400);
            if (!names.contains(name))
                names.append(name);
        }
        names.sort();
        next.policies = names;
    }
    const std::pair<const char *, qint64 *> durations[] = {{"token_ttl", &next.tokenTtl},
                                                           {"approval_ttl", &next.approvalTtl},
                                                           {"request_ttl", &next.requestTtl},
                                                           {"delete_after", &next.deleteAfter}};
    for (const auto &[name, target] : durations) {
        const auto d = fields::duration(data, QLatin1String(name));
        if (!d)
            return d.status();
        if (!d.value())
            continue;
        if (*d.value() < 1 || *d.value() > kMaxTtlSecs)
            return Status::fail(QStringLiteral("%1 must be between 1 second and %2 days")
                                    .arg(QLatin1String(name))
                                    .arg(kMaxTtlSecs / 86400),
                                400);
        *target = *d.value();
    }
    const auto required = fields::integer(data, QStringLiteral("required_approvals"));
    if (!required)
        return required.status();
    if (required.value()) {
        if (*required.value() < 1 || *required.value() > kMaxRequiredApprovals)
            return Status::fail(
                QStringLiteral("required_approvals must be between 1 and %1").arg(kMaxRequiredApprovals), 400);
        next.requiredApprovals = *required.value();
    }
    const auto reason = fields::boolean(data, QStringLiteral("require_reason"));
    if (!reason)
        return reason.status();
    if (reason.value())
        next.requireReason = *reason.value();
    if (data.contains(QStringLiteral("webhooks"))) {
        const Result<QList<Webhook>> hooks = Webhook::parseList(data.value(QStringLiteral("webhooks")),
                                                                QStringLiteral("webhooks"));
        if (!hooks)
            return hooks.status();
        next.webhooks = hooks.value();
    }
    *this = next;
    return Status::ok();
}

// ---- GateRequest ---------------------------------------------------------------------------------------------

bool GateRequest::isOpen() const
{
    return status == kPending || status == kApproved;
}

bool GateRequest::hasApproved(const QString &approverKey) const
{
    return std::any_of(approvals.cbegin(), approvals.cend(), [&](const Approval &a) { return a.key == approverKey; });
}

QStringList GateRequest::approverNames() const
{
    QStringList names;
    for (const Approval &a : approvals)
        names.append(a.name);
    return names;
}

QJsonObject GateRequest::toJson() const
{
    QJsonArray approvalArray;
    for (const Approval &a : approvals)
        approvalArray.append(QJsonObject{
            {QStringLiteral("key"), a.key}, {QStringLiteral("name"), a.name}, {QStringLiteral("at_ms"), a.atMs}});
    return {{QStringLiteral("id"), id},
            {QStringLiteral("entity_id"), entityId},
            {QStringLiteral("requester"), requester},
            {QStringLiteral("reason"), reason},
            {QStringLiteral("status"), status},
            {QStringLiteral("iat_ms"), iatMs},
            {QStringLiteral("exp_ms"), expMs},
            {QStringLiteral("updated_ms"), updatedMs},
            {QStringLiteral("required_approvals"), requiredApprovals},
            {QStringLiteral("approvals"), approvalArray},
            {QStringLiteral("denied_by"), deniedBy},
            {QStringLiteral("deny_reason"), denyReason},
            {QStringLiteral("grant_policies"), QJsonArray::fromStringList(grantPolicies)},
            {QStringLiteral("grant_token_ttl"), grantTokenTtl},
            {QStringLiteral("grant_nonce"), grantNonce},
            {QStringLiteral("grant_hmac"), grantHmac}};
}

GateRequest GateRequest::fromJson(const QJsonObject &json)
{
    GateRequest r;
    r.id = json.value(QStringLiteral("id")).toString();
    r.entityId = json.value(QStringLiteral("entity_id")).toString();
    r.requester = json.value(QStringLiteral("requester")).toString();
    r.reason = json.value(QStringLiteral("reason")).toString();
    r.status = json.value(QStringLiteral("status")).toString();
    r.iatMs = json.value(QStringLiteral("iat_ms")).toInteger();
    r.expMs = json.value(QStringLiteral("exp_ms")).toInteger();
    r.updatedMs = json.value(QStringLiteral("updated_ms")).toInteger();
    r.requiredApprovals = json.value(QStringLiteral("required_approvals")).toInteger(1);
    for (const QJsonValue &v : json.value(QStringLiteral("approvals")).toArray()) {
        const QJsonObject a = v.toObject();
        r.approvals.append({a.value(QStringLiteral("key")).toString(), a.value(QStringLiteral("name")).toString(),
                            a.value(QStringLiteral("at_ms")).toInteger()});
    }
    r.deniedBy = json.value(QStringLiteral("denied_by")).toString();
    r.denyReason = json.value(QStringLiteral("deny_reason")).toString();
    for (const QJsonValue &p : json.value(QStringLiteral("grant_policies")).toArray())
        r.grantPolicies.append(p.toString());
    r.grantTokenTtl = json.value(QStringLiteral("grant_token_ttl")).toInteger();
    r.grantNonce = json.value(QStringLiteral("grant_nonce")).toString();
    r.grantHmac = json.value(QStringLiteral("grant_hmac")).toString();
    return r;
}

// ---- the backend ---------------------------------------------------------------------------------------------

PolicyGateBackend::PolicyGateBackend(const MountContext &context) : m_context(context) {}

PolicyGateBackend::~PolicyGateBackend() = default;

QList<PathSpec> PolicyGateBackend::paths()
{
    const auto bind = [self = shared_from_this()](QFuture<Response> (PolicyGateBackend::*fn)(const Request &)) {
        return [self, fn](const Request &r) { return (self.get()->*fn)(r); };
    };

    PathSpec config;
    config.pattern = QStringLiteral("config");
    config.handlers = {{Operation::Read, bind(&PolicyGateBackend::readConfig)},
                       {Operation::Update, bind(&PolicyGateBackend::writeConfig)}};
    config.help = QStringLiteral("The gate's settings: policies (granted on claim), token_ttl, approval_ttl, "
                                 "request_ttl, required_approvals (>= 1), require_reason, delete_after.");

    PathSpec request;
    request.pattern = QStringLiteral("request/?");
    request.handlers = {{Operation::Update, bind(&PolicyGateBackend::createRequest)},
                        {Operation::List, bind(&PolicyGateBackend::listRequests)},
                        {Operation::Read, bind(&PolicyGateBackend::readOwnRequest)}};
    request.help = QStringLiteral("POST {\"reason\"} (or \"justification\") asks for access; LIST reviews every "
                                  "request; GET answers the caller's own request, with its grant_code once approved.");
    request.sensitiveFields = {QStringLiteral("grant_code")};

    PathSpec approve;
    approve.pattern = QStringLiteral("approve");
    approve.handlers = {{Operation::Update, bind(&PolicyGateBackend::approve)}};
    approve.help = QStringLiteral("POST {\"request_id\"}: approve another entity's pending request (once per approver).");

    PathSpec deny;
    deny.pattern = QStringLiteral("deny");
    deny.handlers = {{Operation::Update, bind(&PolicyGateBackend::deny)}};
    deny.help = QStringLiteral("POST {\"request_id\", \"reason\"}: deny another entity's pending request.");

    PathSpec cancel;
    cancel.pattern = QStringLiteral("cancel");
    cancel.handlers = {{Operation::Update, bind(&PolicyGateBackend::cancel)}};
    cancel.help = QStringLiteral("POST (optionally {\"request_id\"}): the requester withdraws their pending request.");

    PathSpec claim;
    claim.pattern = QStringLiteral("claim");
    claim.handlers = {{Operation::Update, bind(&PolicyGateBackend::claim)}};
    claim.help = QStringLiteral("POST {\"grant_code\"} (no token): exchange an approved request's grant code, once, "
                                "for a token with the gate's policies.");
    claim.unauthenticated = true;
    claim.sensitiveFields = {QStringLiteral("grant_code"), QStringLiteral("client_token")};

    return {config, request, approve, deny, cancel, claim};
}

// ---- storage helpers -----------------------------------------------------------------------------------------

QFuture<Result<GateConfig>> PolicyGateBackend::loadConfig() const
{
    return m_context.barrier->get(key(QStringLiteral("config"))).then([](Result<std::optional<QByteArray>> got) {
        if (!got)
            return Result<GateConfig>(got.status());
        if (!got.value().has_value())
            return Result<GateConfig>(GateConfig());
        return Result<GateConfig>(GateConfig::fromJson(QJsonDocument::fromJson(*got.value()).object()));
    });
}

QFuture<Result<SecureBytes>> PolicyGateBackend::gateKey(bool create)
{
    Storage *const barrier = m_context.barrier;
    const QString k = key(QStringLiteral("key"));
    auto task = [barrier, k, create]() -> QFuture<Result<SecureBytes>> {
        return barrier->get(k)
            .then([barrier, k, create](Result<std::optional<QByteArray>> got) -> QFuture<Result<SecureBytes>> {
                if (!got)
                    return ready(Result<SecureBytes>(got.status()));
                if (got.value().has_value()) {
                    SecureBytes keyBytes = SecureBytes::fromByteArray(*got.value());
                    SecureBytes::wipe(*got.value());
                    return ready(Result<SecureBytes>(keyBytes));
                }
                if (!create)
                    return ready(Result<SecureBytes>::fail(QStringLiteral("no grant has been issued"), 403));
                SecureBytes fresh = crypto::randomBytes(kKeyBytes);
                QByteArray bytes = fresh.toByteArray();
                auto stored = barrier->put(k, bytes);
                SecureBytes::wipe(bytes);
                return stored.then([fresh](Status st) -> Result<SecureBytes> {
                    if (!st)
                        return st;
                    return fresh;
                });
            })
            .unwrap();
    };
    return m_sequencer.run<Result<SecureBytes>>(QStringLiteral("key"), std::move(task),
                                                Result<SecureBytes>::fail(QStringLiteral("interrupted")));
}

QFuture<Result<std::optional<GateRequest>>> PolicyGateBackend::loadRequest(const QString &id) const
{
    using R = Result<std::optional<GateRequest>>;
    return m_context.barrier->get(key(QStringLiteral("request/") + id)).then([](Result<std::optional<QByteArray>> got) {
        if (!got)
            return R(got.status());
        if (!got.value().has_value())
            return R(std::optional<GateRequest>());
        return R(std::optional<GateRequest>(GateRequest::fromJson(QJsonDocument::fromJson(*got.value()).object())));
    });
}

QFuture<Result<std::optional<QString>>> PolicyGateBackend::entityRequestId(const QString &entityId) const
{
    using R = Result<std::optional<QString>>;
    return m_context.barrier->get(key(QStringLiteral("entity/") + entityId))
        .then([](Result<std::optional<QByteArray>> got) {
            if (!got)
                return R(got.status());
            if (!got.value().has_value())
                return R(std::optional<QString>());
            const QString id =
                QJsonDocument::fromJson(*got.value()).object().value(QStringLiteral("request_id")).toString();
            return R(id.isEmpty() ? std::optional<QString>() : std::optional<QString>(id));
        });
}

QFuture<Result<PolicyGateBackend::Caller>> PolicyGateBackend::caller(const Request &request) const
{
    using R = Result<Caller>;
    if (!request.auth)
        return ready(R::fail(QStringLiteral("permission denied"), 403));
    Caller c;
    c.name = request.auth->displayName;
    if (request.auth->entityId.isEmpty()) {
        c.key = QStringLiteral("token:") + request.auth->accessor;
        return ready(R(c));
    }
    c.entityId = request.auth->entityId;
    c.key = c.entityId;
    return m_context.identity->entity(c.entityId).then([c](Result<std::optional<Entity>> e) mutable {
        if (!e)
            return R(e.status());
        if (e.value().has_value() && !e.value()->name.isEmpty())
            c.name = e.value()->name;
        return R(c);
    });
}

QFuture<Status> PolicyGateBackend::commit(const GateRequest &request, const QString &previousStatus,
                                          QList<StorageOp> extra)
{
    extra.prepend(StorageOp::put(key(QStringLiteral("request/") + request.id),
                                 QJsonDocument(request.toJson()).toJson(QJsonDocument::Compact)));
    const auto self = shared_from_this();
    return m_context.barrier->batch(extra).then([self, request, previousStatus](Status st) {
        if (st && request.status != previousStatus)
            self->transitioned(request, previousStatus);
        return st;
    });
}

void PolicyGateBackend::transitioned(const GateRequest &request, const QString &previousStatus) const
{
    // The live index: the console follows requests through sys/events ("gate.request.approved", ...). Neither the
    // reason nor a grant code is part of an event.
    const QString kind = QStringLiteral("gate.request.") + request.status;
    const QString operation = previousStatus.isEmpty() ? QStringLiteral("create") : QStringLiteral("update");
    const QString path = m_context.mountPrefix() + QStringLiteral("request/") + request.id;
    m_context.engine->events().record(kind, operation, path);
    // The audit trail: a line of its own, also for the changes no request made (the sweep's expiries). Ids and states
    // only, so nothing in it needs hashing.
    const QJsonObject audited{{QStringLiteral("kind"), kind},
                              {QStringLiteral("operation"), operation},
                              {QStringLiteral("path"), path},
                              {QStringLiteral("mount_point"), m_context.mountPrefix()},
                              {QStringLiteral("data"),
                               QJsonObject{{QStringLiteral("request_id"), request.id},
                                           {QStringLiteral("entity_id"), request.entityId},
                                           {QStringLiteral("previous_status"), previousStatus},
                                           {QStringLiteral("status"), request.status}}}};
    m_context.engine->audit().recordEvent(audited).then([path](Status st) {
        if (!st)
            qCWarning(lcGate).noquote() << "the transition of" << path << "is not in the audit trail:" << st.error();
    });
    qCInfo(lcGate).noquote() << "gate" << m_context.mountPrefix() << "request" << request.id << ":"
                             << (previousStatus.isEmpty() ? QStringLiteral("new") : previousStatus) << "->"
                             << request.status;
    notify(request, previousStatus);
}

void PolicyGateBackend::notify(const GateRequest &request, const QString &previousStatus) const
{
    WebhookEvent event;
    event.deliveryId = crypto::randomUuid();
    event.mountPoint = m_context.mountPrefix();
    event.gate = m_context.entry.path; // "gate/": the mount's path below auth/
    while (event.gate.endsWith(QLatin1Char('/')))
        event.gate.chop(1);
    event.requestId = request.id;
    event.requester = request.requester;
    event.reason = request.reason;
    event.status = request.status;
    event.previousStatus = previousStatus;
    event.timeMs = request.updatedMs;
    event.iatMs = request.iatMs;
    event.expMs = request.expMs;
    event.numApprovals = request.approvals.size();
    event.requiredApprovals = request.requiredApprovals;
    event.approvers = request.approverNames();
    event.deniedBy = request.deniedBy;
    event.denyReason = request.denyReason;
    Engine *engine = m_context.engine;
    event.link = WebhookEvent::consoleLink(engine->apiAddr(), event.gate, event.requestId);
    loadConfig().then([engine, event, pending = request.status == kPending](Result<GateConfig> config) mutable {
        if (!config) {
            qCWarning(lcGate).noquote() << "no webhooks for" << event.name() << "of" << event.requestId << ":"
                                        << config.error();
            return;
        }
        if (config.value().webhooks.isEmpty())
            return;
        if (pending) // as LIST shows it: a pending request needs what the config asks for now
            event.requiredApprovals = config.value().requiredApprovals;
        engine->webhooks().send(config.value().webhooks, event);
    });
}

bool PolicyGateBackend::expireIfDue(GateRequest &request, qint64 now)
{
    if (!request.isOpen() || request.expMs <= 0 || now < request.expMs)
        return false;
    request.status = kExpired;
    request.updatedMs = now;
    return true;
}

QFuture<Response> PolicyGateBackend::changeRequest(const QString &id, Change fn)
{
    const auto self = shared_from_this();
    auto task = [self, id, fn = std::move(fn)]() -> QFuture<Response> {
        return self->loadRequest(id)
            .then([self, fn](Result<std::optional<GateRequest>> got) -> QFuture<Response> {
                if (!got)
                    return ready(fromStatus(got.status()));
                if (!got.value().has_value())
                    return fail(404, QStringLiteral("unknown request_id"));
                GateRequest r = *got.value();
                const QString previous = r.status;
                if (!expireIfDue(r, nowMs()))
                    return fn(r);
                QList<StorageOp> extra;
                if (previous == kApproved && !r.grantHmac.isEmpty())
                    extra.append(StorageOp::remove(self->key(QStringLiteral("code/") + r.grantHmac)));
                return self->commit(r, previous, extra)
                    .then([fn, r](Status st) -> QFuture<Response> {
                        if (!st)
                            return ready(fromStatus(st));
                        return fn(r);
                    })
                    .unwrap();
            })
            .unwrap();
    };
    return m_sequencer.run<Response>(QStringLiteral("request:") + id, std::move(task),
                                     Response::error(500, QStringLiteral("interrupted")));
}

QString PolicyGateBackend::grantCode(const SecureBytes &gateKey, const GateRequest &request) const
{
    QByteArray bytes = crypto::hmacSha256(gateKey, QByteArrayLiteral("grant-code\n") + request.id.toUtf8() + '\n' +
                                                       request.grantNonce.toLatin1())
                           .left(16);
    bytes[6] = static_cast<char>((static_cast<quint8>(bytes[6]) & 0x0f) | 0x40);
    bytes[8] = static_cast<char>((static_cast<quint8>(bytes[8]) & 0x3f) | 0x80);
    return QUuid::fromRfc4122(bytes).toString(QUuid::WithoutBraces);
}

QString PolicyGateBackend::codeHmac(const SecureBytes &gateKey, const QString &code)
{
    return QString::fromLatin1(crypto::hmacSha256(gateKey, QByteArrayLiteral("grant-claim\n") + code.toUtf8()).toHex());
}

// ---- views ---------------------------------------------------------------------------------------------------

namespace {

qint64 requiredFor(const GateRequest &r, const GateConfig &config)
{
    return r.status == kPending ? config.requiredApprovals : r.requiredApprovals;
}

QJsonObject summary(const GateRequest &r, const GateConfig &config)
{
    const qint64 required = requiredFor(r, config);
    const qint64 count = r.approvals.size();
    return {{QStringLiteral("request_id"), r.id},
            {QStringLiteral("status"), r.status},
            {QStringLiteral("iat"), timestamp(r.iatMs)},
            {QStringLiteral("exp"), timestamp(r.expMs)},
            {QStringLiteral("reason"), r.reason},
            {QStringLiteral("requester"), r.requester},
            {QStringLiteral("num_approvals"), count},
            {QStringLiteral("remaining_approvals"),
             r.status == kPending ? std::max<qint64>(0, required - count) : qint64(0)},
            {QStringLiteral("approvers"), QJsonArray::fromStringList(r.approverNames())}};
}

} // namespace

// ---- config --------------------------------------------------------------------------------------------------

QFuture<Response> PolicyGateBackend::readConfig(const Request &)
{
    return loadConfig().then([](Result<GateConfig> c) {
        if (!c)
            return fromStatus(c.status());
        return Response::ok(vaultData(c.value().toJson()));
    });
}

QFuture<Response> PolicyGateBackend::writeConfig(const Request &request)
{
    // Validated once up front so that bad input never waits for the sequencer.
    if (Status st = GateConfig().update(request.data); !st)
        return ready(fromStatus(st));
    const auto self = shared_from_this();
    const QJsonObject data = request.data;
    auto task = [self, data]() -> QFuture<Response> {
        return self->loadConfig()
            .then([self, data](Result<GateConfig> c) -> QFuture<Response> {
                if (!c)
                    return ready(fromStatus(c.status()));
                GateConfig next = c.value();
                if (Status st = next.update(data); !st)
                    return ready(fromStatus(st));
                return self->m_context.barrier
                    ->put(self->key(QStringLiteral("config")),
                          QJsonDocument(next.toJson()).toJson(QJsonDocument::Compact))
                    .then([](Status st) { return st ? Response::noContent() : fromStatus(st); });
            })
            .unwrap();
    };
    return m_sequencer.run<Response>(QStringLiteral("config"), std::move(task),
                                     Response::error(500, QStringLiteral("interrupted")));
}

// ---- request -------------------------------------------------------------------------------------------------

QFuture<Response> PolicyGateBackend::createRequest(const Request &request)
{
    if (const auto unknown = unknownField(request.data, {"reason", "justification"}))
        return fail(400, *unknown);
    const QJsonValue reasonValue = request.data.value(QStringLiteral("reason"));
    const QJsonValue justification = request.data.value(QStringLiteral("justification"));
    if (!reasonValue.isUndefined() && !justification.isUndefined() && reasonValue != justification)
        return fail(400, QStringLiteral("give either reason or justification, not both"));
    const bool useJustification = reasonValue.isUndefined();
    const Result<QString> reason =
        reasonText(useJustification ? justification : reasonValue,
                   useJustification ? QStringLiteral("justification") : QStringLiteral("reason"));
    if (!reason)
        return ready(fromStatus(reason.status()));

    const auto self = shared_from_this();
    return caller(request)
        .then([self, reason = reason.value()](Result<Caller> who) -> QFuture<Response> {
            if (!who)
                return ready(fromStatus(who.status()));
            const Caller c = who.value();
            if (c.entityId.isEmpty())
                return fail(403, QStringLiteral("an access request needs a token with an identity entity: log in "
                                                "through an auth method"));
            return self->loadConfig()
                .then([self, c, reason](Result<GateConfig> config) -> QFuture<Response> {
                    if (!config)
                        return ready(fromStatus(config.status()));
                    if (config.value().requireReason && reason.isEmpty())
                        return fail(400, QStringLiteral("a reason is required"));
                    auto task = [self, c, reason, cfg = config.value()]() -> QFuture<Response> {
                        return self->entityRequestId(c.entityId)
                            .then([self, c, reason, cfg](Result<std::optional<QString>> old) -> QFuture<Response> {
                                if (!old)
                                    return ready(fromStatus(old.status()));
                                GateRequest r;
                                r.id = crypto::randomUuid();
                                r.entityId = c.entityId;
                                r.requester = c.name;
                                r.reason = reason;
                                r.status = kPending;
                                r.iatMs = nowMs();
                                r.updatedMs = r.iatMs;
                                r.expMs = r.iatMs + cfg.requestTtl * 1000;
                                r.requiredApprovals = cfg.requiredApprovals;
                                // The new request, and the entity's pointer to it, in one batch.
                                const auto store = [self, r](bool overwrite) {
                                    const QList<StorageOp> index{StorageOp::put(
                                        self->key(QStringLiteral("entity/") + r.entityId),
                                        QJsonDocument(QJsonObject{{QStringLiteral("request_id"), r.id}})
                                            .toJson(QJsonDocument::Compact))};
                                    return self->commit(r, QString(), index).then([r, overwrite](Status st) {
                                        if (!st)
                                            return fromStatus(st);
                                        return Response::ok(vaultData({{QStringLiteral("request_id"), r.id},
                                                                       {QStringLiteral("status"), r.status},
                                                                       {QStringLiteral("iat"), timestamp(r.iatMs)},
                                                                       {QStringLiteral("exp"), timestamp(r.expMs)},
                                                                       {QStringLiteral("reason"), r.reason},
                                                                       {QStringLiteral("message"),
                                                                        QStringLiteral("request registered")},
                                                                       {QStringLiteral("overwrite"), overwrite}}));
                                    });
                                };
                                if (!old.value())
                                    return store(false);
                                // One open request per entity: an open earlier one is cancelled (its grant code, if
                                // any, dies with it).
                                return self
                                    ->changeRequest(*old.value(),
                                                    [self](GateRequest previous) -> QFuture<Response> {
                                                        if (!previous.isOpen())
                                                            return ready(Response::ok({}, 200));
                                                        const QString was = previous.status;
                                                        QList<StorageOp> extra;
                                                        if (!previous.grantHmac.isEmpty())
                                                            extra.append(StorageOp::remove(self->key(
                                                                QStringLiteral("code/") + previous.grantHmac)));
                                                        previous.status = kCancelled;
                                                        previous.updatedMs = nowMs();
                                                        return self->commit(previous, was, extra).then([](Status st) {
                                                            return st ? Response::ok({}, 201) : fromStatus(st);
                                                        });
                                                    })
                                    .then([store](Response replaced) -> QFuture<Response> {
                                        // 404: the earlier request has been removed meanwhile.
                                        if (replaced.status >= 400 && replaced.status != 404)
                                            return ready(replaced);
                                        return store(replaced.status == 201);
                                    })
                                    .unwrap();
                            })
                            .unwrap();
                    };
                    return self->m_sequencer.run<Response>(QStringLiteral("entity:") + c.entityId, std::move(task),
                                                           Response::error(500, QStringLiteral("interrupted")));
                })
                .unwrap();
        })
        .unwrap();
}

QFuture<Response> PolicyGateBackend::listRequests(const Request &request)
{
    const auto self = shared_from_this();
    return caller(request)
        .then([self](Result<Caller> who) -> QFuture<Response> {
            if (!who)
                return ready(fromStatus(who.status()));
            return self->loadConfig()
                .then([self, c = who.value()](Result<GateConfig> config) -> QFuture<Response> {
                    if (!config)
                        return ready(fromStatus(config.status()));
                    return self->m_context.barrier->list(self->key(QStringLiteral("request/")))
                        .then([self, c, cfg = config.value()](Result<QStringList> ids) -> QFuture<Response> {
                            if (!ids)
                                return ready(fromStatus(ids.status()));
                            QList<QFuture<Result<std::optional<GateRequest>>>> loads;
                            for (const QString &id : ids.value())
                                loads.append(self->loadRequest(id));
                            return QtFuture::whenAll(loads.begin(), loads.end())
                                .then([self, c, cfg](const QList<QFuture<Result<std::optional<GateRequest>>>> &all) {
                                    QList<GateRequest> requests;
                                    for (const auto &f : all) {
                                        const Result<std::optional<GateRequest>> got = f.result();
                                        if (!got)
                                            return fromStatus(got.status());
                                        if (got.value().has_value())
                                            requests.append(*got.value());
                                    }
                                    if (requests.isEmpty())
                                        return Response::error(404, QStringLiteral("no access requests"));
                                    std::sort(requests.begin(), requests.end(),
                                              [](const GateRequest &a, const GateRequest &b) {
                                                  return a.iatMs != b.iatMs ? a.iatMs < b.iatMs : a.id < b.id;
                                              });
                                    const qint64 now = nowMs();
                                    QJsonArray keys;
                                    QJsonArray info;
                                    for (GateRequest r : requests) {
                                        // Expired on read; the stored state follows through the sequencer.
                                        if (expireIfDue(r, now))
                                            self->changeRequest(r.id, [](const GateRequest &) {
                                                return ready(Response::noContent());
                                            });
                                        QJsonObject item = summary(r, cfg);
                                        item.insert(QStringLiteral("have_approved"), r.hasApproved(c.key));
                                        keys.append(r.id);
                                        info.append(item);
                                    }
                                    return Response::ok(vaultData(
                                        {{QStringLiteral("keys"), keys}, {QStringLiteral("key_info"), info}}));
                                });
                        })
                        .unwrap();
                })
                .unwrap();
        })
        .unwrap();
}

QFuture<Response> PolicyGateBackend::readOwnRequest(const Request &request)
{
    const auto self = shared_from_this();
    return caller(request)
        .then([self](Result<Caller> who) -> QFuture<Response> {
            if (!who)
                return ready(fromStatus(who.status()));
            if (who.value().entityId.isEmpty())
                return fail(404, QStringLiteral("no access request: the token has no identity entity"));
            return self->entityRequestId(who.value().entityId)
                .then([self](Result<std::optional<QString>> id) -> QFuture<Response> {
                    if (!id)
                        return ready(fromStatus(id.status()));
                    if (!id.value())
                        return fail(404, QStringLiteral("no access request"));
                    return self->loadConfig()
                        .then([self, id = *id.value()](Result<GateConfig> config) -> QFuture<Response> {
                            if (!config)
                                return ready(fromStatus(config.status()));
                            return self->changeRequest(id, [self, cfg = config.value()](GateRequest r) {
                                QJsonObject view = summary(r, cfg);
                                if (!r.denyReason.isEmpty())
                                    view.insert(QStringLiteral("deny_reason"), r.denyReason);
                                if (r.status != kApproved) {
                                    view.insert(QStringLiteral("grant_code"), QString());
                                    return ready(Response::ok(vaultData(view)));
                                }
                                return self->gateKey(false).then([self, r, view](Result<SecureBytes> k) mutable {
                                    if (!k)
                                        return fromStatus(k.status());
                                    view.insert(QStringLiteral("grant_code"), self->grantCode(k.value(), r));
                                    return Response::ok(vaultData(view));
                                });
                            });
                        })
                        .unwrap();
                })
                .unwrap();
        })
        .unwrap();
}

// ---- decisions -----------------------------------------------------------------------------------------------

QFuture<Response> PolicyGateBackend::approve(const Request &request)
{
    if (const auto unknown = unknownField(request.data, {"request_id"}))
        return fail(400, *unknown);
    const std::optional<QString> id = uuidField(request.data.value(QStringLiteral("request_id")));
    if (!id)
        return fail(400, QStringLiteral("request_id must be the UUID of a request"));
    const auto self = shared_from_this();
    return caller(request)
        .then([self, id = *id](Result<Caller> who) -> QFuture<Response> {
            if (!who)
                return ready(fromStatus(who.status()));
            return self->changeRequest(id, [self, c = who.value()](GateRequest r) -> QFuture<Response> {
                if (!c.entityId.isEmpty() && c.entityId == r.entityId)
                    return fail(403, QStringLiteral("requesters cannot approve their own requests"));
                if (r.status != kPending)
                    return fail(400, QStringLiteral("the request is %1").arg(r.status));
                if (r.hasApproved(c.key))
                    return fail(400, QStringLiteral("you have already approved this request"));
                return self->loadConfig()
                    .then([self, c, r](Result<GateConfig> config) mutable -> QFuture<Response> {
                        if (!config)
                            return ready(fromStatus(config.status()));
                        const GateConfig cfg = config.value();
                        const qint64 now = nowMs();
                        r.approvals.append({c.key, c.name, now});
                        r.updatedMs = now;
                        r.requiredApprovals = cfg.requiredApprovals;
                        const QString approvalId = r.id + QLatin1Char(':') + c.key + QStringLiteral(":+");
                        const auto answer = [approvalId, now](const GateRequest &r) {
                            const bool approved = r.status == kApproved;
                            const qint64 remaining =
                                approved ? 0 : std::max<qint64>(0, r.requiredApprovals - r.approvals.size());
                            return Response::ok(vaultData(
                                {{QStringLiteral("access_approved"), approved},
                                 {QStringLiteral("approval_id"), approvalId},
                                 {QStringLiteral("iat"), timestamp(now)},
                                 {QStringLiteral("exp"), timestamp(r.expMs)},
                                 {QStringLiteral("num_approvals"), static_cast<qint64>(r.approvals.size())},
                                 {QStringLiteral("remaining_approvals"), remaining},
                                 {QStringLiteral("message"),
                                  approved ? QStringLiteral("access approved")
                                           : QStringLiteral("approval recorded, %1 more needed").arg(remaining)}}));
                        };
                        if (r.approvals.size() < cfg.requiredApprovals) {
                            return self->commit(r, kPending).then([answer, r](Status st) {
                                return st ? answer(r) : fromStatus(st);
                            });
                        }
                        // Approved: the grant takes the config of this moment.
                        return self->gateKey(true)
                            .then([self, r, cfg, now, answer](Result<SecureBytes> k) mutable -> QFuture<Response> {
                                if (!k)
                                    return ready(fromStatus(k.status()));
                                r.status = kApproved;
                                r.expMs = now + cfg.approvalTtl * 1000;
                                r.grantPolicies = cfg.policies;
                                r.grantTokenTtl = cfg.tokenTtl;
                                r.grantNonce = QString::fromLatin1(crypto::randomBytesRaw(kNonceBytes).toBase64());
                                r.grantHmac = codeHmac(k.value(), self->grantCode(k.value(), r));
                                const QList<StorageOp> index{StorageOp::put(
                                    self->key(QStringLiteral("code/") + r.grantHmac),
                                    QJsonDocument(QJsonObject{{QStringLiteral("request_id"), r.id}})
                                        .toJson(QJsonDocument::Compact))};
                                return self->commit(r, kPending, index).then([answer, r](Status st) {
                                    return st ? answer(r) : fromStatus(st);
                                });
                            })
                            .unwrap();
                    })
                    .unwrap();
            });
        })
        .unwrap();
}

QFuture<Response> PolicyGateBackend::deny(const Request &request)
{
    if (const auto unknown = unknownField(request.data, {"request_id", "reason"}))
        return fail(400, *unknown);
    const std::optional<QString> id = uuidField(request.data.value(QStringLiteral("request_id")));
    if (!id)
        return fail(400, QStringLiteral("request_id must be the UUID of a request"));
    const Result<QString> reason = reasonText(request.data.value(QStringLiteral("reason")), QStringLiteral("reason"));
    if (!reason)
        return ready(fromStatus(reason.status()));
    const auto self = shared_from_this();
    return caller(request)
        .then([self, id = *id, reason = reason.value()](Result<Caller> who) -> QFuture<Response> {
            if (!who)
                return ready(fromStatus(who.status()));
            return self->changeRequest(id, [self, c = who.value(), reason](GateRequest r) -> QFuture<Response> {
                if (!c.entityId.isEmpty() && c.entityId == r.entityId)
                    return fail(403, QStringLiteral("requesters cannot deny their own requests: use cancel"));
                if (r.status != kPending)
                    return fail(400, QStringLiteral("the request is %1").arg(r.status));
                r.status = kDenied;
                r.updatedMs = nowMs();
                r.deniedBy = c.name;
                r.denyReason = reason;
                return self->commit(r, kPending).then([r](Status st) {
                    if (!st)
                        return fromStatus(st);
                    return Response::ok(vaultData({{QStringLiteral("request_id"), r.id},
                                                   {QStringLiteral("status"), r.status},
                                                   {QStringLiteral("message"), QStringLiteral("access denied")}}));
                });
            });
        })
        .unwrap();
}

QFuture<Response> PolicyGateBackend::cancel(const Request &request)
{
    if (const auto unknown = unknownField(request.data, {"request_id"}))
        return fail(400, *unknown);
    std::optional<QString> given;
    if (request.data.contains(QStringLiteral("request_id"))) {
        given = uuidField(request.data.value(QStringLiteral("request_id")));
        if (!given)
            return fail(400, QStringLiteral("request_id must be the UUID of a request"));
    }
    const auto self = shared_from_this();
    return caller(request)
        .then([self, given](Result<Caller> who) -> QFuture<Response> {
            if (!who)
                return ready(fromStatus(who.status()));
            if (who.value().entityId.isEmpty())
                return fail(403, QStringLiteral("only the requester can cancel a request"));
            return self->entityRequestId(who.value().entityId)
                .then([self, given](Result<std::optional<QString>> own) -> QFuture<Response> {
                    if (!own)
                        return ready(fromStatus(own.status()));
                    // Someone else's request (or none) is not found, so that its existence does not leak.
                    if (!own.value() || (given && *given != *own.value()))
                        return fail(404, QStringLiteral("no such access request of yours"));
                    return self->changeRequest(*own.value(), [self](GateRequest r) -> QFuture<Response> {
                        if (r.status != kPending)
                            return fail(400, QStringLiteral("the request is %1").arg(r.status));
                        r.status = kCancelled;
                        r.updatedMs = nowMs();
                        return self->commit(r, kPending).then([r](Status st) {
                            if (!st)
                                return fromStatus(st);
                            return Response::ok(
                                vaultData({{QStringLiteral("request_id"), r.id},
                                           {QStringLiteral("status"), r.status},
                                           {QStringLiteral("message"), QStringLiteral("request cancelled")}}));
                        });
                    });
                })
                .unwrap();
        })
        .unwrap();
}

// ---- claim ---------------------------------------------------------------------------------------------------

QFuture<Response> PolicyGateBackend::claim(const Request &request)
{
    if (const auto unknown = unknownField(request.data, {"grant_code"}))
        return fail(400, *unknown);
    const QJsonValue codeValue = request.data.value(QStringLiteral("grant_code"));
    if (codeValue.isUndefined() || codeValue.isNull())
        return fail(400, QStringLiteral("missing grant_code"));
    if (!codeValue.isString())
        return fail(400, QStringLiteral("grant_code must be a string"));
    const QString invalid = QStringLiteral("invalid, expired or used grant code");
    const std::optional<QString> code = uuidField(codeValue);
    if (!code)
        return fail(403, invalid);
    const auto self = shared_from_this();
    const QString requestPath = request.path;
    return gateKey(false)
        .then([self, code = *code, invalid, requestPath](Result<SecureBytes> k) -> QFuture<Response> {
            if (!k)
                return k.httpStatus() == 403 ? fail(403, invalid) : ready(fromStatus(k.status()));
            const QString hmac = codeHmac(k.value(), code);
            return self->m_context.barrier->get(self->key(QStringLiteral("code/") + hmac))
                .then([self, hmac, invalid, requestPath](Result<std::optional<QByteArray>> got) -> QFuture<Response> {
                    if (!got)
                        return ready(fromStatus(got.status()));
                    if (!got.value().has_value())
                        return fail(403, invalid);
                    const QString id =
                        QJsonDocument::fromJson(*got.value()).object().value(QStringLiteral("request_id")).toString();
                    return self
                        ->changeRequest(id,
                                        [self, hmac, invalid, requestPath](GateRequest r) -> QFuture<Response> {
                                            if (r.status != kApproved ||
                                                !crypto::constantTimeEquals(hmac.toLatin1(), r.grantHmac.toLatin1()))
                                                return fail(403, invalid);
                                            r.status = kClaimed;
                                            r.updatedMs = nowMs();
                                            const QList<StorageOp> extra{
                                                StorageOp::remove(self->key(QStringLiteral("code/") + hmac))};
                                            // Claimed is stored before the token exists: a code never works twice.
                                            return self->commit(r, kApproved, extra)
                                                .then([self, r, requestPath](Status st) -> QFuture<Response> {
                                                    if (!st)
                                                        return ready(fromStatus(st));
                                                    LoginGrant grant;
                                                    grant.entityId = r.entityId;
                                                    grant.aliasName = r.requester;
                                                    grant.displayName = r.requester;
                                                    grant.token.policies = r.grantPolicies;
                                                    grant.token.ttl = r.grantTokenTtl;
                                                    grant.metadata.insert(QStringLiteral("grantedBy"),
                                                                          QStringLiteral("policy-gate"));
                                                    grant.metadata.insert(QStringLiteral("gate"),
                                                                          self->m_context.mountPrefix());
                                                    grant.metadata.insert(QStringLiteral("request_id"), r.id);
                                                    grant.metadata.insert(QStringLiteral("requester"), r.requester);
                                                    grant.metadata.insert(QStringLiteral("approvers"),
                                                                          r.approverNames().join(QLatin1Char(',')));
                                                    grant.requestPath = requestPath;
                                                    return self->m_context.issueToken(grant);
                                                })
                                                .unwrap();
                                        })
                        .then([invalid](Response answer) {
                            // The request behind an index entry is gone: the code is unknown.
                            return answer.status == 404 ? Response::error(403, invalid) : answer;
                        });
                })
                .unwrap();
        })
        .unwrap();
}

// ---- lifecycle -----------------------------------------------------------------------------------------------

void PolicyGateBackend::tidy()
{
    if (m_sweeping->exchange(true))
        return; // the previous sweep is still running
    const std::shared_ptr<std::atomic_bool> sweeping = m_sweeping;
    sweep()
        .then([sweeping, prefix = m_context.mountPrefix()](Status st) {
            sweeping->store(false);
            if (!st)
                qCWarning(lcGate) << "sweep of" << prefix << "failed:" << st.error();
        })
        .onCanceled([sweeping] { sweeping->store(false); });
}

QFuture<Status> PolicyGateBackend::sweep()
{
    const auto self = shared_from_this();
    return loadConfig()
        .then([self](Result<GateConfig> config) -> QFuture<Status> {
            if (!config)
                return ready(config.status());
            const qint64 deleteAfter = config.value().deleteAfter;
            return self->m_context.barrier->list(self->key(QStringLiteral("request/")))
                .then([self, deleteAfter](Result<QStringList> ids) -> QFuture<Status> {
                    if (!ids)
                        return ready(ids.status());
                    QList<QFuture<Status>> each;
                    const qint64 now = nowMs();
                    for (const QString &id : ids.value())
                        each.append(self->sweepOne(id, now, deleteAfter));
                    return QtFuture::whenAll(each.begin(), each.end()).then([](const QList<QFuture<Status>> &all) {
                        for (const auto &f : all) {
                            if (!f.result())
                                return f.result();
                        }
                        return Status::ok();
                    });
                })
                .unwrap();
        })
        .unwrap();
}

QFuture<Status> PolicyGateBackend::sweepOne(const QString &id, qint64 now, qint64 deleteAfterSecs)
{
    const auto self = shared_from_this();
    // Under the entity's key and then the request's, in the order request creation takes them: removal may drop the
    // entity's pointer to the request. changeRequest stores an expiry that is due.
    return loadRequest(id)
        .then([self, id, now, deleteAfterSecs](Result<std::optional<GateRequest>> got) -> QFuture<Status> {
            if (!got)
                return ready(got.status());
            if (!got.value().has_value())
                return ready(Status::ok());
            const QString entityId = got.value()->entityId;
            auto task = [self, id, entityId, now, deleteAfterSecs]() {
                return self->changeRequest(id, [self, now, deleteAfterSecs](GateRequest r) -> QFuture<Response> {
                    if (r.isOpen() || now - r.updatedMs < deleteAfterSecs * 1000)
                        return ready(Response::noContent());
                    return self->entityRequestId(r.entityId)
                        .then([self, r](Result<std::optional<QString>> current) -> QFuture<Response> {
                            if (!current)
                                return ready(fromStatus(current.status()));
                            QList<StorageOp> ops{StorageOp::remove(self->key(QStringLiteral("request/") + r.id))};
                            if (current.value() && *current.value() == r.id)
                                ops.append(StorageOp::remove(self->key(QStringLiteral("entity/") + r.entityId)));
                            if (!r.grantHmac.isEmpty())
                                ops.append(StorageOp::remove(self->key(QStringLiteral("code/") + r.grantHmac)));
                            return self->m_context.barrier->batch(ops).then(
                                [](Status st) { return st ? Response::noContent() : fromStatus(st); });
                        })
                        .unwrap();
                });
            };
            return self->m_sequencer
                .run<Response>(QStringLiteral("entity:") + entityId, std::move(task),
                               Response::error(500, QStringLiteral("interrupted")))
                .then([](Response answer) {
                    if (answer.status >= 400 && answer.status != 404)
                        return Status::fail(answer.json.value(QStringLiteral("errors")).toArray().at(0).toString(),
                                            answer.status);
                    return Status::ok();
                });
        })
        .unwrap();
}

} // namespace gk
