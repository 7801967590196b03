#include "http/HttpConnection.h"

#include "engine/Response.h"
#include "http/HttpLogging.h"
#include "http/HttpMessages.h"
#include "http/HttpWorker.h"
#include "http/RequestHead.h"

#include <QPointer>
#include <QSslSocket>
#include <QTcpSocket>

#include <sys/socket.h>

#include <cerrno>

namespace gk {

namespace {

constexpr qint64 kReleaseTimeoutMs = 2000; // a released request that QHttpServer did not take
constexpr qint64 kLingerQuietMs = 500;     // closing: close once the client has been quiet this long
constexpr qint64 kLingerMaxMs = 10000;     // closing: abort after this long in any case
constexpr qint64 kMaxDiscard = 64 * 1024 * 1024;

const QByteArray &continueAnswer()
{
    static const QByteArray answer = QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n");
    return answer;
}

// The request with its chunked body replaced by the decoded one and a Content-Length.
QByteArray dechunkedRequest(QByteArrayView head, const QByteArray &body)
{
    QByteArray out;
    out.reserve(head.size() + 32 + body.size());
    qsizetype pos = 0;
    while (pos < head.size() && (head[pos] == '\r' || head[pos] == '\n'))
        ++pos;
    bool first = true;
    while (pos < head.size()) {
        qsizetype nl = head.indexOf('\n', pos);
        if (nl < 0)
            nl = head.size();
        qsizetype end = nl;
        if (end > pos && head[end - 1] == '\r')
            --end;
        const QByteArrayView line = head.sliced(pos, end - pos);
        pos = nl + 1;
        if (line.isEmpty())
            break;
        if (!first) {
            const QByteArrayView name = line.first(qMax<qsizetype>(0, line.indexOf(':')));
            if (name.compare("transfer-encoding", Qt::CaseInsensitive) == 0 ||
                name.compare("content-length", Qt::CaseInsensitive) == 0 ||
                name.compare("expect", Qt::CaseInsensitive) == 0)
                continue;
        }
        first = false;
        out.append(line);
        out.append("\r\n");
    }
    out.append("Content-Length: ");
    out.append(QByteArray::number(body.size()));
    out.append("\r\n\r\n");
    out.append(body);
    return out;
}

QString tooLargeMessage(qint64 limit)
{
    return QStringLiteral("request body too large (the limit is %1 bytes)").arg(limit);
}

} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, HttpWorker *worker)
    : QObject(socket), m_socket(socket), m_worker(worker)
{
    m_lastActivityMs = worker->nowMs();
    if (!qobject_cast<QSslSocket *>(socket))
        m_plainDescriptor = int(socket->socketDescriptor());
    // Connected before QHttpServer connects its own slot (it does so once nextPendingConnection() has returned
    // the socket), so this one runs first on every readyRead.
    connect(socket, &QIODevice::readyRead, this, &HttpConnection::onReadyRead);
}

HttpConnection::~HttpConnection()
{
    m_worker->forget(m_socket);
}

void HttpConnection::onReadyRead()
{
    if (m_selfEmit)
        return; // our own signal for QHttpServer, after release()
    m_lastActivityMs = m_worker->nowMs();
    m_inReadyRead = true;
    consume();
    m_inReadyRead = false;
}

void HttpConnection::processNext()
{
    m_processQueued = false;
    if (m_busy != Busy::No)
        return; // answer() schedules this again
    consume();
}

void HttpConnection::scheduleProcessNext()
{
    if (m_processQueued)
        return;
    m_processQueued = true;
    QMetaObject::invokeMethod(this, &HttpConnection::processNext, Qt::QueuedConnection);
}

