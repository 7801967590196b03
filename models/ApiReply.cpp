#include "ApiReply.h"

#include "ModelsLogging.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QNetworkReply>

namespace gk {

namespace {

QString hostOf(const QUrl &url)
{
    return url.port() > 0 ? QStringLiteral("%1:%2").arg(url.host()).arg(url.port()) : url.host();
}

QString networkFailure(const QNetworkReply &reply, bool aborted)
{
    const QUrl url = reply.url().adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
    const QString host = hostOf(url);
    switch (reply.error()) {
    case QNetworkReply::ConnectionRefusedError:
        return ApiReply::tr("Cannot connect to %1: connection refused (is the server running?)").arg(host);
    case QNetworkReply::HostNotFoundError:
        return ApiReply::tr("Cannot connect to %1: host not found").arg(host);
    case QNetworkReply::RemoteHostClosedError:
        return ApiReply::tr("The server at %1 closed the connection before answering").arg(host);
    case QNetworkReply::TimeoutError:
        return ApiReply::tr("Timed out connecting to %1").arg(host);
    case QNetworkReply::OperationCanceledError:
        return aborted ? ApiReply::tr("Request to %1 cancelled").arg(host)
                       : ApiReply::tr("Timed out waiting for %1 to answer").arg(host);
    case QNetworkReply::SslHandshakeFailedError:
        return ApiReply::tr("TLS handshake with %1 failed: %2").arg(host, reply.errorString());
    default:
        return ApiReply::tr("Cannot reach the server at %1: %2").arg(host, reply.errorString());
    }
}

} // namespace

ApiReply::ApiReply(QString method, QString path, QObject *parent)
    : QObject(parent), m_method(std::move(method)), m_path(std::move(path))
{}

ApiReply::~ApiReply()
{
    if (m_networkReply) {
        m_networkReply->disconnect(this);
        m_networkReply->abort();
    }
}

void ApiReply::onFinished(const QObject *context, ApiCallback callback)
{
    const bool hasContext = context != nullptr;
    QPointer<const QObject> guard(context);
    auto deliver = [this, hasContext, guard, callback = std::move(callback)] {
        const QPointer<ApiReply> self(this);
        if (callback && (!hasContext || guard))
            callback(m_status, m_json, m_errors);
        if (self)
            deleteLater();
    };
    if (m_finished)
        QMetaObject::invokeMethod(this, std::move(deliver), Qt::QueuedConnection);
    else
        connect(this, &ApiReply::finished, this, std::move(deliver), Qt::SingleShotConnection);
}

void ApiReply::abort()
{
    if (m_finished)
        return;
    m_aborted = true;
    if (m_networkReply)
        m_networkReply->abort(); // finished() follows through handleNetworkReply
}

void ApiReply::attach(QNetworkReply *reply, QList<int> extraOkStatuses)
{
    m_networkReply = reply;
    m_extraOkStatuses = std::move(extraOkStatuses);
    reply->setParent(this);
    connect(reply, &QNetworkReply::finished, this, &ApiReply::handleNetworkReply);
}

void ApiReply::finishWith(int status, QJsonObject json, QStringList errors)
{
    if (m_finished)
        return;
    m_status = status;
    m_json = std::move(json);
    m_errors = std::move(errors);
    m_finished = true;
    if (m_errors.isEmpty())
        qCDebug(lcApi) << m_method << m_path << "->" << m_status;
    else
        qCDebug(lcApi) << m_method << m_path << "->" << m_status << m_errors;
    emit finished();
}

void ApiReply::handleNetworkReply()
{
    QNetworkReply *reply = m_networkReply;
    if (!reply)
        return;
    m_networkReply = nullptr;
    reply->deleteLater();

    const QVariant statusAttribute = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!statusAttribute.isValid()) {
        finishWith(0, {}, {networkFailure(*reply, m_aborted)});
        return;
    }
    const int status = statusAttribute.toInt();
    const QByteArray data = reply->readAll();

    QJsonObject json;
    QString parseProblem;
    if (!data.trimmed().isEmpty()) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(data, &parseError);
        if (parseError.error != QJsonParseError::NoError)
            parseProblem = tr("the answer is not JSON (%1)").arg(parseError.errorString());
        else if (!document.isObject())
            parseProblem = tr("the answer is not a JSON object");
        else
            json = document.object();
    }

    const bool statusOk = (status >= 200 && status < 300) || m_extraOkStatuses.contains(status);
    QStringList errors;
    if (!statusOk) {
        for (const QJsonValue &value : json.value(QLatin1String("errors")).toArray()) {
            if (value.isString() && !value.toString().isEmpty())
                errors.append(value.toString());
        }
        if (errors.isEmpty()) {
            const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
            errors.append(tr("The server answered HTTP %1%2")
                              .arg(status)
                              .arg(reason.isEmpty() ? QString() : QLatin1Char(' ') + reason));
        }
    } else if (!parseProblem.isEmpty()) {
        errors.append(tr("The server answered HTTP %1 but %2").arg(status).arg(parseProblem));
    }
    finishWith(status, std::move(json), std::move(errors));
}

} // namespace gk
