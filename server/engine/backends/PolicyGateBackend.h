#pragma once

#include "engine/Backend.h"
#include "engine/Result.h"
#include "engine/backends/KeyedSequencer.h"
#include "engine/backends/MountTable.h"
#include "engine/crypto/SecureBytes.h"
#include "engine/notify/Webhook.h"
#include "engine/storage/Storage.h"

#include <QFuture>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace gk {

// The settings of one gate (GET|POST config). A change applies to requests that are not yet approved; an approved
// request keeps the policies, token_ttl and approval_ttl it was approved under.
struct GateConfig
{
    QStringList policies;          // what a claimed token carries (plus "default"); never "root"
    qint64 tokenTtl = 1800;        // seconds
    qint64 approvalTtl = 3600;     // how long an approved grant may wait to be claimed
    qint64 requestTtl = 3600;      // how long a request may wait for its approvals
    qint64 requiredApprovals = 1;  // distinct approvers needed, >= 1
    bool requireReason = false;
    qint64 deleteAfter = 86400;    // seconds after its last change that a finished request is removed
    QList<Webhook> webhooks;       // told of every transition (WebhookNotifier)

    QJsonObject toJson() const;
    static GateConfig fromJson(const QJsonObject &json);
    // Applies the fields of a POST config; 400 naming the field for any malformed or unknown field.
    Status update(const QJsonObject &data);
};

// One access request, as kept in the barrier at "<mount storage>/request/<id>".
struct GateRequest
{
    struct Approval
    {
        QString key;  // the approver's entity id, or "token:<accessor>" for a token without an entity
        QString name; // entity name, or the token's display name
        qint64 atMs = 0;
    };

    QString id;               // its own UUID
    QString entityId;         // the requester's entity
    QString requester;        // the requester's entity name
    QString reason;
    QString status;           // pending, approved, claimed, denied, cancelled, expired
    qint64 iatMs = 0;         // created
    qint64 expMs = 0;         // when it expires in its current state (pending: request_ttl; approved: approval_ttl)
    qint64 updatedMs = 0;     // the last change (delete_after counts from here)
    qint64 requiredApprovals = 1;
    QList<Approval> approvals;
    QString deniedBy;
    QString denyReason;
    // Set on approval: what the claim issues (the config of that moment) and the grant code's seed and HMAC.
    QStringList grantPolicies;
    qint64 grantTokenTtl = 0;
    QString grantNonce; // base64 random bytes; the code is derived from it with the gate's key, never stored
    QString grantHmac;  // hex HMAC-SHA256 of the code under the gate's key: the claim lookup

    bool isOpen() const;
    bool hasApproved(const QString &approverKey) const;
    QStringList approverNames() const;
    QJsonObject toJson() const;
    static GateRequest fromJson(const QJsonObject &json);
};

// GatePlane's policy gate (an auth mount of type "policy-gate"): a requester asks for access (POST request), approvers
// review (LIST request) and approve or deny, and once required_approvals distinct approvers have approved, the
// requester reads a one-time grant code (GET request) and exchanges it, unauthenticated, for a token with the gate's
// policies (POST claim). States: pending -> approved -> claimed, pending -> denied | cancelled, pending | approved ->
// expired. Rights are plain ACL capabilities on auth/<gate>/request, approve, deny and cancel.
//
// Storage below the mount's prefix: config, key (the gate's random HMAC key), request/<id>, entity/<entity id> (the
// entity's current request), code/<hmac of grant code> (approved, unclaimed requests). Every change of one request
// runs on a KeyedSequencer per request id (and per entity for creation, cancellation and removal), so approvals
// count exactly and a grant code is claimed at most once. Every state change goes through commit(), which calls
// transitioned() once the change is stored: the one place where events and audit records of transitions belong.
class PolicyGateBackend final : public Backend, public std::enable_shared_from_this<PolicyGateBackend>
{
public:
    static constexpr qsizetype kMaxReasonChars = 1024;

    explicit PolicyGateBackend(const MountContext &context);
    ~PolicyGateBackend() override;
    Q_DISABLE_COPY_MOVE(PolicyGateBackend)

    QString type() const override { return QStringLiteral("policy-gate"); }
    QList<PathSpec> paths() override;
    // Expires requests whose TTL has passed and removes finished ones older than delete_after.
    void tidy() override;

    // The sweep behind tidy(): answers once every request has been looked at.
    QFuture<Status> sweep();

private:
    struct Caller
    {
        QString key;      // entity id, or "token:<accessor>"
        QString entityId; // empty for a token without an entity
        QString name;
    };

    QFuture<Response> readConfig(const Request &request);
    QFuture<Response> writeConfig(const Request &request);
    QFuture<Response> createRequest(const Request &request);
    QFuture<Response> listRequests(const Request &request);
    QFuture<Response> readOwnRequest(const Request &request);
    QFuture<Response> approve(const Request &request);
    QFuture<Response> deny(const Request &request);
    QFuture<Response> cancel(const Request &request);
    QFuture<Response> claim(const Request &request);

    QFuture<Result<GateConfig>> loadConfig() const;
    QFuture<Result<SecureBytes>> gateKey(bool create);
    QFuture<Result<std::optional<GateRequest>>> loadRequest(const QString &id) const;
    QFuture<Result<std::optional<QString>>> entityRequestId(const QString &entityId) const;
    QFuture<Result<Caller>> caller(const Request &request) const;
    // Stores the request (with extra operations in the same batch) and, when its status moved, calls transitioned().
    QFuture<Status> commit(const GateRequest &request, const QString &previousStatus, QList<StorageOp> extra = {});
    // A request's state change has been stored: pending -> approved, approved -> claimed, ... (previousStatus is
    // empty for a new request). Records it in the live index and the audit trail, logs it, and hands it to the
    // gate's webhooks; nothing here delays or fails the change.
    void transitioned(const GateRequest &request, const QString &previousStatus) const;
    // The gate's webhooks (from its config, read now) get the transition; returns at once.
    void notify(const GateRequest &request, const QString &previousStatus) const;
    // Moves a pending or approved request whose time is up to expired (in memory); true when it did.
    static bool expireIfDue(GateRequest &request, qint64 nowMs);
    // Runs fn on the request under its sequencer key, after expiring it when due (stored before fn runs).
    using Change = std::function<QFuture<Response>(GateRequest request)>;
    QFuture<Response> changeRequest(const QString &id, Change fn);
    QFuture<Status> sweepOne(const QString &id, qint64 nowMs, qint64 deleteAfterSecs);
    QString grantCode(const SecureBytes &key, const GateRequest &request) const;
    static QString codeHmac(const SecureBytes &key, const QString &code);

    QString key(const QString &suffix) const { return m_context.storagePrefix + suffix; }

    MountContext m_context;
    KeyedSequencer m_sequencer; // "request:<id>", "entity:<id>", "key"
    std::shared_ptr<std::atomic_bool> m_sweeping = std::make_shared<std::atomic_bool>(false); // one sweep at a time
};

} // namespace gk
