#pragma once

#include "engine/Operation.h"
#include "engine/policy/Policy.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace gk {

// The access rules of a set of policies, compiled for lookups. Immutable once built; shared between threads.
//
// For a path, exactly one rule applies: an exact rule (no '*', no '+') for that very path, or else the matching
// glob of the highest priority (Vault's order: the first wildcard later in the pattern; then not ending in '*';
// then fewer '+' segments; then longer; then lexicographically greater). A trailing '*' matches any rest of the
// path, '+' exactly one segment. Rules for the same pattern in several policies are merged into one, and a rule
// that carries deny grants nothing. The root policy allows everything.
class Acl final
{
public:
    Q_DISABLE_COPY_MOVE(Acl)

    static std::shared_ptr<const Acl> compile(const QList<std::shared_ptr<const Policy>> &policies);
    static std::shared_ptr<const Acl> root();

    bool isRoot() const { return m_root; }
    // The capabilities of the rule that applies to path for op (List also looks for the path with and without
    // a trailing slash, as Vault does); 0 when no rule applies. Root: every capability.
    Capabilities capabilities(const QString &path, Operation op = Operation::Read) const;
    // Whether op is allowed on path: Read needs read, List list, Update update or create, Delete delete, Patch
    // patch or update, Help any capability; needsSudo also needs sudo. Deny or no rule: refused.
    bool allows(Operation op, const QString &path, bool needsSudo = false) const;
    // The names for sys/capabilities-self: ["root"] for root, ["deny"] when nothing is granted.
    QStringList capabilityNames(const QString &path) const;

private:
    struct GlobRule
    {
        QString pattern; // as written
        Capabilities capabilities = 0;
        bool endsInGlob = false;
        bool segmented = false; // has '+' segments: matched segment by segment
        QString prefix;         // !segmented: the pattern without its '*'
        QStringList segments;   // segmented: the pattern's segments, the last without its '*'
        qsizetype firstWildcard = 0;
        int plusCount = 0;

        bool matches(const QString &path) const;
        bool outranks(const GlobRule &other) const;
    };

    Acl() = default;
    const GlobRule *bestGlob(const QString &path, const QString &alternative) const;

    bool m_root = false;
    QHash<QString, Capabilities> m_exact;
    std::vector<GlobRule> m_globs; // highest priority first
};

} // namespace gk
