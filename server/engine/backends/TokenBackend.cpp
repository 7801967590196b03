#include "engine/backends/TokenBackend.h"

#include "Duration.h"
#include "engine/Chain.h"
#include "engine/Engine.h"
#include "engine/RuntimeConfig.h"
#include "engine/crypto/Crypto.h"
#include "engine/policy/Acl.h"
#include "engine/policy/PolicyStore.h"
#include "engine/policy/VaultData.h"
#include "engine/token/TokenStore.h"

#include <QDateTime>
#include <QJsonArray>

namespace gk {

namespace {

const QString kRoot = QStringLiteral("root");
const QString kDefault = QStringLiteral("default");
// Longest duration accepted anywhere in the token store: 100 years.
constexpr qint64 kMaxDuration = 100LL * 365 * 24 * 3600;

QFuture<Response> ready(Response r)
{
    return QtFuture::makeReadyFuture(std::move(r));
}

QFuture<Response> fail(int status, const QString &message)
{
    return ready(Response::error(status, message));
}

Response failure(const Status &st)
{
    return Response::error(st.httpStatus(), st.error());
}

// Reads request fields the way Vault does: null and absent are the same, numbers may come as strings, lists as
// comma-separated strings. Every problem is collected, so one 400 names them all.
class Fields final
{
public:
    explicit Fields(const QJsonObject &data) : m_data(data) {}

    QStringList errors;

    bool has(const QString &name) const
    {
        const QJsonValue v = m_data.value(name);
        return !v.isUndefined() && !v.isNull();
    }

    QString string(const QString &name, qsizetype maxLength = 256)
    {
        const QJsonValue v = m_data.value(name);
        if (!has(name))
            return {};
        if (!v.isString()) {
            errors.append(QStringLiteral("%1 must be a string").arg(name));
            return {};
        }
        if (v.toString().size() > maxLength) {
            errors.append(QStringLiteral("%1 is longer than %2 characters").arg(name).arg(maxLength));
            return {};
        }
        return v.toString();
    }

    bool boolean(const QString &name, bool fallback)
    {
        const QJsonValue v = m_data.value(name);
        if (!has(name))
            return fallback;
        if (v.isBool())
            return v.toBool();
        if (v.isString()) {
            const QString s = v.toString().toLower();
            if (s == QLatin1String("true") || s == QLatin1String("1"))
                return true;
            if (s == QLatin1String("false") || s == QLatin1String("0"))
                return false;
        }
        errors.append(QStringLiteral("%1 must be a boolean").arg(name));
        return fallback;
    }

    qint64 duration(const QString &name, qint64 fallback = 0)
    {
        if (!has(name))
            return fallback;
        const QJsonValue v = m_data.value(name);
        if (v.isString() && v.toString().trimmed().isEmpty())
            return fallback;
        const std::optional<qint64> seconds = parseDurationSeconds(v);
        if (!seconds) {
            errors.append(QStringLiteral("%1 must be a duration such as \"1h\", \"30m\", \"90s\" or 3600").arg(name));
            return fallback;
        }
        if (*seconds > kMaxDuration) {
            errors.append(QStringLiteral("%1 is longer than 100 years").arg(name));
            return fallback;
        }
        return *seconds;
    }

    int count(const QString &name, int fallback = 0)
    {
        if (!has(name))
            return fallback;
        const QJsonValue v = m_data.value(name);
        qint64 n = -1;
        bool ok = false;
        if (v.isDouble()) {
            const double d = v.toDouble();
            ok = d == static_cast<double>(static_cast<qint64>(d));
            n = static_cast<qint64>(d);
        } else if (v.isString()) {
            n = v.toString().trimmed().toLongLong(&ok);
        }
        if (!ok) {
            errors.append(QStringLiteral("%1 must be an integer").arg(name));
            return fallback;
        }
        if (n < 0 || n > 1'000'000'000) {
            errors.append(QStringLiteral("%1 must be between 0 and 1000000000").arg(name));
            return fallback;
        }
        return static_cast<int>(n);
    }

    // A list of policy names (a JSON list or one comma-separated string): trimmed, lower-cased, each once,
    // sorted. Names must be valid policy names.
    QStringList policies(const QString &name)
    {
        if (!has(name))
            return {};
        const QJsonValue v = m_data.value(name);
        QStringList raw;
        if (v.isString()) {
            raw = v.toString().split(QLatin1Char(','));
        } else if (v.isArray()) {
            for (const QJsonValue &item : v.toArray()) {
                if (!item.isString()) {
                    errors.append(QStringLiteral("%1 must be a list of strings").arg(name));
                    return {};
                }
                raw.append(item.toString());
            }
        } else {
            errors.append(QStringLiteral("%1 must be a list of strings").arg(name));
            return {};
        }
        QStringList out;
        for (const QString &item : std::as_const(raw)) {
            if (item.trimmed().isEmpty())
                continue;
            const Result<QString> normal = PolicyStore::normalizeName(item);
            if (!normal) {
                errors.append(normal.error());
                continue;
            }
            if (!out.contains(normal.value()))
                out.append(normal.value());
        }
        out.sort();
        return out;
    }

