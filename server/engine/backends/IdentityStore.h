#pragma once

#include "engine/Result.h"
#include "engine/backends/KeyedSequencer.h"

#include <QFuture>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace gk {

class Storage;

// One login identity on one auth mount (Vault's entity alias): the user name on a userpass mount, the role name on
// an approle mount.
struct EntityAlias
{
    QString id;
    QString name;
    QString mountAccessor;
    QString mountType;
    QString mountPath;       // "auth/userpass/"
    qint64 creationTime = 0; // unix seconds
    qint64 lastUpdateTime = 0;

    QJsonObject toJson() const;
    static EntityAlias fromJson(const QJsonObject &json);
};

// An identity entity (Vault's): the one identity behind the logins of a person or machine.
struct Entity
{
    QString id;
    QString name; // "entity_" + 8 hex digits
    QList<EntityAlias> aliases;
    QStringList policies;
    qint64 creationTime = 0;
    qint64 lastUpdateTime = 0;
    bool disabled = false;

    QJsonObject toJson() const;
    static Entity fromJson(const QJsonObject &json);
    // Vault's read answer: id, name, aliases [{id, name, mount_accessor, mount_type, mount_path, ...}], policies,
    // creation_time and last_update_time (RFC 3339), metadata, disabled, group ids, namespace_id.
    QJsonObject toApi() const;
};

// Identity entities and their aliases in the barrier: "sys/identity/entity/<id>" holds an entity with its aliases,
// "sys/identity/alias/<mount accessor>/<sha-256 of the alias name>" points an alias at its entity. Lookups and
// creation for one alias are serialised, so concurrent first logins of a user make one entity. Thread-safe.
class IdentityStore final
{
public:
    explicit IdentityStore(Storage *barrier);
    Q_DISABLE_COPY_MOVE(IdentityStore)

    // The entity behind the alias name on the mount, created (with the alias) on first use.
    QFuture<Result<Entity>> entityForAlias(const EntityAlias &alias);
    QFuture<Result<std::optional<Entity>>> entity(const QString &id);
    // Every entity's id, sorted.
    QFuture<Result<QStringList>> entityIds();
    // Drops every alias of an auth mount (when it is disabled); the entities stay, as in Vault.
    QFuture<Status> removeMountAliases(const QString &mountAccessor);

private:
    static QString entityKey(const QString &id);
    static QString aliasKey(const QString &mountAccessor, const QString &aliasName);
    QFuture<Result<Entity>> findOrCreate(const EntityAlias &alias);
    QFuture<Status> removeAlias(const QString &mountAccessor, const QString &indexName);

    Storage *m_barrier;
    KeyedSequencer m_sequencer; // by entity id or alias key
};

} // namespace gk
