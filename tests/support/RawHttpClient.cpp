#include "RawHttpClient.h"

#include <QSslError>
#include <QSslSocket>
#include <QTcpSocket>

namespace gk::test {

RawHttpClient::RawHttpClient() = default;

RawHttpClient::~RawHttpClient()
{
    abort();
}

bool RawHttpClient::connectTo(quint16 port, const QString &host, int timeoutMs)
{
    abort();
    m_socket = std::make_unique<QTcpSocket>();
    m_socket->connectToHost(host, port);
    if (!m_socket->waitForConnected(timeoutMs)) {
        m_error = m_socket->errorString();
        return false;
    }
    return true;
}

bool RawHttpClient::connectEncrypted(quint16 port, const QSslCertificate &serverCertificate, const QString &host,
                                     int timeoutMs)
{
    abort();
    auto socket = std::make_unique<QSslSocket>();
    QList<QSslError> expected;
    for (QSslError::SslError e : {QSslError::SelfSignedCertificate, QSslError::HostNameMismatch,
                                  QSslError::CertificateUntrusted, QSslError::UnableToGetLocalIssuerCertificate,
                                  QSslError::UnableToVerifyFirstCertificate, QSslError::SelfSignedCertificateInChain})
        expected.append(QSslError(e, serverCertificate));
    socket->ignoreSslErrors(expected);
    socket->connectToHostEncrypted(host, port);
    const bool ok = socket->waitForEncrypted(timeoutMs);
    if (!ok)
        m_error = socket->errorString();
    m_socket = std::move(socket);
    return ok;
}

bool RawHttpClient::isConnected() const
{
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

void RawHttpClient::abort()
{
    if (m_socket)
        m_socket->abort();
    m_socket.reset();
    m_buffer.clear();
}

bool RawHttpClient::send(QByteArrayView bytes, int timeoutMs)
{
    if (!isConnected()) {
        m_error = QStringLiteral("not connected");
        return false;
    }
    if (m_socket->write(bytes.data(), bytes.size()) != bytes.size()) {
        m_error = m_socket->errorString();
        return false;
    }
    QElapsedTimer timer;
    timer.start();
    while (m_socket->bytesToWrite() > 0) {
        const qint64 remaining = timeoutMs - timer.elapsed();
        if (remaining <= 0 || !m_socket->waitForBytesWritten(int(remaining))) {
            m_error = QStringLiteral("write failed: %1").arg(m_socket->errorString());
            return false;
        }
    }
    return true;
}

bool RawHttpClient::waitForData(const QElapsedTimer &timer, int timeoutMs)
{
    if (!m_socket)
        return false;
    if (m_socket->bytesAvailable() == 0) {
        const qint64 remaining = timeoutMs - timer.elapsed();
        if (remaining <= 0 || m_socket->state() != QAbstractSocket::ConnectedState)
            return false;
        m_socket->waitForReadyRead(int(remaining));
        if (m_socket->bytesAvailable() == 0)
            return false;
    }
    m_buffer.append(m_socket->readAll());
    return true;
}

HttpAnswer RawHttpClient::readAnswer(int timeoutMs, bool headRequest)
{
    HttpAnswer answer;
    QElapsedTimer timer;
    timer.start();
    qsizetype headEnd = -1;
    while ((headEnd = m_buffer.indexOf("\r\n\r\n")) < 0) {
        if (!waitForData(timer, timeoutMs)) {
            m_error = QStringLiteral("no complete answer head (%1 bytes received)").arg(m_buffer.size());
            return answer;
        }
    }
    const QList<QByteArray> lines = m_buffer.first(headEnd).split('\n');
    const QByteArray statusLine = lines.first().trimmed();
    const qsizetype sp1 = statusLine.indexOf(' ');
    const qsizetype sp2 = statusLine.indexOf(' ', sp1 + 1);
    answer.version = statusLine.first(qMax<qsizetype>(0, sp1));
    answer.status = statusLine.mid(sp1 + 1, sp2 < 0 ? -1 : sp2 - sp1 - 1).toInt();
    answer.reason = sp2 < 0 ? QByteArray() : statusLine.mid(sp2 + 1);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            answer.headers.append({line.first(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    qsizetype pos = headEnd + 4;
    const bool noBody = headRequest || answer.status / 100 == 1 || answer.status == 204 || answer.status == 304;
    if (!noBody) {
        if (answer.hasHeader("content-length")) {
            const qsizetype length = answer.header("content-length").toLongLong();
            while (m_buffer.size() - pos < length) {
                if (!waitForData(timer, timeoutMs)) {
                    m_error = QStringLiteral("answer body incomplete");
                    return answer;
                }
            }
            answer.body = m_buffer.mid(pos, length);
            pos += length;
        } else if (answer.header("transfer-encoding").toLower().contains("chunked")) {
            for (;;) {
                qsizetype nl;
                while ((nl = m_buffer.indexOf("\r\n", pos)) < 0) {
                    if (!waitForData(timer, timeoutMs))
                        return answer;
                }
                const qsizetype size = m_buffer.mid(pos, nl - pos).split(';').first().trimmed().toLongLong(nullptr, 16);
                pos = nl + 2;
                while (m_buffer.size() - pos < size + 2) {
                    if (!waitForData(timer, timeoutMs))
                        return answer;
                }
                answer.body.append(m_buffer.mid(pos, size));
                pos += size + 2;
                if (size == 0)
                    break;
            }
        } else {
            while (waitForData(timer, timeoutMs)) {
            }
            pos = m_buffer.size();
            answer.body = m_buffer.mid(headEnd + 4);
        }
    }
    m_buffer.remove(0, pos);
    answer.complete = true;
    return answer;
}

HttpAnswer RawHttpClient::request(QByteArrayView method, QByteArrayView target, QByteArrayView body,
                                  const Headers &headers, int timeoutMs)
{
    if (!send(formatRequest(method, target, body, headers), timeoutMs))
        return {};
    return readAnswer(timeoutMs, method == "HEAD");
}

bool RawHttpClient::waitForClosed(int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (m_socket) {
        m_buffer.append(m_socket->readAll());
        if (m_socket->state() == QAbstractSocket::UnconnectedState)
            return true;
        const qint64 remaining = timeoutMs - timer.elapsed();
        if (remaining <= 0)
            return false;
        m_socket->waitForReadyRead(int(qMin<qint64>(remaining, 100)));
    }
    return true;
}

QByteArray RawHttpClient::formatRequest(QByteArrayView method, QByteArrayView target, QByteArrayView body,
                                        const Headers &headers)
{
    bool hasHost = false;
    bool hasFraming = false;
    for (const auto &[name, value] : headers) {
        if (name.compare("host", Qt::CaseInsensitive) == 0)
            hasHost = true;
        if (name.compare("content-length", Qt::CaseInsensitive) == 0 ||
            name.compare("transfer-encoding", Qt::CaseInsensitive) == 0)
            hasFraming = true;
    }
    QByteArray out;
    out.append(method);
    out.append(' ');
    out.append(target);
    out.append(" HTTP/1.1\r\n");
    if (!hasHost)
        out.append("Host: 127.0.0.1\r\n");
    if (!hasFraming && (!body.isEmpty() || method == "PUT" || method == "POST" || method == "PATCH")) {
        out.append("Content-Length: ");
        out.append(QByteArray::number(body.size()));
        out.append("\r\n");
    }
    for (const auto &[name, value] : headers) {
        out.append(name);
        out.append(": ");
        out.append(value);
        out.append("\r\n");
    }
    out.append("\r\n");
    out.append(body);
    return out;
}

} // namespace gk::test