    QMap<QString, QString> meta(const QString &name)
    {
        QMap<QString, QString> out;
        if (!has(name))
            return out;
        const QJsonValue v = m_data.value(name);
        if (!v.isObject()) {
            errors.append(QStringLiteral("%1 must be a map of strings").arg(name));
            return out;
        }
        const QJsonObject object = v.toObject();
        if (object.size() > 64) {
            errors.append(QStringLiteral("%1 has more than 64 keys").arg(name));
            return out;
        }
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!it.value().isString() || it.key().size() > 128 || it.value().toString().size() > 512) {
                errors.append(QStringLiteral("%1 must be a map of strings (keys up to 128, values up to 512 "
                                             "characters)")
                                  .arg(name));
                return {};
            }
            out.insert(it.key(), it.value().toString());
        }
        return out;
    }

    // Fails for Vault features that Gatekeeper does not have, when they are asked for.
    void unsupportedList(const QString &name)
    {
        const QJsonValue v = m_data.value(name);
        if ((v.isArray() && !v.toArray().isEmpty()) || (v.isString() && !v.toString().trimmed().isEmpty()))
            errors.append(QStringLiteral("%1 is not supported").arg(name));
    }

    // "service" (or Vault's "default"/"default-service"); batch tokens do not exist here.
    void tokenType(const QString &name)
    {
        const QString t = string(name);
        if (!t.isEmpty() && t != QLatin1String("service") && t != QLatin1String("default") &&
            t != QLatin1String("default-service"))
            errors.append(
                QStringLiteral("%1 \"%2\" is not supported: only service tokens exist").arg(name, t.left(64)));
    }

private:
    const QJsonObject &m_data;
};

// "token-" + the name with every character but letters, digits and '-' turned into '-', as Vault shows it.
QString displayName(const QString &given)
{
    if (given.isEmpty())
        return QStringLiteral("token");
    QString out = QStringLiteral("token-") + given;
    for (QChar &c : out)
        if (!((c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'-'))
            c = u'-';
    while (out.endsWith(u'-'))
        out.chop(1);
    return out;
}

bool validRoleName(const QString &name)
{
    if (name.isEmpty() || name.size() > 128)
        return false;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name.at(i);
        const bool ok =
            (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'_' || (i > 0 && (c == u'-' || c == u'.'));
        if (!ok)
            return false;
    }
    return true;
}

bool validChosenId(const QString &id)
{
    if (id.isEmpty() || id.size() > 256)
        return false;
    for (const QChar c : id)
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f)
            return false;
    return true;
}

QJsonValue metaJson(const QMap<QString, QString> &meta)
{
    if (meta.isEmpty())
        return QJsonValue::Null;
    QJsonObject out;
    for (auto it = meta.cbegin(); it != meta.cend(); ++it)
        out.insert(it.key(), it.value());
    return out;
}

qint64 remainingTtl(const TokenEntry &entry, qint64 now)
{
    return entry.expireTime == 0 ? 0 : std::max<qint64>(0, entry.expireTime - now);
}

// Vault's answer to create and renew: no data, the token under "auth".
Response authAnswer(const QJsonObject &auth, const QStringList &warnings)
{
    QJsonObject out = vaultData({});
    out.insert(QStringLiteral("data"), QJsonValue::Null);
    out.insert(QStringLiteral("auth"), auth);
    out.insert(QStringLiteral("warnings"),
               warnings.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(QJsonArray::fromStringList(warnings)));
    return Response::ok(out);
}

QFuture<Response> noContentOr(QFuture<Status> done)
{
    return done.then([](Status st) { return st ? Response::noContent() : failure(st); });
}

} // namespace

QJsonObject TokenBackend::lookupData(const TokenEntry &entry, const QString &id, qint64 now)
{
    QJsonObject d{
        {QStringLiteral("accessor"), entry.accessor},
        {QStringLiteral("creation_time"), entry.creationTime},
        {QStringLiteral("creation_ttl"), entry.ttl},
        {QStringLiteral("display_name"), entry.displayName},
        {QStringLiteral("entity_id"), entry.entityId},
        {QStringLiteral("expire_time"),
         entry.expireTime == 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(formatRfc3339(entry.expireTime))},
        {QStringLiteral("explicit_max_ttl"), entry.explicitMaxTtl},
        {QStringLiteral("issue_time"), formatRfc3339(entry.creationTime)},
        {QStringLiteral("meta"), metaJson(entry.meta)},
        {QStringLiteral("num_uses"), std::max(0, entry.numUses)},
        {QStringLiteral("orphan"), entry.orphan},
        {QStringLiteral("path"), entry.path},
        {QStringLiteral("policies"), QJsonArray::fromStringList(entry.policies)},
        {QStringLiteral("renewable"), entry.renewable},
        {QStringLiteral("ttl"), remainingTtl(entry, now)},
        {QStringLiteral("type"), entry.type},
    };
    if (!id.isEmpty())
        d.insert(QStringLiteral("id"), id);
    if (entry.period > 0)
        d.insert(QStringLiteral("period"), entry.period);
    if (!entry.role.isEmpty())
        d.insert(QStringLiteral("role"), entry.role);
    if (entry.lastRenewalTime > 0) {
        d.insert(QStringLiteral("last_renewal_time"), entry.lastRenewalTime);
        d.insert(QStringLiteral("last_renewal"), formatRfc3339(entry.lastRenewalTime));
    }
    return d;
}

