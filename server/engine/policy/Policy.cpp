#include "engine/policy/Policy.h"

#include <array>
#include <utility>

namespace gk {

namespace {
// Sorted by name, so that capabilityNames() answers in Vault's order.
const std::array<std::pair<const char *, Capability>, 8> kNames{{
    {"create", Capability::Create},
    {"delete", Capability::Delete},
    {"deny", Capability::Deny},
    {"list", Capability::List},
    {"patch", Capability::Patch},
    {"read", Capability::Read},
    {"sudo", Capability::Sudo},
    {"update", Capability::Update},
}};
} // namespace

Capability capabilityFromName(const QString &name)
{
    for (const auto &[text, cap] : kNames) {
        if (name == QLatin1String(text))
            return cap;
    }
    return Capability::None;
}

QStringList capabilityNames(Capabilities set)
{
    QStringList out;
    for (const auto &[text, cap] : kNames) {
        if (hasCapability(set, cap))
            out.append(QLatin1String(text));
    }
    return out;
}

} // namespace gk
