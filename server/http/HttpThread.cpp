#include "http/HttpThread.h"

#include "engine/HomeThread.h"
#include "http/HttpWorker.h"

namespace gk {

HttpThread::HttpThread(RequestHandler *handler, const HttpServerOptions &options, std::shared_ptr<DrainTracker> tracker,
                       qintptr descriptor, std::optional<QSslConfiguration> ssl)
    : m_handler(handler), m_options(options), m_tracker(std::move(tracker)), m_descriptor(descriptor),
      m_ssl(std::move(ssl))
{}

HttpThread::~HttpThread()
{
    quit();
    wait();
}

bool HttpThread::startServing(QString *error)
{
    start();
    m_started.acquire();
    if (!m_ok && error)
        *error = m_error;
    return m_ok;
}

void HttpThread::stopListening()
{
    HttpWorker *worker = m_worker.load();
    if (!worker)
        return;
    if (QThread::currentThread() == this)
        worker->stopListening();
    else
        QMetaObject::invokeMethod(worker, &HttpWorker::stopListening, Qt::BlockingQueuedConnection);
}

void HttpThread::run()
{
    // Requests are answered in this thread, and so are the storage, key-derivation and queue steps they wait for.
    const HomeThread home;
    HttpWorker worker(m_handler, m_options, m_tracker);
    m_ok = worker.start(m_descriptor, m_ssl, &m_error);
    if (m_ok)
        m_worker.store(&worker);
    m_started.release();
    if (!m_ok)
        return;
    exec();
    m_worker.store(nullptr);
}

} // namespace gk
