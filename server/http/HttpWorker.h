#pragma once

#include "http/HttpServerOptions.h"

#include <QAbstractHttpServer>
#include <QElapsedTimer>
#include <QHash>
#include <QTimer>

#include <memory>
#include <optional>

class QSslConfiguration;
class QTcpSocket;

namespace gk {

class ThreadMailbox;
class DrainTracker;
class HttpConnection;
class RequestHandler;
struct Request;

// One QHttpServer (its abstract base: every request comes to handleRequest(), whatever its method) serving one
// listening socket in one thread. Translates each request for the RequestHandler and writes the answer itself:
// synchronously when the handler's future is already finished, else when it finishes, in this thread and only if
// the client is still there. Also runs the periodic sweep (idle timeout, lingering closes).
class HttpWorker final : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpWorker)

public:
    HttpWorker(RequestHandler *handler, const HttpServerOptions &options, std::shared_ptr<DrainTracker> tracker);
    ~HttpWorker() override;

    // In this object's thread: starts accepting on an already listening socket (taking it over).
    bool start(qintptr descriptor, const std::optional<QSslConfiguration> &ssl, QString *error);
    // Stops accepting and closes idle connections; answers still to come close their connections.
    void stopListening();

    // For HttpListener and HttpConnection.
    void adopt(QTcpSocket *socket);
    void forget(QTcpSocket *socket);
    // With options().builtinParser: the whole request (head and Content-Length body) as HttpConnection released it.
    void handleMessage(HttpConnection *connection, const QByteArray &message);
    const HttpServerOptions &options() const { return m_options; }
    bool isDraining() const { return m_draining; }
    qint64 nowMs() const { return m_clock.elapsed(); }
    char *scratch() { return m_scratch.data(); }
    qsizetype scratchSize() const { return m_scratch.size(); }

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    void dispatch(HttpConnection *connection, Request request);
    void sweep();

    RequestHandler *m_handler;
    HttpServerOptions m_options;
    std::shared_ptr<DrainTracker> m_tracker;
    std::shared_ptr<ThreadMailbox> m_mailbox;
    QHash<QTcpSocket *, HttpConnection *> m_connections;
    QTcpServer *m_listener = nullptr;
    QTimer m_sweepTimer;
    QElapsedTimer m_clock;
    QByteArray m_scratch;
    bool m_draining = false;
    bool m_destroying = false;
};

} // namespace gk
