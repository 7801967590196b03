#pragma once

#include "engine/broker/Grid.h"
#include "engine/broker/SchedulerAdapter.h"

#include <QHash>
#include <QMutex>
#include <QString>

#include <functional>
#include <map>
#include <memory>

class QObject;

namespace gk {

class GridStore;

// What every scheduler adapter shares: the adapter for a grid's scheduler type (a name -> factory table), a
// deadline on every call (a scheduler that does not answer in time is a 500, like one that is down), and a brief
// per-task cache of positive answers, so that a burst of /token calls for one task asks the scheduler once.
// Thread-safe; timers run on the given context's thread (which must run an event loop).
class TaskLookup final
{
public:
    static constexpr int kDefaultTimeoutMs = 5000;
    static constexpr int kDefaultCacheMs = 2000;

    using Factory = std::function<std::shared_ptr<SchedulerAdapter>(const Grid &grid, GridStore *store)>;

    TaskLookup(GridStore *store, QObject *timerContext);
    Q_DISABLE_COPY_MOVE(TaskLookup)

    // Adapters by scheduler type; "static" is built in. A type with no factory fails its lookups with a 500.
    void registerType(const QString &type, Factory factory);
    std::shared_ptr<SchedulerAdapter> adapterFor(const Grid &grid) const;

    // The task as the grid's scheduler knows it: 404 unknown, 500 scheduler down, slow (timeout) or unusable.
    QFuture<Result<TaskInfo>> lookup(const Grid &grid, const QString &taskId);
    QFuture<Result<QList<NodeInfo>>> nodes(const Grid &grid);

    // Drops cached answers: of one task (its registration changed), of a grid, or all (on seal).
    void forget(const QString &grid, const QString &taskId);
    void forgetGrid(const QString &grid);
    void clear();

    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    void setCacheMs(int ms) { m_cacheMs = ms; }

private:
    template <typename T> QFuture<T> withDeadline(QFuture<T> work, const QString &what);

    GridStore *m_store;
    QObject *m_context;
    std::atomic<int> m_timeoutMs{kDefaultTimeoutMs};
    std::atomic<int> m_cacheMs{kDefaultCacheMs};
    mutable QMutex m_mutex;
    std::map<QString, Factory> m_factories;
    struct Cached
    {
        TaskInfo info;
        qint64 expiresMs = 0;
    };
    QHash<QString, Cached> m_cache; // by grid + '\n' + task id
};

} // namespace gk
