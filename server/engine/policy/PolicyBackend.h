#pragma once

#include "engine/Backend.h"

namespace gk {

class PolicyStore;

// Vault's ACL policy routes, mounted twice: at "sys/policy/" (the older API: GET or LIST lists, GET answers
// "rules", PUT takes "policy" or "rules") and at "sys/policies/acl/" (LIST lists, GET answers "policy").
class PolicyBackend final : public Backend
{
public:
    enum class Flavour
    {
        Policy,
        PoliciesAcl
    };

    PolicyBackend(PolicyStore *store, Flavour flavour) : m_store(store), m_flavour(flavour) {}
    Q_DISABLE_COPY_MOVE(PolicyBackend)

    QString type() const override { return QStringLiteral("policy"); }
    QList<PathSpec> paths() override;

private:
    QFuture<Response> list(const Request &request);
    QFuture<Response> read(const Request &request);
    QFuture<Response> write(const Request &request);
    QFuture<Response> remove(const Request &request);

    PolicyStore *m_store;
    Flavour m_flavour;
};

} // namespace gk
