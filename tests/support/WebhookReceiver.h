#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

#include <memory>

class QObject;
class QTcpSocket;
class QThread;

namespace gk::test {

// A webhook receiver on 127.0.0.1 and a free port, in a thread of its own (so it answers while a test waits on
// something else). It answers each POST on a path with the next answer scripted for that path (then 200 at once),
// and keeps every request it read.
class WebhookReceiver final
{
public:
    struct Answer
    {
        int status = 200;
        int delayMs = 0;         // -1: never answer (the connection stays open)
        QByteArray extraHeaders; // e.g. "Location: /elsewhere\r\n"
    };
    struct Hit
    {
        QByteArray path;
        QByteArray event;    // X-Gatekeeper-Event
        QByteArray delivery; // X-Gatekeeper-Delivery
        QByteArray contentType;
        QByteArray body;
        int answeredWith = 0; // 0 when it is never answered
        qint64 atMs = 0;      // on the receiver's clock
    };

    WebhookReceiver();
    ~WebhookReceiver();
    Q_DISABLE_COPY_MOVE(WebhookReceiver)

    quint16 port() const { return m_port; }
    // "http://127.0.0.1:PORT<path>"
    QString url(const char *path) const;
    void script(const QByteArray &path, const QList<Answer> &answers);
    // What was received on path (on every path when path is empty), oldest first.
    QList<Hit> hits(const QByteArray &path = {}) const;
    // The hit on path for that event (X-Gatekeeper-Event) whose body names requestId (an empty hit when none).
    Hit find(const QByteArray &path, const QString &requestId, const QString &event) const;

private:
    void serve(QTcpSocket *socket);

    std::unique_ptr<QThread> m_thread;
    QObject *m_context = nullptr; // lives in m_thread
    QElapsedTimer m_clock;
    quint16 m_port = 0;
    mutable QMutex m_mutex;
    QHash<QByteArray, QList<Answer>> m_scripts;
    QList<Hit> m_hits;
};

} // namespace gk::test
