#pragma once

#include "engine/broker/SchedulerHttp.h"

namespace gk {

// The "mesos" scheduler: a Mesos master's HTTP API (GET /master/tasks?task_id=, /master/slaves), with the grid's
// token, when it has one, as "Authorization: Bearer <token>". A task id is a Mesos task id.
class MesosScheduler final : public RemoteScheduler
{
public:
    MesosScheduler(const Grid &grid, QObject *context)
        : RemoteScheduler(grid, context, QByteArrayLiteral("Authorization"), QByteArrayLiteral("Bearer "))
    {}
    QFuture<Result<TaskInfo>> lookup(const QString &taskId) override;
    QFuture<Result<QList<NodeInfo>>> nodes() override;
};

} // namespace gk
