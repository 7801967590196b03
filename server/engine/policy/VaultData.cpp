#include "engine/policy/VaultData.h"

#include "engine/crypto/Crypto.h"

namespace gk {

QJsonObject vaultData(const QJsonObject &data, bool topLevelCopies)
{
    QJsonObject out = topLevelCopies ? data : QJsonObject();
    out.insert(QStringLiteral("request_id"), crypto::publicUuid());
    out.insert(QStringLiteral("lease_id"), QString());
    out.insert(QStringLiteral("renewable"), false);
    out.insert(QStringLiteral("lease_duration"), 0);
    out.insert(QStringLiteral("data"), data);
    out.insert(QStringLiteral("wrap_info"), QJsonValue::Null);
    out.insert(QStringLiteral("warnings"), QJsonValue::Null);
    out.insert(QStringLiteral("auth"), QJsonValue::Null);
    return out;
}

} // namespace gk
