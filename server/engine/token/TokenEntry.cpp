#include "engine/token/TokenEntry.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtEndian>

#include <limits>

namespace gk {

namespace {
// The first byte of encode()'s form; JSON objects start with '{'.
constexpr char kFormatOne = 0x01;

class Writer
{
public:
    explicit Writer(qsizetype expected)
    {
        m_out.reserve(expected);
        m_out.append(kFormatOne);
    }
    void integer(qint64 value)
    {
        char bytes[8];
        qToLittleEndian(value, bytes);
        m_out.append(bytes, sizeof bytes);
    }
    void number(quint32 value)
    {
        char bytes[4];
        qToLittleEndian(value, bytes);
        m_out.append(bytes, sizeof bytes);
    }
    void text(const QString &value)
    {
        const QByteArray utf8 = value.toUtf8();
        number(quint32(utf8.size()));
        m_out.append(utf8);
    }
    QByteArray take() { return std::move(m_out); }

private:
    QByteArray m_out;
};

// Reads what Writer wrote; any read past the end, or a count larger than what is left, makes it fail.
class Reader
{
public:
    explicit Reader(const QByteArray &in) : m_at(in.constData()), m_end(in.constData() + in.size()) {}

    bool ok() const { return m_ok; }
    bool atEnd() const { return m_at == m_end; }
    bool take(qsizetype n, const char **out)
    {
        if (!m_ok || m_end - m_at < n)
            return m_ok = false;
        *out = m_at;
        m_at += n;
        return true;
    }
    char byte()
    {
        const char *p = nullptr;
        return take(1, &p) ? *p : char(0);
    }
    qint64 integer()
    {
        const char *p = nullptr;
        return take(8, &p) ? qFromLittleEndian<qint64>(p) : 0;
    }
    quint32 number()
    {
        const char *p = nullptr;
        return take(4, &p) ? qFromLittleEndian<quint32>(p) : 0;
    }
    // A count of items that each take at least minSize (> 0) bytes: more than could fit in what is left fails.
    quint32 count(qsizetype minSize)
    {
        const quint32 n = number();
        if (m_ok && qsizetype(n) > (m_end - m_at) / minSize) {
            m_ok = false;
            return 0;
        }
        return n;
    }
    QString text()
    {
        const quint32 size = count(1);
        const char *p = nullptr;
        return take(size, &p) ? QString::fromUtf8(p, size) : QString();
    }

private:
    const char *m_at;
    const char *m_end;
    bool m_ok = true;
};
} // namespace

QByteArray TokenEntry::encode() const
{
    Writer w(256 + idHmac.size() + parentHmac.size() + path.size() + displayName.size());
    w.text(idHmac);
    w.text(accessor);
    w.number(quint32(policies.size()));
    for (const QString &policy : policies)
        w.text(policy);
    w.text(parentHmac);
    w.text(path);
    w.text(displayName);
    w.text(entityId);
    w.text(role);
    w.number(quint32(meta.size()));
    for (auto it = meta.cbegin(); it != meta.cend(); ++it) {
        w.text(it.key());
        w.text(it.value());
    }
    for (qint64 value : {creationTime, ttl, explicitMaxTtl, period, expireTime, lastRenewalTime, qint64(numUses)})
        w.integer(value);
    w.number((renewable ? 1u : 0u) | (orphan ? 2u : 0u));
    w.text(type);
    return w.take();
}

std::optional<TokenEntry> TokenEntry::decode(const QByteArray &stored)
{
    if (stored.startsWith('{')) {
        const QJsonDocument doc = QJsonDocument::fromJson(stored);
        if (!doc.isObject())
            return std::nullopt;
        return fromJson(doc.object());
    }
    Reader r(stored);
    if (r.byte() != kFormatOne)
        return std::nullopt;
    TokenEntry e;
    e.idHmac = r.text();
    e.accessor = r.text();
    const quint32 policyCount = r.count(4);
    e.policies.reserve(policyCount);
    for (quint32 i = 0; i < policyCount; ++i)
        e.policies.append(r.text());
    e.parentHmac = r.text();
    e.path = r.text();
    e.displayName = r.text();
    e.entityId = r.text();
    e.role = r.text();
    const quint32 metaCount = r.count(8);
    for (quint32 i = 0; i < metaCount; ++i) {
        const QString key = r.text();
        e.meta.insert(key, r.text());
    }
    for (qint64 *value : {&e.creationTime, &e.ttl, &e.explicitMaxTtl, &e.period, &e.expireTime, &e.lastRenewalTime})
        *value = r.integer();
    const qint64 uses = r.integer();
    const quint32 flags = r.number();
    e.renewable = flags & 1u;
    e.orphan = flags & 2u;
    e.type = r.text();
    if (!r.ok() || !r.atEnd() || uses < TokenEntry::kUsesExhausted || uses > std::numeric_limits<int>::max())
        return std::nullopt;
    e.numUses = int(uses);
    return e;
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
