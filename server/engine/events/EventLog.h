#pragma once

#include "engine/Backend.h"
#include "engine/HomeThread.h"
#include "engine/Result.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QJsonArray>
#include <QMutex>
#include <QString>

#include <deque>
#include <map>
#include <memory>
#include <optional>

class QThread;
class QTimer;

namespace gk {

class Barrier;

// The live index: one counter bumped by every change of stored state made through the API, with a bounded
// history of what changed (kind and path only, never values or token ids) and blocking queries that wait,
// without holding a thread, until the index passes a given value or a deadline.
//
// Across restarts the index never goes backwards: it is persisted as a reserved ceiling ("sys/events/index" in
// the barrier), always written before the index may pass the previous one. After an unseal the index resumes
// at the stored ceiling, so indexes handed out before a crash (at most the ceiling) are never handed out again.
// Reservations are made in blocks (kReserveBlock) and renewed in the background when half a block is used, so a
// bump normally needs no storage write.
//
// Every method may be called from any thread. Wait deadlines run on a thread of the log's own.
class EventLog final
{
public:
    static constexpr quint64 kReserveBlock = 1000;
    static constexpr qsizetype kDefaultHistory = 4096;
    static constexpr qint64 kDefaultWaitMs = 5 * 60 * 1000; // Nomad's default
    static constexpr qint64 kMaxWaitMs = 10 * 60 * 1000;

    explicit EventLog(Barrier *barrier, qsizetype historySize = kDefaultHistory);
    ~EventLog();
    Q_DISABLE_COPY_MOVE(EventLog)

    struct Event
    {
        quint64 index = 0;
        QString kind;      // what changed: the backend type (token, policy, kv, mounts, userpass, ...)
        QString operation; // update, delete, patch
        QString path;      // the API path
        qint64 timeMs = 0; // unix milliseconds
    };

    // The current index.
    quint64 index() const;
    // Records a change and wakes the waiters it passes; the future gives the change's index. The index moves at
    // once unless the reserved ceiling is reached, in which case the change waits for the next reservation.
    QFuture<quint64> record(const QString &kind, const QString &operation, const QString &path);

    // Fulfilled with the current index as soon as it is greater than after, or when waitMs have passed.
    QFuture<quint64> waitFor(quint64 after, qint64 waitMs);

    // Answers every waiting request now, with the current index (a server stopping does not wait for them).
    void releaseWaiters();

    struct Since
    {
        quint64 index = 0;
        QList<Event> events;    // index > after, oldest first
        bool truncated = false; // some changes after `after` are no longer in the history
    };
    Since since(quint64 after) const;
    static QJsonObject toJson(const Event &event);

    // After an unseal: resumes at the persisted ceiling (when above the current index) and reserves the next block.
    QFuture<Status> load();

    // The blocking-query parameters of a request: index (a non-negative integer) and wait (a duration; default
    // kDefaultWaitMs, capped at kMaxWaitMs; ignored without index). 400 for bad values.
    struct Blocking
    {
        quint64 index = 0;
        qint64 waitMs = 0;
        bool blocking = false;
    };
    static Result<Blocking> blockingParams(const Request &request);

    // Wraps a route's handler for the pipeline: list-like routes (List, or Read on a spec marked listLike) honour
    // the blocking query and carry X-Gatekeeper-Index; successful writes (Update, Delete, Patch) on an unsealed
    // server are recorded under kind.
    Handler wrap(const PathSpec &spec, Operation operation, const QString &kind, Handler handler);

private:
    struct Waiter
    {
        quint64 after = 0;
        qint64 deadlineMs = 0;
        HomePromise<quint64> promise;
    };

    // Under m_mutex: moves the index on by one and stores the event; returns the promises it fulfils.
    QList<HomePromise<quint64>> bumpLocked(const QString &kind, const QString &operation, const QString &path);
    // Under m_mutex: starts writing a new ceiling unless one is being written; when it is stored (or fails), every
    // promise in m_reserveWaiters gets the outcome.
    void reserveLocked();
    void expireDue();
    void rearm();
    static void fulfil(const QList<HomePromise<quint64>> &promises, quint64 index);

    Barrier *m_barrier;
    QElapsedTimer m_clock; // deadlines, monotonic
    const qsizetype m_historySize;

    mutable QRecursiveMutex m_mutex; // a storage future may complete inside the call that chains on it
    quint64 m_index = 0;
    quint64 m_ceiling = 0;      // the highest index that is safe to hand out (persisted)
    quint64 m_historyStart = 0; // every change with an index above this is in m_history
    std::deque<Event> m_history;
    std::optional<QFuture<Status>> m_reserving; // the last ceiling write, waited for on destruction
    bool m_reservationRunning = false;
    QList<HomePromise<Status>> m_reserveWaiters; // changes waiting for the ceiling write
    quint64 m_nextWaiterId = 0;
    std::map<quint64, Waiter> m_waiters;
    std::multimap<qint64, quint64> m_deadlines; // deadline -> waiter id

    std::unique_ptr<QThread> m_thread;
    QTimer *m_timer = nullptr; // lives in m_thread
};

} // namespace gk