// Reads whatever arrived, inside a read transaction that starts at a request boundary, so that rolling it back
// hands the request to QHttpServer untouched. QHttpServer's slot, running after this one, finds nothing to read
// unless release() rolled back.
void HttpConnection::consume()
{
    if (m_closing || m_phase == Phase::Discard) {
        discardInput();
        advance();
        return;
    }
    if (!m_socket->isTransactionStarted()) {
        m_socket->startTransaction();
        m_transactionBytes = 0;
    }
    const HttpServerOptions &options = m_worker->options();
    const qint64 maxHeld = options.maxBodySize + 2 * qint64(options.maxHeaderSize) + m_worker->scratchSize();
    char *scratch = m_worker->scratch();
    for (;;) {
        const qint64 n = m_socket->read(scratch, m_worker->scratchSize());
        if (n <= 0)
            break;
        m_transactionBytes += n;
        if (m_transactionBytes > m_messageLength + maxHeld) {
            // Far more than the request being read while the previous answer is pending.
            qCInfo(lcHttp) << "closing a connection from" << m_socket->peerAddress().toString()
                           << "that sends more than it waits for";
            resetRequest();
            m_phase = Phase::Discard;
            m_closing = true;
            m_socket->commitTransaction();
            m_lingerUntilMs = m_worker->nowMs();
            QPointer<QTcpSocket> socket(m_socket);
            QMetaObject::invokeMethod(
                this,
                [socket]() {
                    if (socket)
                        socket->abort();
                },
                Qt::QueuedConnection);
            return;
        }
        if (m_phase == Phase::Ready)
            continue; // a whole request is held while the previous answer is pending; the rest waits its turn
        feed(QByteArrayView(scratch, n));
        if (m_phase == Phase::Discard) {
            discardInput();
            break;
        }
        if (m_phase == Phase::Ready && m_busy == Busy::No)
            break; // released below; what follows stays unread in the socket for the next round
    }
    advance();
}

void HttpConnection::feed(QByteArrayView data)
{
    while (!data.isEmpty()) {
        switch (m_phase) {
        case Phase::Head:
            data = feedHead(data);
            break;
        case Phase::Body: {
            const qsizetype take = qsizetype(qMin<qint64>(data.size(), m_bodyRemaining));
            m_bodyRemaining -= take;
            m_messageLength += take;
            data = data.sliced(take);
            if (m_bodyRemaining == 0)
                m_phase = Phase::Ready;
            break;
        }
        case Phase::Chunked: {
            qsizetype used = 0;
            const ChunkedDecoder::Status status = m_chunked.feed(data, &m_decoded, &used);
            m_messageLength += used;
            data = data.sliced(used);
            switch (status) {
            case ChunkedDecoder::Status::NeedMore:
                break;
            case ChunkedDecoder::Status::Done:
                m_phase = Phase::Ready;
                break;
            case ChunkedDecoder::Status::Invalid:
                refuse(400, QStringLiteral("malformed chunked request body"), true);
                return;
            case ChunkedDecoder::Status::TooLarge:
                refuse(413, tooLargeMessage(m_worker->options().maxBodySize), true);
                return;
            }
            break;
        }
        case Phase::Ready:
        case Phase::Discard:
            return;
        }
    }
}

// Collects head bytes; once the head is complete, judges it and returns what follows it.
QByteArrayView HttpConnection::feedHead(QByteArrayView data)
{
    const qsizetype maxHead = m_worker->options().maxHeaderSize;
    const QString tooLarge = QStringLiteral("request header fields too large");
    if (m_headBuffer.isEmpty()) {
        // The usual case: the whole head came in one read; parse it where it is.
        const qsizetype end = RequestHead::findEnd(data);
        if (end < 0) {
            if (data.size() > maxHead) {
                refuse(431, tooLarge, true);
                return {};
            }
            m_headBuffer = data.toByteArray();
            m_headScan = qMax<qsizetype>(0, data.size() - 2);
            return {};
        }
        if (end > maxHead) {
            refuse(431, tooLarge, true);
            return {};
        }
        onHead(data.first(end));
        return data.sliced(end);
    }
    const qsizetype room = qMax<qsizetype>(0, maxHead + 3 - m_headBuffer.size());
    const qsizetype take = qMin(data.size(), room);
    m_headBuffer.append(data.first(take));
    const qsizetype end = RequestHead::findEnd(m_headBuffer, m_headScan);
    if (end < 0 || end > maxHead) {
        if (end > maxHead || m_headBuffer.size() > maxHead) {
            refuse(431, tooLarge, true);
            return {};
        }
        m_headScan = qMax<qsizetype>(0, m_headBuffer.size() - 2);
        return data.sliced(take);
    }
    const QByteArray buffered = std::exchange(m_headBuffer, QByteArray());
    m_headScan = 0;
    onHead(QByteArrayView(buffered).first(end));
    if (m_phase != Phase::Discard && end < buffered.size())
        feed(QByteArrayView(buffered).sliced(end)); // body bytes that came with the end of the head
    if (m_phase == Phase::Discard)
        return {};
    return data.sliced(take);
}

