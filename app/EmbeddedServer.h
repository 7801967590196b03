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
    ~EmbeddedServer() override; // stop()s

    // Starts the thread and the server in it; started() or failed() follows (queued to this object's thread).
    void start(const ServerOptions &options);
    // Shuts the server down in its thread (in-flight requests get up to timeoutMs) and joins the thread. Blocks.
    void stop(int timeoutMs = 5000);

signals:
    void started(const QUrl &address);
    void failed(const QString &message);

private:
    void startInWorker(const ServerOptions &options);

    QThread *m_thread;
    QObject *m_worker;            // lives in m_thread; the context for everything run there
    Server *m_server = nullptr;   // touched only in m_thread
    HomeThread *m_home = nullptr; // likewise; set while the server serves
    bool m_stopped = false;
};

} // namespace gk