QJsonObject TokenBackend::authData(const TokenEntry &entry, const QString &id, qint64 now)
{
    const QJsonArray policies = QJsonArray::fromStringList(entry.policies);
    return QJsonObject{
        {QStringLiteral("client_token"), id},
        {QStringLiteral("accessor"), entry.accessor},
        {QStringLiteral("policies"), policies},
        {QStringLiteral("token_policies"), policies},
        {QStringLiteral("metadata"), metaJson(entry.meta)},
        {QStringLiteral("lease_duration"), remainingTtl(entry, now)},
        {QStringLiteral("renewable"), entry.renewable},
        {QStringLiteral("entity_id"), entry.entityId},
        {QStringLiteral("token_type"), entry.type},
        {QStringLiteral("orphan"), entry.orphan},
        {QStringLiteral("num_uses"), std::max(0, entry.numUses)},
        {QStringLiteral("mfa_requirement"), QJsonValue::Null},
    };
}

QList<PathSpec> TokenBackend::paths()
{
    const auto bind = [this](QFuture<Response> (TokenBackend::*fn)(const Request &)) {
        return [this, fn](const Request &r) { return (this->*fn)(r); };
    };
    const QStringList secretFields{QStringLiteral("token"), QStringLiteral("client_token"), QStringLiteral("id")};
    QList<PathSpec> specs;
    const auto add = [&](const QString &pattern, std::map<Operation, Handler> handlers, const QString &help,
                         bool sudo = false) {
        PathSpec spec;
        spec.pattern = pattern;
        spec.handlers = std::move(handlers);
        spec.help = help;
        spec.requiresSudo = sudo;
        spec.sensitiveFields = secretFields;
        specs.append(spec);
    };

    const QString createHelp = QStringLiteral(
        "Create a token, a child of the calling token: policies (a subset of the caller's unless it is root or has "
        "sudo here; \"default\" is added unless no_default_policy), meta, ttl, explicit_max_ttl, period (root or "
        "sudo), num_uses, renewable, display_name, no_parent (root or sudo), id (root only), type (service). "
        "Answers {\"auth\": {\"client_token\", \"accessor\", \"policies\", ...}}.");
    add(QStringLiteral("create"),
        {{Operation::Update, [this](const Request &r) { return create(r, CreateMode::Normal); }}}, createHelp);
    add(QStringLiteral("create-orphan"),
        {{Operation::Update, [this](const Request &r) { return create(r, CreateMode::Orphan); }}},
        QStringLiteral("Create a token without a parent (no sudo needed). Fields as for auth/token/create."));
    add(QStringLiteral("create/([^/]+)"),
        {{Operation::Update, [this](const Request &r) { return create(r, CreateMode::Role); }}},
        QStringLiteral("Create a token against the named token role: the role's allowed_policies replace the "
                       "caller's policies as the limit, and its orphan, renewable, token_ttl, token_max_ttl, "
                       "token_explicit_max_ttl, token_num_uses and token_period apply."));
    add(QStringLiteral("lookup"), {{Operation::Update, bind(&TokenBackend::lookup)}},
        QStringLiteral("Look up the token given as \"token\" (the calling token when empty)."));
    specs.back().changesNothing = true;
    add(QStringLiteral("lookup-self"),
        {{Operation::Read, bind(&TokenBackend::lookupSelf)}, {Operation::Update, bind(&TokenBackend::lookupSelf)}},
        QStringLiteral("Look up the calling token."));
    specs.back().changesNothing = true;
    add(QStringLiteral("lookup-accessor"), {{Operation::Update, bind(&TokenBackend::lookupAccessor)}},
        QStringLiteral("Look up the token with the given \"accessor\"; the answer never holds the token id."));
    specs.back().changesNothing = true;
    add(QStringLiteral("renew"), {{Operation::Update, bind(&TokenBackend::renew)}},
        QStringLiteral("Renew the token given as \"token\" by \"increment\" (default: its original TTL), never past "
                       "its explicit max TTL nor the max TTL counted from its creation."));
    add(QStringLiteral("renew-self"), {{Operation::Update, bind(&TokenBackend::renewSelf)}},
        QStringLiteral("Renew the calling token by \"increment\"."));
    add(QStringLiteral("renew-accessor"), {{Operation::Update, bind(&TokenBackend::renewAccessor)}},
        QStringLiteral("Renew the token with the given \"accessor\" by \"increment\"."));
    add(QStringLiteral("revoke"), {{Operation::Update, bind(&TokenBackend::revoke)}},
        QStringLiteral("Revoke the token given as \"token\" and all its descendants."));
    add(QStringLiteral("revoke-self"), {{Operation::Update, bind(&TokenBackend::revokeSelf)}},
        QStringLiteral("Revoke the calling token and all its descendants."));
    add(QStringLiteral("revoke-accessor"), {{Operation::Update, bind(&TokenBackend::revokeAccessor)}},
        QStringLiteral("Revoke the token with the given \"accessor\" and all its descendants."));
    add(QStringLiteral("revoke-orphan"), {{Operation::Update, bind(&TokenBackend::revokeOrphan)}},
        QStringLiteral("Revoke the token given as \"token\"; its children become orphans. Needs sudo."), true);
    add(QStringLiteral("accessors/?"), {{Operation::List, bind(&TokenBackend::accessors)}},
        QStringLiteral("LIST the accessors of all tokens. Needs sudo."), true);
    add(QStringLiteral("roles/?"), {{Operation::List, bind(&TokenBackend::listRoles)}},
        QStringLiteral("LIST the token roles."));
    add(QStringLiteral("roles/([^/]+)"),
        {{Operation::Read, bind(&TokenBackend::readRole)},
         {Operation::Update, bind(&TokenBackend::writeRole)},
         {Operation::Delete, bind(&TokenBackend::deleteRole)}},
        QStringLiteral("Read, create or update (fields not given keep their value), or delete a token role: "
                       "allowed_policies, disallowed_policies, orphan, renewable, path_suffix, token_ttl, "
                       "token_max_ttl, token_explicit_max_ttl, token_num_uses, token_period, "
                       "token_no_default_policy."));
    add(QStringLiteral("tidy"), {{Operation::Update, bind(&TokenBackend::tidy)}},
        QStringLiteral("Remove expired tokens (with their descendants) and index entries that point at missing "
                       "tokens. Needs sudo. Answers what was removed."),
        true);
    return specs;
}

