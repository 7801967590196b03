#pragma once

#include "HttpAnswer.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QPair>
#include <QSslCertificate>
#include <QString>

#include <memory>

class QTcpSocket;

namespace gk::test {

// A blocking HTTP/1.1 client for tests: sends exactly the bytes it is given over one connection (plain or TLS)
// and reads whole answers back, with no event loop needed. The server must run in other threads (HttpServer
// always does).
class RawHttpClient final
{
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    RawHttpClient();
    ~RawHttpClient();
    Q_DISABLE_COPY_MOVE(RawHttpClient)

    bool connectTo(quint16 port, const QString &host = QStringLiteral("127.0.0.1"), int timeoutMs = 5000);
    // TLS, trusting serverCertificate (a self-signed test certificate) despite the verification errors it raises.
    bool connectEncrypted(quint16 port, const QSslCertificate &serverCertificate,
                          const QString &host = QStringLiteral("127.0.0.1"), int timeoutMs = 5000);
    bool isConnected() const;
    // Drops the connection at once (as a client that goes away).
    void abort();

    // Writes the bytes and waits until they are handed to the kernel.
    bool send(QByteArrayView bytes, int timeoutMs = 5000);
    // Reads the next answer; 1xx interim answers ("100 Continue") count as answers of their own. headRequest:
    // the answer to a HEAD request, which has no body whatever its Content-Length says.
    HttpAnswer readAnswer(int timeoutMs = 5000, bool headRequest = false);
    // send(formatRequest(...)) then readAnswer().
    HttpAnswer request(QByteArrayView method, QByteArrayView target, QByteArrayView body = {},
                       const Headers &headers = {}, int timeoutMs = 5000);
    // True once the server has closed the connection (bytes still arriving before that are kept in pending()).
    bool waitForClosed(int timeoutMs = 5000);
    // Bytes received and not yet taken by readAnswer().
    QByteArray pending() const { return m_buffer; }
    QTcpSocket *socket() const { return m_socket.get(); }
    QString errorString() const { return m_error; }

    // "METHOD target HTTP/1.1", Host, Content-Length (when there is a body and headers do not set framing),
    // then the given headers.
    static QByteArray formatRequest(QByteArrayView method, QByteArrayView target, QByteArrayView body = {},
                                    const Headers &headers = {});

private:
    bool waitForData(const QElapsedTimer &timer, int timeoutMs);

    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_buffer;
    QString m_error;
};

} // namespace gk::test
