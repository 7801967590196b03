#include "SealStatus.h"

#include <QJsonValue>

#include <cmath>

namespace gk {

namespace {

bool readString(const QJsonObject &json, QLatin1StringView key, QString &out, QString *error)
{
    const QJsonValue value = json.value(key);
    if (value.isUndefined() || value.isNull())
        return true;
    if (!value.isString()) {
        if (error)
            *error = QStringLiteral("seal status field \"%1\" is not a string").arg(key);
        return false;
    }
    out = value.toString();
    return true;
}

bool readCount(const QJsonObject &json, QLatin1StringView key, int &out, QString *error)
{
    const QJsonValue value = json.value(key);
    if (value.isUndefined() || value.isNull())
        return true;
    const double d = value.toDouble(-1);
    if (!value.isDouble() || d < 0 || d > 255 || std::floor(d) != d) {
        if (error)
            *error = QStringLiteral("seal status field \"%1\" is not a count of key shares").arg(key);
        return false;
    }
    out = static_cast<int>(d);
    return true;
}

bool readBool(const QJsonObject &json, QLatin1StringView key, bool &out, QString *error)
{
    const QJsonValue value = json.value(key);
    if (!value.isBool()) {
        if (error) {
            *error = value.isUndefined() ? QStringLiteral("seal status has no \"%1\" field").arg(key)
                                         : QStringLiteral("seal status field \"%1\" is not a boolean").arg(key);
        }
        return false;
    }
    out = value.toBool();
    return true;
}

} // namespace

std::optional<SealStatus> SealStatus::fromJson(const QJsonObject &json, QString *error)
{
    using namespace Qt::StringLiterals;
    SealStatus s;
    const bool ok = readBool(json, "initialized"_L1, s.initialized, error) &&
                    readBool(json, "sealed"_L1, s.sealed, error) && readString(json, "type"_L1, s.type, error) &&
                    readCount(json, "t"_L1, s.threshold, error) && readCount(json, "n"_L1, s.shares, error) &&
                    readCount(json, "progress"_L1, s.progress, error) && readString(json, "nonce"_L1, s.nonce, error) &&
                    readString(json, "version"_L1, s.version, error) &&
                    readString(json, "cluster_name"_L1, s.clusterName, error) &&
                    readString(json, "cluster_id"_L1, s.clusterId, error);
    if (!ok)
        return std::nullopt;
    if (s.threshold > s.shares) {
        if (error)
            *error = QStringLiteral("seal status threshold (t = %1) exceeds the number of shares (n = %2)")
                         .arg(s.threshold)
                         .arg(s.shares);
        return std::nullopt;
    }
    return s;
}

QJsonObject SealStatus::toJson() const
{
    QJsonObject json{
        {QStringLiteral("type"), type},     {QStringLiteral("initialized"), initialized},
        {QStringLiteral("sealed"), sealed}, {QStringLiteral("t"), threshold},
        {QStringLiteral("n"), shares},      {QStringLiteral("progress"), progress},
        {QStringLiteral("nonce"), nonce},   {QStringLiteral("version"), version},
    };
    if (!clusterName.isEmpty())
        json.insert(QStringLiteral("cluster_name"), clusterName);
    if (!clusterId.isEmpty())
        json.insert(QStringLiteral("cluster_id"), clusterId);
    return json;
}

} // namespace gk
