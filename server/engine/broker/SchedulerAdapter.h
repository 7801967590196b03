#pragma once

#include "engine/Result.h"

#include <QFuture>
#include <QList>
#include <QString>
#include <QStringList>

namespace gk {

// What a scheduler tells about one task: enough for the broker to decide whether the caller is that task.
struct TaskInfo
{
    QString id;         // the task id as the scheduler names it (a Nomad allocation, a Mesos task, "ns/pod" ...)
    QString name;       // the task's name, matched by the task policies and put in place of {{name}} in roles
    QString group;      // the group (Nomad task group, Marathon app, ...), empty when the scheduler has none
    QString host;       // the address of the host the task runs on (compared with the caller's address)
    qint64 startedAt = 0; // unix seconds; 0 when the scheduler does not know
    bool running = false;
};

// A host of a grid, as the scheduler (or the static registrations) know it.
struct NodeInfo
{
    QString name;
    QString address;
    int tasks = 0; // running tasks known on it
};

// One grid's scheduler: Nomad, Mesos, Kubernetes or the static registrations. Implementations answer
// asynchronously and never block; they need not cache nor time out on their own (TaskLookup does both for all of
// them). lookup() answers a 404-status failure for a task the scheduler does not know, and a 500 for a scheduler
// that is down or answers garbage. An adapter may be called from any thread.
class SchedulerAdapter
{
public:
    virtual ~SchedulerAdapter() = default;
    virtual QFuture<Result<TaskInfo>> lookup(const QString &taskId) = 0;
    virtual QFuture<Result<QList<NodeInfo>>> nodes() = 0;
};

} // namespace gk
