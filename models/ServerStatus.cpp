#include "ServerStatus.h"

#include "ApiClient.h"
#include "ApiReply.h"
#include "Duration.h"

#include <QCoreApplication>
#include <QJsonValue>

#include <cmath>
#include <memory>

namespace gk {

namespace {

bool readText(const QJsonObject &json, QLatin1StringView key, QString &out, QString *error)
{
    const QJsonValue value = json.value(key);
    if (!value.isString() || value.toString().isEmpty()) {
        if (error)
            *error = value.isUndefined() ? QStringLiteral("status has no \"%1\" field").arg(key)
                                         : QStringLiteral("status field \"%1\" is not a non-empty string").arg(key);
        return false;
    }
    out = value.toString();
    return true;
}

bool readCounter(const QJsonObject &stats, QLatin1StringView key, qint64 &out, QString *error)
{
    const QJsonValue value = stats.value(key);
    const double d = value.toDouble(-1);
    if (!value.isDouble() || d < 0 || std::floor(d) != d || d > 9007199254740992.0) {
        if (error)
            *error = QStringLiteral("status counter \"%1\" is not a count").arg(key);
        return false;
    }
    out = static_cast<qint64>(d);
    return true;
}

// Why an answer failed: the server's errors text, or, for an answer that is not understood, its HTTP status.
QString failure(int status, const QStringList &errors, const QString &parseError)
{
    if (!parseError.isEmpty())
        return QCoreApplication::translate("gk::ServerStatus", "The server's answer (HTTP %1) was not understood: %2")
            .arg(status)
            .arg(parseError);
    return errors.join(QStringLiteral("; "));
}

} // namespace

std::optional<ServerStatus> ServerStatus::fromJson(const QJsonObject &json, QString *error)
{
    using namespace Qt::StringLiterals;
    ServerStatus s;
    if (!readText(json, "id"_L1, s.id, error) || !readText(json, "version"_L1, s.version, error) ||
        !readText(json, "uptime"_L1, s.uptime, error))
        return std::nullopt;
    const std::optional<qint64> uptime = parseDurationSeconds(s.uptime);
    if (!uptime) {
        if (error)
            *error = QStringLiteral("status field \"uptime\" is not a duration");
        return std::nullopt;
    }
    s.uptimeSeconds = *uptime;
    const QJsonValue unsealed = json.value("unsealed"_L1);
    if (!unsealed.isBool()) {
        if (error)
            *error = QStringLiteral("status field \"unsealed\" is missing or not a boolean");
        return std::nullopt;
    }
    s.brokerUnsealed = unsealed.toBool();
    const QJsonValue stats = json.value("stats"_L1);
    if (!stats.isObject()) {
        if (error)
            *error = QStringLiteral("status field \"stats\" is missing or not an object");
        return std::nullopt;
    }
    const QJsonObject counters = stats.toObject();
    if (!readCounter(counters, "requests"_L1, s.counters.requests, error) ||
        !readCounter(counters, "successful"_L1, s.counters.successful, error) ||
        !readCounter(counters, "denied"_L1, s.counters.denied, error) ||
        !readCounter(counters, "failed"_L1, s.counters.failed, error))
        return std::nullopt;
    const QString started = json.value("started"_L1).toString();
    if (!started.isEmpty())
        s.started = QDateTime::fromString(started, Qt::ISODate);
    return s;
}

void ServerStatus::fetch(ApiClient *client, const QObject *context, SnapshotCallback callback)
{
    struct Pending
    {
        ServerStatusSnapshot snapshot;
        int waiting = 2;
        SnapshotCallback callback;
    };
    auto pending = std::make_shared<Pending>();
    pending->callback = std::move(callback);
    const auto done = [pending] {
        if (--pending->waiting > 0)
            return;
        pending->snapshot.takenAt = QDateTime::currentDateTimeUtc();
        if (pending->callback)
            pending->callback(pending->snapshot);
    };

    client->request(QStringLiteral("GET"), QStringLiteral("/status"), {}, context,
                    [pending, done](int status, const QJsonObject &body, const QStringList &errors) {
                        // A sealed broker answers 503 with the usual body: that is an answer, not a failure.
                        QString parseError;
                        std::optional<ServerStatus> parsed;
                        if (errors.isEmpty() || (status == 503 && body.contains(QLatin1String("id"))))
                            parsed = fromJson(body, &parseError);
                        pending->snapshot.broker = parsed;
                        if (!parsed)
                            pending->snapshot.brokerError = failure(status, errors, parseError);
                        done();
                    });
    client->sealStatus()->onFinished(context,
                                     [pending, done](int status, const QJsonObject &body, const QStringList &errors) {
                                         QString parseError;
                                         std::optional<SealStatus> parsed;
                                         if (errors.isEmpty())
                                             parsed = SealStatus::fromJson(body, &parseError);
                                         pending->snapshot.barrier = parsed;
                                         if (!parsed)
                                             pending->snapshot.barrierError = failure(status, errors, parseError);
                                         done();
                                     });
}

} // namespace gk
