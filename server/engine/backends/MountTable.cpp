#include "engine/backends/MountTable.h"

#include "Duration.h"
#include "engine/Engine.h"
#include "engine/backends/AppRoleBackend.h"
#include "engine/backends/IdentityStore.h"
#include "engine/backends/KvBackend.h"
#include "engine/backends/PolicyGateBackend.h"
#include "engine/backends/UserpassBackend.h"
#include "engine/crypto/Crypto.h"
#include "engine/policy/VaultData.h"
#include "engine/storage/Storage.h"
#include "engine/token/TokenStore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMutexLocker>
#include <QRegularExpression>

#include <algorithm>

namespace gk {

Q_LOGGING_CATEGORY(lcMounts, "gatekeeper.mounts")

namespace {

const QString kTableName = QStringLiteral("table");
// Vault's system default and maximum lease: 768h.
constexpr qint64 kSystemDefaultTtl = 2764800;
constexpr qint64 kSystemMaxTtl = 2764800;
constexpr int kDeleteBatch = 500;

template <typename T> QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

QString kindName(MountKind kind)
{
    return kind == MountKind::Auth ? QStringLiteral("auth method") : QStringLiteral("secrets engine");
}

template <typename B> Result<std::shared_ptr<Backend>> make(const MountContext &context)
{
    return std::shared_ptr<Backend>(std::make_shared<B>(context));
}

QList<MountEntry> defaultEntries(MountKind kind)
{
    const auto builtin = [](QString path, QString type, QString description) {
        MountEntry e;
        e.path = std::move(path);
        e.type = std::move(type);
        e.description = std::move(description);
        e.builtin = true;
        return e;
    };
    if (kind == MountKind::Auth)
        return {builtin(QStringLiteral("token/"), QStringLiteral("token"), QStringLiteral("token based credentials"))};
    MountEntry secret;
    secret.path = QStringLiteral("secret/");
    secret.type = QStringLiteral("kv");
    secret.description = QStringLiteral("key/value secret storage");
    secret.options = {{QStringLiteral("version"), QStringLiteral("1")}};
    return {builtin(QStringLiteral("sys/"), QStringLiteral("system"),
                    QStringLiteral("system endpoints used for control, policy and debugging")),
            builtin(QStringLiteral("identity/"), QStringLiteral("identity"), QStringLiteral("identity store")), secret};
}

QString newAccessor(MountKind kind, const QString &type)
{
    const QString hex = QString::fromLatin1(crypto::randomBytesRaw(4).toHex());
    return (kind == MountKind::Auth ? QStringLiteral("auth_") : QString()) + type + QLatin1Char('_') + hex;
}

void fillIdentifiers(MountKind kind, MountEntry &entry)
{
    if (entry.uuid.isEmpty())
        entry.uuid = crypto::randomUuid();
    if (entry.accessor.isEmpty())
        entry.accessor = newAccessor(kind, entry.type);
}

// Validates and normalises a mount's "config": durations become seconds, lists become arrays. Unknown keys are a
// 400, so that a setting Gatekeeper does not know is never silently dropped.
Result<QJsonObject> normalizeConfig(MountKind kind, const QString &type, const QJsonValue &value)
{
    using R = Result<QJsonObject>;
    if (value.isUndefined() || value.isNull())
        return QJsonObject();
    if (!value.isObject())
        return R::fail(QStringLiteral("config must be an object"), 400);
    const QJsonObject in = value.toObject();
    QJsonObject out;
    for (auto it = in.begin(); it != in.end(); ++it) {
        const QString &key = it.key();
        if (key == QLatin1String("default_lease_ttl") || key == QLatin1String("max_lease_ttl")) {
            const auto seconds = fields::duration(in, key);
            if (!seconds)
                return R::fail(seconds.error(), 400);
            if (*seconds.value() > kSystemMaxTtl)
                return R::fail(QStringLiteral("%1 must not exceed the system maximum of 768h").arg(key), 400);
            out.insert(key, *seconds.value());
        } else if (key == QLatin1String("force_no_cache")) {
            const auto flag = fields::boolean(in, key);
            if (!flag)
                return R::fail(flag.error(), 400);
            out.insert(key, flag.value().value_or(false));
        } else if (key == QLatin1String("listing_visibility")) {
            const QString v = it.value().toString();
            if (!it.value().isString() ||
                (!v.isEmpty() && v != QLatin1String("hidden") && v != QLatin1String("unauth")))
                return R::fail(QStringLiteral("listing_visibility must be \"\", \"hidden\" or \"unauth\""), 400);
            out.insert(key, v);
        } else if (key == QLatin1String("token_type")) {
            const QString v = it.value().toString();
            if (kind != MountKind::Auth ||
                (v != QLatin1String("default-service") && v != QLatin1String("service") && !v.isEmpty()))
                return R::fail(QStringLiteral("token_type must be \"default-service\" or \"service\""), 400);
            if (!v.isEmpty())
                out.insert(key, v);
        } else if (key == QLatin1String("audit_non_hmac_request_keys") ||
                   key == QLatin1String("audit_non_hmac_response_keys") ||
                   key == QLatin1String("passthrough_request_headers") ||
                   key == QLatin1String("allowed_response_headers")) {
            const auto list = fields::stringList(in, key);
            if (!list)
                return R::fail(list.error(), 400);
            if (list.value() && !list.value()->isEmpty())
                out.insert(key, QJsonArray::fromStringList(*list.value()));
        } else if (key == QLatin1String("user_lockout_config")) {
            if (type != QLatin1String("userpass"))
                return R::fail(QStringLiteral("user_lockout_config is not supported by \"%1\" mounts").arg(type), 400);
            if (!it.value().isObject())
                return R::fail(QStringLiteral("user_lockout_config must be an object"), 400);
            const QJsonObject lockIn = it.value().toObject();
            QJsonObject lock;
            for (auto l = lockIn.begin(); l != lockIn.end(); ++l) {
                if (l.key() == QLatin1String("lockout_threshold")) {
                    const auto n = fields::integer(lockIn, l.key());
                    if (!n || !n.value() || *n.value() < 1 || *n.value() > 10000)
                        return R::fail(QStringLiteral("lockout_threshold must be an integer from 1 to 10000"), 400);
                    lock.insert(l.key(), *n.value());
                } else if (l.key() == QLatin1String("lockout_duration") ||
                           l.key() == QLatin1String("lockout_counter_reset")) {
                    const auto d = fields::duration(lockIn, l.key());
                    if (!d || !d.value() || *d.value() < 1)
                        return R::fail(QStringLiteral("%1 must be a duration of at least 1s").arg(l.key()), 400);
                    lock.insert(l.key(), *d.value());
                } else if (l.key() == QLatin1String("lockout_disable")) {
                    const auto b = fields::boolean(lockIn, l.key());
                    if (!b)
                        return R::fail(b.error(), 400);
                    lock.insert(l.key(), b.value().value_or(false));
                } else {
                    return R::fail(QStringLiteral("unknown user_lockout_config key \"%1\"").arg(l.key()), 400);
                }
            }
            out.insert(key, lock);
        } else {
            return R::fail(QStringLiteral("unknown config key \"%1\"").arg(key), 400);
        }
    }
    const qint64 def = out.value(QStringLiteral("default_lease_ttl")).toInteger();
    const qint64 max = out.value(QStringLiteral("max_lease_ttl")).toInteger();
    if (def > 0 && max > 0 && def > max)
        return R::fail(QStringLiteral("default_lease_ttl must not be greater than max_lease_ttl"), 400);
    return out;
}

Result<QJsonObject> normalizeOptions(const QString &type, const QJsonValue &value)
{
    using R = Result<QJsonObject>;
    QJsonObject out;
    if (!value.isUndefined() && !value.isNull()) {
        if (!value.isObject())
            return R::fail(QStringLiteral("options must be an object"), 400);
        const QJsonObject in = value.toObject();
        for (auto it = in.begin(); it != in.end(); ++it) {
            if (!it.value().isString())
                return R::fail(QStringLiteral("option \"%1\" must be a string").arg(it.key()), 400);
            out.insert(it.key(), it.value());
        }
    }
    if (type == QLatin1String("kv")) {
        const QString version = out.value(QStringLiteral("version")).toString();
        if (!version.isEmpty() && version != QLatin1String("1"))
            return R::fail(QStringLiteral("kv version %1 is not supported: only version 1").arg(version), 400);
        out.insert(QStringLiteral("version"), QStringLiteral("1"));
    }
    return out;
}

// Every key below prefix, recursively.
QFuture<Result<QStringList>> collectKeys(Storage *storage, const QString &prefix)
{
    using R = Result<QStringList>;
    return storage->list(prefix)
        .then([storage, prefix](R names) -> QFuture<R> {
            if (!names)
                return ready(names);
            QStringList keys;
            QStringList folders;
            for (const QString &name : names.value())
                (name.endsWith(QLatin1Char('/')) ? folders : keys).append(prefix + name);
            QFuture<R> all = ready(R(keys));
            for (const QString &folder : std::as_const(folders)) {
                all = all.then([storage, folder](R sofar) -> QFuture<R> {
                             if (!sofar)
                                 return ready(sofar);
                             return collectKeys(storage, folder).then([sofar](R more) -> R {
                                 if (!more)
                                     return more;
                                 return sofar.value() + more.value();
                             });
                         })
                          .unwrap();
            }
            return all;
        })
        .unwrap();
}

} // namespace

// ---- fields --------------------------------------------------------------------------------------------------

namespace fields {

Result<std::optional<QStringList>> stringList(const QJsonObject &data, const QString &name)
{
    using R = Result<std::optional<QStringList>>;
    const QJsonValue v = data.value(name);
    if (v.isUndefined() || v.isNull())
        return R(std::optional<QStringList>());
    QStringList raw;
    if (v.isString()) {
        raw = v.toString().split(QLatin1Char(','));
    } else if (v.isArray()) {
        for (const QJsonValue &item : v.toArray()) {
            if (!item.isString())
                return R::fail(QStringLiteral("%1 must be a list of strings").arg(name), 400);
            raw.append(item.toString());
        }
    } else {
        return R::fail(QStringLiteral("%1 must be a list of strings or a comma-separated string").arg(name), 400);
    }
    QStringList out;
    for (const QString &item : std::as_const(raw)) {
        const QString t = item.trimmed();
        if (!t.isEmpty())
            out.append(t);
    }
    return R(std::optional<QStringList>(out));
}

Result<std::optional<qint64>> duration(const QJsonObject &data, const QString &name)
{
    using R = Result<std::optional<qint64>>;
    const QJsonValue v = data.value(name);
    if (v.isUndefined() || v.isNull())
        return R(std::optional<qint64>());
    const auto seconds = parseDurationSeconds(v);
    if (!seconds)
        return R::fail(QStringLiteral("%1 must be a duration such as 3600, \"90s\", \"30m\" or \"1h\"").arg(name), 400);
    return R(std::optional<qint64>(*seconds));
}

Result<std::optional<qint64>> integer(const QJsonObject &data, const QString &name)
{
    using R = Result<std::optional<qint64>>;
    const QJsonValue v = data.value(name);
    if (v.isUndefined() || v.isNull())
        return R(std::optional<qint64>());
    bool ok = false;
    qint64 n = 0;
    if (v.isDouble()) {
        const double d = v.toDouble();
        ok = d >= 0 && d <= 1e15 && d == static_cast<double>(static_cast<qint64>(d));
        n = static_cast<qint64>(d);
    } else if (v.isString()) {
        n = v.toString().trimmed().toLongLong(&ok);
        ok = ok && n >= 0;
    }
    if (!ok)
        return R::fail(QStringLiteral("%1 must be a non-negative integer").arg(name), 400);
    return R(std::optional<qint64>(n));
}

Result<std::optional<bool>> boolean(const QJsonObject &data, const QString &name)
{
    using R = Result<std::optional<bool>>;
    const QJsonValue v = data.value(name);
    if (v.isUndefined() || v.isNull())
        return R(std::optional<bool>());
    if (v.isBool())
        return R(std::optional<bool>(v.toBool()));
    if (v.isString()) {
        const QString s = v.toString().trimmed().toLower();
        if (s == QLatin1String("true") || s == QLatin1String("1"))
            return R(std::optional<bool>(true));
        if (s == QLatin1String("false") || s == QLatin1String("0"))
            return R(std::optional<bool>(false));
    }
    return R::fail(QStringLiteral("%1 must be true or false").arg(name), 400);
}

} // namespace fields

// ---- TokenParams ---------------------------------------------------------------------------------------------

Status TokenParams::update(const QJsonObject &data)
{
    // The newer token_* field wins over the older name when both are given, as in Vault.
    const auto pick = [&](const char *newer, const char *older) {
        const QString n = QLatin1String(newer);
        return data.contains(n) || !older ? n : QString(QLatin1String(older));
    };
    const auto policyList = fields::stringList(data, pick("token_policies", "policies"));
    if (!policyList)
        return policyList.status();
    if (policyList.value()) {
        QStringList normal;
        for (const QString &p : *policyList.value())
            normal.append(p.toLower());
        normal.sort();
        normal.removeDuplicates();
        if (normal.contains(QStringLiteral("root")))
            return Status::fail(QStringLiteral("the root policy cannot be given to tokens of an auth method"), 400);
        policies = normal;
    }
    const auto setDuration = [&](const QString &name, qint64 &target) -> Status {
        const auto d = fields::duration(data, name);
        if (!d)
            return d.status();
        if (d.value())
            target = *d.value();
        return Status::ok();
    };
    if (Status st = setDuration(pick("token_ttl", "ttl"), ttl); !st)
        return st;
    if (Status st = setDuration(pick("token_max_ttl", "max_ttl"), maxTtl); !st)
        return st;
    if (Status st = setDuration(pick("token_explicit_max_ttl", nullptr), explicitMaxTtl); !st)
        return st;
    const auto uses = fields::integer(data, QStringLiteral("token_num_uses"));
    if (!uses)
        return uses.status();
    if (uses.value())
        numUses = *uses.value();
    const auto noDefault = fields::boolean(data, QStringLiteral("token_no_default_policy"));
    if (!noDefault)
        return noDefault.status();
    if (noDefault.value())
        noDefaultPolicy = *noDefault.value();

    // Settings that would restrict a token in Vault and that Gatekeeper does not enforce are refused rather than
    // accepted and ignored.
    const auto cidrs = fields::stringList(data, QStringLiteral("token_bound_cidrs"));
    if (!cidrs)
        return cidrs.status();
    if (cidrs.value() && !cidrs.value()->isEmpty())
        return Status::fail(QStringLiteral("token_bound_cidrs is not supported"), 400);
    for (const char *name : {"token_period", "period"}) {
        const auto period = fields::duration(data, QLatin1String(name));
        if (!period)
            return period.status();
        if (period.value() && *period.value() != 0)
            return Status::fail(QStringLiteral("%1 is not supported: tokens are not periodic").arg(QLatin1String(name)),
                                400);
    }
    const QJsonValue type = data.value(QStringLiteral("token_type"));
    if (!type.isUndefined() && !type.isNull() && type.toString() != QLatin1String("default") &&
        type.toString() != QLatin1String("service") && type.toString() != QLatin1String("default-service"))
        return Status::fail(QStringLiteral("token_type must be \"default\" or \"service\""), 400);

    if (ttl > 0 && maxTtl > 0 && ttl > maxTtl)
        return Status::fail(QStringLiteral("token_ttl must not be greater than token_max_ttl"), 400);
    return Status::ok();
}

QJsonObject TokenParams::toJson() const
{
    return {{QStringLiteral("token_policies"), QJsonArray::fromStringList(policies)},
            {QStringLiteral("token_ttl"), ttl},
            {QStringLiteral("token_max_ttl"), maxTtl},
            {QStringLiteral("token_explicit_max_ttl"), explicitMaxTtl},
            {QStringLiteral("token_num_uses"), numUses},
            {QStringLiteral("token_no_default_policy"), noDefaultPolicy}};
}

TokenParams TokenParams::fromJson(const QJsonObject &json)
{
    TokenParams p;
    for (const QJsonValue &v : json.value(QStringLiteral("token_policies")).toArray())
        p.policies.append(v.toString());
    p.ttl = json.value(QStringLiteral("token_ttl")).toInteger();
    p.maxTtl = json.value(QStringLiteral("token_max_ttl")).toInteger();
    p.explicitMaxTtl = json.value(QStringLiteral("token_explicit_max_ttl")).toInteger();
    p.numUses = json.value(QStringLiteral("token_num_uses")).toInteger();
    p.noDefaultPolicy = json.value(QStringLiteral("token_no_default_policy")).toBool();
    return p;
}

void TokenParams::addTo(QJsonObject &answer) const
{
    const QJsonObject own = toJson();
    for (auto it = own.begin(); it != own.end(); ++it)
        answer.insert(it.key(), it.value());
    answer.insert(QStringLiteral("policies"), QJsonArray::fromStringList(policies));
    answer.insert(QStringLiteral("token_bound_cidrs"), QJsonArray());
    answer.insert(QStringLiteral("token_period"), 0);
    answer.insert(QStringLiteral("token_type"), QStringLiteral("default"));
}

// ---- MountEntry ----------------------------------------------------------------------------------------------

QJsonObject MountEntry::toJson() const
{
    return {{QStringLiteral("path"), path},
            {QStringLiteral("type"), type},
            {QStringLiteral("description"), description},
            {QStringLiteral("uuid"), uuid},
            {QStringLiteral("accessor"), accessor},
            {QStringLiteral("config"), config},
            {QStringLiteral("options"), options},
            {QStringLiteral("local"), local},
            {QStringLiteral("seal_wrap"), sealWrap},
            {QStringLiteral("builtin"), builtin}};
}

MountEntry MountEntry::fromJson(const QJsonObject &json)
{
    MountEntry e;
    e.path = json.value(QStringLiteral("path")).toString();
    e.type = json.value(QStringLiteral("type")).toString();
    e.description = json.value(QStringLiteral("description")).toString();
    e.uuid = json.value(QStringLiteral("uuid")).toString();
    e.accessor = json.value(QStringLiteral("accessor")).toString();
    e.config = json.value(QStringLiteral("config")).toObject();
    e.options = json.value(QStringLiteral("options")).toObject();
    e.local = json.value(QStringLiteral("local")).toBool();
    e.sealWrap = json.value(QStringLiteral("seal_wrap")).toBool();
    e.builtin = json.value(QStringLiteral("builtin")).toBool();
    return e;
}

QJsonObject MountEntry::toListing() const
{
    QJsonObject cfg{{QStringLiteral("default_lease_ttl"), defaultLeaseTtl()},
                    {QStringLiteral("max_lease_ttl"), maxLeaseTtl()},
                    {QStringLiteral("force_no_cache"), config.value(QStringLiteral("force_no_cache")).toBool()}};
    for (auto it = config.begin(); it != config.end(); ++it)
        cfg.insert(it.key(), it.value());
    return {{QStringLiteral("type"), type},
            {QStringLiteral("description"), description},
            {QStringLiteral("accessor"), accessor},
            {QStringLiteral("uuid"), uuid},
            {QStringLiteral("config"), cfg},
            {QStringLiteral("local"), local},
            {QStringLiteral("seal_wrap"), sealWrap},
            {QStringLiteral("external_entropy_access"), false},
            {QStringLiteral("options"), options.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(options)},
            {QStringLiteral("plugin_version"), QString()},
            {QStringLiteral("running_plugin_version"), QString()},
            {QStringLiteral("running_sha256"), QString()}};
}

qint64 MountEntry::defaultLeaseTtl() const
{
    return config.value(QStringLiteral("default_lease_ttl")).toInteger();
}

qint64 MountEntry::maxLeaseTtl() const
{
    return config.value(QStringLiteral("max_lease_ttl")).toInteger();
}

// ---- MountContext --------------------------------------------------------------------------------------------

QString MountContext::mountPrefix() const
{
    return (kind == MountKind::Auth ? QStringLiteral("auth/") : QString()) + entry.path;
}

QFuture<Response> MountContext::issueToken(LoginGrant grant) const
{
    if (grant.token.policies.contains(QStringLiteral("root")))
        return ready(Response::error(400, QStringLiteral("auth methods cannot create root tokens")));
    EntityAlias alias;
    alias.name = grant.aliasName;
    alias.mountAccessor = entry.accessor;
    alias.mountType = entry.type;
    alias.mountPath = mountPrefix();
    Engine *const eng = engine;
    const MountEntry mount = entry;
    QFuture<Result<Entity>> entityFuture =
        grant.entityId.isEmpty()
            ? identity->entityForAlias(alias)
            : identity->entity(grant.entityId).then([](Result<std::optional<Entity>> found) -> Result<Entity> {
                  if (!found)
                      return found.status();
                  if (!found.value().has_value())
                      return Result<Entity>::fail(QStringLiteral("the identity entity no longer exists"), 400);
                  return *found.value();
              });
    return entityFuture
        .then([eng, mount, grant = std::move(grant)](Result<Entity> entity) -> QFuture<Response> {
            if (!entity)
                return ready(Response::error(entity.httpStatus(), entity.error()));
            const TokenParams &p = grant.token;
            QStringList policies = p.policies;
            if (!p.noDefaultPolicy && !policies.contains(QStringLiteral("default")))
                policies.append(QStringLiteral("default"));
            policies.sort();

            qint64 maxTtl = p.maxTtl > 0 ? p.maxTtl : mount.maxLeaseTtl() > 0 ? mount.maxLeaseTtl() : kSystemMaxTtl;
            if (p.explicitMaxTtl > 0)
                maxTtl = std::min(maxTtl, p.explicitMaxTtl);
            const qint64 wanted = p.ttl > 0                     ? p.ttl
                                  : mount.defaultLeaseTtl() > 0 ? mount.defaultLeaseTtl()
                                                                : kSystemDefaultTtl;
            const qint64 ttl = std::min(wanted, maxTtl);

            // Vault's display name: the mount path with '/' as '-', then the method's own name for the caller.
            QString display = mount.path;
            display.chop(1);
            display.replace(QLatin1Char('/'), QLatin1Char('-'));
            if (!grant.displayName.isEmpty())
                display += QLatin1Char('-') + grant.displayName;

            TokenEntry token;
            token.policies = policies;
            token.path = grant.requestPath;
            token.displayName = display;
            token.entityId = entity.value().id;
            token.meta = grant.metadata;
            token.ttl = ttl;
            token.explicitMaxTtl = p.maxTtl > 0 || p.explicitMaxTtl > 0 || mount.maxLeaseTtl() > 0 ? maxTtl : 0;
            token.numUses = static_cast<int>(p.numUses);
            token.renewable = true;
            token.orphan = true;
            const QString entityId = entity.value().id;
            return eng->tokens().create(token).then([policies, ttl, entityId, grant](Result<TokenStore::Created> c) {
                if (!c)
                    return Response::error(c.httpStatus(), c.error());
                QJsonObject meta;
                for (auto it = grant.metadata.cbegin(); it != grant.metadata.cend(); ++it)
                    meta.insert(it.key(), it.value());
                const QJsonArray policyArray = QJsonArray::fromStringList(policies);
                const QJsonObject auth{
                    {QStringLiteral("client_token"), c.value().id},
                    {QStringLiteral("accessor"), c.value().entry->accessor},
                    {QStringLiteral("policies"), policyArray},
                    {QStringLiteral("token_policies"), policyArray},
                    {QStringLiteral("metadata"), meta},
                    {QStringLiteral("lease_duration"), ttl},
                    {QStringLiteral("renewable"), true},
                    {QStringLiteral("entity_id"), entityId},
                    {QStringLiteral("token_type"), QStringLiteral("service")},
                    {QStringLiteral("orphan"), true},
                    {QStringLiteral("mfa_requirement"), QJsonValue::Null},
                    {QStringLiteral("num_uses"), static_cast<qint64>(grant.token.numUses)},
                };
                QJsonObject out = vaultData({});
                out.insert(QStringLiteral("data"), QJsonValue::Null);
                out.insert(QStringLiteral("auth"), auth);
                return Response::ok(out);
            });
        })
        .unwrap();
}

// ---- MountTable ----------------------------------------------------------------------------------------------

const QMap<QString, MountTable::Type> &MountTable::types()
{
    static const QMap<QString, Type> table{
        {QStringLiteral("userpass"), {MountKind::Auth, &make<UserpassBackend>}},
        {QStringLiteral("approle"), {MountKind::Auth, &make<AppRoleBackend>}},
        {QStringLiteral("policy-gate"), {MountKind::Auth, &make<PolicyGateBackend>}},
        {QStringLiteral("kv"), {MountKind::Secret, &make<KvBackend>}},
    };
    return table;
}

MountTable::MountTable(Engine *engine, Storage *barrier, IdentityStore *identity, int passwordHashLogN)
    : m_engine(engine), m_barrier(barrier), m_identity(identity), m_passwordHashLogN(passwordHashLogN)
{
    m_kdfPool.setMaxThreadCount(2);
    m_kdfPool.setObjectName(QStringLiteral("gatekeeper-kdf"));
}

MountTable::~MountTable()
{
    m_kdfPool.waitForDone();
}

QString MountTable::storageKey(MountKind kind)
{
    return kind == MountKind::Auth ? QStringLiteral("sys/mounts/auth") : QStringLiteral("sys/mounts/secret");
}

QString MountTable::routerPrefix(MountKind kind, const QString &path)
{
    return (kind == MountKind::Auth ? QStringLiteral("auth/") : QString()) + path;
}

std::optional<QString> MountTable::normalizePath(const QString &path)
{
    static const QRegularExpression segment(QStringLiteral("\\A[A-Za-z0-9_][A-Za-z0-9_.-]*\\z"));
    QString p = path;
    while (p.startsWith(QLatin1Char('/')))
        p.remove(0, 1);
    while (p.endsWith(QLatin1Char('/')))
        p.chop(1);
    if (p.isEmpty() || p.size() > 128)
        return std::nullopt;
    const QStringList segments = p.split(QLatin1Char('/'));
    for (const QString &s : segments) {
        if (!segment.match(s).hasMatch())
            return std::nullopt;
    }
    return p + QLatin1Char('/');
}

MountContext MountTable::contextFor(MountKind kind, const MountEntry &entry)
{
    MountContext c;
    c.engine = m_engine;
    c.kind = kind;
    c.entry = entry;
    c.barrier = m_barrier;
    c.storagePrefix = (kind == MountKind::Auth ? QStringLiteral("auth/") : QStringLiteral("logical/")) + entry.uuid +
                      QLatin1Char('/');
    c.identity = m_identity;
    c.kdfPool = &m_kdfPool;
    c.passwordHashLogN = m_passwordHashLogN;
    return c;
}

QList<MountEntry> MountTable::entries(MountKind kind) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_entries.find(kind);
    return it == m_entries.end() ? QList<MountEntry>() : it->second;
}

