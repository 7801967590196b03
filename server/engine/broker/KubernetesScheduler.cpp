#include "engine/broker/KubernetesScheduler.h"

#include <QJsonArray>
#include <QJsonObject>

namespace gk {

QFuture<Result<TaskInfo>> KubernetesScheduler::lookup(const QString &taskId)
{
    const QStringList parts = taskId.split(u'/');
    const QString ns = SchedulerHttp::segment(parts.value(0));
    const QString pod = SchedulerHttp::segment(parts.value(1));
    if (parts.size() != 2 || ns.isEmpty() || pod.isEmpty())
        return QtFuture::makeReadyFuture(Result<TaskInfo>::fail(QStringLiteral("unknown task"), 404));
    const SchedulerHttp http = m_http;
    return http.getJson(QStringLiteral("/api/v1/namespaces/%1/pods/%2").arg(ns, pod))
        .then([http, taskId, nsName = parts.value(0)](Result<QJsonValue> answered) -> Result<TaskInfo> {
            if (!answered)
                return Status::fail(answered.error(), answered.httpStatus());
            const QJsonObject podJson = answered.value().toObject();
            const QJsonObject metadata = podJson.value(QStringLiteral("metadata")).toObject();
            const QJsonObject status = podJson.value(QStringLiteral("status")).toObject();
            if (!metadata.value(QStringLiteral("name")).isString() || !status.value(QStringLiteral("phase")).isString())
                return http.fault<TaskInfo>(QStringLiteral("answered a pod without metadata.name or status.phase"));
            TaskInfo info;
            info.id = taskId;
            info.name = metadata.value(QStringLiteral("name")).toString();
            // The pod's "app" label when it has one (the pods of one Deployment share it), else its namespace.
            const QString app =
                metadata.value(QStringLiteral("labels")).toObject().value(QStringLiteral("app")).toString();
            info.group = app.isEmpty() ? nsName : app;
            info.host = status.value(QStringLiteral("hostIP")).toString();
            info.startedAt = SchedulerHttp::parseRfc3339(status.value(QStringLiteral("startTime")).toString());
            info.running = status.value(QStringLiteral("phase")).toString() == u"Running";
            return info;
        });
}

QFuture<Result<QList<NodeInfo>>> KubernetesScheduler::nodes()
{
    return m_http.getNodes(QStringLiteral("/api/v1/nodes"), QStringLiteral("items"), [](const QJsonObject &node) {
        QString address;
        for (const QJsonValue &a :
             node.value(QStringLiteral("status")).toObject().value(QStringLiteral("addresses")).toArray()) {
            if (a.toObject().value(QStringLiteral("type")).toString() == u"InternalIP") {
                address = a.toObject().value(QStringLiteral("address")).toString();
                break;
            }
        }
        return NodeInfo{node.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("name")).toString(),
                        address, 0};
    });
}

} // namespace gk
