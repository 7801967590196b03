#include "engine/policy/Acl.h"

#include <QMap>

#include <algorithm>

namespace gk {

namespace {
constexpr Capabilities kAll = capabilityBit(Capability::Create) | capabilityBit(Capability::Read) |
                              capabilityBit(Capability::Update) | capabilityBit(Capability::Delete) |
                              capabilityBit(Capability::List) | capabilityBit(Capability::Sudo) |
                              capabilityBit(Capability::Patch);
} // namespace

std::shared_ptr<const Acl> Acl::root()
{
    std::shared_ptr<Acl> acl(new Acl);
    acl->m_root = true;
    return acl;
}

std::shared_ptr<const Acl> Acl::compile(const QList<std::shared_ptr<const Policy>> &policies)
{
    QMap<QString, Capabilities> merged;
    for (const auto &policy : policies) {
        if (!policy)
            continue;
        for (const PathRule &rule : policy->rules)
            merged[rule.pattern] |= rule.capabilities;
    }

    std::shared_ptr<Acl> acl(new Acl);
    for (auto it = merged.cbegin(); it != merged.cend(); ++it) {
        const QString &pattern = it.key();
        const Capabilities caps =
            hasCapability(it.value(), Capability::Deny) ? capabilityBit(Capability::Deny) : it.value();
        GlobRule rule;
        rule.pattern = pattern;
        rule.capabilities = caps;
        rule.endsInGlob = pattern.endsWith(u'*');
        const QString body = rule.endsInGlob ? pattern.chopped(1) : pattern;
        const QStringList segments = body.split(u'/');
        rule.plusCount = static_cast<int>(segments.count(QStringLiteral("+")));
        if (!rule.endsInGlob && rule.plusCount == 0) {
            acl->m_exact.insert(pattern, caps);
            continue;
        }
        rule.segmented = rule.plusCount > 0;
        rule.firstWildcard = body.size(); // the '*' when there is no '+'
        if (rule.segmented) {
            rule.segments = segments;
            qsizetype offset = 0;
            for (const QString &segment : segments) {
                if (segment == QLatin1String("+")) {
                    rule.firstWildcard = offset;
                    break;
                }
                offset += segment.size() + 1;
            }
        } else {
            rule.prefix = body;
        }
        acl->m_globs.push_back(std::move(rule));
    }
    std::sort(acl->m_globs.begin(), acl->m_globs.end(),
              [](const GlobRule &a, const GlobRule &b) { return a.outranks(b); });
    return acl;
}

bool Acl::GlobRule::matches(const QString &path) const
{
    if (!segmented)
        return path.startsWith(prefix);
    const QList<QStringView> parts = QStringView(path).split(u'/');
    if (endsInGlob ? parts.size() < segments.size() : parts.size() != segments.size())
        return false;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const QString &segment = segments.at(i);
        if (endsInGlob && i == segments.size() - 1) {
            if (!parts.at(i).startsWith(segment))
                return false;
        } else if (segment != QLatin1String("+") && parts.at(i) != segment) {
            return false;
        }
    }
    return true;
}

bool Acl::GlobRule::outranks(const GlobRule &other) const
{
    if (firstWildcard != other.firstWildcard)
        return firstWildcard > other.firstWildcard;
    if (endsInGlob != other.endsInGlob)
        return !endsInGlob;
    if (plusCount != other.plusCount)
        return plusCount < other.plusCount;
    if (pattern.size() != other.pattern.size())
        return pattern.size() > other.pattern.size();
    return pattern > other.pattern;
}

const Acl::GlobRule *Acl::bestGlob(const QString &path, const QString &alternative) const
{
    for (const GlobRule &rule : m_globs) {
        if (rule.matches(path) || (!alternative.isNull() && rule.matches(alternative)))
            return &rule;
    }
    return nullptr;
}

Capabilities Acl::capabilities(const QString &path, Operation op) const
{
    if (m_root)
        return kAll;
    if (op == Operation::List) {
        // A list request names a folder: "secret/foo" and "secret/foo/" are the same, and a rule for either
        // applies (Vault checks the exact rule without the slash first, then everything with it).
        const QString trimmed = path.endsWith(u'/') ? path.chopped(1) : path;
        const QString folder = trimmed + u'/';
        if (const auto it = m_exact.constFind(trimmed); it != m_exact.cend())
            return it.value();
        if (const auto it = m_exact.constFind(folder); it != m_exact.cend())
            return it.value();
        const GlobRule *glob = bestGlob(folder, trimmed);
        return glob ? glob->capabilities : 0;
    }
    if (const auto it = m_exact.constFind(path); it != m_exact.cend())
        return it.value();
    const GlobRule *glob = bestGlob(path, QString());
    return glob ? glob->capabilities : 0;
}

bool Acl::allows(Operation op, const QString &path, bool needsSudo) const
{
    if (m_root)
        return true;
    const Capabilities caps = capabilities(path, op);
    if (caps == 0 || hasCapability(caps, Capability::Deny))
        return false;
    if (needsSudo && !hasCapability(caps, Capability::Sudo))
        return false;
    switch (op) {
    case Operation::Read:
        return hasCapability(caps, Capability::Read);
    case Operation::List:
        return hasCapability(caps, Capability::List);
    case Operation::Update:
        return hasCapability(caps, Capability::Update) || hasCapability(caps, Capability::Create);
    case Operation::Delete:
        return hasCapability(caps, Capability::Delete);
    case Operation::Patch:
        return hasCapability(caps, Capability::Patch) || hasCapability(caps, Capability::Update);
    case Operation::Help:
        return true;
    case Operation::Unknown:
        break;
    }
    return false;
}

QStringList Acl::capabilityNames(const QString &path) const
{
    if (m_root)
        return {QStringLiteral("root")};
    const Capabilities caps = capabilities(path);
    if (caps == 0)
        return {QStringLiteral("deny")};
    return gk::capabilityNames(caps);
}

} // namespace gk