std::optional<MountEntry> MountTable::entry(MountKind kind, const QString &path) const
{
    const std::optional<QString> normal = normalizePath(path);
    if (!normal)
        return std::nullopt;
    for (const MountEntry &e : entries(kind)) {
        if (e.path == *normal)
            return e;
    }
    return std::nullopt;
}

std::shared_ptr<Backend> MountTable::backend(MountKind kind, const QString &path) const
{
    const std::optional<QString> normal = normalizePath(path);
    if (!normal)
        return nullptr;
    QMutexLocker lock(&m_mutex);
    const auto it = m_mounted.constFind(routerPrefix(kind, *normal));
    if (it == m_mounted.cend() || it->kind != kind)
        return nullptr;
    return it->backend;
}

QFuture<Status> MountTable::load()
{
    return m_changes.run<Status>(
        kTableName,
        [this]() {
            return loadKind(MountKind::Auth)
                .then([this](Status st) -> QFuture<Status> {
                    if (!st)
                        return ready(st);
                    return loadKind(MountKind::Secret);
                })
                .unwrap();
        },
        Status::fail(QStringLiteral("loading the mount table was interrupted")));
}

QFuture<Status> MountTable::loadKind(MountKind kind)
{
    return m_barrier->get(storageKey(kind))
        .then([this, kind](Result<std::optional<QByteArray>> got) -> QFuture<Status> {
            if (!got)
                return ready(got.status());
            QList<MountEntry> list;
            bool changed = false;
            if (got.value().has_value()) {
                const QJsonDocument doc = QJsonDocument::fromJson(*got.value());
                if (!doc.isObject())
                    return ready(Status::fail(QStringLiteral("the %1 mount table is corrupt").arg(kindName(kind))));
                for (const QJsonValue &v : doc.object().value(QStringLiteral("entries")).toArray())
                    list.append(MountEntry::fromJson(v.toObject()));
            }
            // Built-ins (and, on first use, the default kv at secret/) are added when missing.
            for (MountEntry d : defaultEntries(kind)) {
                const bool present =
                    std::any_of(list.cbegin(), list.cend(), [&](const MountEntry &e) { return e.path == d.path; });
                if (present || (!d.builtin && got.value().has_value()))
                    continue;
                fillIdentifiers(kind, d);
                list.append(d);
                changed = true;
            }
            if (!changed) {
                applyToRouter(kind, list);
                return ready(Status::ok());
            }
            return store(kind, list).then([this, kind, list](Status st) {
                if (st)
                    applyToRouter(kind, list);
                return st;
            });
        })
        .unwrap();
}

