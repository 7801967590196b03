#pragma once

#include "engine/Backend.h"

namespace gk {

class PolicyStore;

// Vault's sys/capabilities-self: the calling token's capabilities on the paths it names.
class CapabilitiesBackend final : public Backend
{
public:
    explicit CapabilitiesBackend(PolicyStore *store) : m_store(store) {}
    Q_DISABLE_COPY_MOVE(CapabilitiesBackend)

    QString type() const override { return QStringLiteral("capabilities"); }
    QList<PathSpec> paths() override;

private:
    QFuture<Response> capabilitiesSelf(const Request &request);

    PolicyStore *m_store;
};

} // namespace gk
