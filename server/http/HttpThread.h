#pragma once

#include "http/HttpServerOptions.h"

#include <QSemaphore>
#include <QSslConfiguration>
#include <QThread>

#include <atomic>
#include <memory>
#include <optional>

namespace gk {

class DrainTracker;
class HttpWorker;
class RequestHandler;

// A server thread: its HttpWorker is created, runs and is destroyed inside run(), so every socket, timer and
// connection of the worker lives and dies in this thread. Destroying the HttpThread quits and joins it.
class HttpThread final : public QThread
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpThread)

public:
    HttpThread(RequestHandler *handler, const HttpServerOptions &options, std::shared_ptr<DrainTracker> tracker,
               qintptr descriptor, std::optional<QSslConfiguration> ssl);
    ~HttpThread() override;

    // Starts the thread and waits until its worker accepts on the descriptor (or failed to).
    bool startServing(QString *error);
    // Stops accepting; returns once the worker has done so. Callable from any thread.
    void stopListening();

protected:
    void run() override;

private:
    RequestHandler *m_handler;
    HttpServerOptions m_options;
    std::shared_ptr<DrainTracker> m_tracker;
    qintptr m_descriptor;
    std::optional<QSslConfiguration> m_ssl;
    QSemaphore m_started;
    bool m_ok = false;
    QString m_error;
    std::atomic<HttpWorker *> m_worker{nullptr};
};

} // namespace gk