QFuture<Status> MountTable::store(MountKind kind, const QList<MountEntry> &entries)
{
    QJsonArray array;
    for (const MountEntry &e : entries)
        array.append(e.toJson());
    const QByteArray bytes =
        QJsonDocument(QJsonObject{{QStringLiteral("entries"), array}}).toJson(QJsonDocument::Compact);
    return m_barrier->put(storageKey(kind), bytes);
}

void MountTable::applyToRouter(MountKind kind, const QList<MountEntry> &entries)
{
    QMutexLocker lock(&m_mutex);
    m_entries[kind] = entries;
    QSet<QString> wanted;
    for (const MountEntry &e : entries) {
        if (e.builtin)
            continue;
        const QString prefix = routerPrefix(kind, e.path);
        wanted.insert(prefix);
        const auto mounted = m_mounted.constFind(prefix);
        if (mounted != m_mounted.cend() && mounted->uuid == e.uuid)
            continue;
        const auto type = types().constFind(e.type);
        if (type == types().cend() || type->kind != kind) {
            qCWarning(lcMounts) << "not mounting" << prefix << ": unknown type" << e.type;
            continue;
        }
        Result<std::shared_ptr<Backend>> backend = type->make(contextFor(kind, e));
        if (!backend) {
            qCWarning(lcMounts) << "not mounting" << prefix << ":" << backend.error();
            continue;
        }
        m_engine->mount(Api::V1, prefix, backend.value());
        m_mounted.insert(prefix, Mounted{kind, e.uuid, backend.value()});
    }
    for (auto it = m_mounted.begin(); it != m_mounted.end();) {
        if (it->kind == kind && !wanted.contains(it.key())) {
            m_engine->unmount(Api::V1, it.key());
            it = m_mounted.erase(it);
        } else {
            ++it;
        }
    }
}

