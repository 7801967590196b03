#include "http/HttpWorker.h"

#include "engine/RequestHandler.h"
#include "engine/ThreadMailbox.h"
#include "http/DrainTracker.h"
#include "http/HttpConnection.h"
#include "http/HttpListener.h"
#include "http/HttpLogging.h"
#include "http/HttpMessages.h"
#include "http/PendingAnswer.h"
#include "http/RequestHead.h"

#include <QHttpServerRequest>
#include <QSslServer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

namespace gk {

namespace {

constexpr qsizetype kScratchSize = 16 * 1024;

Response takeResult(const QFuture<Response> &future)
{
    if (future.isCanceled() || future.resultCount() < 1)
        return Response::error(500, QStringLiteral("internal error: the request got no answer"));
    return future.result();
}

} // namespace

HttpWorker::HttpWorker(RequestHandler *handler, const HttpServerOptions &options, std::shared_ptr<DrainTracker> tracker)
    : m_handler(handler), m_options(options), m_tracker(std::move(tracker)),
      m_mailbox(std::make_shared<ThreadMailbox>(this)), m_scratch(kScratchSize, Qt::Uninitialized)
{
    m_clock.start();
    m_sweepTimer.setInterval(qBound(20, m_options.idleTimeoutMs / 4, 250));
    connect(&m_sweepTimer, &QTimer::timeout, this, &HttpWorker::sweep);
}

HttpWorker::~HttpWorker()
{
    m_mailbox->close(); // answers still to come are dropped from now on
    m_sweepTimer.stop();
    m_destroying = true;
    // The listener owns every accepted socket, and each socket its HttpConnection: delete them while this object
    // is still whole, since their destructors call forget().
    delete m_listener;
    m_listener = nullptr;
}

bool HttpWorker::start(qintptr descriptor, const std::optional<QSslConfiguration> &ssl, QString *error)
{
    QTcpServer *listener = nullptr;
    if (ssl) {
        auto *sslListener = new HttpListener<QSslServer>(this);
        sslListener->setSslConfiguration(*ssl);
        connect(sslListener, &QSslServer::errorOccurred, this, [](QSslSocket *socket, QAbstractSocket::SocketError) {
            qCDebug(lcHttp) << "TLS connection failed:" << socket->errorString();
        });
        listener = sslListener;
    } else {
        listener = new HttpListener<QTcpServer>(this);
    }
    if (!listener->setSocketDescriptor(descriptor)) {
        if (error)
            *error = listener->errorString();
        delete listener;
        return false;
    }
    listener->setMaxPendingConnections(256);
    m_listener = listener;
    if (m_options.builtinParser) {
        listener->setParent(this);
        connect(listener, &QTcpServer::pendingConnectionAvailable, this, [listener]() {
            while (listener->nextPendingConnection()) {
            }
        });
    } else {
        bind(listener); // parents it to this object; new connections go through adopt() first
    }
    m_sweepTimer.start();
    return true;
}

void HttpWorker::stopListening()
{
    if (m_listener)
        m_listener->close();
    m_draining = true;
    const QList<HttpConnection *> connections = m_connections.values();
    for (HttpConnection *connection : connections)
        connection->closeIfIdle();
}

void HttpWorker::adopt(QTcpSocket *socket)
{
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    auto *connection = new HttpConnection(socket, this);
    m_connections.insert(socket, connection);
    if (m_options.builtinParser) // else QHttpServer deletes its sockets
        connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    m_tracker->connectionOpened();
}

void HttpWorker::forget(QTcpSocket *socket)
{
    if (m_connections.remove(socket))
        m_tracker->connectionClosed();
}

bool HttpWorker::handleRequest(const QHttpServerRequest &httpRequest, QTcpSocket *socket)
{
    HttpConnection *connection = m_connections.value(socket);
    if (!connection) {
        socket->abort();
        return true;
    }
    connection->beginHandling();
    Request request;
    QString error;
    if (!buildRequest(httpRequest, connection->current().method, socket->peerAddress(), &request, &error)) {
        connection->answer(Response::error(400, error));
        return true;
    }
    dispatch(connection, std::move(request));
    return true;
}

void HttpWorker::handleMessage(HttpConnection *connection, const QByteArray &message)
{
    connection->beginHandling();
    const qsizetype headEnd = RequestHead::findEnd(message);
    RequestHead head;
    RequestHead::Fields fields;
    if (headEnd < 0 ||
        !RequestHead::parse(QByteArrayView(message).first(headEnd), m_options.maxHeaderCount, &head, &fields)) {
        connection->answer(Response::error(400, QStringLiteral("malformed request")));
        return;
    }
    QHash<QByteArray, QByteArray> headers;
    headers.reserve(fields.size());
    for (const auto &[name, value] : std::as_const(fields))
        addHeader(&headers, name, value);
    Request request;
    QString error;
    if (!buildRequest(connection->current().method, QUrl::fromEncoded(head.target.toByteArray()), std::move(headers),
                      message.sliced(headEnd), connection->socket()->peerAddress(), &request, &error)) {
        connection->answer(Response::error(400, error));
        return;
    }
    dispatch(connection, std::move(request));
}

void HttpWorker::dispatch(HttpConnection *connection, Request request)
{
    m_tracker->begin();
    const QFuture<Response> future = m_handler->handle(std::move(request));
    if (future.isFinished()) {
        connection->answer(takeResult(future));
        m_tracker->end();
        return;
    }
    // Answered from whichever thread fulfils the future, through the mailbox into this thread.
    auto pending = std::make_shared<PendingAnswer>(connection, m_mailbox, m_tracker);
    QFuture<Response>(future).then([pending](const Response &response) { pending->deliver(response); });
}

void HttpWorker::missingHandler(const QHttpServerRequest &, QTcpSocket *socket)
{
    // Not reached: handleRequest() takes every request.
    if (HttpConnection *connection = m_connections.value(socket)) {
        connection->beginHandling();
        connection->answer(Response::error(404, QStringLiteral("no handler")));
    }
}

void HttpWorker::sweep()
{
    const qint64 now = nowMs();
    const QList<HttpConnection *> connections = m_connections.values();
    for (HttpConnection *connection : connections)
        connection->sweep(now);
}

} // namespace gk
