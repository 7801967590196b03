#include "engine/backends/IdentityStore.h"

#include "Duration.h"
#include "engine/crypto/Crypto.h"
#include "engine/storage/Storage.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcIdentity, "gatekeeper.identity")

namespace gk {

namespace {

const QString kEntityPrefix = QStringLiteral("sys/identity/entity/");
const QString kAliasPrefix = QStringLiteral("sys/identity/alias/");

template <typename T> QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

QByteArray compact(const QJsonObject &json)
{
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

} // namespace

QJsonObject EntityAlias::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("name"), name},
            {QStringLiteral("mount_accessor"), mountAccessor},
            {QStringLiteral("mount_type"), mountType},
            {QStringLiteral("mount_path"), mountPath},
            {QStringLiteral("creation_time"), creationTime},
            {QStringLiteral("last_update_time"), lastUpdateTime}};
}

EntityAlias EntityAlias::fromJson(const QJsonObject &json)
{
    EntityAlias a;
    a.id = json.value(QStringLiteral("id")).toString();
    a.name = json.value(QStringLiteral("name")).toString();
    a.mountAccessor = json.value(QStringLiteral("mount_accessor")).toString();
    a.mountType = json.value(QStringLiteral("mount_type")).toString();
    a.mountPath = json.value(QStringLiteral("mount_path")).toString();
    a.creationTime = json.value(QStringLiteral("creation_time")).toInteger();
    a.lastUpdateTime = json.value(QStringLiteral("last_update_time")).toInteger();
    return a;
}

QJsonObject Entity::toJson() const
{
    QJsonArray aliasArray;
    for (const EntityAlias &a : aliases)
        aliasArray.append(a.toJson());
    return {{QStringLiteral("id"), id},
            {QStringLiteral("name"), name},
            {QStringLiteral("aliases"), aliasArray},
            {QStringLiteral("policies"), QJsonArray::fromStringList(policies)},
            {QStringLiteral("creation_time"), creationTime},
            {QStringLiteral("last_update_time"), lastUpdateTime},
            {QStringLiteral("disabled"), disabled}};
}

Entity Entity::fromJson(const QJsonObject &json)
{
    Entity e;
    e.id = json.value(QStringLiteral("id")).toString();
    e.name = json.value(QStringLiteral("name")).toString();
    for (const QJsonValue &a : json.value(QStringLiteral("aliases")).toArray())
        e.aliases.append(EntityAlias::fromJson(a.toObject()));
    for (const QJsonValue &p : json.value(QStringLiteral("policies")).toArray())
        e.policies.append(p.toString());
    e.creationTime = json.value(QStringLiteral("creation_time")).toInteger();
    e.lastUpdateTime = json.value(QStringLiteral("last_update_time")).toInteger();
    e.disabled = json.value(QStringLiteral("disabled")).toBool();
    return e;
}

QJsonObject Entity::toApi() const
{
    QJsonArray aliasArray;
    for (const EntityAlias &a : aliases) {
        aliasArray.append(QJsonObject{{QStringLiteral("id"), a.id},
                                      {QStringLiteral("canonical_id"), id},
                                      {QStringLiteral("name"), a.name},
                                      {QStringLiteral("mount_accessor"), a.mountAccessor},
                                      {QStringLiteral("mount_type"), a.mountType},
                                      {QStringLiteral("mount_path"), a.mountPath},
                                      {QStringLiteral("creation_time"), formatRfc3339(a.creationTime)},
                                      {QStringLiteral("last_update_time"), formatRfc3339(a.lastUpdateTime)},
                                      {QStringLiteral("metadata"), QJsonValue::Null},
                                      {QStringLiteral("custom_metadata"), QJsonValue::Null},
                                      {QStringLiteral("local"), false},
                                      {QStringLiteral("merged_from_canonical_ids"), QJsonValue::Null}});
    }
    return {{QStringLiteral("id"), id},
            {QStringLiteral("name"), name},
            {QStringLiteral("aliases"), aliasArray},
            {QStringLiteral("policies"), QJsonArray::fromStringList(policies)},
            {QStringLiteral("metadata"), QJsonValue::Null},
            {QStringLiteral("creation_time"), formatRfc3339(creationTime)},
            {QStringLiteral("last_update_time"), formatRfc3339(lastUpdateTime)},
            {QStringLiteral("disabled"), disabled},
            {QStringLiteral("direct_group_ids"), QJsonArray()},
            {QStringLiteral("group_ids"), QJsonArray()},
            {QStringLiteral("inherited_group_ids"), QJsonArray()},
            {QStringLiteral("merged_entity_ids"), QJsonValue::Null},
            {QStringLiteral("mfa_secrets"), QJsonObject()},
            {QStringLiteral("namespace_id"), QStringLiteral("root")}};
}

