#pragma once

#include "engine/broker/SchedulerHttp.h"

namespace gk {

// The "kubernetes" scheduler: the Kubernetes API server (GET /api/v1/namespaces/:ns/pods/:name, /api/v1/nodes), with
// the grid's token as "Authorization: Bearer <token>". A task id is "namespace/pod".
class KubernetesScheduler final : public RemoteScheduler
{
public:
    KubernetesScheduler(const Grid &grid, QObject *context)
        : RemoteScheduler(grid, context, QByteArrayLiteral("Authorization"), QByteArrayLiteral("Bearer "))
    {}
    QFuture<Result<TaskInfo>> lookup(const QString &taskId) override;
    QFuture<Result<QList<NodeInfo>>> nodes() override;
};

} // namespace gk
