#include "engine/broker/Grid.h"

#include "Duration.h"

#include <QDateTime>
#include <QJsonArray>
#include <QRegularExpression>
#include <QUrl>

namespace gk {

namespace {

const QString kRedacted = QStringLiteral("<redacted>");

Result<Grid> bad(const QString &message)
{
    return Result<Grid>::fail(message, 400);
}

// A string field that may be absent (nullopt) or must be a string (else *error is set).
std::optional<QString> optionalString(const QJsonObject &data, const QString &name, QString *error)
{
    const QJsonValue v = data.value(name);
    if (v.isUndefined() || v.isNull())
        return std::nullopt;
    if (!v.isString()) {
        *error = QStringLiteral("%1 must be a string").arg(name);
        return std::nullopt;
    }
    return v.toString();
}

} // namespace

bool Grid::validName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("\\A[a-z0-9][a-z0-9_.-]{0,62}\\z"));
    return re.match(name).hasMatch();
}

bool Grid::validSchedulerType(const QString &type)
{
    return type == u"nomad" || type == u"mesos" || type == u"kubernetes" || type == u"static";
}

QHostAddress Grid::normalized(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}

std::optional<QPair<QHostAddress, int>> Grid::parseSubnet(const QString &text)
{
    QPair<QHostAddress, int> subnet;
    if (text.contains(QLatin1Char('/'))) {
        subnet = QHostAddress::parseSubnet(text);
        if (subnet.first.isNull() || subnet.second < 0)
            return std::nullopt;
        // The prefix length must be written out and in range (parseSubnet also takes IPv4 netmasks).
        const QString length = text.section(QLatin1Char('/'), 1);
        bool ok = false;
        const int n = length.toInt(&ok);
        const int max = subnet.first.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128;
        if (!ok || n < 0 || n > max)
            return std::nullopt;
    } else {
        QHostAddress address;
        if (!address.setAddress(text))
            return std::nullopt;
        subnet = {address, address.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128};
    }
    if (subnet.first.protocol() == QAbstractSocket::IPv6Protocol && subnet.second >= 96) {
        bool isV4 = false;
        const quint32 v4 = subnet.first.toIPv4Address(&isV4);
        if (isV4)
            subnet = {QHostAddress(v4), subnet.second - 96};
    }
    return subnet;
}

Result<Grid> Grid::apply(Grid g, const QJsonObject &data)
{
    QString error;
    if (const QJsonValue s = data.value(QStringLiteral("scheduler")); !s.isUndefined() && !s.isNull()) {
        if (!s.isObject())
            return bad(QStringLiteral("scheduler must be an object {type, address, token, ca_cert}"));
        const QJsonObject scheduler = s.toObject();
        for (auto it = scheduler.begin(); it != scheduler.end(); ++it) {
            if (it.key() != u"type" && it.key() != u"address" && it.key() != u"token" && it.key() != u"ca_cert")
                return bad(QStringLiteral("unknown scheduler field \"%1\"").arg(it.key().left(64)));
        }
        const std::optional<QString> type = optionalString(scheduler, QStringLiteral("type"), &error);
        const std::optional<QString> address = optionalString(scheduler, QStringLiteral("address"), &error);
        const std::optional<QString> token = optionalString(scheduler, QStringLiteral("token"), &error);
        const std::optional<QString> caCert = optionalString(scheduler, QStringLiteral("ca_cert"), &error);
        if (!error.isEmpty())
            return bad(QStringLiteral("scheduler.") + error);
        if (type)
            g.schedulerType = *type;
        if (address)
            g.schedulerAddress = *address;
        if (token && *token != kRedacted) // a GET answer written back keeps the token
            g.schedulerToken = *token;
        if (caCert)
            g.schedulerCaCert = *caCert;
    }
    if (!validSchedulerType(g.schedulerType))
        return bad(QStringLiteral("scheduler.type must be one of nomad, mesos, kubernetes, static"));
    if (g.schedulerType != u"static") {
        const QUrl url(g.schedulerAddress, QUrl::StrictMode);
        if (g.schedulerAddress.isEmpty() || !url.isValid() || url.host().isEmpty() ||
            (url.scheme() != u"http" && url.scheme() != u"https"))
            return bad(QStringLiteral("scheduler.address must be the http:// or https:// URL of the %1 API")
                           .arg(g.schedulerType));
    }
    if (!g.schedulerCaCert.isEmpty() && !g.schedulerCaCert.contains(QLatin1String("-----BEGIN CERTIFICATE-----")))
        return bad(QStringLiteral("scheduler.ca_cert must be a PEM certificate"));

    if (const QJsonValue v = data.value(QStringLiteral("trusted_subnets")); !v.isUndefined() && !v.isNull()) {
        if (!v.isArray())
            return bad(QStringLiteral("trusted_subnets must be a list of CIDRs"));
        QStringList subnets;
        for (const QJsonValue &item : v.toArray()) {
            if (!item.isString() || !parseSubnet(item.toString().trimmed()))
                return bad(QStringLiteral("trusted_subnets: \"%1\" is not a CIDR")
                               .arg(item.toVariant().toString().left(64)));
            subnets.append(item.toString().trimmed());
        }
        g.trustedSubnets = subnets;
    }
    const auto duration = [&](const char *field, qint64 *target, qint64 max) -> bool {
        const QJsonValue v = data.value(QLatin1String(field));
        if (v.isUndefined() || v.isNull())
            return true;
        const std::optional<qint64> secs = parseDurationSeconds(v);
        if (!secs || *secs <= 0 || *secs > max)
            return false;
        *target = *secs;
        return true;
    };
    if (!duration("task_grace", &g.taskGrace, 365LL * 24 * 3600))
        return bad(QStringLiteral("task_grace must be a positive duration (\"2m\", \"90s\", 120)"));
    if (!duration("wrap_ttl", &g.wrapTtl, kMaxWrapTtl))
        return bad(QStringLiteral("wrap_ttl must be a duration from 1s to 24h"));
    if (const QJsonValue v = data.value(QStringLiteral("host_check")); !v.isUndefined() && !v.isNull()) {
        if (!v.isBool())
            return bad(QStringLiteral("host_check must be true or false"));
        g.hostCheck = v.toBool();
    }
    return g;
}

