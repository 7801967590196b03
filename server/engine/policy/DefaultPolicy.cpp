#include "engine/policy/DefaultPolicy.h"

namespace gk {

QString defaultPolicyText()
{
    return QStringLiteral(R"hcl(# Gatekeeper's built-in "default" policy: what a token may do about itself.
# Operators may replace it (PUT /v1/sys/policies/acl/default); it cannot be deleted.

# The calling token: look it up, renew it, revoke it.
path "auth/token/lookup-self" {
    capabilities = ["read"]
}
path "auth/token/renew-self" {
    capabilities = ["update"]
}
path "auth/token/revoke-self" {
    capabilities = ["update"]
}

# Which capabilities the calling token has on given paths.
path "sys/capabilities-self" {
    capabilities = ["update"]
}

# Leases: look one up, renew one.
path "sys/leases/lookup" {
    capabilities = ["update"]
}
path "sys/leases/renew" {
    capabilities = ["update"]
}
path "sys/renew" {
    capabilities = ["update"]
}

# Response wrapping: wrap data, look up or unwrap a wrapping token.
path "sys/wrapping/wrap" {
    capabilities = ["update"]
}
path "sys/wrapping/lookup" {
    capabilities = ["update"]
}
path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}
)hcl");
}

QString responseWrappingPolicyText()
{
    return QStringLiteral("# Gatekeeper's built-in \"response-wrapping\" policy: a wrapping token may only be unwrapped.\n"
                          "path \"sys/wrapping/unwrap\" {\n"
                          "    capabilities = [\"update\"]\n"
                          "}\n");
}

} // namespace gk