void MountTable::tidy()
{
    QList<std::shared_ptr<Backend>> backends;
    {
        QMutexLocker lock(&m_mutex);
        for (const Mounted &m : std::as_const(m_mounted))
            backends.append(m.backend);
    }
    for (const auto &b : std::as_const(backends))
        b->tidy();
}

QString MountTable::conflictFor(MountKind kind, const QString &path) const
{
    const QString prefix = routerPrefix(kind, path);
    if (kind == MountKind::Secret) {
        for (const char *reserved : {"auth/", "sys/", "identity/", "cubbyhole/"}) {
            const QString r = QString::fromLatin1(reserved);
            if (prefix.startsWith(r) || r.startsWith(prefix))
                return QStringLiteral("cannot mount under the reserved path \"%1\"").arg(r);
        }
    }
    QMutexLocker lock(&m_mutex);
    const auto it = m_entries.find(kind);
    if (it != m_entries.end()) {
        for (const MountEntry &e : it->second) {
            if (e.path.startsWith(path) || path.startsWith(e.path))
                return QStringLiteral("path is already in use at %1").arg(e.path);
        }
    }
    // Routes the engine mounted itself (sys/, config/, the token store, the Nomad and Gatekeeper APIs ...).
    for (const QString &p : m_engine->mountPrefixes(Api::V1)) {
        if (m_mounted.contains(p))
            continue;
        if (p.startsWith(prefix) || prefix.startsWith(p))
            return QStringLiteral("path is already in use at %1").arg(p);
    }
    return {};
}

