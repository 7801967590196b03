#include "engine/token/TokenEntry.h"

#include <QJsonArray>

namespace gk {

QJsonObject TokenEntry::toJson() const
{
    QJsonObject metaJson;
    for (auto it = meta.cbegin(); it != meta.cend(); ++it)
        metaJson.insert(it.key(), it.value());
    return QJsonObject{
        {QStringLiteral("id_hmac"), idHmac},
        {QStringLiteral("accessor"), accessor},
        {QStringLiteral("policies"), QJsonArray::fromStringList(policies)},
        {QStringLiteral("parent"), parentHmac},
        {QStringLiteral("path"), path},
        {QStringLiteral("display_name"), displayName},
        {QStringLiteral("entity_id"), entityId},
        {QStringLiteral("role"), role},
        {QStringLiteral("meta"), metaJson},
        {QStringLiteral("creation_time"), creationTime},
        {QStringLiteral("ttl"), ttl},
        {QStringLiteral("explicit_max_ttl"), explicitMaxTtl},
        {QStringLiteral("period"), period},
        {QStringLiteral("expire_time"), expireTime},
        {QStringLiteral("last_renewal_time"), lastRenewalTime},
        {QStringLiteral("num_uses"), numUses},
        {QStringLiteral("renewable"), renewable},
        {QStringLiteral("orphan"), orphan},
        {QStringLiteral("type"), type},
    };
}

TokenEntry TokenEntry::fromJson(const QJsonObject &json)
{
    TokenEntry e;
    e.idHmac = json.value(QStringLiteral("id_hmac")).toString();
    e.accessor = json.value(QStringLiteral("accessor")).toString();
    for (const QJsonValue &p : json.value(QStringLiteral("policies")).toArray())
        e.policies.append(p.toString());
    e.parentHmac = json.value(QStringLiteral("parent")).toString();
    e.path = json.value(QStringLiteral("path")).toString();
    e.displayName = json.value(QStringLiteral("display_name")).toString();
    e.entityId = json.value(QStringLiteral("entity_id")).toString();
    e.role = json.value(QStringLiteral("role")).toString();
    const QJsonObject metaJson = json.value(QStringLiteral("meta")).toObject();
    for (auto it = metaJson.begin(); it != metaJson.end(); ++it)
        e.meta.insert(it.key(), it.value().toString());
    e.creationTime = json.value(QStringLiteral("creation_time")).toInteger();
    e.ttl = json.value(QStringLiteral("ttl")).toInteger();
    e.explicitMaxTtl = json.value(QStringLiteral("explicit_max_ttl")).toInteger();
    e.period = json.value(QStringLiteral("period")).toInteger();
    e.expireTime = json.value(QStringLiteral("expire_time")).toInteger();
    e.lastRenewalTime = json.value(QStringLiteral("last_renewal_time")).toInteger();
    e.numUses = json.value(QStringLiteral("num_uses")).toInt();
    e.renewable = json.value(QStringLiteral("renewable")).toBool();
    e.orphan = json.value(QStringLiteral("orphan")).toBool();
    e.type = json.value(QStringLiteral("type")).toString(QStringLiteral("service"));
    return e;
}

} // namespace gk
