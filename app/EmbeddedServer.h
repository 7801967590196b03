#pragma once

#include "ServerOptions.h"

#include <QObject>
#include <QString>
#include <QUrl>

class QThread;

namespace gk {

class HomeThread;
class Server;

// Runs a gk::Server in a worker thread for the console: the server is created, started, shut down and destroyed in
// that thread. The console reaches it only over HTTP (ApiClient), like any remote server.
class EmbeddedServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EmbeddedServer)

public:
    explicit EmbeddedServer(QObject *parent = nullptr);
    ~EmbeddedServer() override; // stop()s: blocks if the server still runs

    // Starts the thread and the server in it; started() or failed() follows (queued to this object's thread).
    void start(const ServerOptions &options);
    // Has the server shut down in its thread (in-flight requests get up to timeoutMs) and returns at once; stopped()
    // follows when the thread has ended. Once asked, the server cannot be started again.
    void stopAsync(int timeoutMs = 5000);
    // Like stopAsync(), but joins the thread before returning: for the destructor and the process exit only, as it
    // blocks up to timeoutMs + 5 s. Also waits for a stop asked earlier by stopAsync().
    void stop(int timeoutMs = 5000);

signals:
    void started(const QUrl &address);
    void failed(const QString &message);
    // After stopAsync() (or stop()): the server is gone and its thread has ended. Queued to this object's thread.
    void stopped();

private:
    void startInWorker(const ServerOptions &options);
    // Queues the shutdown to the worker, once; false when the thread is not running (nothing to wait for).
    bool requestShutdown(int timeoutMs);

    QThread *m_thread;
    QObject *m_worker;            // lives in m_thread; the context for everything run there
    Server *m_server = nullptr;   // touched only in m_thread
    HomeThread *m_home = nullptr; // likewise; set while the server serves
    bool m_shutdownRequested = false;
};

} // namespace gk