QFuture<Status> MountTable::enable(MountKind kind, const QString &path, const QJsonObject &request)
{
    return m_changes.run<Status>(
        kTableName, [this, kind, path, request]() { return enableNow(kind, path, request); },
        Status::fail(QStringLiteral("enabling the mount was interrupted")));
}

QFuture<Status> MountTable::enableNow(MountKind kind, const QString &path, const QJsonObject &request)
{
    const auto bad = [](const QString &message) { return ready(Status::fail(message, 400)); };
    const std::optional<QString> normal = normalizePath(path);
    if (!normal)
        return bad(QStringLiteral("invalid path \"%1\": use 1-128 characters of letters, digits, '_', '-' and '.' in "
                                  "'/'-separated segments")
                       .arg(path));
    const QJsonValue typeValue = request.value(QStringLiteral("type"));
    if (!typeValue.isString() || typeValue.toString().isEmpty())
        return bad(QStringLiteral("missing type"));
    const QString type = typeValue.toString();
    const auto known = types().constFind(type);
    if (known == types().cend() || known->kind != kind)
        return bad(QStringLiteral("unknown %1 type \"%2\"").arg(kindName(kind), type));
    const QJsonValue description = request.value(QStringLiteral("description"));
    if (!description.isUndefined() && !description.isNull() && !description.isString())
        return bad(QStringLiteral("description must be a string"));
    Result<QJsonObject> config = normalizeConfig(kind, type, request.value(QStringLiteral("config")));
    if (!config)
        return ready(config.status());
    Result<QJsonObject> options = normalizeOptions(type, request.value(QStringLiteral("options")));
    if (!options)
        return ready(options.status());
    const auto local = fields::boolean(request, QStringLiteral("local"));
    const auto sealWrap = fields::boolean(request, QStringLiteral("seal_wrap"));
    if (!local || !sealWrap)
        return ready(!local ? local.status() : sealWrap.status());
    if (const QString conflict = conflictFor(kind, *normal); !conflict.isEmpty())
        return bad(conflict);

    MountEntry entry;
    entry.path = *normal;
    entry.type = type;
    entry.description = description.toString();
    entry.config = config.value();
    entry.options = options.value();
    entry.local = local.value().value_or(false);
    entry.sealWrap = sealWrap.value().value_or(false);
    fillIdentifiers(kind, entry);
    Result<std::shared_ptr<Backend>> backend = known->make(contextFor(kind, entry));
    if (!backend)
        return ready(backend.status());

    QList<MountEntry> next = entries(kind);
    next.append(entry);
    return store(kind, next).then([this, kind, next, entry, backend = backend.value()](Status st) {
        if (!st)
            return st;
        const QString prefix = routerPrefix(kind, entry.path);
        {
            QMutexLocker lock(&m_mutex);
            m_entries[kind] = next;
            m_mounted.insert(prefix, Mounted{kind, entry.uuid, backend});
        }
        m_engine->mount(Api::V1, prefix, backend);
        qCInfo(lcMounts) << "enabled" << entry.type << "at" << prefix;
        return Status::ok();
    });
}

