#include "http/HttpServer.h"

#include "http/DrainTracker.h"
#include "http/HttpLogging.h"
#include "http/HttpThread.h"
#include "http/ListenSockets.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>

namespace gk {

Q_LOGGING_CATEGORY(lcHttp, "gatekeeper.http")

namespace {

QByteArray readFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return {};
    }
    return file.readAll();
}

std::optional<QSslConfiguration> loadTls(const HttpServerOptions &options, QString *error)
{
    if (options.tlsCertFile.isEmpty() || options.tlsKeyFile.isEmpty()) {
        *error = QStringLiteral("TLS needs both a certificate file and a key file");
        return std::nullopt;
    }
    if (!QSslSocket::supportsSsl()) {
        *error = QStringLiteral("TLS is not available (no OpenSSL backend for Qt)");
        return std::nullopt;
    }
    const QByteArray certData = readFile(options.tlsCertFile, error);
    if (certData.isEmpty()) {
        if (error->isEmpty())
            *error = QStringLiteral("%1 is empty").arg(options.tlsCertFile);
        return std::nullopt;
    }
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certData, QSsl::Pem);
    if (chain.isEmpty() || chain.first().isNull()) {
        *error = QStringLiteral("no PEM certificate in %1").arg(options.tlsCertFile);
        return std::nullopt;
    }
    const QByteArray keyData = readFile(options.tlsKeyFile, error);
    if (keyData.isEmpty()) {
        if (error->isEmpty())
            *error = QStringLiteral("%1 is empty").arg(options.tlsKeyFile);
        return std::nullopt;
    }
    QSslKey key;
    for (QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
        key = QSslKey(keyData, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            break;
    }
    if (key.isNull()) {
        *error = QStringLiteral("no unencrypted PEM private key (RSA, EC or DSA) in %1").arg(options.tlsKeyFile);
        return std::nullopt;
    }
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(key);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    return configuration;
}

} // namespace

HttpServer::HttpServer(RequestHandler *handler, HttpServerOptions options, QObject *parent)
    : QObject(parent), m_handler(handler), m_options(std::move(options)), m_tracker(std::make_shared<DrainTracker>())
{
    m_tracker->setNotifier([this]() {
        QMetaObject::invokeMethod(
            this, [this]() { Q_EMIT drained(); }, Qt::QueuedConnection);
    });
}

HttpServer::~HttpServer()
{
    m_tracker->setNotifier(nullptr);
    m_threads.clear(); // each thread quits; its worker closes every connection and drops answers to come
}

bool HttpServer::listen(QString *error)
{
    QString ignored;
    QString &message = error ? *error : ignored;
    if (!m_threads.empty()) {
        message = QStringLiteral("already listening");
        return false;
    }
    if (!m_handler) {
        message = QStringLiteral("no request handler");
        return false;
    }
    std::optional<QSslConfiguration> ssl;
    if (m_options.tls()) {
        ssl = loadTls(m_options, &message);
        if (!ssl)
            return false;
    }
    const int threadCount = qBound(1, m_options.threads, 64);
    quint16 port = m_options.port;
    const QList<qintptr> descriptors =
        openListenSockets(m_options.address, &port, threadCount, m_options.backlog, &message);
    if (descriptors.isEmpty()) {
        message = QStringLiteral("cannot listen on %1:%2: %3")
                      .arg(m_options.address.toString())
                      .arg(m_options.port)
                      .arg(message);
        return false;
    }
    for (qsizetype i = 0; i < descriptors.size(); ++i) {
        auto thread = std::make_unique<HttpThread>(m_handler, m_options, m_tracker, descriptors[i], ssl);
        thread->setObjectName(QStringLiteral("gk-http-%1").arg(i));
        QString threadError;
        if (!thread->startServing(&threadError)) {
            for (qsizetype j = i + 1; j < descriptors.size(); ++j)
                closeListenSocket(descriptors[j]);
            m_threads.clear();
            message = QStringLiteral("cannot serve on %1:%2: %3")
                          .arg(m_options.address.toString())
                          .arg(port)
                          .arg(threadError);
            return false;
        }
        m_threads.push_back(std::move(thread));
    }
    m_port = port;
    m_listening = true;
    qCInfo(lcHttp).nospace() << "listening on " << m_options.address.toString() << ":" << m_port
                             << (ssl ? " (TLS)" : "") << " with " << threadCount << " thread(s)";
    return true;
}

void HttpServer::stopListening()
{
    for (const auto &thread : m_threads)
        thread->stopListening();
    m_listening = false;
    m_tracker->startDraining();
}

int HttpServer::inFlight() const
{
    return m_tracker->inFlight();
}

int HttpServer::connectionCount() const
{
    return m_tracker->connections();
}

QFuture<void> HttpServer::whenDrained() const
{
    return m_tracker->drained();
}

} // namespace gk
