#pragma once

#include "engine/Request.h"
#include "engine/Response.h"
#include "engine/Result.h"
#include "engine/broker/BrokerPeers.h"
#include "engine/broker/Grid.h"
#include "engine/broker/GridStore.h"
#include "engine/broker/TaskLookup.h"
#include "engine/broker/TaskPolicies.h"

#include <QByteArray>
#include <QFuture>
#include <QMutex>
#include <QString>

#include <atomic>
#include <memory>

class QThread;
class QObject;

namespace gk {

class Engine;
struct TokenEntry;

// The task token broker (Gatekeeper's API at the root): a task proves who it is through its scheduler and gets a
// response-wrapped token made for it from a token role its task policy allows.
//
// The broker has its own seal. Unsealing gives it a credential (a token, a wrapped token, or an AppRole login) that
// it keeps only in memory; every task token is created as a child of that credential through the token store's
// auth/token/create/:role, so revoking the credential revokes them all. The credential is renewed at two thirds of
// its TTL; when renewal fails (or a non-renewable credential expires) the broker seals itself. A sealed barrier
// means a sealed broker, and sealing the barrier makes the broker forget its credential.
//
// Every method may be called from any thread.
class Broker final
{
public:
    explicit Broker(Engine *engine);
    ~Broker();
    Q_DISABLE_COPY_MOVE(Broker)

    GridStore &store() { return m_store; }
    TaskLookup &lookup() { return *m_lookup; }
    void setPeers(std::shared_ptr<BrokerPeers> peers);
    QString id() const { return m_id; }

    bool isUnsealed() const;
    // Forgets the credential (POST /seal, a failed renewal, the barrier being sealed).
    void sealNow(const QString &why);

    // The root API's routes.
    QFuture<Response> token(const Request &request);
    QFuture<Response> unseal(const Request &request);
    QFuture<Response> seal(const Request &request);
    QFuture<Response> status(const Request &request);
    QFuture<Response> reloadPolicies(const Request &request);

    // Gatekeeper's standard answer {"unsealed", "message", "error"}, with this broker's seal state.
    Response standardAnswer(int status, const QString &message, const QString &error = {}) const;
    // An answer of the pipeline ({"errors": [...]}) in the standard shape; other answers unchanged.
    Response reshape(Response answer) const;

    struct Stats
    {
        std::atomic<quint64> requests{0};
        std::atomic<quint64> successful{0};
        std::atomic<quint64> denied{0}; // refused by a rule (401, 403, 429, bad input)
        std::atomic<quint64> failed{0}; // not served for a fault of the server (500, 503)
    };
    const Stats &stats() const { return m_stats; }

    // The task policies in force (those loaded at unseal or by the last reload).
    std::shared_ptr<const TaskPolicies> policies() const;

private:
    struct Credential
    {
        QByteArray token;
        QString idHmac;
        quint64 generation = 0;
    };
    QFuture<Result<Grid>> gridFor(const QString &scheduler);
    QFuture<Response> issue(const Request &request, const Grid &grid, const TaskInfo &task, const QString &role,
                            int numUses);
    QFuture<Result<QJsonObject>> createWrappedToken(const Request &request, const Grid &grid, const TaskInfo &task,
                                                    const QString &role);
    QFuture<Result<QByteArray>> credentialFrom(const Request &request, const QString &method);
    QFuture<Response> adopt(const QByteArray &token);
    QFuture<Status> loadPolicies();
    void scheduleRenewal(quint64 generation, const TokenEntry &entry);
    void renew(quint64 generation);
    Response counted(Response answer);
    std::optional<Credential> credential() const;

    Engine *m_engine;
    GridStore m_store;
    std::unique_ptr<QThread> m_thread; // runs the renewal and scheduler deadline timers
    QObject *m_context = nullptr;      // lives in m_thread
    std::unique_ptr<TaskLookup> m_lookup;
    QString m_id;
    qint64 m_startedMsecs = 0;
    Stats m_stats;
    mutable QMutex m_mutex; // guards the members below
    std::optional<Credential> m_credential;
    quint64 m_generation = 0;
    std::shared_ptr<const TaskPolicies> m_policies;
    std::shared_ptr<BrokerPeers> m_peers;
};

} // namespace gk