qint64 TokenBackend::setting(const QString &name) const
{
    return parseDurationSeconds(m_engine->config().value(name)).value_or(0);
}

QFuture<Result<bool>> TokenBackend::callerHasSudo(const Request &request)
{
    if (!request.auth)
        return QtFuture::makeReadyFuture(Result<bool>(false));
    if (request.auth->isRoot())
        return QtFuture::makeReadyFuture(Result<bool>(true));
    return chain(m_engine->policies().aclFor(request.auth->policies),
                 [path = request.path](Result<std::shared_ptr<const Acl>> acl) {
                     if (!acl)
                         return Result<bool>(acl.status());
                     return Result<bool>(acl.value()->allows(Operation::Update, path, true));
                 });
}

QFuture<Response> TokenBackend::create(const Request &request, CreateMode mode)
{
    if (!request.auth)
        return fail(403, QStringLiteral("permission denied"));
    QFuture<Result<std::optional<TokenRole>>> role;
    if (mode == CreateMode::Role) {
        const QString name = request.captures.value(0).toLower();
        if (!validRoleName(name))
            return fail(400, QStringLiteral("unknown role \"%1\"").arg(name.left(128)));
        role = m_engine->tokens().role(name).then([name](Result<std::optional<TokenRole>> found) {
            if (found && !found.value())
                return Result<std::optional<TokenRole>>::fail(QStringLiteral("unknown role \"%1\"").arg(name), 400);
            return found;
        });
    } else {
        role = QtFuture::makeReadyFuture(Result<std::optional<TokenRole>>(std::optional<TokenRole>()));
    }
    return chain(role, [this, request, mode](Result<std::optional<TokenRole>> found) -> QFuture<Response> {
        if (!found)
            return ready(failure(found.status()));
        return chain(callerHasSudo(request),
                     [this, request, mode, role = found.value()](Result<bool> sudo) -> QFuture<Response> {
                         if (!sudo)
                             return ready(failure(sudo.status()));
                         return createWith(request, mode, role, sudo.value());
                     });
    });
}

