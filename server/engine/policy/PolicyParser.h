#pragma once

#include "engine/Result.h"
#include "engine/policy/Policy.h"

#include <QString>

namespace gk {

// Vault's ACL policy language, in HCL or in JSON (a text whose first token is '{' is read as JSON):
//
//   path "secret/+/config" {          # also // and /* */ comments, trailing commas
//     capabilities = ["read", "list"]
//   }
//   {"path": {"secret/+/config": {"capabilities": ["read", "list"]}}}
//
// Each path block takes `capabilities` (create read update delete list patch sudo deny) or Vault's older
// `policy = "deny" | "read" | "write" | "sudo"`. The parameter and wrapping constraints Vault knows
// (allowed_parameters, denied_parameters, required_parameters, min_wrapping_ttl, max_wrapping_ttl) are refused
// by name: they are not enforced here, and a policy that relies on them would grant more than it says.
// Every failure is a 400 whose message starts "policy parse error at line L, column C: ".
class PolicyParser final
{
public:
    PolicyParser() = delete;
    Q_DISABLE_COPY_MOVE(PolicyParser)

    static Result<Policy> parse(const QString &name, const QString &text);
};

} // namespace gk
