#pragma once

#include <QJsonObject>

namespace gk {

// Vault's envelope for an answer with data: {"request_id", "lease_id", "renewable", "lease_duration", "data",
// "wrap_info", "warnings", "auth"}. With topLevelCopies the fields of data are also copied to the top level, as
// Vault does for sys/policy and sys/capabilities-self (the envelope's own keys win a clash).
QJsonObject vaultData(const QJsonObject &data, bool topLevelCopies = false);

} // namespace gk
