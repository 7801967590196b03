#pragma once

#include <QHostAddress>
#include <QString>

namespace gk {

// How an HttpServer listens and what it accepts.
struct HttpServerOptions
{
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 0;                      // 0 picks a free port; HttpServer::port() tells which
    int threads = 2;                       // one QHttpServer per thread, all accepting on the same port
    QString tlsCertFile;                   // PEM certificate (chain); with tlsKeyFile: serve HTTPS
    QString tlsKeyFile;                    // PEM private key (RSA or EC), unencrypted
    qint64 maxBodySize = 32 * 1024 * 1024; // larger bodies get 413 before they are read
    qsizetype maxHeaderSize = 64 * 1024;   // request line + headers; larger heads get 431
    int maxHeaderCount = 100;              // more header fields get 431 (QHttpServer drops them silently)
    int idleTimeoutMs = 60 * 1000;         // a keep-alive connection with no request for this long is closed
    int backlog = 1024;                    // listen(2) backlog of each listening socket
    // true (the default): HttpConnection's own head parser builds the request and QHttpServer is left out of the
    // path, which saves QHttpServer's second parse of every request (measured in BENCHMARKS.md). false: every
    // request is parsed by QHttpServer as well, after HttpConnection
    // has checked its framing. Same wire behaviour either way; tst_http runs in both modes, the other tests in the
    // default one.
    bool builtinParser = true;

    bool tls() const { return !tlsCertFile.isEmpty() || !tlsKeyFile.isEmpty(); }
};

} // namespace gk
