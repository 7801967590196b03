#include "EmbeddedServer.h"

#include "Server.h"
#include "engine/HomeThread.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QThread>

#include <exception>

namespace gk {

Q_LOGGING_CATEGORY(lcConsole, "gatekeeper.console")

namespace {

// sqlite:PATH needs its folder; create it private to the user, as it holds the (encrypted) storage.
void prepareStorageFolder(const QString &storage)
{
    const QString prefix = QStringLiteral("sqlite:");
    if (!storage.startsWith(prefix))
        return;
    const QString folder = QFileInfo(storage.mid(prefix.size())).absolutePath();
    if (QFileInfo::exists(folder))
        return;
    if (QDir().mkpath(folder))
        QFile::setPermissions(folder, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
}

} // namespace

EmbeddedServer::EmbeddedServer(QObject *parent) : QObject(parent), m_thread(new QThread), m_worker(new QObject)
{
    m_thread->setObjectName(QStringLiteral("embedded-server"));
    m_worker->moveToThread(m_thread);
    // finished is emitted in the worker thread; this context queues it here.
    connect(m_thread, &QThread::finished, this, [this] {
        if (m_shutdownRequested)
            emit stopped();
    });
}

EmbeddedServer::~EmbeddedServer()
{
    stop();
    if (m_thread) {
        delete m_worker;
        delete m_thread;
    }
}

void EmbeddedServer::start(const ServerOptions &options)
{
    if (!m_thread || m_thread->isRunning() || m_shutdownRequested)
        return;
    m_thread->start();
    QMetaObject::invokeMethod(
        m_worker, [this, options] { startInWorker(options); }, Qt::QueuedConnection);
}

void EmbeddedServer::startInWorker(const ServerOptions &options)
{
    QString error;
    try {
        prepareStorageFolder(options.storage);
        m_server = new Server(options);
        const Status status = m_server->start();
        if (status.isOk()) {
            QUrl address;
            address.setScheme(options.tlsCert.isEmpty() ? QStringLiteral("http") : QStringLiteral("https"));
            address.setHost(options.listenHost);
            address.setPort(m_server->port());
            // Like gatekeeper-server's main thread: a home while serving, not while starting or stopping.
            m_home = new HomeThread;
            emit started(address);
            return;
        }
        error = status.error();
    } catch (const std::exception &e) {
        error = QString::fromLocal8Bit(e.what());
    }
    delete m_server;
    m_server = nullptr;
    emit failed(error);
}

bool EmbeddedServer::requestShutdown(int timeoutMs)
{
    Q_ASSERT(!m_shutdownRequested);
    m_shutdownRequested = true;
    if (!m_thread || !m_thread->isRunning())
        return false;

    // Runs after startInWorker (same queue). The server calls done from whatever thread finishes the drain; the
    // deletion is queued back to the worker so that it never runs inside the server's own call stack.
    QMetaObject::invokeMethod(
        m_worker,
        [this, timeoutMs] {
            const auto finish = [this] {
                delete m_home;
                m_home = nullptr;
                delete m_server;
                m_server = nullptr;
                m_thread->quit();
            };
            if (!m_server) {
                finish();
                return;
            }
            m_server->shutdown(timeoutMs,
                               [this, finish] { QMetaObject::invokeMethod(m_worker, finish, Qt::QueuedConnection); });
        },
        Qt::QueuedConnection);
    return true;
}

void EmbeddedServer::stopAsync(int timeoutMs)
{
    if (m_shutdownRequested)
        return;                      // stopped() comes, or came, from the first request
    if (!requestShutdown(timeoutMs)) // never started: nothing to wait for, but the news is still queued
        QMetaObject::invokeMethod(
            this, [this] { emit stopped(); }, Qt::QueuedConnection);
}

void EmbeddedServer::stop(int timeoutMs)
{
    if (!m_shutdownRequested)
        requestShutdown(timeoutMs);
    if (!m_thread || !m_thread->isRunning())
        return;
    if (!m_thread->wait(QDeadlineTimer(timeoutMs + 5000))) {
        // Never destroy a running QThread (that aborts): leave it to the end of the process.
        qCCritical(lcConsole) << "the embedded server did not stop in time; leaving it to the process exit";
        m_thread = nullptr;
        m_worker = nullptr;
    }
}

} // namespace gk