QJsonObject Grid::toJson() const
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("scheduler"),
             QJsonObject{{QStringLiteral("type"), schedulerType},
                         {QStringLiteral("address"), schedulerAddress},
                         {QStringLiteral("token"), schedulerToken},
                         {QStringLiteral("ca_cert"), schedulerCaCert}}},
            {QStringLiteral("trusted_subnets"), QJsonArray::fromStringList(trustedSubnets)},
            {QStringLiteral("task_grace"), taskGrace},
            {QStringLiteral("wrap_ttl"), wrapTtl},
            {QStringLiteral("host_check"), hostCheck},
            {QStringLiteral("created_at"), createdAt},
            {QStringLiteral("updated_at"), updatedAt}};
}

Grid Grid::fromJson(const QJsonObject &json)
{
    Grid g;
    const QJsonObject scheduler = json.value(QStringLiteral("scheduler")).toObject();
    g.name = json.value(QStringLiteral("name")).toString();
    g.schedulerType = scheduler.value(QStringLiteral("type")).toString();
    g.schedulerAddress = scheduler.value(QStringLiteral("address")).toString();
    g.schedulerToken = scheduler.value(QStringLiteral("token")).toString();
    g.schedulerCaCert = scheduler.value(QStringLiteral("ca_cert")).toString();
    for (const QJsonValue &v : json.value(QStringLiteral("trusted_subnets")).toArray())
        g.trustedSubnets.append(v.toString());
    g.taskGrace = json.value(QStringLiteral("task_grace")).toInteger(kDefaultTaskGrace);
    g.wrapTtl = json.value(QStringLiteral("wrap_ttl")).toInteger(kDefaultWrapTtl);
    g.hostCheck = json.value(QStringLiteral("host_check")).toBool(true);
    g.createdAt = json.value(QStringLiteral("created_at")).toInteger();
    g.updatedAt = json.value(QStringLiteral("updated_at")).toInteger();
    return g;
}

QJsonObject Grid::toApiJson() const
{
    QJsonObject scheduler{{QStringLiteral("type"), schedulerType}, {QStringLiteral("address"), schedulerAddress}};
    if (!schedulerToken.isEmpty())
        scheduler.insert(QStringLiteral("token"), kRedacted);
    if (!schedulerCaCert.isEmpty())
        scheduler.insert(QStringLiteral("ca_cert"), schedulerCaCert);
    const auto time = [](qint64 secs) { return QDateTime::fromSecsSinceEpoch(secs, Qt::UTC).toString(Qt::ISODate); };
    return {{QStringLiteral("id"), name},
            {QStringLiteral("name"), name},
            {QStringLiteral("scheduler"), scheduler},
            {QStringLiteral("trusted_subnets"), QJsonArray::fromStringList(trustedSubnets)},
            {QStringLiteral("task_grace"), taskGrace},
            {QStringLiteral("wrap_ttl"), wrapTtl},
            {QStringLiteral("host_check"), hostCheck},
            {QStringLiteral("created_at"), time(createdAt)},
            {QStringLiteral("updated_at"), time(updatedAt)}};
}

bool Grid::allowsPeer(const QHostAddress &peer) const
{
    if (trustedSubnets.isEmpty())
        return true;
    const QHostAddress address = normalized(peer);
    for (const QString &text : trustedSubnets) {
        const std::optional<QPair<QHostAddress, int>> subnet = parseSubnet(text);
        if (subnet && address.isInSubnet(*subnet))
            return true;
    }
    return false;
}

} // namespace gk