QFuture<Response> TokenBackend::createWith(const Request &request, CreateMode mode,
                                           const std::optional<TokenRole> &role, bool sudo)
{
    const TokenEntry &parent = *request.auth;
    const bool rootParent = parent.isRoot();
    const bool privileged = rootParent || sudo;
    Fields f(request.data);
    QStringList warnings;

    const QString chosenId = f.string(QStringLiteral("id"));
    const QStringList requested = f.policies(QStringLiteral("policies"));
    const QMap<QString, QString> meta = f.meta(QStringLiteral("meta"));
    const bool noParent = f.boolean(QStringLiteral("no_parent"), false);
    const bool noDefault = f.boolean(QStringLiteral("no_default_policy"), false) || (role && role->noDefaultPolicy);
    const bool renewableAsked = f.boolean(QStringLiteral("renewable"), true);
    qint64 ttl = f.duration(QStringLiteral("ttl"));
    if (ttl == 0)
        ttl = f.duration(QStringLiteral("lease")); // Vault's older name
    qint64 explicitMax = f.duration(QStringLiteral("explicit_max_ttl"));
    const qint64 periodAsked = f.duration(QStringLiteral("period"));
    int numUses = f.count(QStringLiteral("num_uses"));
    const QString display = f.string(QStringLiteral("display_name"));
    f.tokenType(QStringLiteral("type"));
    if (!f.string(QStringLiteral("entity_alias")).isEmpty())
        f.errors.append(QStringLiteral("entity_alias is not supported"));
    if (!f.errors.isEmpty())
        return ready(Response::error(400, f.errors));

    QStringList errors;
    if (!chosenId.isEmpty() && !rootParent)
        errors.append(QStringLiteral("root privileges required to specify token id"));
    else if (!chosenId.isEmpty() && !validChosenId(chosenId))
        errors.append(QStringLiteral("id must be 1 to 256 printable ASCII characters without spaces"));
    if (noParent && !privileged)
        errors.append(QStringLiteral("root or sudo privileges required to create orphan token"));
    if (periodAsked > 0 && !privileged && !(role && role->tokenPeriod > 0))
        errors.append(QStringLiteral("root or sudo privileges required to create periodic token"));
    if (parent.numUses != 0)
        errors.append(QStringLiteral("tokens with a limited number of uses cannot create tokens"));

    // Policies: the caller's when none are asked for (the role's allowed ones with a role that has them).
    const bool roleLimits = role && !role->allowedPolicies.isEmpty();
    QStringList policies = !requested.isEmpty() ? requested : roleLimits ? role->allowedPolicies : parent.policies;
    if (policies.contains(kRoot)) {
        if (!rootParent)
            errors.append(QStringLiteral("root tokens may only be created by a root token"));
        policies = {kRoot};
    } else {
        const bool defaultRefused = role && role->disallowedPolicies.contains(kDefault);
        if (noDefault || defaultRefused)
            policies.removeAll(kDefault);
        else if (!policies.contains(kDefault))
            policies.append(kDefault);
    }
    policies.sort();
    if (role) {
        for (const QString &p : std::as_const(policies))
            if (role->disallowedPolicies.contains(p))
                errors.append(QStringLiteral("token policy \"%1\" is disallowed by role \"%2\"").arg(p, role->name));
    }
    if (roleLimits) {
        for (const QString &p : std::as_const(policies))
            if (p != kDefault && !role->allowedPolicies.contains(p))
                errors.append(QStringLiteral("token policy \"%1\" is not among the allowed_policies of role \"%2\"")
                                  .arg(p, role->name));
    } else if (!privileged) {
        for (const QString &p : std::as_const(policies))
            if (p != kDefault && !parent.policies.contains(p))
                errors.append(QStringLiteral("child policies must be a subset of the parent's policies: \"%1\" is "
                                             "not among them")
                                  .arg(p));
    }
    if (!errors.isEmpty())
        return ready(Response::error(400, errors));

    TokenEntry entry;
    entry.policies = policies;
    entry.meta = meta;
    entry.displayName = displayName(display);
    entry.orphan = mode == CreateMode::Orphan || noParent || (role && role->orphan);
    entry.parentHmac = entry.orphan ? QString() : parent.idHmac;
    entry.renewable = renewableAsked && !(role && !role->renewable);
    entry.path = QStringLiteral("auth/token/create");
    if (mode == CreateMode::Orphan)
        entry.path = QStringLiteral("auth/token/create-orphan");
    if (role) {
        entry.role = role->name;
        entry.path = QStringLiteral("auth/token/create/") + role->name;
        if (!role->pathSuffix.isEmpty())
            entry.path += QLatin1Char('/') + role->pathSuffix;
        if (role->tokenNumUses > 0 && (numUses == 0 || numUses > role->tokenNumUses))
            numUses = role->tokenNumUses;
        if (role->tokenExplicitMaxTtl > 0)
            explicitMax =
                explicitMax > 0 ? std::min(explicitMax, role->tokenExplicitMaxTtl) : role->tokenExplicitMaxTtl;
    }
    entry.numUses = numUses;
    entry.explicitMaxTtl = explicitMax;
    entry.period = role && role->tokenPeriod > 0 ? role->tokenPeriod : periodAsked;

    // TTL: asked for, or the role's, or the default (root tokens: none); capped by the max TTL (the role's when
    // lower) unless periodic, and by the explicit max TTL.
    const qint64 systemMax = setting(QStringLiteral("token.max_ttl"));
    qint64 maxTtl = systemMax;
    if (role && role->tokenMaxTtl > 0)
        maxTtl = maxTtl > 0 ? std::min(maxTtl, role->tokenMaxTtl) : role->tokenMaxTtl;
    const bool rootToken = policies.contains(kRoot);
    if (ttl == 0 && role && role->tokenTtl > 0)
        ttl = role->tokenTtl;
    if (ttl == 0 && !rootToken)
        ttl = setting(QStringLiteral("token.default_ttl"));
    if (entry.period > 0) {
        ttl = entry.period;
    } else if (maxTtl > 0 && (ttl > maxTtl || (ttl == 0 && !rootToken))) {
        if (ttl > maxTtl)
            warnings.append(QStringLiteral("TTL of \"%1\" exceeded the effective max_ttl of \"%2\"; TTL value is "
                                           "capped accordingly")
                                .arg(formatDuration(ttl), formatDuration(maxTtl)));
        ttl = maxTtl;
    }
    if (explicitMax > 0 && (ttl == 0 || ttl > explicitMax)) {
        if (ttl > explicitMax)
            warnings.append(QStringLiteral("TTL of \"%1\" exceeded the explicit max TTL of \"%2\"; TTL value is "
                                           "capped accordingly")
                                .arg(formatDuration(ttl), formatDuration(explicitMax)));
        ttl = explicitMax;
    }
    entry.ttl = ttl;

    return chain(m_engine->tokens().create(std::move(entry), chosenId),
                 [warnings](Result<TokenStore::Created> created) {
                     if (!created)
                         return failure(created.status());
                     // Counted from the creation, not from now: the durable write may have crossed a second boundary.
                     const TokenEntry &entry = *created.value().entry;
                     return authAnswer(authData(entry, created.value().id, entry.creationTime), warnings);
                 });
}