IdentityStore::IdentityStore(Storage *barrier) : m_barrier(barrier) {}

QString IdentityStore::entityKey(const QString &id)
{
    return kEntityPrefix + id;
}

QString IdentityStore::aliasKey(const QString &mountAccessor, const QString &aliasName)
{
    // Names are hashed so that any alias name makes a well-formed key.
    return kAliasPrefix + mountAccessor + QLatin1Char('/') +
           QString::fromLatin1(crypto::sha256(aliasName.toUtf8()).toHex());
}

QFuture<Result<Entity>> IdentityStore::entityForAlias(const EntityAlias &alias)
{
    using R = Result<Entity>;
    if (alias.name.isEmpty() || alias.mountAccessor.isEmpty())
        return ready(R::fail(QStringLiteral("an entity alias needs a name and a mount")));
    return m_sequencer.run<R>(
        aliasKey(alias.mountAccessor, alias.name), [this, alias]() { return findOrCreate(alias); },
        R::fail(QStringLiteral("the identity lookup was interrupted")));
}

QFuture<Result<Entity>> IdentityStore::findOrCreate(const EntityAlias &alias)
{
    using R = Result<Entity>;
    const QString indexKey = aliasKey(alias.mountAccessor, alias.name);
    Storage *const barrier = m_barrier;
    const auto create = [barrier, alias, indexKey]() -> QFuture<R> {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        Entity e;
        e.id = crypto::randomUuid();
        e.name = QStringLiteral("entity_") + QString::fromLatin1(crypto::randomBytesRaw(4).toHex());
        e.creationTime = now;
        e.lastUpdateTime = now;
        EntityAlias a = alias;
        a.id = crypto::randomUuid();
        a.creationTime = now;
        a.lastUpdateTime = now;
        e.aliases.append(a);
        const QJsonObject index{{QStringLiteral("entity_id"), e.id}, {QStringLiteral("alias_id"), a.id}};
        return barrier
            ->batch({StorageOp::put(entityKey(e.id), compact(e.toJson())), StorageOp::put(indexKey, compact(index))})
            .then([e](Status st) -> R {
                if (!st)
                    return st;
                qCInfo(lcIdentity) << "created entity" << e.id << "for an alias on" << e.aliases.constFirst().mountPath;
                return e;
            });
    };
    return barrier->get(indexKey)
        .then([barrier, create](Result<std::optional<QByteArray>> index) -> QFuture<R> {
            if (!index)
                return ready(R(index.status()));
            if (!index.value().has_value())
                return create();
            const QString entityId =
                QJsonDocument::fromJson(*index.value()).object().value(QStringLiteral("entity_id")).toString();
            return barrier->get(entityKey(entityId))
                .then([create](Result<std::optional<QByteArray>> stored) -> QFuture<R> {
                    if (!stored)
                        return ready(R(stored.status()));
                    if (!stored.value().has_value())
                        return create(); // the alias pointed at an entity that is gone: start afresh
                    return ready(R(Entity::fromJson(QJsonDocument::fromJson(*stored.value()).object())));
                })
                .unwrap();
        })
        .unwrap();
}

