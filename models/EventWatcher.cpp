#include "EventWatcher.h"

#include "ApiClient.h"
#include "ModelsLogging.h"

#include <QJsonArray>
#include <QTimer>

namespace gk {

namespace {

constexpr int maxRetryMs = 30000;

} // namespace

EventWatcher::EventWatcher(ApiClient *client, QObject *parent)
    : QObject(parent), m_client(client), m_retryTimer(new QTimer(this))
{
    Q_ASSERT(m_client);
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, &EventWatcher::issue);
}

EventWatcher::~EventWatcher()
{
    stop();
}

void EventWatcher::setWaitSeconds(int seconds)
{
    m_waitSeconds = qMax(1, seconds);
}

int EventWatcher::pendingRetryDelayMs() const
{
    return m_retryTimer->isActive() ? m_retryTimer->interval() : 0;
}

void EventWatcher::start()
{
    stop();
    m_running = true;
    m_synced = false;
    m_index = 0;
    m_retryMs = m_initialRetryMs;
    issue();
}

void EventWatcher::stop()
{
    m_running = false;
    m_retryTimer->stop();
    if (ApiReply *reply = m_reply) {
        m_reply = nullptr; // its callback sees that it was dropped
        reply->abort();
    }
}

void EventWatcher::issue()
{
    if (!m_running || m_reply)
        return;
    // The server holds the request up to the wait; keep that well inside the client's own timeout.
    int wait = m_waitSeconds;
    if (m_client->timeoutMs() > 0)
        wait = qBound(1, qMin(wait, m_client->timeoutMs() / 1000 - 5), m_waitSeconds);
    const QString path = m_synced ? QStringLiteral("sys/events?index=%1&wait=%2s").arg(m_index).arg(wait)
                                  : QStringLiteral("sys/events?index=0");
    ApiReply *reply = m_client->request(QStringLiteral("GET"), path);
    m_reply = reply;
    reply->onFinished(this, [this, reply](int status, const QJsonObject &body, const QStringList &errors) {
        if (m_reply != reply)
            return;
        m_reply = nullptr;
        handleAnswer(status, body, errors);
    });
}

void EventWatcher::handleAnswer(int status, const QJsonObject &body, const QStringList &errors)
{
    if (!m_running)
        return;
    const QJsonValue indexValue = body.value(QLatin1String("index"));
    if (!errors.isEmpty() || !indexValue.isDouble()) {
        const QString error = errors.isEmpty() ? tr("The server's events answer (HTTP %1) has no index").arg(status)
                                               : errors.join(QStringLiteral("; "));
        qCDebug(lcApi) << "event watch failed, retrying in" << m_retryMs << "ms:" << error;
        setLive(false, error);
        m_retryTimer->start(m_retryMs);
        m_retryMs = qMin(maxRetryMs, m_retryMs * 2);
        return;
    }
    m_retryMs = m_initialRetryMs;
    const qint64 index = indexValue.toInteger();
    const bool resync = !m_synced || body.value(QLatin1String("truncated")).toBool() || index < m_index;
    m_index = index;
    setLive(true, QString());
    if (resync) {
        m_synced = true;
        emit synced(m_index);
    } else {
        QList<Event> events;
        for (const QJsonValue &value : body.value(QLatin1String("events")).toArray()) {
            const QJsonObject e = value.toObject();
            events.append({e.value(QLatin1String("index")).toInteger(), e.value(QLatin1String("kind")).toString(),
                           e.value(QLatin1String("operation")).toString(), e.value(QLatin1String("path")).toString(),
                           QDateTime::fromString(e.value(QLatin1String("time")).toString(), Qt::ISODateWithMs)});
        }
        if (!events.isEmpty())
            emit changed(events);
    }
    // A slot of synced() or changed() may have stopped or restarted the watcher.
    if (m_running && !m_reply)
        issue();
}

void EventWatcher::setLive(bool live, const QString &error)
{
    if (live == m_live && error == m_error)
        return;
    m_error = error;
    m_live = live;
    emit liveChanged(live);
}

} // namespace gk
