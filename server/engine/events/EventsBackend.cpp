#include "engine/events/EventsBackend.h"

#include "engine/events/EventLog.h"

#include <QJsonArray>

namespace gk {

QList<PathSpec> EventsBackend::paths()
{
    PathSpec events;
    events.pattern = QString();
    events.listLike = true;
    events.handlers = {{Operation::Read, [this](const Request &request) {
                            // The parameters were checked by the pipeline's blocking-query step.
                            const Result<EventLog::Blocking> params = EventLog::blockingParams(request);
                            const EventLog::Since since = m_log->since(params ? params.value().index : 0);
                            QJsonArray list;
                            for (const EventLog::Event &event : since.events)
                                list.append(EventLog::toJson(event));
                            return QtFuture::makeReadyFuture(
                                Response::ok({{QStringLiteral("index"), static_cast<qint64>(since.index)},
                                              {QStringLiteral("events"), list},
                                              {QStringLiteral("truncated"), since.truncated}}));
                        }}};
    events.help = QStringLiteral(
        "GET with ?index=N&wait=30s: the changes after index N, {\"index\", \"events\": [{\"index\", \"kind\", "
        "\"operation\", \"path\", \"time\"}], \"truncated\"}; held until the index passes N or the wait (default "
        "5m, at most 10m) ends. \"truncated\" is true when changes after N are no longer in the history: reload "
        "everything then. Needs read on sys/events.");
    return {events};
}

} // namespace gk