QFuture<Result<std::optional<Entity>>> IdentityStore::entity(const QString &id)
{
    using R = Result<std::optional<Entity>>;
    if (id.isEmpty() || id.contains(QLatin1Char('/')))
        return ready(R(std::optional<Entity>()));
    return m_barrier->get(entityKey(id)).then([](Result<std::optional<QByteArray>> stored) -> R {
        if (!stored)
            return stored.status();
        if (!stored.value().has_value())
            return std::optional<Entity>();
        return std::optional<Entity>(Entity::fromJson(QJsonDocument::fromJson(*stored.value()).object()));
    });
}

QFuture<Result<QStringList>> IdentityStore::entityIds()
{
    return m_barrier->list(kEntityPrefix).then([](Result<QStringList> names) -> Result<QStringList> {
        if (!names)
            return names;
        QStringList ids;
        for (const QString &n : names.value()) {
            if (!n.endsWith(QLatin1Char('/')))
                ids.append(n);
        }
        ids.sort();
        return ids;
    });
}

QFuture<Status> IdentityStore::removeMountAliases(const QString &mountAccessor)
{
    if (mountAccessor.isEmpty() || mountAccessor.contains(QLatin1Char('/')))
        return ready(Status::ok());
    return m_barrier->list(kAliasPrefix + mountAccessor + QLatin1Char('/'))
        .then([this, mountAccessor](Result<QStringList> names) -> QFuture<Status> {
            if (!names)
                return ready(names.status());
            QFuture<Status> done = ready(Status::ok());
            for (const QString &name : names.value()) {
                if (name.endsWith(QLatin1Char('/')))
                    continue;
                done = done.then([this, mountAccessor, name](Status st) -> QFuture<Status> {
                               if (!st)
                                   return ready(st);
                               return removeAlias(mountAccessor, name);
                           })
                           .unwrap();
            }
            return done;
        })
        .unwrap();
}

QFuture<Status> IdentityStore::removeAlias(const QString &mountAccessor, const QString &indexName)
{
    const QString indexKey = kAliasPrefix + mountAccessor + QLatin1Char('/') + indexName;
    Storage *const barrier = m_barrier;
    return barrier->get(indexKey)
        .then([this, barrier, indexKey, mountAccessor](Result<std::optional<QByteArray>> index) -> QFuture<Status> {
            if (!index)
                return ready(index.status());
            if (!index.value().has_value())
                return ready(Status::ok());
            const QString entityId =
                QJsonDocument::fromJson(*index.value()).object().value(QStringLiteral("entity_id")).toString();
            // The entity is rewritten without the alias, one change at a time per entity.
            return m_sequencer.run<Status>(
                QStringLiteral("entity:") + entityId,
                [barrier, indexKey, entityId, mountAccessor]() {
                    return barrier->get(entityKey(entityId))
                        .then([barrier, indexKey, entityId,
                               mountAccessor](Result<std::optional<QByteArray>> stored) -> QFuture<Status> {
                            if (!stored)
                                return ready(stored.status());
                            QList<StorageOp> ops{StorageOp::remove(indexKey)};
                            if (stored.value().has_value()) {
                                Entity e = Entity::fromJson(QJsonDocument::fromJson(*stored.value()).object());
                                e.aliases.removeIf(
                                    [&](const EntityAlias &a) { return a.mountAccessor == mountAccessor; });
                                e.lastUpdateTime = QDateTime::currentSecsSinceEpoch();
                                ops.append(StorageOp::put(entityKey(entityId), compact(e.toJson())));
                            }
                            return barrier->batch(ops);
                        })
                        .unwrap();
                },
                Status::fail(QStringLiteral("removing the alias was interrupted")));
        })
        .unwrap();
}

} // namespace gk
