#include "TestServer.h"

#include "http/HttpServer.h"

#include <QFile>
#include <QJsonDocument>

namespace gk::test {

TestServer::TestServer(RequestHandler *handler, HttpServerOptions options)
{
    options.address = QHostAddress(QHostAddress::LocalHost);
    options.port = 0;
    if (options.tls()) {
        QFile file(options.tlsCertFile);
        if (file.open(QIODevice::ReadOnly)) {
            const QList<QSslCertificate> chain = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
            if (!chain.isEmpty())
                m_certificate = chain.first();
        }
    }
    m_server = std::make_unique<HttpServer>(handler, std::move(options));
}

TestServer::~TestServer() = default;

bool TestServer::start(QString *error)
{
    return m_server->listen(error);
}

quint16 TestServer::port() const
{
    return m_server->port();
}

bool TestServer::isTls() const
{
    return m_server->isTls();
}

QUrl TestServer::baseUrl() const
{
    QUrl url;
    url.setScheme(isTls() ? QStringLiteral("https") : QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(port());
    return url;
}

std::unique_ptr<RawHttpClient> TestServer::connect(int timeoutMs) const
{
    auto client = std::make_unique<RawHttpClient>();
    if (isTls())
        client->connectEncrypted(port(), m_certificate, QStringLiteral("127.0.0.1"), timeoutMs);
    else
        client->connectTo(port(), QStringLiteral("127.0.0.1"), timeoutMs);
    return client;
}

HttpAnswer TestServer::request(QByteArrayView method, QByteArrayView target, QByteArrayView body,
                               const RawHttpClient::Headers &headers, int timeoutMs) const
{
    const std::unique_ptr<RawHttpClient> client = connect(timeoutMs);
    if (!client->isConnected())
        return {};
    return client->request(method, target, body, headers, timeoutMs);
}

HttpAnswer TestServer::requestJson(QByteArrayView method, QByteArrayView target, const QJsonObject &body,
                                   const QByteArray &token, int timeoutMs) const
{
    RawHttpClient::Headers headers;
    if (!token.isEmpty())
        headers.append({QByteArrayLiteral("X-Vault-Token"), token});
    QByteArray payload;
    if (!body.isEmpty()) {
        payload = QJsonDocument(body).toJson(QJsonDocument::Compact);
        headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    }
    return request(method, target, payload, headers, timeoutMs);
}

} // namespace gk::test