void HttpConnection::onHead(QByteArrayView headBytes)
{
    const HttpServerOptions &options = m_worker->options();
    RequestHead head;
    if (!RequestHead::parse(headBytes, options.maxHeaderCount, &head)) {
        refuse(head.errorStatus, QString::fromLatin1(head.error), true);
        return;
    }
    m_messageLength = headBytes.size();
    m_next.method = internMethod(head.method);
    m_next.head = head.method == "HEAD";
    m_next.http10 = head.minorVersion == 0;
    m_next.keepAlive = m_next.http10 ? head.connectionKeepAlive && !head.connectionClose : !head.connectionClose;
    if (head.websocketUpgrade) {
        refuse(400, QStringLiteral("WebSocket upgrades are not supported"), true);
        return;
    }
    if (head.expectOther) {
        refuse(417, QStringLiteral("unsupported Expect header (only 100-continue is)"), true);
        return;
    }
    if (head.contentLength > options.maxBodySize) {
        // Without "Expect: 100-continue" the client is sending the body anyway: read and drop it for a while, so
        // that it sees the answer instead of a reset connection.
        refuse(413, tooLargeMessage(options.maxBodySize), !head.expectContinue);
        return;
    }
    if (head.chunked) {
        m_chunkedHead = headBytes.toByteArray();
        m_decoded.clear();
        m_chunked.reset(options.maxBodySize);
        m_phase = Phase::Chunked;
        m_continuePending = head.expectContinue;
    } else if (head.contentLength > 0) {
        m_bodyRemaining = head.contentLength;
        m_phase = Phase::Body;
        m_continuePending = head.expectContinue;
    } else {
        m_phase = Phase::Ready;
    }
}

// Moves on when no answer is pending: a refusal, a whole request, or a 100 Continue for a body to come.
void HttpConnection::advance()
{
    if (m_busy != Busy::No)
        return;
    if (m_refusalStatus != 0) {
        sendRefusal();
        return;
    }
    if (m_phase == Phase::Ready) {
        release();
        return;
    }
    if (m_continuePending && (m_phase == Phase::Body || m_phase == Phase::Chunked)) {
        m_continuePending = false;
        writeOut(continueAnswer());
    }
}

// Hands the whole request held in the read transaction to QHttpServer.
void HttpConnection::release()
{
    m_current = std::move(m_next);
    m_next = Meta();
    m_busy = Busy::Released;
    m_releasedAtMs = m_worker->nowMs();
    const qsizetype messageLength = m_messageLength;
    QByteArray rewritten;
    if (!m_chunkedHead.isEmpty())
        rewritten = dechunkedRequest(m_chunkedHead, m_decoded);
    resetRequest();
    m_socket->rollbackTransaction();
    m_transactionBytes = 0;
    if (m_worker->options().builtinParser) {
        // No QHttpServer: take the request out of the socket (for good) and hand it to the worker directly.
        QByteArray message;
        if (rewritten.isEmpty()) {
            message = m_socket->read(messageLength);
        } else {
            m_socket->skip(messageLength);
            message = std::move(rewritten);
        }
        m_worker->handleMessage(this, message);
        return;
    }
    if (!rewritten.isEmpty()) {
        // Drop the chunked message (no transaction now, so for good) and put the rewritten one in its place.
        m_socket->skip(messageLength);
        for (qsizetype i = rewritten.size(); i-- > 0;)
            m_socket->ungetChar(rewritten.at(i));
    }
    if (!m_inReadyRead) {
        // Outside our readyRead slot, QHttpServer has to be told that there is something to parse.
        QPointer<HttpConnection> self(this);
        m_selfEmit = true;
        Q_EMIT m_socket->readyRead();
        if (self)
            m_selfEmit = false;
    }
}

void HttpConnection::beginHandling()
{
    m_busy = Busy::Handling;
}

void HttpConnection::answer(const Response &response)
{
    if (m_busy == Busy::No) {
        qCWarning(lcHttp) << "dropping an answer for a connection with no request under way";
        return;
    }
    m_busy = Busy::No;
    m_lastActivityMs = m_worker->nowMs();
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        return; // the client has gone (or we are closing): drop the answer
    const bool close = !m_current.keepAlive || m_worker->isDraining();
    writeOut(serializeResponse(response, m_current.head, close, m_current.http10 && !close));
    if (close) {
        resetRequest();
        m_refusalStatus = 0;
        m_phase = Phase::Discard;
        m_closing = true;
        m_lingerUntilMs = m_lastActivityMs + kLingerMaxMs;
        closeSoon();
        return;
    }
    if (m_refusalStatus != 0 || m_phase != Phase::Head || !m_headBuffer.isEmpty() || m_socket->bytesAvailable() > 0)
        scheduleProcessNext();
}