QFuture<Response> TokenBackend::lookup(const Request &request)
{
    Fields f(request.data);
    QString id = f.string(QStringLiteral("token"), 1024);
    if (!f.errors.isEmpty())
        return ready(Response::error(400, f.errors));
    if (id.isEmpty())
        id = QString::fromUtf8(request.token);
    if (id == QString::fromUtf8(request.token) && request.auth)
        return lookupSelf(request);
    return m_engine->tokens().lookup(id.toUtf8()).then([id](Result<TokenStore::EntryPtr> entry) {
        if (!entry)
            return entry.httpStatus() == 403 ? Response::error(403, QStringLiteral("bad token"))
                                             : failure(entry.status());
        return Response::ok(vaultData(lookupData(*entry.value(), id, QDateTime::currentSecsSinceEpoch())));
    });
}

QFuture<Response> TokenBackend::lookupSelf(const Request &request)
{
    if (!request.auth)
        return fail(403, QStringLiteral("permission denied"));
    return ready(Response::ok(
        vaultData(lookupData(*request.auth, QString::fromUtf8(request.token), QDateTime::currentSecsSinceEpoch()))));
}

QFuture<Response> TokenBackend::lookupAccessor(const Request &request)
{
    Fields f(request.data);
    const QString accessor = f.string(QStringLiteral("accessor"));
    if (!f.errors.isEmpty())
        return ready(Response::error(400, f.errors));
    if (accessor.isEmpty())
        return fail(400, QStringLiteral("missing accessor"));
    return m_engine->tokens().lookupByAccessor(accessor).then([](Result<TokenStore::EntryPtr> entry) {
        if (!entry)
            return failure(entry.status());
        return Response::ok(vaultData(lookupData(*entry.value(), QString(), QDateTime::currentSecsSinceEpoch())));
    });
}

QFuture<Response> TokenBackend::renew(const Request &request)
{
    Fields f(request.data);
    const QString id = f.string(QStringLiteral("token"), 1024);
    if (!f.errors.isEmpty())
        return ready(Response::error(400, f.errors));
    if (id.isEmpty())
        return fail(400, QStringLiteral("missing token"));
    if (id == QString::fromUtf8(request.token))
        return renewSelf(request);
    const QJsonObject data = request.data;
    return m_engine->tokens()
        .lookup(id.toUtf8())
        .then([this, id, data](Result<TokenStore::EntryPtr> entry) -> QFuture<Response> {
            if (!entry)
                return entry.httpStatus() == 403 ? fail(400, QStringLiteral("invalid token"))
                                                 : ready(failure(entry.status()));
            return renewEntry(entry.value(), id, data);
        })
        .unwrap();
}

QFuture<Response> TokenBackend::renewSelf(const Request &request)
{
    if (!request.auth)
        return fail(403, QStringLiteral("permission denied"));
    return renewEntry(request.auth, QString::fromUtf8(request.token), request.data);
}

QFuture<Response> TokenBackend::renewAccessor(const Request &request)
{
    Fields f(request.data);
    const QString accessor = f.string(QStringLiteral("accessor"));
    if (!f.errors.isEmpty())
        return ready(Response::error(400, f.errors));
    if (accessor.isEmpty())
        return fail(400, QStringLiteral("missing accessor"));
    const QJsonObject data = request.data;
    return m_engine->tokens()
        .lookupByAccessor(accessor)
        .then([this, data](Result<TokenStore::EntryPtr> entry) -> QFuture<Response> {
            if (!entry)
                return ready(failure(entry.status()));
            return renewEntry(entry.value(), QString(), data);
        })
        .unwrap();
}

