#pragma once

#include "engine/broker/SchedulerAdapter.h"

namespace gk {

class GridStore;

// The "static" scheduler: the tasks registered through PUT /v1/grids/:grid/tasks/:task_id, for hosts with no
// scheduler (and tests). A registered task runs until it is deleted; its nodes are the hosts of its tasks.
class StaticScheduler final : public SchedulerAdapter
{
public:
    StaticScheduler(GridStore *store, QString grid) : m_store(store), m_grid(std::move(grid)) {}

    QFuture<Result<TaskInfo>> lookup(const QString &taskId) override;
    QFuture<Result<QList<NodeInfo>>> nodes() override;

private:
    GridStore *m_store;
    QString m_grid;
};

} // namespace gk
