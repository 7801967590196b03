#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace gk {

// Vault's capabilities, as bits. Deny is exclusive: a rule that carries it grants nothing.
enum class Capability : unsigned
{
    None = 0,
    Deny = 1u << 0,
    Create = 1u << 1,
    Read = 1u << 2,
    Update = 1u << 3,
    Delete = 1u << 4,
    List = 1u << 5,
    Sudo = 1u << 6,
    Patch = 1u << 7,
};
using Capabilities = unsigned; // an OR of Capability bits

constexpr Capabilities capabilityBit(Capability c)
{
    return static_cast<Capabilities>(c);
}
constexpr bool hasCapability(Capabilities set, Capability c)
{
    return (set & capabilityBit(c)) != 0;
}

// "read" -> Capability::Read; Capability::None for an unknown name.
Capability capabilityFromName(const QString &name);
// The names of the bits in set, sorted alphabetically (as Vault lists them).
QStringList capabilityNames(Capabilities set);

// One `path "glob" { ... }` block of a policy.
struct PathRule
{
    QString pattern; // as written, without a leading "/"
    Capabilities capabilities = 0;
};

// A parsed ACL policy: its rules in the order they were written.
struct Policy
{
    QString name;
    QList<PathRule> rules;
};

} // namespace gk
