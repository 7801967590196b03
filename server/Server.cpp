#include "Server.h"

#include "engine/Engine.h"
#include "engine/audit/AuditBroker.h"
#include "engine/events/EventLog.h"
#include "engine/storage/Storage.h"
#include "engine/storage/StorageFactory.h"
#include "http/HttpServer.h"

#include <QLoggingCategory>
#include <QTimer>

Q_LOGGING_CATEGORY(lcServer, "gatekeeper.server")

namespace gk {

namespace {

// Start-up waits on the engine's futures: start-up is the one place the server may block, and nothing is
// being served yet.
template <typename T>
T await(QFuture<T> future)
{
    future.waitForFinished();
    return future.result();
}

QString hostForUrl(const QString &host)
{
    return host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
}

} // namespace

Server::Server(ServerOptions options, QObject *parent) : QObject(parent), m_options(std::move(options)) {}

Server::~Server()
{
    m_http.reset();
    m_engine.reset();
}

Status Server::start()
{
    const QString url = m_options.dev ? QStringLiteral("inmem:")
                        : m_options.storage.isEmpty() ? defaultStorageUrl()
                                                      : m_options.storage;
    Result<std::unique_ptr<Storage>> storage = openStorage(url);
    if (!storage) {
        // A storage URL that cannot be used is a configuration error (exit code 2); an I/O failure is not.
        const bool config = storage.httpStatus() == 400 || storage.httpStatus() == 501;
        return Status::fail(QStringLiteral("--storage: ") + storage.error(), config ? 400 : 500);
    }

    EngineOptions engineOptions;
    engineOptions.apiAddr = m_options.apiAddr;
    m_engine = std::make_unique<Engine>(storage.takeValue(), engineOptions);
    if (Status st = await(m_engine->start()); !st)
        return Status::fail(QStringLiteral("cannot start the engine: ") + st.error(), 500);
    if (!m_options.auditLog.isEmpty()) {
        // Opened now; it writes once the server is unsealed (--dev: at once).
        if (Status st = await(m_engine->audit().enableStartupDevice(m_options.auditLog)); !st)
            return Status::fail(
                QStringLiteral("--audit-log: cannot open \"%1\": %2").arg(m_options.auditLog, st.error()), 400);
    }

    if (m_options.dev) {
        Result<Engine::DevInit> dev = await(m_engine->initDev(m_options.devRootToken));
        if (!dev)
            return Status::fail(QStringLiteral("cannot initialise dev mode: ") + dev.error(), 500);
        m_devUnsealKey = dev.value().unsealKey;
        m_devRootToken = dev.value().rootToken;
    }

    HttpServerOptions http;
    http.address = m_options.listenHost == QLatin1String("localhost") ? QHostAddress(QHostAddress::LocalHost)
                                                                       : QHostAddress(m_options.listenHost);
    http.port = m_options.listenPort;
    http.threads = m_options.httpThreads;
    http.tlsCertFile = m_options.tlsCert;
    http.tlsKeyFile = m_options.tlsKey;
    m_http = std::make_unique<HttpServer>(m_engine.get(), http);
    QString error;
    if (!m_http->listen(&error)) {
        m_http.reset();
        return Status::fail(QStringLiteral("--listen: cannot listen on %1:%2: %3")
                                .arg(m_options.listenHost)
                                .arg(m_options.listenPort)
                                .arg(error),
                            500);
    }
    if (m_options.apiAddr.isEmpty())
        m_engine->setApiAddr(address());
    qCInfo(lcServer) << "listening on" << address();
    return Status::ok();
}

quint16 Server::port() const
{
    return m_http ? m_http->port() : 0;
}

QString Server::address() const
{
    const QString scheme = m_options.tlsCert.isEmpty() ? QStringLiteral("http") : QStringLiteral("https");
    return QStringLiteral("%1://%2:%3").arg(scheme, hostForUrl(m_options.listenHost)).arg(port());
}

void Server::shutdown(int timeoutMs, std::function<void()> done)
{
    if (!m_http) {
        done();
        return;
    }
    auto finished = std::make_shared<bool>(false);
    auto finish = [finished, done = std::move(done)](bool intime) {
        if (*finished)
            return;
        *finished = true;
        if (!intime)
            qCWarning(lcServer) << "shutdown: in-flight requests did not finish in time";
        done();
    };
    connect(m_http.get(), &HttpServer::drained, this, [finish] { finish(true); });
    QTimer::singleShot(timeoutMs, this, [finish] { finish(false); });
    m_http->stopListening();
    m_engine->events().releaseWaiters(); // blocking queries answer now rather than hold the drain
}

} // namespace gk
