#pragma once

#include "http/ChunkedDecoder.h"

#include <QByteArray>
#include <QObject>
#include <QString>

class QTcpSocket;

namespace gk {

class HttpWorker;
struct Response;

// One accepted connection as seen before QHttpServer parses it (the remedy for what QtHttpServer 6.4 lacks, see
// QT-NOTES.md). Its readyRead slot is connected before QHttpServer's, so it sees the bytes first. It holds them
// back in a read transaction on the socket until one whole request is there and within the limits, and only then
// rolls the transaction back so that QHttpServer's slot parses exactly that request. Meanwhile it answers
// "100 Continue", refuses oversize bodies (413, from Content-Length, without reading them) and heads (431), turns
// a chunked body into a Content-Length one, and remembers the method as sent (QHttpServer loses LIST).
// One request at a time is released: the next one (keep-alive, pipelining) waits until the answer is written, so
// answers keep their order. Lives in the socket's thread as the socket's child.
class HttpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)

public:
    // What the released request was, beyond what QHttpServerRequest tells.
    struct Meta
    {
        QByteArray method;     // as sent
        bool head = false;     // HEAD: answer without a body
        bool keepAlive = true; // the client keeps the connection (HTTP/1.1 default, HTTP/1.0 with keep-alive)
        bool http10 = false;
    };

    HttpConnection(QTcpSocket *socket, HttpWorker *worker);
    ~HttpConnection() override;

    QTcpSocket *socket() const { return m_socket; }
    const Meta &current() const { return m_current; }

    // QHttpServer parsed the released request and the worker is handling it.
    void beginHandling();
    // Writes the answer to the current request (dropped if the client has gone) and moves on to the next one.
    void answer(const Response &response);

    // Draining: closes the connection now if no request is under way on it.
    void closeIfIdle();
    // Periodic check from the worker: idle timeout, lingering after a refusal, a request QHttpServer did not take.
    void sweep(qint64 nowMs);

private:
    enum class Phase
    {
        Head,    // reading a request head
        Body,    // counting Content-Length body bytes
        Chunked, // decoding a chunked body
        Ready,   // a whole request is held, waiting for the previous answer
        Discard  // refused or closing: input is dropped
    };
    enum class Busy
    {
        No,       // no request with QHttpServer or the handler
        Released, // handed to QHttpServer, not yet to the worker
        Handling  // the handler has it
    };

    void onReadyRead();
    void processNext();
    void consume();
    void feed(QByteArrayView data);
    QByteArrayView feedHead(QByteArrayView data);
    void onHead(QByteArrayView headBytes);
    void advance();
    void release();
    void refuse(int status, const QString &message, bool linger);
    void sendRefusal();
    void discardInput();
    void resetRequest();
    void closeSoon();
    void scheduleProcessNext();
    void writeOut(const QByteArray &bytes);

    QTcpSocket *m_socket;
    HttpWorker *m_worker;
    int m_plainDescriptor = -1; // plain TCP (not TLS): answers may go straight to the kernel

    Phase m_phase = Phase::Head;
    Busy m_busy = Busy::No;
    Meta m_current; // the request with QHttpServer or the handler
    Meta m_next;    // the request being read

    QByteArray m_headBuffer;  // head bytes so far, when a head spans several reads
    qsizetype m_headScan = 0; // where findEnd() may resume in m_headBuffer
    qint64 m_bodyRemaining = 0;
    qsizetype m_messageLength = 0; // bytes of the request being read, from the start of the read transaction
    qint64 m_transactionBytes = 0; // bytes read in the current transaction
    bool m_continuePending = false;

    // Chunked bodies: the head to rewrite and the decoded payload.
    ChunkedDecoder m_chunked;
    QByteArray m_chunkedHead;
    QByteArray m_decoded;

    // A refusal waiting for the current answer to be written first.
    int m_refusalStatus = 0;
    QString m_refusalMessage;
    bool m_refusalLinger = false;

    bool m_inReadyRead = false;
    bool m_selfEmit = false;
    bool m_closing = false; // the last answer is written; close once flushed or after lingering
    bool m_processQueued = false;
    qint64 m_lastActivityMs = 0;
    qint64 m_releasedAtMs = 0;
    qint64 m_lingerUntilMs = 0;
    qint64 m_discarded = 0;
};

} // namespace gk
