#include "engine/audit/AuditChain.h"

#include "engine/crypto/Crypto.h"

#include <QFile>
#include <QJsonDocument>

namespace gk::audit {

namespace {

constexpr qsizetype kHexLength = 64;
const QByteArray kPrevPrefix = QByteArrayLiteral("{\"prev_hash\":\"sha256:");
const QByteArray kHashPrefix = QByteArrayLiteral(",\"hash\":\"sha256:");
// ,"hash":"sha256:<64 hex>"}
const qsizetype kSuffixLength = kHashPrefix.size() + kHexLength + 2;

QByteArray hexDigest(const QByteArray &bytes)
{
    return crypto::sha256(bytes).toHex();
}

// Why line breaks the chain (expectedPrev: what its prev_hash must be), or an empty string when it does not.
QString checkLine(const QByteArray &line, const QByteArray &expectedPrev)
{
    if (line.size() < kPrevPrefix.size() + kHexLength + kSuffixLength || !line.startsWith(kPrevPrefix))
        return QStringLiteral("not an audit line (no prev_hash at its start)");
    const qsizetype suffixAt = line.size() - kSuffixLength;
    const QByteArrayView suffix = QByteArrayView(line).sliced(suffixAt);
    const QByteArrayView own = suffix.sliced(kHashPrefix.size(), kHexLength);
    if (!suffix.startsWith(kHashPrefix) || !suffix.endsWith("\"}") || !crypto::isLowerHex(own))
        return QStringLiteral("not an audit line (no hash at its end)");
    const QByteArray body = line.left(suffixAt) + '}';
    if (hexDigest(body) != own.toByteArray())
        return QStringLiteral("the line was modified (its hash does not match its content)");
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return QStringLiteral("the line is not a JSON object");
    const QByteArray prev = line.mid(kPrevPrefix.size() - 7, 7 + kHexLength); // "sha256:<hex>"
    if (prev != expectedPrev)
        return QStringLiteral("prev_hash does not match the line before it (a line was deleted, inserted or moved)");
    return {};
}

} // namespace

QByteArray genesisHash()
{
    return QByteArrayLiteral("sha256:") + QByteArray(kHexLength, '0');
}

QByteArray lineDigest(const QByteArray &line)
{
    return QByteArrayLiteral("sha256:") + hexDigest(line);
}

QByteArray chainLine(const QByteArray &entry, const QByteArray &prevHash)
{
    Q_ASSERT(entry.startsWith('{') && entry.endsWith('}') && entry.size() > 2);
    QByteArray body;
    body.reserve(entry.size() + kPrevPrefix.size() + kHexLength + kSuffixLength + 2);
    body += kPrevPrefix;
    body += QByteArrayView(prevHash).sliced(7); // the hex after "sha256:"
    body += "\",";
    body += QByteArrayView(entry).sliced(1);
    const QByteArray own = hexDigest(body);
    body.chop(1);
    body += kHashPrefix;
    body += own;
    body += "\"}";
    return body;
}

VerifyResult verify(QIODevice &in)
{
    VerifyResult result;
    QByteArray expected = genesisHash();
    while (!in.atEnd()) {
        QByteArray line = in.readLine();
        if (line.endsWith('\n'))
            line.chop(1);
        ++result.lines;
        const QString why = checkLine(line, expected);
        if (!why.isEmpty()) {
            result.brokenLine = result.lines;
            result.reason = why;
            return result;
        }
        expected = lineDigest(line);
    }
    return result;
}

VerifyResult verifyFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        VerifyResult r;
        r.readable = false;
        r.reason = file.errorString();
        return r;
    }
    return verify(file);
}

} // namespace gk::audit
