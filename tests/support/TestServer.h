#pragma once

#include "HttpAnswer.h"
#include "RawHttpClient.h"

#include "http/HttpServerOptions.h"

#include <QJsonObject>
#include <QSslCertificate>
#include <QUrl>

#include <memory>

namespace gk {
class HttpServer;
class RequestHandler;
} // namespace gk

namespace gk::test {

// A real HttpServer on 127.0.0.1 and a free port, over any RequestHandler (an HTTP-level fixture or the real
// Engine), for tests that talk to it over HTTP. With options.tlsCertFile/tlsKeyFile set it serves HTTPS and its
// clients trust that certificate.
class TestServer final
{
public:
    explicit TestServer(RequestHandler *handler, HttpServerOptions options = {});
    ~TestServer();
    Q_DISABLE_COPY_MOVE(TestServer)

    // Listens on 127.0.0.1:0 (the address and port of options are overridden).
    bool start(QString *error = nullptr);
    HttpServer &server() const { return *m_server; }
    quint16 port() const;
    bool isTls() const;
    // "http://127.0.0.1:PORT" (or https).
    QUrl baseUrl() const;

    // A client connected to the server (over TLS when it serves HTTPS); check isConnected().
    std::unique_ptr<RawHttpClient> connect(int timeoutMs = 5000) const;
    // One request on a fresh connection.
    HttpAnswer request(QByteArrayView method, QByteArrayView target, QByteArrayView body = {},
                       const RawHttpClient::Headers &headers = {}, int timeoutMs = 5000) const;
    // One request with a JSON body (none when body is empty) and X-Vault-Token when token is not empty.
    HttpAnswer requestJson(QByteArrayView method, QByteArrayView target, const QJsonObject &body = {},
                           const QByteArray &token = {}, int timeoutMs = 5000) const;

private:
    std::unique_ptr<HttpServer> m_server;
    QSslCertificate m_certificate;
};

} // namespace gk::test
