#include "engine/broker/GridStore.h"

#include "engine/crypto/Crypto.h"
#include "engine/storage/Storage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>

namespace gk {

namespace {

const QString kRoot = QStringLiteral("sys/broker/");

QString gridKey(const QString &name)
{
    return kRoot + QStringLiteral("grids/") + name;
}

QString encoded(const QString &id)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(id));
}

QString tasksFolder(const QString &grid)
{
    return kRoot + QStringLiteral("tasks/") + grid + QLatin1Char('/');
}

QString nodesFolder(const QString &grid)
{
    return kRoot + QStringLiteral("nodes/") + grid + QLatin1Char('/');
}

QString allotmentsFolder(const QString &grid)
{
    return kRoot + QStringLiteral("allotments/") + grid + QLatin1Char('/');
}

const QString kPoliciesKey = QStringLiteral("sys/broker/policies");

template <typename T> QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

} // namespace

QJsonObject GridStore::StaticTask::toJson() const
{
    return {{QStringLiteral("id"), id},           {QStringLiteral("name"), name},
            {QStringLiteral("group"), group},     {QStringLiteral("host"), host},
            {QStringLiteral("started_at"), startedAt}, {QStringLiteral("registered_at"), registeredAt}};
}

GridStore::StaticTask GridStore::StaticTask::fromJson(const QJsonObject &json)
{
    StaticTask t;
    t.id = json.value(QStringLiteral("id")).toString();
    t.name = json.value(QStringLiteral("name")).toString();
    t.group = json.value(QStringLiteral("group")).toString();
    t.host = json.value(QStringLiteral("host")).toString();
    t.startedAt = json.value(QStringLiteral("started_at")).toInteger();
    t.registeredAt = json.value(QStringLiteral("registered_at")).toInteger();
    return t;
}

QJsonObject GridStore::NodeRecord::toJson() const
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("labels"), QJsonArray::fromStringList(labels)},
            {QStringLiteral("updated_at"), updatedAt}};
}

GridStore::NodeRecord GridStore::NodeRecord::fromJson(const QJsonObject &json)
{
    NodeRecord n;
    n.name = json.value(QStringLiteral("name")).toString();
    for (const QJsonValue &v : json.value(QStringLiteral("labels")).toArray())
        n.labels.append(v.toString());
    n.updatedAt = json.value(QStringLiteral("updated_at")).toInteger();
    return n;
}

GridStore::GridStore(Storage *barrier) : m_barrier(barrier) {}

QFuture<Result<std::optional<QJsonObject>>> GridStore::readJson(const QString &key)
{
    using R = Result<std::optional<QJsonObject>>;
    return m_barrier->get(key).then([](Result<std::optional<QByteArray>> got) -> R {
        if (!got)
            return got.status();
        if (!got.value())
            return std::optional<QJsonObject>();
        return std::optional<QJsonObject>(QJsonDocument::fromJson(*got.value()).object());
    });
}

QFuture<Status> GridStore::writeJson(const QString &key, const QJsonObject &value)
{
    return m_barrier->put(key, QJsonDocument(value).toJson(QJsonDocument::Compact));
}

QFuture<Result<QList<QJsonObject>>> GridStore::readAll(const QString &folder)
{
    using R = Result<QList<QJsonObject>>;
    return m_barrier->list(folder)
        .then([this, folder](Result<QStringList> names) -> QFuture<R> {
            if (!names)
                return ready(R(names.status()));
            QList<QFuture<Result<std::optional<QJsonObject>>>> reads;
            for (const QString &name : names.value()) {
                if (!name.endsWith(QLatin1Char('/')))
                    reads.append(readJson(folder + name));
            }
            if (reads.isEmpty())
                return ready(R(QList<QJsonObject>()));
            return QtFuture::whenAll(reads.begin(), reads.end())
                .then([](const QList<QFuture<Result<std::optional<QJsonObject>>>> &done) -> R {
                    QList<QJsonObject> out;
                    for (const auto &f : done) {
                        const Result<std::optional<QJsonObject>> r = f.result();
                        if (!r)
                            return r.status();
                        if (r.value()) // removed between the list and the read
                            out.append(*r.value());
                    }
                    return out;
                });
        })
        .unwrap();
}

QFuture<Result<QStringList>> GridStore::keysBelow(const QString &folder)
{
    return m_barrier->list(folder).then([folder](Result<QStringList> names) -> Result<QStringList> {
        if (!names)
            return names.status();
        QStringList keys;
        for (const QString &name : names.value())
            keys.append(folder + name);
        return keys;
    });
}

QFuture<Result<std::optional<Grid>>> GridStore::grid(const QString &name)
{
    using R = Result<std::optional<Grid>>;
    return readJson(gridKey(name)).then([](Result<std::optional<QJsonObject>> json) -> R {
        if (!json)
            return json.status();
        if (!json.value())
            return std::optional<Grid>();
        return std::optional<Grid>(Grid::fromJson(*json.value()));
    });
}

