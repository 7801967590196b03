#include "engine/broker/TaskLookup.h"

#include "engine/HomeThread.h"
#include "engine/broker/KubernetesScheduler.h"
#include "engine/broker/MesosScheduler.h"
#include "engine/broker/NomadScheduler.h"
#include "engine/broker/StaticScheduler.h"

#include <QDateTime>
#include <QMetaObject>
#include <QMutexLocker>
#include <QObject>
#include <QTimer>

#include <atomic>

namespace gk {

namespace {

constexpr qsizetype kMaxCached = 10000;

QString cacheKey(const QString &grid, const QString &taskId)
{
    return grid + QLatin1Char('\n') + taskId;
}

// A scheduler type this build has no adapter for.
class MissingScheduler final : public SchedulerAdapter
{
public:
    explicit MissingScheduler(QString type) : m_type(std::move(type)) {}
    QFuture<Result<TaskInfo>> lookup(const QString &) override
    {
        return QtFuture::makeReadyFuture(Result<TaskInfo>::fail(message(), 500));
    }
    QFuture<Result<QList<NodeInfo>>> nodes() override
    {
        return QtFuture::makeReadyFuture(Result<QList<NodeInfo>>::fail(message(), 500));
    }

private:
    QString message() const { return QStringLiteral("no adapter for the %1 scheduler").arg(m_type); }
    QString m_type;
};

} // namespace

TaskLookup::TaskLookup(GridStore *store, QObject *timerContext) : m_store(store), m_context(timerContext)
{
    registerType(QStringLiteral("static"),
                 [](const Grid &grid, GridStore *s) { return std::make_shared<StaticScheduler>(s, grid.name); });
    // The remote schedulers' requests run on the timer context's thread.
    registerType(QStringLiteral("nomad"), [timerContext](const Grid &grid, GridStore *) {
        return std::make_shared<NomadScheduler>(grid, timerContext);
    });
    registerType(QStringLiteral("mesos"), [timerContext](const Grid &grid, GridStore *) {
        return std::make_shared<MesosScheduler>(grid, timerContext);
    });
    registerType(QStringLiteral("kubernetes"), [timerContext](const Grid &grid, GridStore *) {
        return std::make_shared<KubernetesScheduler>(grid, timerContext);
    });
}

void TaskLookup::registerType(const QString &type, Factory factory)
{
    QMutexLocker lock(&m_mutex);
    m_factories[type] = std::move(factory);
}

std::shared_ptr<SchedulerAdapter> TaskLookup::adapterFor(const Grid &grid) const
{
    Factory factory;
    {
        QMutexLocker lock(&m_mutex);
        const auto it = m_factories.find(grid.schedulerType);
        if (it != m_factories.end())
            factory = it->second;
    }
    if (!factory)
        return std::make_shared<MissingScheduler>(grid.schedulerType);
    return factory(grid, m_store);
}

template <typename T> QFuture<T> TaskLookup::withDeadline(QFuture<T> work, const QString &what)
{
    const HomePromise<T> promise;
    auto settled = std::make_shared<std::atomic<bool>>(false);
    QFuture<T> answer = promise.future();
    const auto settle = [promise, settled](T value) {
        if (settled->exchange(true))
            return;
        promise.finish(std::move(value));
    };
    work.then(QtFuture::Launch::Sync, [settle](T value) { settle(std::move(value)); }).onCanceled([settle, what] {
        settle(T::fail(QStringLiteral("the %1 was cancelled").arg(what), 500));
    });
    if (!settled->load()) {
        const int ms = m_timeoutMs.load();
        QObject *context = m_context;
        QMetaObject::invokeMethod(
            context,
            [context, ms, settle, what] {
                QTimer::singleShot(ms, context, [settle, what, ms] {
                    settle(T::fail(QStringLiteral("the %1 did not answer within %2 ms").arg(what).arg(ms), 500));
                });
            },
            Qt::QueuedConnection);
    }
    return answer;
}

QFuture<Result<TaskInfo>> TaskLookup::lookup(const Grid &grid, const QString &taskId)
{
    const QString key = cacheKey(grid.name, taskId);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    {
        QMutexLocker lock(&m_mutex);
        const auto it = m_cache.constFind(key);
        if (it != m_cache.cend() && it->expiresMs > now)
            return QtFuture::makeReadyFuture(Result<TaskInfo>(it->info));
    }
    const std::shared_ptr<SchedulerAdapter> adapter = adapterFor(grid);
    const QString what = QStringLiteral("%1 scheduler of grid %2").arg(grid.schedulerType, grid.name);
    QFuture<Result<TaskInfo>> answer = adapter->lookup(taskId);
    if (!adapter->isLocal())
        answer = withDeadline(std::move(answer), what);
    return answer.then([this, adapter, key](Result<TaskInfo> info) {
        const int cacheMs = m_cacheMs.load();
        if (info && cacheMs > 0) {
            QMutexLocker lock(&m_mutex);
            if (m_cache.size() >= kMaxCached)
                m_cache.clear();
            m_cache.insert(key, Cached{info.value(), QDateTime::currentMSecsSinceEpoch() + cacheMs});
        }
        return info;
    });
}

QFuture<Result<QList<NodeInfo>>> TaskLookup::nodes(const Grid &grid)
{
    const std::shared_ptr<SchedulerAdapter> adapter = adapterFor(grid);
    const QString what = QStringLiteral("%1 scheduler of grid %2").arg(grid.schedulerType, grid.name);
    if (adapter->isLocal())
        return adapter->nodes();
    return withDeadline(adapter->nodes(), what).then([adapter](Result<QList<NodeInfo>> nodes) { return nodes; });
}

void TaskLookup::forget(const QString &grid, const QString &taskId)
{
    QMutexLocker lock(&m_mutex);
    m_cache.remove(cacheKey(grid, taskId));
}

void TaskLookup::forgetGrid(const QString &grid)
{
    QMutexLocker lock(&m_mutex);
    const QString prefix = grid + QLatin1Char('\n');
    for (auto it = m_cache.begin(); it != m_cache.end();) {
        if (it.key().startsWith(prefix))
            it = m_cache.erase(it);
        else
            ++it;
    }
}

void TaskLookup::clear()
{
    QMutexLocker lock(&m_mutex);
    m_cache.clear();
}

} // namespace gk
