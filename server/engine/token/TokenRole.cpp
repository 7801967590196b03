#include "engine/token/TokenRole.h"

#include <QJsonArray>

namespace gk {

QJsonObject TokenRole::toJson() const
{
    return QJsonObject{
        {QStringLiteral("name"), name},
        {QStringLiteral("allowed_policies"), QJsonArray::fromStringList(allowedPolicies)},
        {QStringLiteral("disallowed_policies"), QJsonArray::fromStringList(disallowedPolicies)},
        {QStringLiteral("orphan"), orphan},
        {QStringLiteral("renewable"), renewable},
        {QStringLiteral("token_no_default_policy"), noDefaultPolicy},
        {QStringLiteral("path_suffix"), pathSuffix},
        {QStringLiteral("token_ttl"), tokenTtl},
        {QStringLiteral("token_max_ttl"), tokenMaxTtl},
        {QStringLiteral("token_explicit_max_ttl"), tokenExplicitMaxTtl},
        {QStringLiteral("token_period"), tokenPeriod},
        {QStringLiteral("token_num_uses"), tokenNumUses},
    };
}

QJsonObject TokenRole::toApiJson() const
{
    QJsonObject out = toJson();
    // Vault answers the older names next to the token_* ones.
    out.insert(QStringLiteral("explicit_max_ttl"), tokenExplicitMaxTtl);
    out.insert(QStringLiteral("period"), tokenPeriod);
    out.insert(QStringLiteral("token_type"), QStringLiteral("default-service"));
    out.insert(QStringLiteral("allowed_entity_aliases"), QJsonArray());
    out.insert(QStringLiteral("token_bound_cidrs"), QJsonArray());
    return out;
}

TokenRole TokenRole::fromJson(const QJsonObject &json)
{
    const auto strings = [&](const char *field) {
        QStringList out;
        for (const QJsonValue &v : json.value(QLatin1String(field)).toArray())
            out.append(v.toString());
        return out;
    };
    TokenRole r;
    r.name = json.value(QStringLiteral("name")).toString();
    r.allowedPolicies = strings("allowed_policies");
    r.disallowedPolicies = strings("disallowed_policies");
    r.orphan = json.value(QStringLiteral("orphan")).toBool();
    r.renewable = json.value(QStringLiteral("renewable")).toBool(true);
    r.noDefaultPolicy = json.value(QStringLiteral("token_no_default_policy")).toBool();
    r.pathSuffix = json.value(QStringLiteral("path_suffix")).toString();
    r.tokenTtl = json.value(QStringLiteral("token_ttl")).toInteger();
    r.tokenMaxTtl = json.value(QStringLiteral("token_max_ttl")).toInteger();
    r.tokenExplicitMaxTtl = json.value(QStringLiteral("token_explicit_max_ttl")).toInteger();
    r.tokenPeriod = json.value(QStringLiteral("token_period")).toInteger();
    r.tokenNumUses = json.value(QStringLiteral("token_num_uses")).toInt();
    return r;
}

} // namespace gk
