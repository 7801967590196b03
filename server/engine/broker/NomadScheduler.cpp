#include "engine/broker/NomadScheduler.h"

#include <QJsonArray>
#include <QJsonObject>

#include <limits>

namespace gk {

namespace {

// What an allocation tells, before its node's address is known.
struct Allocation
{
    TaskInfo info;
    QString nodeId;
};

// An allocation as GET /v1/allocation/:id answers it, for the task named (or the whole allocation when none is).
Result<Allocation> readAllocation(const SchedulerHttp &http, const QJsonObject &alloc, const QString &taskId,
                                  const QString &taskName)
{
    const QJsonValue states = alloc.value(QStringLiteral("TaskStates"));
    if (!alloc.value(QStringLiteral("ID")).isString() || !alloc.value(QStringLiteral("NodeID")).isString() ||
        !alloc.value(QStringLiteral("ClientStatus")).isString() || !(states.isObject() || states.isNull()))
        return http.fault<Allocation>(QStringLiteral("answered an allocation without ID, NodeID or ClientStatus"));
    Allocation a;
    a.nodeId = alloc.value(QStringLiteral("NodeID")).toString();
    a.info.id = taskId;
    a.info.group = alloc.value(QStringLiteral("TaskGroup")).toString();
    a.info.running = alloc.value(QStringLiteral("ClientStatus")).toString() == u"running";
    const QJsonObject tasks = states.toObject();
    if (!taskName.isEmpty()) {
        if (!tasks.contains(taskName))
            return Result<Allocation>::fail(QStringLiteral("unknown task"), 404);
        const QJsonObject state = tasks.value(taskName).toObject();
        a.info.name = taskName;
        a.info.running = a.info.running && state.value(QStringLiteral("State")).toString() == u"running";
        a.info.startedAt = SchedulerHttp::parseRfc3339(state.value(QStringLiteral("StartedAt")).toString());
        return a;
    }
    a.info.name = a.info.group.isEmpty() ? alloc.value(QStringLiteral("Name")).toString() : a.info.group;
    qint64 earliest = std::numeric_limits<qint64>::max();
    for (auto it = tasks.begin(); it != tasks.end(); ++it) {
        const qint64 at =
            SchedulerHttp::parseRfc3339(it.value().toObject().value(QStringLiteral("StartedAt")).toString());
        if (at > 0 && at < earliest)
            earliest = at;
    }
    a.info.startedAt = earliest == std::numeric_limits<qint64>::max() ? 0 : earliest;
    return a;
}

} // namespace

QFuture<Result<TaskInfo>> NomadScheduler::lookup(const QString &taskId)
{
    const qsizetype colon = taskId.indexOf(u':');
    const QString allocId = SchedulerHttp::segment(colon < 0 ? taskId : taskId.left(colon));
    const QString taskName = colon < 0 ? QString() : taskId.mid(colon + 1);
    if (allocId.isEmpty() || (colon >= 0 && taskName.isEmpty()))
        return QtFuture::makeReadyFuture(Result<TaskInfo>::fail(QStringLiteral("unknown task"), 404));

    const HomePromise<Result<TaskInfo>> promise;
    QFuture<Result<TaskInfo>> answer = promise.future();
    const SchedulerHttp http = m_http;
    http.getJson(QStringLiteral("/v1/allocation/") + allocId)
        .then([http, promise, taskId, taskName](Result<QJsonValue> answered) {
            if (!answered) {
                promise.finish(Result<TaskInfo>(Status::fail(answered.error(), answered.httpStatus())));
                return;
            }
            Result<Allocation> alloc = readAllocation(http, answered.value().toObject(), taskId, taskName);
            if (!alloc) {
                promise.finish(Result<TaskInfo>(Status::fail(alloc.error(), alloc.httpStatus())));
                return;
            }
            const QString nodeId = alloc.value().nodeId;
            const QString node = SchedulerHttp::segment(nodeId);
            if (node.isEmpty()) {
                promise.finish(http.fault<TaskInfo>(QStringLiteral("answered an allocation on no node")));
                return;
            }
            http.settleWithHost(
                promise, alloc.value().info, nodeId, QStringLiteral("/v1/node/") + node, [](const QJsonValue &n) {
                    return SchedulerHttp::hostOf(n.toObject().value(QStringLiteral("HTTPAddr")).toString());
                });
        });
    return answer;
}

QFuture<Result<QList<NodeInfo>>> NomadScheduler::nodes()
{
    return m_http.getNodes(QStringLiteral("/v1/nodes"), QString(), [](const QJsonObject &n) {
        return NodeInfo{n.value(QStringLiteral("Name")).toString(), n.value(QStringLiteral("Address")).toString(), 0};
    });
}

} // namespace gk