QFuture<Status> MountTable::disable(MountKind kind, const QString &path)
{
    return m_changes.run<Status>(
        kTableName, [this, kind, path]() { return disableNow(kind, path); },
        Status::fail(QStringLiteral("disabling the mount was interrupted")));
}

QFuture<Status> MountTable::disableNow(MountKind kind, const QString &path)
{
    const std::optional<QString> normal = normalizePath(path);
    if (!normal)
        return ready(Status::fail(QStringLiteral("invalid path \"%1\"").arg(path), 400));
    QList<MountEntry> next = entries(kind);
    const auto found = std::find_if(next.begin(), next.end(), [&](const MountEntry &e) { return e.path == *normal; });
    if (found == next.end())
        return ready(Status::ok());
    if (found->builtin)
        return ready(Status::fail(
            QStringLiteral("%1 \"%2\" is built in and cannot be disabled").arg(kindName(kind), found->path), 400));
    const MountEntry gone = *found;
    next.erase(found);
    const MountContext context = contextFor(kind, gone);
    return store(kind, next)
        .then([this, kind, next, gone, context](Status st) -> QFuture<Status> {
            if (!st)
                return ready(st);
            const QString prefix = routerPrefix(kind, gone.path);
            {
                QMutexLocker lock(&m_mutex);
                m_entries[kind] = next;
                m_mounted.remove(prefix);
            }
            m_engine->unmount(Api::V1, prefix);
            qCInfo(lcMounts) << "disabled" << gone.type << "at" << prefix;
            QFuture<Status> deleted = deletePrefix(m_barrier, context.storagePrefix);
            if (kind != MountKind::Auth)
                return deleted;
            IdentityStore *identity = m_identity;
            return deleted
                .then([identity, accessor = gone.accessor](Status del) -> QFuture<Status> {
                    if (!del)
                        return ready(del);
                    return identity->removeMountAliases(accessor);
                })
                .unwrap();
        })
        .unwrap();
}

QFuture<Status> MountTable::deletePrefix(Storage *storage, const QString &prefix)
{
    return collectKeys(storage, prefix)
        .then([storage](Result<QStringList> keys) -> QFuture<Status> {
            if (!keys)
                return ready(keys.status());
            QFuture<Status> done = ready(Status::ok());
            const QStringList all = keys.value();
            for (qsizetype i = 0; i < all.size(); i += kDeleteBatch) {
                QList<StorageOp> ops;
                for (const QString &key : all.mid(i, kDeleteBatch))
                    ops.append(StorageOp::remove(key));
                done = done.then([storage, ops](Status st) -> QFuture<Status> {
                               if (!st)
                                   return ready(st);
                               return storage->batch(ops);
                           })
                           .unwrap();
            }
            return done;
        })
        .unwrap();
}

} // namespace gk
