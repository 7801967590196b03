#include "engine/broker/SchedulerHttp.h"

#include "engine/broker/TaskLookup.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QMetaObject>
#include <QMutex>
#include <QMutexLocker>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QObject>
#include <QPair>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QUrl>

#include <memory>

namespace gk {

namespace {

constexpr qint64 kMaxAnswerBytes = 32 * 1024 * 1024; // a Mesos master's task list can be large, not larger

// The network manager of a context for one set of trusted certificates (made in its thread on first use, deleted
// with it). One per set: a manager keeps its connections by scheme, host and port, with the TLS configuration of the
// request that opened them, so grids that trust other certificates must not share one.
QNetworkAccessManager *networkOf(QObject *context, const QByteArray &caCert)
{
    const QString name = QStringLiteral("gk-scheduler-http-") +
                         QString::fromLatin1(QCryptographicHash::hash(caCert, QCryptographicHash::Sha256).toHex());
    auto *network = context->findChild<QNetworkAccessManager *>(name, Qt::FindDirectChildrenOnly);
    if (!network) {
        network = new QNetworkAccessManager(context);
        network->setObjectName(name);
    }
    return network;
}

constexpr qint64 kHostCacheMs = 30 * 1000;
constexpr qsizetype kMaxCachedHosts = 10000;

struct HostCache
{
    QMutex mutex;
    QHash<QString, QPair<QString, qint64>> hosts; // key -> (host, expiry in ms)
};

HostCache &hostCache()
{
    static HostCache cache;
    return cache;
}

} // namespace

QString SchedulerHttp::cachedHost(const QString &node) const
{
    HostCache &cache = hostCache();
    QMutexLocker lock(&cache.mutex);
    const auto it = cache.hosts.constFind(m_base + QLatin1Char('\n') + node);
    if (it == cache.hosts.cend() || it->second < QDateTime::currentMSecsSinceEpoch())
        return {};
    return it->first;
}

void SchedulerHttp::rememberHost(const QString &node, const QString &host) const
{
    HostCache &cache = hostCache();
    QMutexLocker lock(&cache.mutex);
    if (cache.hosts.size() >= kMaxCachedHosts)
        cache.hosts.clear();
    cache.hosts.insert(m_base + QLatin1Char('\n') + node, {host, QDateTime::currentMSecsSinceEpoch() + kHostCacheMs});
}

void SchedulerHttp::settleWithHost(const HomePromise<Result<TaskInfo>> &promise, TaskInfo info, const QString &node,
                                   const QString &pathAndQuery, std::function<QString(const QJsonValue &)> read) const
{
    if (QString host = cachedHost(node); !host.isEmpty()) {
        info.host = std::move(host);
        promise.finish(Result<TaskInfo>(std::move(info)));
        return;
    }
    const SchedulerHttp http = *this;
    getJson(pathAndQuery).then([http, promise, info, node, read](Result<QJsonValue> answered) {
        if (!answered) {
            promise.finish(
                http.fault<TaskInfo>(QStringLiteral("could not tell the host of the task: ") + answered.error()));
            return;
        }
        const QString host = read(answered.value());
        if (host.isEmpty()) {
            promise.finish(http.fault<TaskInfo>(QStringLiteral("answered no address for the host of the task")));
            return;
        }
        http.rememberHost(node, host);
        TaskInfo found = info;
        found.host = host;
        promise.finish(Result<TaskInfo>(std::move(found)));
    });
}

QFuture<Result<QList<NodeInfo>>> SchedulerHttp::getNodes(const QString &pathAndQuery, const QString &listKey,
                                                         std::function<NodeInfo(const QJsonObject &)> toNode) const
{
    const SchedulerHttp http = *this;
    return getJson(pathAndQuery).then([http, listKey, toNode](Result<QJsonValue> answered) -> Result<QList<NodeInfo>> {
        if (!answered)
            return Status::fail(answered.error(), 500);
        const QJsonValue list = listKey.isEmpty() ? answered.value() : answered.value().toObject().value(listKey);
        if (!list.isArray())
            return http.fault<QList<NodeInfo>>(QStringLiteral("answered a node list of another shape"));
        QList<NodeInfo> out;
        for (const QJsonValue &v : list.toArray())
            out.append(toNode(v.toObject()));
        return out;
    });
}

QString SchedulerHttp::hostOf(const QString &hostPort)
{
    const QUrl url(QStringLiteral("http://") + hostPort.trimmed(), QUrl::StrictMode);
    return url.isValid() ? url.host() : QString();
}

SchedulerHttp::SchedulerHttp(const Grid &grid, QObject *context, QByteArray tokenHeader, QByteArray tokenPrefix)
    : m_base(grid.schedulerAddress), m_gridName(grid.name), m_tokenHeader(std::move(tokenHeader)),
      m_caCert(grid.schedulerCaCert.toUtf8()), m_context(context)
{
    while (m_base.endsWith(u'/'))
        m_base.chop(1);
    if (!grid.schedulerToken.isEmpty())
        m_tokenValue = tokenPrefix + grid.schedulerToken.toUtf8();
}

QFuture<Result<QJsonValue>> SchedulerHttp::getJson(const QString &pathAndQuery) const
{
    const HomePromise<Result<QJsonValue>> promise;
    QFuture<Result<QJsonValue>> answer = promise.future();

    QNetworkRequest request(QUrl(m_base + pathAndQuery, QUrl::StrictMode));
    request.setRawHeader("Accept", "application/json");
    if (!m_tokenValue.isEmpty())
        request.setRawHeader(m_tokenHeader, m_tokenValue);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    // TaskLookup answers at its own deadline; this one frees the connection of a scheduler that never answers.
    request.setTransferTimeout(TaskLookup::kDefaultTimeoutMs);
    if (!m_caCert.isEmpty()) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(QSslCertificate::fromData(m_caCert, QSsl::Pem));
        tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
        request.setSslConfiguration(tls);
    }
    const auto fail = [self = *this](const QString &why) { return self.fault<QJsonValue>(why); };
    QObject *context = m_context;
    QMetaObject::invokeMethod(
        context,
        [context, request, promise, fail, caCert = m_caCert] {
            QNetworkReply *reply = networkOf(context, caCert)->get(request);
            QObject::connect(reply, &QNetworkReply::downloadProgress, reply, [reply](qint64 received, qint64) {
                if (received > kMaxAnswerBytes)
                    reply->abort();
            });
            QObject::connect(reply, &QNetworkReply::finished, context, [reply, promise, fail] {
                reply->deleteLater();
                const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                if (status == 0) {
                    promise.finish(fail(QStringLiteral("is unreachable (network error %1)").arg(int(reply->error()))));
                    return;
                }
                if (status == 404) {
                    promise.finish(Result<QJsonValue>::fail(QStringLiteral("unknown task"), 404));
                    return;
                }
                if (status != 200) {
                    promise.finish(fail(QStringLiteral("answered HTTP %1").arg(status)));
                    return;
                }
                QJsonParseError error;
                const QJsonDocument doc = QJsonDocument::fromJson(reply->readAll(), &error);
                if (error.error != QJsonParseError::NoError || doc.isNull()) {
                    promise.finish(fail(QStringLiteral("answered something that is not JSON")));
                    return;
                }
                promise.finish(Result<QJsonValue>(doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array())));
            });
        },
        Qt::QueuedConnection);
    return answer;
}

qint64 SchedulerHttp::parseRfc3339(const QString &text)
{
    static const QRegularExpression re(
        QStringLiteral("^(\\d{4}-\\d\\d-\\d\\d[Tt ]\\d\\d:\\d\\d:\\d\\d)(?:\\.\\d+)?([Zz]|[+-]\\d\\d:\\d\\d)$"));
    const QRegularExpressionMatch m = re.match(text.trimmed());
    if (!m.hasMatch())
        return 0;
    QString zone = m.captured(2).toUpper();
    QString base = m.captured(1);
    base[10] = u'T';
    const QDateTime at = QDateTime::fromString(base + zone, Qt::ISODate);
    if (!at.isValid())
        return 0;
    const qint64 secs = at.toSecsSinceEpoch();
    return secs > 0 ? secs : 0;
}

QString SchedulerHttp::segment(const QString &text)
{
    if (text.isEmpty() || text == u"." || text == u"..")
        return {};
    return QString::fromLatin1(QUrl::toPercentEncoding(text));
}

} // namespace gk