QFuture<Response> TokenBackend::renewEntry(std::shared_ptr<const TokenEntry> entry, const QString &id,
                                           const QJsonObject &data)
{
    Fields f(data);
    const qint64 increment = f.duration(QStringLiteral("increment"));
    if (!f.errors.isEmpty())
        return ready(Response::error(400, f.errors));
    if (!entry->renewable)
        return fail(400, QStringLiteral("lease is not renewable"));

    QFuture<Result<std::optional<TokenRole>>> role =
        entry->role.isEmpty() ? QtFuture::makeReadyFuture(Result<std::optional<TokenRole>>(std::optional<TokenRole>()))
                              : m_engine->tokens().role(entry->role);
    const qint64 systemMax = setting(QStringLiteral("token.max_ttl"));
    return role
        .then([this, entry, id, increment, systemMax](Result<std::optional<TokenRole>> found) -> QFuture<Response> {
            if (!found)
                return ready(failure(found.status()));
            if (!entry->role.isEmpty() && !found.value())
                return fail(
                    400, QStringLiteral("original token role \"%1\" no longer exists; not renewing").arg(entry->role));
            qint64 maxTtl = systemMax;
            if (found.value() && found.value()->tokenMaxTtl > 0)
                maxTtl = maxTtl > 0 ? std::min(maxTtl, found.value()->tokenMaxTtl) : found.value()->tokenMaxTtl;
            auto warnings = std::make_shared<QStringList>();
            const auto change = [increment, maxTtl, warnings](TokenEntry e) -> Result<TokenEntry> {
                if (!e.renewable)
                    return Result<TokenEntry>::fail(QStringLiteral("lease is not renewable"), 400);
                const qint64 now = QDateTime::currentSecsSinceEpoch();
                if (e.ttl == 0 && e.period == 0)
                    return e; // never expires: nothing to extend
                qint64 wanted = e.period > 0 ? e.period : increment > 0 ? increment : e.ttl;
                qint64 expire = now + wanted;
                // Never past the max TTL counted from creation (periodic tokens have none), nor the explicit max.
                if (e.period == 0 && maxTtl > 0 && expire > e.creationTime + maxTtl) {
                    expire = e.creationTime + maxTtl;
                    warnings->append(
                        QStringLiteral("TTL of \"%1\" exceeded the effective max_ttl of \"%2\"; TTL "
                                       "value is capped accordingly")
                            .arg(formatDuration(wanted), formatDuration(std::max<qint64>(0, expire - now))));
                }
                if (e.explicitMaxTtl > 0 && expire > e.creationTime + e.explicitMaxTtl) {
                    expire = e.creationTime + e.explicitMaxTtl;
                    warnings->append(
                        QStringLiteral("TTL of \"%1\" exceeded the explicit max TTL; TTL value is "
                                       "capped to \"%2\"")
                            .arg(formatDuration(wanted), formatDuration(std::max<qint64>(0, expire - now))));
                }
                e.expireTime = expire;
                e.lastRenewalTime = now;
                return e;
            };
            return m_engine->tokens()
                .update(entry->idHmac, change)
                .then([id, warnings](Result<TokenStore::EntryPtr> renewed) {
                    if (!renewed)
                        return renewed.httpStatus() == 403 ? Response::error(400, QStringLiteral("invalid token"))
                                                           : failure(renewed.status());
                    const TokenEntry &entry = *renewed.value();
                    const qint64 renewedAt =
                        entry.lastRenewalTime != 0 ? entry.lastRenewalTime : QDateTime::currentSecsSinceEpoch();
                    return authAnswer(authData(entry, id, renewedAt), *warnings);
                });
        })
        .unwrap();
}

QFuture<Response> TokenBackend::revoke(const Request &request)
{
    Fields f(request.data);
    const QString id = f.string(QStringLiteral("token"), 1024);
    if (!f.errors.isEmpty())
        return ready(Response::error(400, f.errors));
    if (id.isEmpty())
        return fail(400, QStringLiteral("missing token"));
    return m_engine->tokens()
        .lookup(id.toUtf8())
        .then([this](Result<TokenStore::EntryPtr> entry) -> QFuture<Response> {
            // An unknown, expired or already revoked token: nothing to do (expired ones are left to tidy).
            if (!entry)
                return entry.httpStatus() == 403 ? ready(Response::noContent()) : ready(failure(entry.status()));
            return noContentOr(m_engine->tokens().revoke(entry.value()->idHmac));
        })
        .unwrap();
}

QFuture<Response> TokenBackend::revokeSelf(const Request &request)
{
    if (!request.auth)
        return fail(403, QStringLiteral("permission denied"));
    return noContentOr(m_engine->tokens().revoke(request.auth->idHmac));
}

QFuture<Response> TokenBackend::revokeAccessor(const Request &request)
{
    Fields f(request.data);
    const QString accessor = f.string(QStringLiteral("accessor"));
    if (!f.errors.isEmpty())
        return ready(Response::error(400, f.errors));
    if (accessor.isEmpty())
        return fail(400, QStringLiteral("missing accessor"));
    return m_engine->tokens()
        .lookupByAccessor(accessor)
        .then([this](Result<TokenStore::EntryPtr> entry) -> QFuture<Response> {
            if (!entry)
                return ready(failure(entry.status()));
            return noContentOr(m_engine->tokens().revoke(entry.value()->idHmac));
        })
        .unwrap();
}

QFuture<Response> TokenBackend::revokeOrphan(const Request &request)
{
    Fields f(request.data);
    const QString id = f.string(QStringLiteral("token"), 1024);
    if (!f.errors.isEmpty())
        return ready(Response::error(400, f.errors));
    if (id.isEmpty())
        return fail(400, QStringLiteral("missing token"));
    return m_engine->tokens()
        .lookup(id.toUtf8())
        .then([this](Result<TokenStore::EntryPtr> entry) -> QFuture<Response> {
            if (!entry)
                return entry.httpStatus() == 403 ? ready(Response::noContent()) : ready(failure(entry.status()));
            return noContentOr(m_engine->tokens().revokeOrphan(entry.value()->idHmac));
        })
        .unwrap();
}

QFuture<Response> TokenBackend::accessors(const Request &)
{
    return m_engine->tokens().accessors().then([](Result<QStringList> keys) {
        if (!keys)
            return failure(keys.status());
        return Response::ok(vaultData({{QStringLiteral("keys"), QJsonArray::fromStringList(keys.value())}}));
    });
}

