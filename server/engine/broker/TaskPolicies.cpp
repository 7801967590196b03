#include "engine/broker/TaskPolicies.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>

namespace gk {

namespace {

constexpr int kMaxNumUses = 1000000;
const QString kNamePlaceholder = QStringLiteral("{{name}}");

Result<TaskPolicies> bad(const QString &key, const QString &why)
{
    return Result<TaskPolicies>::fail(QStringLiteral("task policy \"%1\": %2").arg(key.left(128), why), 400);
}

// A role name as the token store takes it.
bool validRoleName(const QString &role)
{
    static const QRegularExpression re(QStringLiteral("\\A[a-z0-9_.-]{1,128}\\z"));
    return re.match(role).hasMatch();
}

// A role of a policy: a role name once "{{name}}" is replaced by a valid task name.
bool validRole(const QString &role)
{
    QString probe = role;
    probe.replace(kNamePlaceholder, QStringLiteral("x"));
    return validRoleName(probe);
}

bool validGrid(const QString &grid)
{
    static const QRegularExpression re(QStringLiteral("\\A[a-z0-9][a-z0-9_.-]{0,62}\\z"));
    return re.match(grid).hasMatch();
}

// Longest key first; of equal length, a key with a group first; then by the key's text (a stable order).
bool before(const TaskPolicies::Rule &a, const TaskPolicies::Rule &b)
{
    if (a.key.size() != b.key.size())
        return a.key.size() > b.key.size();
    if (a.hasGroup != b.hasGroup)
        return a.hasGroup;
    return a.key < b.key;
}

} // namespace

Result<TaskPolicies> TaskPolicies::parse(const QJsonObject &json)
{
    TaskPolicies out;
    for (auto it = json.begin(); it != json.end(); ++it) {
        const QString &key = it.key();
        Rule rule;
        rule.key = key;
        const QStringList parts = key.split(QLatin1Char(':'));
        if (parts.size() != 2 && parts.size() != 3)
            return bad(key, QStringLiteral("a key is \"grid:task\" or \"grid:group:task\""));
        const qsizetype star = key.indexOf(QLatin1Char('*'));
        if (star >= 0 && star != key.size() - 1)
            return bad(key, QStringLiteral("'*' may only end a key"));
        rule.grid = parts.first();
        if (!validGrid(rule.grid))
            return bad(key, QStringLiteral("\"%1\" is not a grid name").arg(rule.grid.left(64)));
        rule.hasGroup = parts.size() == 3;
        if (rule.hasGroup) {
            rule.group = parts.at(1);
            if (rule.group.isEmpty())
                return bad(key, QStringLiteral("the group is empty"));
        }
        rule.task = parts.last();
        rule.glob = rule.task.endsWith(QLatin1Char('*'));
        if (rule.glob)
            rule.task.chop(1);
        else if (rule.task.isEmpty())
            return bad(key, QStringLiteral("the task is empty"));
        if (!it.value().isObject())
            return bad(key, QStringLiteral("the value must be {\"roles\": [...], \"num_uses\": N}"));
        const QJsonObject value = it.value().toObject();
        for (auto field = value.begin(); field != value.end(); ++field) {
            if (field.key() != u"roles" && field.key() != u"num_uses")
                return bad(key, QStringLiteral("unknown field \"%1\"").arg(field.key().left(64)));
        }
        const QJsonValue roles = value.value(QStringLiteral("roles"));
        if (!roles.isUndefined() && !roles.isNull()) {
            if (!roles.isArray())
                return bad(key, QStringLiteral("roles must be a list of token role names"));
            for (const QJsonValue &role : roles.toArray()) {
                if (!role.isString() || !validRole(role.toString().toLower()))
                    return bad(key, QStringLiteral("\"%1\" is not a token role name")
                                        .arg(role.toVariant().toString().left(128)));
                if (!rule.roles.contains(role.toString().toLower()))
                    rule.roles.append(role.toString().toLower());
            }
        }
        const QJsonValue numUses = value.value(QStringLiteral("num_uses"));
        if (!numUses.isUndefined() && !numUses.isNull()) {
            const double n = numUses.toDouble(-1);
            if (!numUses.isDouble() || n < 1 || n > kMaxNumUses || n != static_cast<double>(static_cast<int>(n)))
                return bad(key, QStringLiteral("num_uses must be a whole number from 1 to %1").arg(kMaxNumUses));
            rule.numUses = static_cast<int>(n);
        }
        out.m_rules.append(rule);
    }
    std::sort(out.m_rules.begin(), out.m_rules.end(), before);
    return out;
}

QJsonObject TaskPolicies::toJson() const
{
    QJsonObject out;
    for (const Rule &rule : m_rules) {
        QJsonObject value{{QStringLiteral("roles"), QJsonArray::fromStringList(rule.roles)}};
        if (rule.numUses > 0)
            value.insert(QStringLiteral("num_uses"), rule.numUses);
        out.insert(rule.key, value);
    }
    return out;
}

TaskPolicies::Decision TaskPolicies::match(const QString &grid, const QString &group, const QString &name) const
{
    Decision d;
    bool usesSet = false;
    for (const Rule &rule : m_rules) {
        if (rule.grid != grid || (rule.hasGroup && (group.isEmpty() || rule.group != group)))
            continue;
        if (rule.glob ? !name.startsWith(rule.task) : name != rule.task)
            continue;
        d.matchedKeys.append(rule.key);
        if (!usesSet && rule.numUses > 0) {
            d.numUses = rule.numUses;
            usesSet = true;
        }
        for (QString role : rule.roles) {
            role.replace(kNamePlaceholder, name.toLower());
            // A task whose name makes no valid role name (a space, a slash, too long) is not offered that role.
            if (validRoleName(role) && !d.roles.contains(role))
                d.roles.append(role);
        }
    }
    return d;
}

} // namespace gk
