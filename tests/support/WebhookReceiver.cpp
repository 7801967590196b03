#include "WebhookReceiver.h"

#include <QMutexLocker>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

namespace gk::test {

WebhookReceiver::WebhookReceiver() : m_thread(std::make_unique<QThread>())
{
    m_clock.start();
    m_context = new QObject;
    m_context->moveToThread(m_thread.get());
    QObject::connect(m_thread.get(), &QThread::finished, m_context, &QObject::deleteLater);
    m_thread->start();
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            auto *server = new QTcpServer(m_context);
            QObject::connect(server, &QTcpServer::newConnection, server, [this, server] {
                while (QTcpSocket *socket = server->nextPendingConnection())
                    serve(socket);
            });
            if (server->listen(QHostAddress::LocalHost, 0))
                m_port = server->serverPort();
        },
        Qt::BlockingQueuedConnection);
}

WebhookReceiver::~WebhookReceiver()
{
    m_thread->quit();
    m_thread->wait();
}

QString WebhookReceiver::url(const char *path) const
{
    return QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(QLatin1String(path));
}

void WebhookReceiver::script(const QByteArray &path, const QList<Answer> &answers)
{
    QMutexLocker lock(&m_mutex);
    m_scripts[path] = answers;
}

QList<WebhookReceiver::Hit> WebhookReceiver::hits(const QByteArray &path) const
{
    QMutexLocker lock(&m_mutex);
    QList<Hit> out;
    for (const Hit &h : m_hits) {
        if (path.isEmpty() || h.path == path)
            out.append(h);
    }
    return out;
}

WebhookReceiver::Hit WebhookReceiver::find(const QByteArray &path, const QString &requestId, const QString &event) const
{
    for (const Hit &h : hits(path)) {
        if (h.event == event.toUtf8() && h.body.contains(requestId.toUtf8()))
            return h;
    }
    return {};
}

void WebhookReceiver::serve(QTcpSocket *socket)
{
    auto buffer = std::make_shared<QByteArray>();
    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
        buffer->append(socket->readAll());
        const qsizetype headEnd = buffer->indexOf("\r\n\r\n");
        if (headEnd < 0)
            return;
        const QList<QByteArray> lines = buffer->first(headEnd).split('\n');
        Hit hit;
        hit.path = lines.first().split(' ').value(1);
        qsizetype length = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines.at(i).indexOf(':');
            if (colon < 0)
                continue;
            const QByteArray name = lines.at(i).first(colon).trimmed().toLower();
            const QByteArray value = lines.at(i).mid(colon + 1).trimmed();
            if (name == "content-length")
                length = value.toLongLong();
            else if (name == "x-gatekeeper-event")
                hit.event = value;
            else if (name == "x-gatekeeper-delivery")
                hit.delivery = value;
            else if (name == "content-type")
                hit.contentType = value;
        }
        if (buffer->size() < headEnd + 4 + length)
            return;
        hit.body = buffer->mid(headEnd + 4, length);
        buffer->remove(0, headEnd + 4 + length);
        hit.atMs = m_clock.elapsed();
        Answer answer;
        {
            QMutexLocker lock(&m_mutex);
            QList<Answer> &queue = m_scripts[hit.path];
            if (!queue.isEmpty())
                answer = queue.takeFirst();
            hit.answeredWith = answer.delayMs < 0 ? 0 : answer.status;
            m_hits.append(hit);
        }
        if (answer.delayMs < 0)
            return;
        const QByteArray reply = "HTTP/1.1 " + QByteArray::number(answer.status) + " Scripted\r\n" +
                                 answer.extraHeaders + "Content-Length: 2\r\nConnection: close\r\n\r\nok";
        QTimer::singleShot(answer.delayMs, socket, [socket, reply] {
            socket->write(reply);
            socket->disconnectFromHost();
        });
    });
}

} // namespace gk::test
