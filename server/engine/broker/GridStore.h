#pragma once

#include "engine/Result.h"
#include "engine/backends/KeyedSequencer.h"
#include "engine/broker/Grid.h"

#include <QFuture>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace gk {

class Storage;

// The broker's records in the barrier, all below "sys/broker/":
//   grids/<name>                          a grid (Grid::toJson)
//   tasks/<grid>/<task id, %-encoded>     a task registered with a static grid
//   nodes/<grid>/<node, %-encoded>        a node's registration (labels)
//   policies                              the task policies as written (Gatekeeper's format)
//   allotments/<grid>/<sha256 of task id and role>   tokens issued per task and role
// Changes of one grid (the grid, its tasks, nodes and allotments) run one at a time (inGrid()). Thread-safe.
class GridStore final
{
public:
    explicit GridStore(Storage *barrier);
    Q_DISABLE_COPY_MOVE(GridStore)

    // A task registered with a static grid.
    struct StaticTask
    {
        QString id;
        QString name;
        QString group;
        QString host;
        qint64 startedAt = 0;
        qint64 registeredAt = 0;
        QJsonObject toJson() const;
        static StaticTask fromJson(const QJsonObject &json);
    };
    // A node registered by PUT /v1/nodes/:grid/:node.
    struct NodeRecord
    {
        QString name;
        QStringList labels;
        qint64 updatedAt = 0;
        QJsonObject toJson() const;
        static NodeRecord fromJson(const QJsonObject &json);
    };

    QFuture<Result<std::optional<Grid>>> grid(const QString &name);
    QFuture<Result<QStringList>> gridNames();
    QFuture<Status> putGrid(const Grid &grid);
    // The grid with its tasks, nodes and allotments.
    QFuture<Status> removeGrid(const QString &name);

    QFuture<Result<std::optional<StaticTask>>> task(const QString &grid, const QString &id);
    QFuture<Result<QList<StaticTask>>> tasks(const QString &grid);
    QFuture<Status> putTask(const QString &grid, const StaticTask &task);
    QFuture<Status> removeTask(const QString &grid, const QString &id);

    QFuture<Result<std::optional<NodeRecord>>> node(const QString &grid, const QString &name);
    QFuture<Result<QList<NodeRecord>>> nodes(const QString &grid);
    QFuture<Status> putNode(const QString &grid, const NodeRecord &node);
    QFuture<Status> removeNode(const QString &grid, const QString &name);

    // The stored task policies ({} when none were written).
    QFuture<Result<QJsonObject>> policies();
    QFuture<Status> putPolicies(const QJsonObject &policies);

    // Tokens issued so far to the task for the role, and the write of a new count.
    QFuture<Result<int>> allotmentUsed(const QString &grid, const QString &taskId, const QString &role);
    QFuture<Status> setAllotmentUsed(const QString &grid, const QString &taskId, const QString &role, int used);

    // Runs change after every change of the grid queued before it.
    template <typename T> QFuture<T> inGrid(const QString &grid, std::function<QFuture<T>()> change, T onCancel)
    {
        return m_changes.run<T>(grid, std::move(change), std::move(onCancel));
    }
    // The allotment of one task and role: checks and counts run one at a time per key.
    template <typename T>
    QFuture<T> inAllotment(const QString &grid, const QString &taskId, const QString &role,
                           std::function<QFuture<T>()> change, T onCancel)
    {
        return m_allotments.run<T>(allotmentKey(grid, taskId, role), std::move(change), std::move(onCancel));
    }

private:
    static QString allotmentKey(const QString &grid, const QString &taskId, const QString &role);
    QFuture<Result<std::optional<QJsonObject>>> readJson(const QString &key);
    QFuture<Result<QList<QJsonObject>>> readAll(const QString &folder);
    QFuture<Status> writeJson(const QString &key, const QJsonObject &value);
    // Every key below folder (recursively).
    QFuture<Result<QStringList>> keysBelow(const QString &folder);

    Storage *m_barrier;
    KeyedSequencer m_changes;
    KeyedSequencer m_allotments;
};

} // namespace gk
