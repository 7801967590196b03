#pragma once

#include "engine/Backend.h"

namespace gk {

class EventLog;

// GET sys/events?index=N&wait=...: the changes after index N from the event log's history, as
// {"index", "events": [{"index", "kind", "operation", "path", "time"}], "truncated"}. A blocking query like every
// list (the route is list-like), so a console long-polls it for live updates.
class EventsBackend final : public Backend
{
public:
    explicit EventsBackend(EventLog *log) : m_log(log) {}
    Q_DISABLE_COPY_MOVE(EventsBackend)

    QString type() const override { return QStringLiteral("events"); }
    QList<PathSpec> paths() override;

private:
    EventLog *m_log;
};

} // namespace gk
