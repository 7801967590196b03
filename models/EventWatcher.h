#pragma once

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

class QTimer;

namespace gk {

class ApiClient;
class ApiReply;

// Follows the server's live index through GET /v1/sys/events blocking queries: one request outstanding at a time,
// re-issued with the last index it answered; on a failure it waits (1 s, doubling up to 30 s) and tries again.
// No polling: the server holds each request until something changes or the wait runs out. Needs read on
// sys/events. Lives in, and must be used from, the client's thread.
class EventWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventWatcher)

public:
    struct Event
    {
        qint64 index = 0;
        QString kind;      // "token", "policy", "gate.request.approved", ...
        QString operation; // create, update, delete...
        QString path;      // "/v1/sys/policy/ops", "auth/gate/request/<id>"
        QDateTime time;
    };

    // client is not owned and must outlive the watcher.
    explicit EventWatcher(ApiClient *client, QObject *parent = nullptr);
    ~EventWatcher() override;

    // How long the server may hold one request, in seconds (default 20). Kept below the client's timeout.
    int waitSeconds() const { return m_waitSeconds; }
    void setWaitSeconds(int seconds);
    // The first delay after a failure, in milliseconds (default 1000; doubles up to 30 s).
    void setRetryDelayMs(int delayMs) { m_initialRetryMs = delayMs; }
    // The delay before the next attempt after a failure; 0 when none is waiting.
    int pendingRetryDelayMs() const;

    // Starts following from the current index: the first answer (at once) gives that index and emits synced();
    // changes after it come as changed(). Restarts when already running.
    void start();
    // Ends the outstanding request; nothing more is emitted until start().
    void stop();
    bool isRunning() const { return m_running; }
    // Whether the last request succeeded (false while backing off after a failure).
    bool isLive() const { return m_live; }
    qint64 index() const { return m_index; }
    QString errorString() const { return m_error; }

signals:
    // The index is known and nothing before it will be reported: (re)load everything now. Also emitted when the
    // server's history no longer holds every change since the last index (truncated) or the index went back.
    void synced(qint64 index);
    // Changes after the last index, oldest first.
    void changed(const QList<gk::EventWatcher::Event> &events);
    // Live (true) or failing and retrying (false, errorString() says why); also when the error changes.
    void liveChanged(bool live);

private:
    void issue();
    void handleAnswer(int status, const QJsonObject &body, const QStringList &errors);
    void setLive(bool live, const QString &error);

    ApiClient *m_client;
    QTimer *m_retryTimer;
    QPointer<ApiReply> m_reply;
    int m_waitSeconds = 20;
    int m_initialRetryMs = 1000;
    int m_retryMs = 0;
    bool m_running = false;
    bool m_synced = false;
    bool m_live = false;
    qint64 m_index = 0;
    QString m_error;
};

} // namespace gk
