#pragma once

#include "engine/Result.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace gk {

// Gatekeeper's task policies: a JSON object whose keys name tasks and whose values say which token roles they
// may ask for and how many tokens each task gets per role.
//
//   {"prod:*": {"roles": ["base"], "num_uses": 1},
//    "prod:web:api-*": {"roles": ["api", "{{name}}-db"], "num_uses": 2}}
//
// A key is "grid:task" (any group) or "grid:group:task"; its last character may be '*', which matches any rest of
// the task's name ("prod:*" is every task of grid prod). Of the keys that match a task, the longest one that sets
// num_uses decides it (1 when none does); the roles of all of them are merged, the longest key's first, and the
// first role is the default. "{{name}}" in a role stands for the task's name. Role names are lower case.
// A value: immutable once parsed, shared between threads.
class TaskPolicies final
{
public:
    struct Rule
    {
        QString key;
        QString grid;
        QString group;    // empty for a "grid:task" key
        QString task;     // without its trailing '*'
        bool glob = false;
        bool hasGroup = false;
        QStringList roles;
        int numUses = 0; // 0: not set by this key
    };

    // 400 naming the first bad key or value; nothing else is accepted.
    static Result<TaskPolicies> parse(const QJsonObject &json);
    QJsonObject toJson() const;
    bool isEmpty() const { return m_rules.isEmpty(); }

    struct Decision
    {
        QStringList matchedKeys; // longest first; empty: no policy covers the task
        QStringList roles; // merged and expanded (without expansions that are no role name); the first is the default
        int numUses = 1;
    };
    Decision match(const QString &grid, const QString &group, const QString &name) const;

private:
    QList<Rule> m_rules; // longest key first
};

} // namespace gk
