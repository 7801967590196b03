#pragma once

#include "engine/Backend.h"
#include "engine/Result.h"
#include "engine/backends/KeyedSequencer.h"

#include <QFuture>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QLoggingCategory>
#include <QMap>
#include <QMutex>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QThreadPool>

#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace gk {

Q_DECLARE_LOGGING_CATEGORY(lcMounts)

class Engine;
class IdentityStore;
class Storage;

// Auth methods live below "auth/" (listed by sys/auth), secret engines at the top of /v1 (listed by sys/mounts).
enum class MountKind
{
    Auth,
    Secret
};

// One row of a mount table, as stored in the barrier and listed by sys/auth and sys/mounts.
struct MountEntry
{
    QString path; // "userpass/" (below "auth/" for auth mounts), always ending in "/"
    QString type; // "userpass", "approle", "kv", and the built-ins "token", "system", "identity"
    QString description;
    QString uuid;       // names the mount's storage: "auth/<uuid>/..." or "logical/<uuid>/..."
    QString accessor;   // "auth_userpass_1a2b3c4d"
    QJsonObject config; // as given (validated): default_lease_ttl, max_lease_ttl, user_lockout_config, ...
    QJsonObject options;
    bool local = false;
    bool sealWrap = false;
    bool builtin = false; // mounted by the engine itself; listed, never disabled

    QJsonObject toJson() const;
    static MountEntry fromJson(const QJsonObject &json);
    // Vault's listing shape: type, description, accessor, config {...}, local, seal_wrap, options, uuid, ...
    QJsonObject toListing() const;
    // default_lease_ttl / max_lease_ttl of the mount's config in seconds (0 when not set).
    qint64 defaultLeaseTtl() const;
    qint64 maxLeaseTtl() const;
};

// Request fields as Vault's backends take them. Each answers nullopt for a missing (or null) field and a 400 naming
// the field when it is malformed.
namespace fields {
// A list of strings: a JSON array or a comma-separated string; items trimmed, empty ones dropped.
Result<std::optional<QStringList>> stringList(const QJsonObject &data, const QString &name);
// A duration in seconds: 3600, "3600", "1h", "90s".
Result<std::optional<qint64>> duration(const QJsonObject &data, const QString &name);
// A non-negative integer: 5 or "5".
Result<std::optional<qint64>> integer(const QJsonObject &data, const QString &name);
// true/false or "true"/"false".
Result<std::optional<bool>> boolean(const QJsonObject &data, const QString &name);
} // namespace fields

// The token settings an auth method keeps per user or role (Vault's tokenutil fields): token_policies (or the older
// "policies"), token_ttl, token_max_ttl, token_explicit_max_ttl, token_num_uses, token_no_default_policy.
struct TokenParams
{
    QStringList policies; // lower-cased, sorted, unique; never "root"
    qint64 ttl = 0;
    qint64 maxTtl = 0;
    qint64 explicitMaxTtl = 0;
    qint64 numUses = 0;
    bool noDefaultPolicy = false;

    // Applies the fields present in a write to *this; 400 for malformed values, "root" among the policies, and
    // settings Gatekeeper does not enforce (token_bound_cidrs, token_period, a token_type other than default/service).
    Status update(const QJsonObject &data);
    QJsonObject toJson() const;
    static TokenParams fromJson(const QJsonObject &json);
    // Adds the token_* fields (and "policies") to a read answer, as Vault shows them.
    void addTo(QJsonObject &answer) const;
};

// What a login hands to MountContext::issueToken: who logged in and what their token carries.
struct LoginGrant
{
    QString aliasName;   // the identity alias on this mount: the user name, the role name
    QString displayName; // appended to the mount's path for the token's display_name ("" for none)
    TokenParams token;   // "default" is added to the policies unless token.noDefaultPolicy
    QMap<QString, QString> metadata;
    QString requestPath; // the login path, e.g. "auth/userpass/login/alice"
    QString entityId;    // when set, the token belongs to this existing entity and aliasName is not looked up
};

// What a backend factory gets to build a mount's backend, and what the backend keeps.
struct MountContext
{
    Engine *engine = nullptr;
    MountKind kind = MountKind::Auth;
    MountEntry entry;
    Storage *barrier = nullptr;
    QString storagePrefix; // "auth/<uuid>/" or "logical/<uuid>/": every key of the backend is below it
    IdentityStore *identity = nullptr;
    QThreadPool *kdfPool = nullptr; // password hashing runs here, never on the HTTP threads
    int passwordHashLogN = 15;      // log2 of scrypt's N for new password hashes

