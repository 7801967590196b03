#pragma once

#include "engine/Backend.h"
#include "engine/Result.h"
#include "engine/broker/Grid.h"

#include <optional>

namespace gk {

class Broker;

// The broker's configuration on the /v1 API, authorised by the ACL pipeline like every other backend:
//   grids/ (Kontena's grids)      GET|LIST grids, POST grids, GET|PUT|DELETE grids/:id, GET grids/:id/nodes,
//                                  GET|LIST grids/:id/tasks, GET|PUT|DELETE grids/:id/tasks/:task_id (static grids)
//   nodes/                         GET|PUT|DELETE nodes/:grid/:node (labels)
//   gatekeeper/                    GET|PUT gatekeeper/policies (the task policies, Gatekeeper's format)
class GridsBackend final : public Backend
{
public:
    enum class Flavour
    {
        Grids,
        Nodes,
        Policies
    };
    GridsBackend(Broker *broker, Flavour flavour) : m_broker(broker), m_flavour(flavour) {}
    Q_DISABLE_COPY_MOVE(GridsBackend)

    QString type() const override { return QStringLiteral("grids"); }
    QList<PathSpec> paths() override;

private:
    QFuture<Response> listGrids(const Request &request);
    QFuture<Response> createGrid(const Request &request);
    QFuture<Response> readGrid(const Request &request);
    QFuture<Response> updateGrid(const Request &request);
    QFuture<Response> deleteGrid(const Request &request);
    QFuture<Response> listNodes(const Request &request);
    QFuture<Response> listTasks(const Request &request);
    QFuture<Response> readTask(const Request &request);
    QFuture<Response> putTask(const Request &request);
    QFuture<Response> deleteTask(const Request &request);
    QFuture<Response> readNode(const Request &request);
    QFuture<Response> putNode(const Request &request);
    QFuture<Response> deleteNode(const Request &request);
    QFuture<Response> readPolicies(const Request &request);
    QFuture<Response> writePolicies(const Request &request);

    // The named grid, or a 404.
    QFuture<Result<Grid>> existingGrid(const QString &name);

    Broker *m_broker;
    Flavour m_flavour;
};

} // namespace gk