QFuture<Result<QStringList>> GridStore::gridNames()
{
    return m_barrier->list(kRoot + QStringLiteral("grids/"));
}

QFuture<Status> GridStore::putGrid(const Grid &grid)
{
    return writeJson(gridKey(grid.name), grid.toJson());
}

QFuture<Status> GridStore::removeGrid(const QString &name)
{
    QList<QFuture<Result<QStringList>>> lists{keysBelow(tasksFolder(name)), keysBelow(nodesFolder(name)),
                                                    keysBelow(allotmentsFolder(name))};
    return QtFuture::whenAll(lists.begin(), lists.end())
        .then([this, name](const QList<QFuture<Result<QStringList>>> &done) -> QFuture<Status> {
            QList<StorageOp> ops;
            for (const auto &f : done) {
                const Result<QStringList> keys = f.result();
                if (!keys)
                    return ready(keys.status());
                for (const QString &key : keys.value())
                    ops.append(StorageOp::remove(key));
            }
            ops.append(StorageOp::remove(gridKey(name)));
            return m_barrier->batch(ops);
        })
        .unwrap();
}

QFuture<Result<std::optional<GridStore::StaticTask>>> GridStore::task(const QString &grid, const QString &id)
{
    using R = Result<std::optional<StaticTask>>;
    return readJson(tasksFolder(grid) + encoded(id)).then([](Result<std::optional<QJsonObject>> json) -> R {
        if (!json)
            return json.status();
        if (!json.value())
            return std::optional<StaticTask>();
        return std::optional<StaticTask>(StaticTask::fromJson(*json.value()));
    });
}

QFuture<Result<QList<GridStore::StaticTask>>> GridStore::tasks(const QString &grid)
{
    return readAll(tasksFolder(grid)).then([](Result<QList<QJsonObject>> all) -> Result<QList<StaticTask>> {
        if (!all)
            return all.status();
        QList<StaticTask> out;
        for (const QJsonObject &json : all.value())
            out.append(StaticTask::fromJson(json));
        return out;
    });
}

QFuture<Status> GridStore::putTask(const QString &grid, const StaticTask &task)
{
    return writeJson(tasksFolder(grid) + encoded(task.id), task.toJson());
}

QFuture<Status> GridStore::removeTask(const QString &grid, const QString &id)
{
    return m_barrier->remove(tasksFolder(grid) + encoded(id));
}

QFuture<Result<std::optional<GridStore::NodeRecord>>> GridStore::node(const QString &grid, const QString &name)
{
    using R = Result<std::optional<NodeRecord>>;
    return readJson(nodesFolder(grid) + encoded(name)).then([](Result<std::optional<QJsonObject>> json) -> R {
        if (!json)
            return json.status();
        if (!json.value())
            return std::optional<NodeRecord>();
        return std::optional<NodeRecord>(NodeRecord::fromJson(*json.value()));
    });
}

QFuture<Result<QList<GridStore::NodeRecord>>> GridStore::nodes(const QString &grid)
{
    return readAll(nodesFolder(grid)).then([](Result<QList<QJsonObject>> all) -> Result<QList<NodeRecord>> {
        if (!all)
            return all.status();
        QList<NodeRecord> out;
        for (const QJsonObject &json : all.value())
            out.append(NodeRecord::fromJson(json));
        return out;
    });
}

QFuture<Status> GridStore::putNode(const QString &grid, const NodeRecord &node)
{
    return writeJson(nodesFolder(grid) + encoded(node.name), node.toJson());
}

QFuture<Status> GridStore::removeNode(const QString &grid, const QString &name)
{
    return m_barrier->remove(nodesFolder(grid) + encoded(name));
}

QFuture<Result<QJsonObject>> GridStore::policies()
{
    return readJson(kPoliciesKey).then([](Result<std::optional<QJsonObject>> json) -> Result<QJsonObject> {
        if (!json)
            return json.status();
        return json.value().value_or(QJsonObject());
    });
}

QFuture<Status> GridStore::putPolicies(const QJsonObject &policies)
{
    return writeJson(kPoliciesKey, policies);
}

QString GridStore::allotmentKey(const QString &grid, const QString &taskId, const QString &role)
{
    const QByteArray material = taskId.toUtf8() + '\0' + role.toUtf8();
    return allotmentsFolder(grid) + QString::fromLatin1(crypto::sha256(material).toHex());
}

QFuture<Result<int>> GridStore::allotmentUsed(const QString &grid, const QString &taskId, const QString &role)
{
    return readJson(allotmentKey(grid, taskId, role)).then([](Result<std::optional<QJsonObject>> json) -> Result<int> {
        if (!json)
            return json.status();
        return json.value() ? json.value()->value(QStringLiteral("used")).toInt() : 0;
    });
}

QFuture<Status> GridStore::setAllotmentUsed(const QString &grid, const QString &taskId, const QString &role, int used)
{
    return writeJson(allotmentKey(grid, taskId, role),
                     {{QStringLiteral("task_id"), taskId}, {QStringLiteral("role"), role}, {QStringLiteral("used"), used}});
}

} // namespace gk
