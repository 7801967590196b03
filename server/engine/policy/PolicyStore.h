#pragma once

#include "engine/Result.h"
#include "engine/policy/Policy.h"

#include <QFuture>
#include <QHash>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace gk {

class Acl;
class Storage;

// ACL policies in the barrier, at "sys/policy/<name>" as {"name", "policy"} with the text as written; it is
// parsed again when loaded. Parsed policies and compiled ACLs are cached until a policy changes or clear() is
// called (on seal). "root" is built in and never stored; "default" is built in until a stored one replaces it.
// Every method may be called from any thread.
class PolicyStore final
{
public:
    explicit PolicyStore(Storage *barrier);
    ~PolicyStore();
    Q_DISABLE_COPY_MOVE(PolicyStore)

    // The name lower-cased, or a 400 when it is not 1-128 of [a-z0-9_.-] starting with a letter, digit or '_'.
    static Result<QString> normalizeName(const QString &name);

    // Every policy's name, sorted, "default" included, then "root" (Vault's order).
    QFuture<Result<QStringList>> names();
    // The text of the named policy ("" for root), or nullopt when there is no such policy.
    QFuture<Result<std::optional<QString>>> text(const QString &name);
    // Parses text (400 with line and column when it does not parse) and stores it. 400 for root.
    QFuture<Status> write(const QString &name, const QString &text);
    // Removes the named policy; removing one that does not exist succeeds. 400 for root and default.
    QFuture<Status> remove(const QString &name);

    // The ACL of a token carrying these policies. Names are matched case-insensitively, and names that match no
    // policy are ignored, as in Vault; a list holding exactly "root" gets the root ACL. A stored policy that no longer
    // parses fails the lookup (500): a rule that denies must never be skipped.
    QFuture<Result<std::shared_ptr<const Acl>>> aclFor(const QStringList &names);

    // Forgets every cached policy and ACL (on seal).
    void clear();

private:
    using PolicyPtr = std::shared_ptr<const Policy>;
    QFuture<Result<PolicyPtr>> load(const QString &name);

    Storage *m_barrier;
    QMutex m_mutex;
    quint64 m_generation = 0;                          // bumped on every change; stale loads are not cached
    QHash<QString, PolicyPtr> m_policies;              // null: known not to exist
    QHash<QString, std::shared_ptr<const Acl>> m_acls; // by the sorted names joined with '\n'
};

} // namespace gk
