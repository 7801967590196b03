#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace gk {

// A token as the store keeps it. The token id itself is never part of it: the store keys entries by an HMAC
// of the id under a barrier-held key.
struct TokenEntry
{
    QString idHmac; // hex HMAC-SHA256 of the id, after the time part of an id that has one (TokenStore::idHmac)
    QString accessor;
    QStringList policies;
    QString parentHmac; // empty for orphans
    QString path;       // creation path, e.g. "auth/token/root"
    QString displayName;
    QString entityId;
    QString role; // the token role it was created against, if any
    QMap<QString, QString> meta;
    qint64 creationTime = 0;    // unix seconds
    qint64 ttl = 0;             // seconds at creation (creation_ttl), 0 = no expiry
    qint64 explicitMaxTtl = 0;  // seconds from creation, 0 = none
    qint64 period = 0;          // seconds, 0 = not periodic
    qint64 expireTime = 0;      // unix seconds, 0 = never
    qint64 lastRenewalTime = 0; // unix seconds, 0 = never renewed
    // Remaining uses: 0 = unlimited; kUsesExhausted once the last use has been taken (the token is being revoked).
    int numUses = 0;
    bool renewable = false;
    bool orphan = false;
    QString type = QStringLiteral("service");

    static constexpr int kUsesExhausted = -1;

    bool isRoot() const { return policies.contains(QStringLiteral("root")); }
    bool isExpired(qint64 nowSecs) const { return expireTime != 0 && nowSecs >= expireTime; }
    bool isExhausted() const { return numUses < 0; }

    // The stored form: a format byte, then every field in a fixed order (integers as 8 or 4 bytes little-endian,
    // strings as their UTF-8 length and bytes). Cheaper to make and to read than JSON, which earlier versions
    // stored and decode() still reads.
    QByteArray encode() const;
    // An entry from encode(), or from an earlier version's JSON object; nothing when stored is neither.
    static std::optional<TokenEntry> decode(const QByteArray &stored);
    static TokenEntry fromJson(const QJsonObject &json);
};

} // namespace gk
