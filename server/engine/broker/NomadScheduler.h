#pragma once

#include "engine/broker/SchedulerHttp.h"

namespace gk {

// The "nomad" scheduler: Nomad's HTTP API (GET /v1/allocation/:id, /v1/node/:id, /v1/nodes), with the grid's token
// in X-Nomad-Token. A task id is an allocation id, or "alloc_id:task" to name one task of the allocation.
class NomadScheduler final : public RemoteScheduler
{
public:
    NomadScheduler(const Grid &grid, QObject *context)
        : RemoteScheduler(grid, context, QByteArrayLiteral("X-Nomad-Token"))
    {}
    QFuture<Result<TaskInfo>> lookup(const QString &taskId) override;
    QFuture<Result<QList<NodeInfo>>> nodes() override;
};

} // namespace gk
