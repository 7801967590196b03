#pragma once

#include "engine/Backend.h"
#include "engine/Request.h"
#include "engine/RequestHandler.h"
#include "engine/Response.h"
#include "engine/Result.h"

#include <QFuture>
#include <QMutex>
#include <QStringList>
#include <QString>

#include <memory>

class QTimer;

namespace gk {

class Storage;
class SealManager;
class Router;
class Metrics;
class TokenStore;
class PolicyStore;
class RuntimeConfig;
class MountTable;
class IdentityStore;
class ResponseWrapper;
class EventLog;
class AuditBroker;
class WebhookNotifier;
class Broker;

struct EngineOptions
{
    QString apiAddr;                        // e.g. "http://127.0.0.1:8200"
    QString clusterName = QStringLiteral("gatekeeper");
    QString storageType;                    // for seal-status "storage_type"
    int passwordHashLogN = 15;              // log2 of scrypt's N for new userpass password hashes (tests lower it)
    int tidyIntervalMs = 5 * 60 * 1000;     // the periodic tidy (tokens, wrapped answers, gate sweeps); tests lower it
    int webhookAttempts = 5;                // gate webhooks: attempts per event and receiver
    int webhookRetryDelayMs = 1000;         // before the first retry, doubled for each next one; tests lower it
    int webhookTimeoutMs = 10 * 1000;       // one webhook attempt
};

// The request pipeline and everything it stands on: the physical store, the seal and barrier, the mount
// router, the token store, metrics and runtime settings. handle() may be called from any thread; the
// returned future may be fulfilled on another thread.
//
// Pipeline: namespace check -> route (longest mount prefix, then the backend's patterns) -> help ->
// sealed check (503) -> token check and ACL (403) -> handler -> metrics.
class Engine final : public RequestHandler
{
public:
    Engine(std::unique_ptr<Storage> physical, EngineOptions options);
    ~Engine();
    Q_DISABLE_COPY_MOVE(Engine)

    // Loads the seal configuration and mounts the built-in backends.
    QFuture<Status> start();
    QFuture<Response> handle(Request request) override;

    // Mounts a backend at prefix (ending in "/") on the given API. Built-ins are mounted by start().
    void mount(Api api, const QString &prefix, std::shared_ptr<Backend> backend);
    // Removes the mount at prefix (sys/auth and sys/mounts disabling a mount); false when there was none.
    bool unmount(Api api, const QString &prefix);
    // The mounted prefixes, longest first.
    QStringList mountPrefixes(Api api) const;

    // Dev mode: initialise with one share, unseal, and create the root token (rootTokenId, or a random one).
    struct DevInit
    {
        QString unsealKey; // base64
        QString rootToken;
    };
    QFuture<Result<DevInit>> initDev(const QString &rootTokenId = {});

    // sys/init: initialise the seal with a Shamir split, create the root token, leave the server sealed.
    struct InitAnswer
    {
        QStringList keysHex;
        QStringList keysBase64;
        QString rootToken;
    };
    QFuture<Result<InitAnswer>> initialize(int shares, int threshold);
    // What follows an unseal: load the runtime settings, the cluster identity and the mount tables.
    QFuture<Status> afterUnseal();
    // Seal now: the keyring and every cache of barrier data leave memory.
    void sealNow();

    // The address clients are told to use (--api-addr, or the listener once it is known).
    void setApiAddr(const QString &address);
    QString apiAddr() const;
    QString clusterName() const;
    QString clusterId() const;
    qint64 activeSinceMsecs() const;

    const EngineOptions &options() const { return m_options; }
    Storage *physical() const { return m_physical.get(); }
    SealManager &seal() { return *m_seal; }
    TokenStore &tokens() { return *m_tokens; }
    PolicyStore &policies() { return *m_policies; }
    Metrics &metrics() { return *m_metrics; }
    RuntimeConfig &config() { return *m_config; }
    MountTable &mountTable() { return *m_mountTable; }
    IdentityStore &identity() { return *m_identity; }
    ResponseWrapper &wrapping() { return *m_wrapping; }
    EventLog &events() { return *m_events; }
    AuditBroker &audit() { return *m_audit; }
    WebhookNotifier &webhooks() { return *m_webhooks; }
    Broker &broker() { return *m_broker; }
    qint64 startedMsecs() const { return m_startedMsecs; }

private:
    QFuture<Status> createClusterIdentity();
    // The pipeline below the audit broker.
    QFuture<Response> dispatch(Request request);
    // Runs fn for a request whose token passed the checks, taking one of the token's uses when they are limited.
    QFuture<Response> runCountingUse(Request request, const Handler &fn);

    EngineOptions m_options;
    std::unique_ptr<Storage> m_physical;
    std::unique_ptr<SealManager> m_seal;
    std::unique_ptr<Router> m_v1;
    std::unique_ptr<Router> m_root;
    std::unique_ptr<TokenStore> m_tokens;
    std::unique_ptr<PolicyStore> m_policies;
    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<RuntimeConfig> m_config;
    std::unique_ptr<IdentityStore> m_identity;
    std::unique_ptr<ResponseWrapper> m_wrapping;
    std::unique_ptr<MountTable> m_mountTable; // after what its backends use: destroyed (KDF pool drained) first
    qint64 m_startedMsecs = 0;
    mutable QMutex m_stateMutex;
    QString m_clusterId;
    QString m_apiAddr;
    qint64 m_activeSinceMsecs = 0;
    std::unique_ptr<AuditBroker> m_audit;     // after the barrier it stores its table in
    std::unique_ptr<QTimer> m_tokenTidyTimer; // periodic token tidy, on the thread that called start()
    std::unique_ptr<WebhookNotifier> m_webhooks; // its thread ends before the rest goes: deliveries are abandoned
    std::unique_ptr<EventLog> m_events;       // destroyed first: requests still waiting on it are dropped
    std::unique_ptr<Broker> m_broker;         // the task token broker; destroyed before what it uses
};

} // namespace gk
