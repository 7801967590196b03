#include "ApiClient.h"

#include "ModelsLogging.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QUrlQuery>

namespace gk {

Q_LOGGING_CATEGORY(lcApi, "gatekeeper.models.api")

namespace {

const QList<QString> &supportedMethods()
{
    static const QList<QString> methods{QStringLiteral("GET"),   QStringLiteral("PUT"),    QStringLiteral("POST"),
                                        QStringLiteral("PATCH"), QStringLiteral("DELETE"), QStringLiteral("HEAD"),
                                        QStringLiteral("LIST")};
    return methods;
}

} // namespace

ApiClient::ApiClient(QObject *parent) : QObject(parent), m_network(new QNetworkAccessManager(this))
{
    // Never carry the token to another origin on a redirect.
    m_network->setRedirectPolicy(QNetworkRequest::SameOriginRedirectPolicy);
}

ApiClient::~ApiClient()
{
    // Replies own their QNetworkReply; end them while the access manager still exists.
    qDeleteAll(findChildren<ApiReply *>(Qt::FindDirectChildrenOnly));
    clearToken();
}

void ApiClient::setBaseUrl(const QUrl &url)
{
    QUrl cleaned = url.adjusted(QUrl::StripTrailingSlash | QUrl::RemoveQuery | QUrl::RemoveFragment);
    if (cleaned == m_baseUrl)
        return;
    m_baseUrl = cleaned;
    emit baseUrlChanged(m_baseUrl);
}

void ApiClient::setToken(const QString &token)
{
    clearToken();
    m_token = token;
}

void ApiClient::clearToken()
{
    if (m_token.isDetached())
        m_token.fill(QChar(0));
    m_token.clear();
}

bool ApiClient::setCaCertificateFile(const QString &path, QString *error)
{
    if (path.isEmpty()) {
        m_caFile.clear();
        m_caCertificates.clear();
        return true;
    }
    QList<QSslCertificate> certificates =
        QSslCertificate::fromPath(path, QSsl::Pem, QSslCertificate::PatternSyntax::FixedString);
    if (certificates.isEmpty()) {
        if (error)
            *error = tr("No PEM certificate could be read from %1").arg(path);
        return false;
    }
    m_caFile = path;
    m_caCertificates = std::move(certificates);
    return true;
}

ApiReply *ApiClient::request(const QString &method, const QString &path, const QJsonObject &body)
{
    return send(method, path, body, {});
}

void ApiClient::request(const QString &method, const QString &path, const QJsonObject &body, const QObject *context,
                        ApiCallback callback)
{
    send(method, path, body, {})->onFinished(context, std::move(callback));
}

ApiReply *ApiClient::sealStatus()
{
    return send(QStringLiteral("GET"), QStringLiteral("/v1/sys/seal-status"), {}, {});
}

ApiReply *ApiClient::health()
{
    return send(QStringLiteral("GET"), QStringLiteral("/v1/sys/health"), {}, {429, 472, 473, 501, 503});
}

ApiReply *ApiClient::init(int shares, int threshold)
{
    return send(QStringLiteral("PUT"), QStringLiteral("/v1/sys/init"),
                {{QStringLiteral("secret_shares"), shares}, {QStringLiteral("secret_threshold"), threshold}}, {});
}

ApiReply *ApiClient::unseal(const QString &key)
{
    return send(QStringLiteral("PUT"), QStringLiteral("/v1/sys/unseal"), {{QStringLiteral("key"), key}}, {});
}

ApiReply *ApiClient::resetUnseal()
{
    return send(QStringLiteral("PUT"), QStringLiteral("/v1/sys/unseal"), {{QStringLiteral("reset"), true}}, {});
}

ApiReply *ApiClient::seal()
{
    return send(QStringLiteral("PUT"), QStringLiteral("/v1/sys/seal"), {}, {});
}

ApiReply *ApiClient::send(const QString &methodIn, const QString &pathIn, const QJsonObject &body,
                          QList<int> extraOkStatuses)
{
    const QString method = methodIn.toUpper();
    auto *reply = new ApiReply(method, pathIn.section(QLatin1Char('?'), 0, 0), this);
    const auto fail = [reply](const QString &message) {
        QMetaObject::invokeMethod(
            reply, [reply, message] { reply->finishWith(0, {}, {message}); }, Qt::QueuedConnection);
        return reply;
    };

    if (!supportedMethods().contains(method))
        return fail(tr("Unsupported HTTP method \"%1\"").arg(methodIn));
    if (!m_baseUrl.isValid() || m_baseUrl.host().isEmpty())
        return fail(tr("No server address is set"));
    const bool https = m_baseUrl.scheme() == QLatin1String("https");
    if (!https && m_baseUrl.scheme() != QLatin1String("http"))
        return fail(tr("Unsupported server address scheme \"%1\" (use http or https)").arg(m_baseUrl.scheme()));
    if (https && !QSslSocket::supportsSsl())
        return fail(tr("TLS is not available (Qt has no TLS backend), cannot reach %1")
                        .arg(m_baseUrl.toString(QUrl::RemoveUserInfo)));

    QString path = pathIn.section(QLatin1Char('?'), 0, 0);
    const QString query = pathIn.section(QLatin1Char('?'), 1);
    if (!path.startsWith(QLatin1Char('/')))
        path.prepend(QStringLiteral("/v1/"));
    QUrl url = m_baseUrl;
    url.setPath(m_baseUrl.path() + path);
    QUrlQuery urlQuery(query);
    QString verb = method;
    if (method == QLatin1String("LIST")) {
        verb = QStringLiteral("GET");
        urlQuery.removeAllQueryItems(QStringLiteral("list"));
        urlQuery.addQueryItem(QStringLiteral("list"), QStringLiteral("true"));
    }
    if (!urlQuery.isEmpty())
        url.setQuery(urlQuery);

    QNetworkRequest networkRequest(url);
    networkRequest.setRawHeader("Accept", "application/json");
    networkRequest.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("gatekeeper-api-client/" GK_VERSION));
    if (!m_token.isEmpty())
        networkRequest.setRawHeader("X-Vault-Token", m_token.toUtf8());
    networkRequest.setTransferTimeout(m_timeoutMs);
    if (https) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        if (!m_caCertificates.isEmpty())
            tls.setCaCertificates(m_caCertificates);
        tls.setPeerVerifyMode(m_tlsVerification ? QSslSocket::VerifyPeer : QSslSocket::VerifyNone);
        networkRequest.setSslConfiguration(tls);
    }

    QByteArray payload;
    if (!body.isEmpty()) {
        payload = QJsonDocument(body).toJson(QJsonDocument::Compact);
        networkRequest.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    }

    QNetworkReply *networkReply = nullptr;
    if (verb == QLatin1String("GET") && payload.isEmpty())
        networkReply = m_network->get(networkRequest);
    else if (verb == QLatin1String("HEAD"))
        networkReply = m_network->head(networkRequest);
    else
        networkReply = m_network->sendCustomRequest(networkRequest, verb.toLatin1(), payload);
    reply->attach(networkReply, std::move(extraOkStatuses));
    return reply;
}

} // namespace gk
