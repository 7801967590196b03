#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace gk {

// A token role (auth/token/roles/:name): what tokens created with auth/token/create/:name get, whatever the
// caller's own policies. Durations in seconds, 0 = not set.
struct TokenRole
{
    QString name;
    QStringList allowedPolicies;    // when set: the token's policies must be a subset (and default to them)
    QStringList disallowedPolicies; // never granted by this role
    bool orphan = false;
    bool renewable = true;
    bool noDefaultPolicy = false;
    QString pathSuffix;
    qint64 tokenTtl = 0;
    qint64 tokenMaxTtl = 0;
    qint64 tokenExplicitMaxTtl = 0;
    qint64 tokenPeriod = 0;
    int tokenNumUses = 0;

    QJsonObject toJson() const;    // as stored
    QJsonObject toApiJson() const; // as GET auth/token/roles/:name answers (Vault's field names)
    static TokenRole fromJson(const QJsonObject &json);
};

} // namespace gk
