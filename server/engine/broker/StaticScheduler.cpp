#include "engine/broker/StaticScheduler.h"

#include "engine/broker/GridStore.h"

#include <QMap>

namespace gk {

QFuture<Result<TaskInfo>> StaticScheduler::lookup(const QString &taskId)
{
    return m_store->task(m_grid, taskId).then([](Result<std::optional<GridStore::StaticTask>> found) -> Result<TaskInfo> {
        if (!found)
            return found.status();
        if (!found.value())
            return Result<TaskInfo>::fail(QStringLiteral("unknown task"), 404);
        const GridStore::StaticTask &t = *found.value();
        return TaskInfo{t.id, t.name, t.group, t.host, t.startedAt, true};
    });
}

QFuture<Result<QList<NodeInfo>>> StaticScheduler::nodes()
{
    return m_store->tasks(m_grid).then([](Result<QList<GridStore::StaticTask>> tasks) -> Result<QList<NodeInfo>> {
        if (!tasks)
            return tasks.status();
        QMap<QString, int> byHost;
        for (const GridStore::StaticTask &t : tasks.value())
            ++byHost[t.host];
        QList<NodeInfo> out;
        for (auto it = byHost.cbegin(); it != byHost.cend(); ++it)
            out.append(NodeInfo{it.key(), it.key(), it.value()});
        return out;
    });
}

} // namespace gk
