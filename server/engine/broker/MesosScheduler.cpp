#include "engine/broker/MesosScheduler.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>

#include <limits>

namespace gk {

namespace {

// The host address of an agent as /master/slaves shows it: the IP of its pid ("slave(1)@10.0.0.5:5051"), else its
// hostname when that is an IP address; empty when neither is.
QString agentAddress(const QJsonObject &slave)
{
    const QString pid = slave.value(QStringLiteral("pid")).toString();
    const qsizetype at = pid.indexOf(u'@');
    QHostAddress address;
    if (at >= 0 && address.setAddress(SchedulerHttp::hostOf(pid.mid(at + 1))))
        return address.toString();
    if (address.setAddress(slave.value(QStringLiteral("hostname")).toString()))
        return address.toString();
    return {};
}

// The entry with that "id" in the array under key of a Mesos answer; a null value when there is none, and an
// undefined one when the answer has no such array.
QJsonValue entryWithId(const QJsonValue &answer, const QString &key, const QString &id)
{
    const QJsonValue list = answer.toObject().value(key);
    if (!list.isArray())
        return QJsonValue(QJsonValue::Undefined);
    for (const QJsonValue &v : list.toArray()) {
        if (v.toObject().value(QStringLiteral("id")).toString() == id)
            return v;
    }
    return QJsonValue();
}

// A task of /master/tasks, before its agent's address is known.
Result<TaskInfo> readTask(const SchedulerHttp &http, const QJsonObject &task)
{
    if (!task.value(QStringLiteral("slave_id")).isString() || !task.value(QStringLiteral("state")).isString())
        return http.fault<TaskInfo>(QStringLiteral("answered a task without slave_id or state"));
    TaskInfo info;
    info.id = task.value(QStringLiteral("id")).toString();
    info.name = task.value(QStringLiteral("name")).toString();
    info.running = task.value(QStringLiteral("state")).toString() == u"TASK_RUNNING";
    // The first status the master kept (the earliest timestamp): when the task began.
    double earliest = std::numeric_limits<double>::max();
    for (const QJsonValue &s : task.value(QStringLiteral("statuses")).toArray()) {
        const double at = s.toObject().value(QStringLiteral("timestamp")).toDouble();
        if (at > 0 && at < earliest)
            earliest = at;
    }
    info.startedAt = earliest == std::numeric_limits<double>::max() ? 0 : static_cast<qint64>(earliest);
    return info;
}

} // namespace

QFuture<Result<TaskInfo>> MesosScheduler::lookup(const QString &taskId)
{
    const QString id = SchedulerHttp::segment(taskId);
    if (id.isEmpty())
        return QtFuture::makeReadyFuture(Result<TaskInfo>::fail(QStringLiteral("unknown task"), 404));

    const HomePromise<Result<TaskInfo>> promise;
    QFuture<Result<TaskInfo>> answer = promise.future();
    const SchedulerHttp http = m_http;
    // The master filters by task_id (Mesos 1.x); the answer is scanned for the id anyway.
    http.getJson(QStringLiteral("/master/tasks?task_id=") + id)
        .then([http, promise, taskId](Result<QJsonValue> answered) {
            if (!answered) {
                promise.finish(answered.httpStatus() == 404
                                   ? http.fault<TaskInfo>(QStringLiteral("has no /master/tasks"))
                                   : Result<TaskInfo>(Status::fail(answered.error(), answered.httpStatus())));
                return;
            }
            const QJsonValue task = entryWithId(answered.value(), QStringLiteral("tasks"), taskId);
            if (task.isUndefined()) {
                promise.finish(http.fault<TaskInfo>(QStringLiteral("answered a task list without \"tasks\"")));
                return;
            }
            if (task.isNull()) {
                promise.finish(Result<TaskInfo>::fail(QStringLiteral("unknown task"), 404));
                return;
            }
            Result<TaskInfo> read = readTask(http, task.toObject());
            if (!read) {
                promise.finish(read);
                return;
            }
            const QString agentId = task.toObject().value(QStringLiteral("slave_id")).toString();
            http.settleWithHost(promise, read.value(), agentId,
                                QStringLiteral("/master/slaves?slave_id=") + SchedulerHttp::segment(agentId),
                                [agentId](const QJsonValue &slaves) {
                                    return agentAddress(
                                        entryWithId(slaves, QStringLiteral("slaves"), agentId).toObject());
                                });
        });
    return answer;
}

QFuture<Result<QList<NodeInfo>>> MesosScheduler::nodes()
{
    return m_http.getNodes(QStringLiteral("/master/slaves"), QStringLiteral("slaves"), [](const QJsonObject &s) {
        return NodeInfo{s.value(QStringLiteral("hostname")).toString(), agentAddress(s), 0};
    });
}

} // namespace gk