    QString mountPrefix() const; // the router prefix: "auth/userpass/" or "secret/"
    // Finds or creates the identity entity of grant.aliasName on this mount, creates the token, and answers Vault's
    // login shape {"auth": {"client_token", "accessor", "policies", "metadata", "lease_duration", "entity_id",
    // ...}}. Refuses the root policy (auth methods never mint root tokens).
    QFuture<Response> issueToken(LoginGrant grant) const;
};

// The auth and secret mount tables: which backend type is mounted where. Both tables are kept in the barrier
// ("sys/mounts/auth", "sys/mounts/secret"), loaded after every unseal and mounted on the engine's /v1 router.
// A backend's data lives below its mount's storage prefix, so disabling a mount deletes one prefix.
// Changes to the tables are serialised; every method may be called from any thread.
class MountTable final
{
public:
    // Makes a mount's backend (owned by a shared_ptr from the start: backends may bind shared_from_this() into their
    // handlers), or a 400 when the mount's settings do not suit the type.
    using Factory = std::function<Result<std::shared_ptr<Backend>>(const MountContext &)>;
    struct Type
    {
        MountKind kind;
        Factory make;
    };
    // The backend types that sys/auth and sys/mounts can enable, by name (Vault's builtin plugin registry).
    static const QMap<QString, Type> &types();

    MountTable(Engine *engine, Storage *barrier, IdentityStore *identity, int passwordHashLogN);
    ~MountTable();
    Q_DISABLE_COPY_MOVE(MountTable)

    // Reads both tables (creating the defaults: auth "token/", secrets "sys/", "identity/" and a kv "secret/" on
    // first use) and brings the router in line with them.
    QFuture<Status> load();

    // POST sys/auth/:path and sys/mounts/:path. 400 with the reason when the type is unknown or of the other
    // kind, the path is malformed or overlaps a mount, or the config is invalid; nothing changes then.
    QFuture<Status> enable(MountKind kind, const QString &path, const QJsonObject &request);
    // DELETE sys/auth/:path and sys/mounts/:path: unmounts, forgets the entry and deletes the mount's data and
    // its identity aliases. A path that is not mounted succeeds; a built-in mount is a 400.
    QFuture<Status> disable(MountKind kind, const QString &path);

    QList<MountEntry> entries(MountKind kind) const;
    std::optional<MountEntry> entry(MountKind kind, const QString &path) const;
    // The backend mounted at path ("userpass/"), or null when none is.
    std::shared_ptr<Backend> backend(MountKind kind, const QString &path) const;

    // "userpass" -> "userpass/"; nullopt when the path is not 1-128 characters of segments [A-Za-z0-9_][A-Za-z0-9_.-]*.
    static std::optional<QString> normalizePath(const QString &path);
    // Runs Backend::tidy() of every mounted backend.
    void tidy();
    // Deletes every key below prefix (in batches).
    static QFuture<Status> deletePrefix(Storage *storage, const QString &prefix);

private:
    struct Mounted
    {
        MountKind kind;
        QString uuid;
        std::shared_ptr<Backend> backend;
    };
    static QString storageKey(MountKind kind);
    static QString routerPrefix(MountKind kind, const QString &path);
    MountContext contextFor(MountKind kind, const MountEntry &entry);
    QFuture<Status> loadKind(MountKind kind);
    QFuture<Status> store(MountKind kind, const QList<MountEntry> &entries);
    QFuture<Status> enableNow(MountKind kind, const QString &path, const QJsonObject &request);
    QFuture<Status> disableNow(MountKind kind, const QString &path);
    void applyToRouter(MountKind kind, const QList<MountEntry> &entries);
    QString conflictFor(MountKind kind, const QString &path) const;

    Engine *m_engine;
    Storage *m_barrier;
    IdentityStore *m_identity;
    int m_passwordHashLogN;
    QThreadPool m_kdfPool;
    KeyedSequencer m_changes; // one key: table changes and loads run one at a time
    mutable QMutex m_mutex;   // guards the members below
    std::map<MountKind, QList<MountEntry>> m_entries;
    QHash<QString, Mounted> m_mounted; // by router prefix: the backends this table mounted
};

} // namespace gk