// QAbstractSocket writes only from its write notifier, one event loop round later (enable the notifier, poll,
// write, disable it) for every answer. When nothing of ours is queued there, a plain TCP answer goes straight to
// the kernel instead, and only what the kernel does not take now is left to QAbstractSocket, after it in order.
void HttpConnection::writeOut(const QByteArray &bytes)
{
    if (m_plainDescriptor >= 0 && m_socket->bytesToWrite() == 0) {
        const ssize_t sent =
            ::send(m_plainDescriptor, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent == bytes.size())
            return;
        if (sent > 0) {
            m_socket->write(bytes.constData() + sent, bytes.size() - sent);
            return;
        }
        // Nothing taken (a full send buffer or an error): QAbstractSocket retries and reports errors its way.
    }
    m_socket->write(bytes);
}

void HttpConnection::refuse(int status, const QString &message, bool linger)
{
    resetRequest();
    m_phase = Phase::Discard;
    m_refusalStatus = status;
    m_refusalMessage = message;
    m_refusalLinger = linger;
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction(); // what was read of the refused request is dropped
    m_transactionBytes = 0;
    if (m_busy == Busy::No)
        sendRefusal();
}

void HttpConnection::sendRefusal()
{
    const int status = std::exchange(m_refusalStatus, 0);
    const QString message = std::exchange(m_refusalMessage, QString());
    qCInfo(lcHttp).nospace() << "refusing a request from " << m_socket->peerAddress().toString() << ": " << status
                             << " " << message;
    if (m_socket->state() == QAbstractSocket::ConnectedState)
        writeOut(serializeResponse(Response::error(status, message), false, true, false));
    m_closing = true;
    const qint64 now = m_worker->nowMs();
    m_lingerUntilMs = m_refusalLinger ? now + kLingerMaxMs : now;
    if (!m_refusalLinger)
        closeSoon();
}

void HttpConnection::discardInput()
{
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    const qint64 available = m_socket->bytesAvailable();
    if (available > 0)
        m_discarded += qMax<qint64>(0, m_socket->skip(available));
    if (m_discarded > kMaxDiscard)
        m_lingerUntilMs = 0; // the next sweep aborts
}

void HttpConnection::resetRequest()
{
    m_phase = Phase::Head;
    m_headBuffer.clear();
    m_headScan = 0;
    m_bodyRemaining = 0;
    m_messageLength = 0;
    m_continuePending = false;
    m_chunkedHead.clear();
    m_decoded.clear();
}

void HttpConnection::closeSoon()
{
    if (!m_inReadyRead) {
        m_socket->disconnectFromHost();
        return;
    }
    // Not from inside readyRead: QHttpServer's slot still runs after ours and expects an open socket.
    QPointer<QTcpSocket> socket(m_socket);
    QMetaObject::invokeMethod(
        this,
        [socket]() {
            if (socket)
                socket->disconnectFromHost();
        },
        Qt::QueuedConnection);
}

void HttpConnection::closeIfIdle()
{
    if (m_busy != Busy::No || m_closing)
        return;
    if (m_phase == Phase::Head && m_headBuffer.isEmpty() && m_transactionBytes == 0 &&
        m_socket->bytesAvailable() == 0) {
        m_closing = true;
        m_phase = Phase::Discard;
        m_lingerUntilMs = m_worker->nowMs() + kLingerMaxMs;
        m_socket->disconnectFromHost();
    }
}

void HttpConnection::sweep(qint64 nowMs)
{
    switch (m_busy) {
    case Busy::Handling:
        return;
    case Busy::Released:
        if (nowMs - m_releasedAtMs > kReleaseTimeoutMs) {
            qCWarning(lcHttp) << "QHttpServer did not take a request that was complete; closing the connection";
            m_socket->abort();
        }
        return;
    case Busy::No:
        break;
    }
    if (m_closing) {
        if (nowMs >= m_lingerUntilMs)
            m_socket->abort();
        else if (nowMs - m_lastActivityMs >= kLingerQuietMs && m_socket->state() == QAbstractSocket::ConnectedState)
            m_socket->disconnectFromHost();
        return;
    }
    if (nowMs - m_lastActivityMs >= m_worker->options().idleTimeoutMs) {
        m_closing = true;
        m_phase = Phase::Discard;
        m_lingerUntilMs = nowMs + kLingerMaxMs;
        m_socket->disconnectFromHost();
    }
}

} // namespace gk
