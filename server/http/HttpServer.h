#pragma once

#include "http/HttpServerOptions.h"

#include <QFuture>
#include <QObject>
#include <QString>

#include <memory>
#include <vector>

namespace gk {

class DrainTracker;
class HttpThread;
class RequestHandler;

// Gatekeeper's HTTP face on QtHttpServer 6.4: options.threads QHttpServers in as many threads, all accepting on
// one port (SO_REUSEPORT), each turning requests into gk::Request for the RequestHandler and writing its answers
// (compact JSON, Cache-Control: no-store, errors as {"errors": [...]}). Adds what QtHttpServer 6.4 lacks: LIST,
// body and head limits (413, 431) enforced before buffering, 100-continue, Connection: close, HEAD without a body,
// idle timeout, chunked bodies, and answers that arrive after the client left are dropped safely.
//
// Lives in the thread that created it (any thread with or without an event loop; the drained() signal needs one).
// Destroying it stops accepting, closes every connection and joins the threads; answers still to come are dropped.
// The handler must outlive it.
class HttpServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    explicit HttpServer(RequestHandler *handler, HttpServerOptions options = {}, QObject *parent = nullptr);
    ~HttpServer() override;

    // Binds, listens and starts the server threads. False with *error (bad TLS files, address in use ...).
    bool listen(QString *error = nullptr);
    bool isListening() const { return m_listening; }
    // The port listened on (the chosen one when options.port is 0); 0 before listen().
    quint16 port() const { return m_port; }
    bool isTls() const { return m_options.tls(); }
    const HttpServerOptions &options() const { return m_options; }

    // Graceful stop, step one: accept no more connections, close idle keep-alive connections, and give every answer
    // still to come "Connection: close". Then wait for whenDrained() (or drained()) and destroy the server.
    void stopListening();
    // Requests handed to the handler and not answered yet.
    int inFlight() const;
    // Connections open now, across the threads.
    int connectionCount() const;
    // Finishes once stopListening() was called and no request is in flight (at once if that is already so).
    QFuture<void> whenDrained() const;

Q_SIGNALS:
    // Emitted in this object's thread when whenDrained() finishes.
    void drained();

private:
    RequestHandler *m_handler;
    HttpServerOptions m_options;
    std::shared_ptr<DrainTracker> m_tracker;
    std::vector<std::unique_ptr<HttpThread>> m_threads;
    quint16 m_port = 0;
    bool m_listening = false;
};

} // namespace gk
