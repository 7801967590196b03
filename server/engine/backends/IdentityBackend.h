#pragma once

#include "engine/Backend.h"

namespace gk {

class IdentityStore;

// Vault's identity/ routes for entities: GET identity/entity/id/:id and LIST identity/entity/id. Entities are made
// by logins (IdentityStore::entityForAlias); this backend only reads them.
class IdentityBackend final : public Backend
{
public:
    explicit IdentityBackend(IdentityStore *store) : m_store(store) {}
    Q_DISABLE_COPY_MOVE(IdentityBackend)

    QString type() const override { return QStringLiteral("identity"); }
    QList<PathSpec> paths() override;

private:
    QFuture<Response> readEntity(const Request &request);
    QFuture<Response> listEntities(const Request &request);

    IdentityStore *m_store;
};

} // namespace gk