QFuture<Response> TokenBackend::listRoles(const Request &)
{
    return m_engine->tokens().roleNames().then([](Result<QStringList> names) {
        if (!names)
            return failure(names.status());
        if (names.value().isEmpty())
            return Response::error(404, QStringLiteral("no token roles"));
        return Response::ok(vaultData({{QStringLiteral("keys"), QJsonArray::fromStringList(names.value())}}));
    });
}

QFuture<Response> TokenBackend::readRole(const Request &request)
{
    const QString name = request.captures.value(0).toLower();
    if (!validRoleName(name))
        return fail(404, QStringLiteral("no token role \"%1\"").arg(name.left(128)));
    return m_engine->tokens().role(name).then([name](Result<std::optional<TokenRole>> role) {
        if (!role)
            return failure(role.status());
        if (!role.value())
            return Response::error(404, QStringLiteral("no token role \"%1\"").arg(name));
        return Response::ok(vaultData(role.value()->toApiJson()));
    });
}

QFuture<Response> TokenBackend::writeRole(const Request &request)
{
    const QString name = request.captures.value(0).toLower();
    if (!validRoleName(name))
        return fail(400, QStringLiteral("invalid role name \"%1\": use 1 to 128 of a-z, 0-9, '_', '.' and '-', "
                                        "starting with a letter, a digit or '_'")
                             .arg(name.left(128)));
    const QJsonObject data = request.data;
    return m_engine->tokens()
        .role(name)
        .then([this, name, data](Result<std::optional<TokenRole>> existing) -> QFuture<Response> {
            if (!existing)
                return ready(failure(existing.status()));
            TokenRole role = existing.value().value_or(TokenRole());
            role.name = name;
            Fields f(data);
            if (f.has(QStringLiteral("allowed_policies")))
                role.allowedPolicies = f.policies(QStringLiteral("allowed_policies"));
            if (f.has(QStringLiteral("disallowed_policies")))
                role.disallowedPolicies = f.policies(QStringLiteral("disallowed_policies"));
            role.orphan = f.boolean(QStringLiteral("orphan"), role.orphan);
            role.renewable = f.boolean(QStringLiteral("renewable"), role.renewable);
            role.noDefaultPolicy = f.boolean(QStringLiteral("token_no_default_policy"), role.noDefaultPolicy);
            if (f.has(QStringLiteral("path_suffix"))) {
                role.pathSuffix = f.string(QStringLiteral("path_suffix"), 128);
                if (role.pathSuffix.contains(QLatin1String("..")))
                    f.errors.append(QStringLiteral("path_suffix cannot contain \"..\""));
            }
            role.tokenTtl = f.duration(QStringLiteral("token_ttl"), role.tokenTtl);
            role.tokenMaxTtl = f.duration(QStringLiteral("token_max_ttl"), role.tokenMaxTtl);
            role.tokenExplicitMaxTtl = f.duration(QStringLiteral("explicit_max_ttl"), role.tokenExplicitMaxTtl);
            role.tokenExplicitMaxTtl = f.duration(QStringLiteral("token_explicit_max_ttl"), role.tokenExplicitMaxTtl);
            role.tokenPeriod = f.duration(QStringLiteral("period"), role.tokenPeriod);
            role.tokenPeriod = f.duration(QStringLiteral("token_period"), role.tokenPeriod);
            role.tokenNumUses = f.count(QStringLiteral("token_num_uses"), role.tokenNumUses);
            f.tokenType(QStringLiteral("token_type"));
            f.unsupportedList(QStringLiteral("allowed_entity_aliases"));
            f.unsupportedList(QStringLiteral("token_bound_cidrs"));
            f.unsupportedList(QStringLiteral("allowed_policies_glob"));
            f.unsupportedList(QStringLiteral("disallowed_policies_glob"));
            if (role.tokenMaxTtl > 0 && role.tokenTtl > role.tokenMaxTtl)
                f.errors.append(QStringLiteral("token_ttl cannot be greater than token_max_ttl"));
            if (role.allowedPolicies.contains(kRoot))
                f.errors.append(QStringLiteral("allowed_policies cannot contain \"root\""));
            if (!f.errors.isEmpty())
                return ready(Response::error(400, f.errors));
            return noContentOr(m_engine->tokens().putRole(role));
        })
        .unwrap();
}

QFuture<Response> TokenBackend::deleteRole(const Request &request)
{
    const QString name = request.captures.value(0).toLower();
    if (!validRoleName(name))
        return ready(Response::noContent());
    return noContentOr(m_engine->tokens().removeRole(name));
}

QFuture<Response> TokenBackend::tidy(const Request &)
{
    return m_engine->tokens().tidy().then([](Result<TokenStore::TidyReport> report) {
        if (!report)
            return failure(report.status());
        const TokenStore::TidyReport &r = report.value();
        return Response::ok(vaultData({{QStringLiteral("expired_tokens"), r.expired},
                                       {QStringLiteral("invalid_parent_tokens"), r.invalidParents},
                                       {QStringLiteral("dangling_accessors"), r.danglingAccessors},
                                       {QStringLiteral("dangling_child_links"), r.danglingChildLinks}}));
    });
}

} // namespace gk
