#include "engine/broker/GridsBackend.h"

#include "engine/broker/Broker.h"
#include "engine/broker/GridStore.h"
#include "engine/broker/TaskLookup.h"
#include "engine/broker/TaskPolicies.h"

#include <QDateTime>
#include <QHostAddress>
#include <QJsonArray>
#include <QMap>

namespace gk {

namespace {

constexpr qsizetype kMaxFieldLength = 256;
constexpr qsizetype kMaxLabels = 64;

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

QString isoTime(qint64 secs)
{
    return secs > 0 ? QDateTime::fromSecsSinceEpoch(secs, Qt::UTC).toString(Qt::ISODate) : QString();
}

QJsonObject taskView(const GridStore::StaticTask &t)
{
    return {{QStringLiteral("id"), t.id},
            {QStringLiteral("name"), t.name},
            {QStringLiteral("group"), t.group},
            {QStringLiteral("host"), t.host},
            {QStringLiteral("started_at"), isoTime(t.startedAt)},
            {QStringLiteral("registered_at"), isoTime(t.registeredAt)}};
}

// The nodes of a grid: those its scheduler knows (for static grids, the hosts of its tasks) and those registered
// with labels, by name.
struct NodeView
{
    QString name;
    QString address;
    QStringList labels;
    int tasks = 0;
    bool registered = false;
    bool scheduled = false;

    QJsonObject toJson(const QString &grid) const
    {
        return {{QStringLiteral("id"), grid + QLatin1Char('/') + name},
                {QStringLiteral("name"), name},
                {QStringLiteral("grid"), QJsonObject{{QStringLiteral("id"), grid}, {QStringLiteral("name"), grid}}},
                {QStringLiteral("address"), address},
                {QStringLiteral("labels"), QJsonArray::fromStringList(labels)},
                {QStringLiteral("tasks"), tasks},
                {QStringLiteral("connected"), scheduled},
                {QStringLiteral("registered"), registered}};
    }
};

// started_at: unix seconds or an RFC 3339 time; absent: now.
std::optional<qint64> startedAt(const QJsonValue &v)
{
    if (v.isUndefined() || v.isNull())
        return QDateTime::currentSecsSinceEpoch();
    if (v.isDouble() && v.toDouble() > 0)
        return static_cast<qint64>(v.toDouble());
    if (v.isString()) {
        const QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
        if (t.isValid() && t.timeSpec() != Qt::LocalTime)
            return t.toSecsSinceEpoch();
    }
    return std::nullopt;
}

// A string field of 1..kMaxFieldLength characters; absent is allowed when optional.
std::optional<QString> textField(const QJsonObject &data, const char *name, bool optional, QString *error)
{
    const QJsonValue v = data.value(QLatin1String(name));
    if ((v.isUndefined() || v.isNull()) && optional)
        return QString();
    if (!v.isString() || v.toString().isEmpty() || v.toString().size() > kMaxFieldLength) {
        *error = QStringLiteral("%1 must be a string of 1 to %2 characters").arg(QLatin1String(name)).arg(kMaxFieldLength);
        return std::nullopt;
    }
    return v.toString();
}

} // namespace

QList<PathSpec> GridsBackend::paths()
{
    const auto bind = [this](QFuture<Response> (GridsBackend::*fn)(const Request &)) {
        return [this, fn](const Request &r) { return (this->*fn)(r); };
    };
    const auto spec = [](QString pattern, std::map<Operation, Handler> handlers, QString help) {
        PathSpec s;
        s.pattern = std::move(pattern);
        s.handlers = std::move(handlers);
        s.help = std::move(help);
        return s;
    };
    const QString grid = QStringLiteral("([a-z0-9][a-z0-9_.-]{0,62})");
    switch (m_flavour) {
    case Flavour::Grids: {
        PathSpec secret = spec(
            grid,
            {{Operation::Read, bind(&GridsBackend::readGrid)},
             {Operation::Update, bind(&GridsBackend::updateGrid)},
             {Operation::Delete, bind(&GridsBackend::deleteGrid)}},
            QStringLiteral("A grid: {name, scheduler {type: nomad|mesos|kubernetes|static, address, token, ca_cert}, "
                           "trusted_subnets, task_grace, wrap_ttl, host_check}. PUT changes the fields given; the "
                           "scheduler token is answered as \"<redacted>\". DELETE removes it with its tasks, nodes "
                           "and allotments."));
        secret.sensitiveFields = {QStringLiteral("token")};
        PathSpec create = spec(QString(),
                               {{Operation::Read, bind(&GridsBackend::listGrids)},
                                {Operation::List, bind(&GridsBackend::listGrids)},
                                {Operation::Update, bind(&GridsBackend::createGrid)}},
                               QStringLiteral("GET: the grids ({\"grids\": [...]}); POST {name, scheduler, ...}: "
                                              "create one (400 when the name is taken)."));
        create.sensitiveFields = {QStringLiteral("token")};
        create.listLike = true;
        PathSpec nodes = spec(grid + QStringLiteral("/nodes"),
                              {{Operation::Read, bind(&GridsBackend::listNodes)},
                               {Operation::List, bind(&GridsBackend::listNodes)}},
                              QStringLiteral("The grid's nodes: the hosts its scheduler knows and the nodes "
                                             "registered with labels ({\"nodes\": [...]})."));
        nodes.listLike = true;
        PathSpec tasks = spec(grid + QStringLiteral("/tasks/?"),
                              {{Operation::Read, bind(&GridsBackend::listTasks)},
                               {Operation::List, bind(&GridsBackend::listTasks)}},
                              QStringLiteral("The tasks registered with a static grid ({\"tasks\": [...]})."));
        tasks.listLike = true;
        return {create, secret, nodes, tasks,
                spec(grid + QStringLiteral("/tasks/(.+)"),
                     {{Operation::Read, bind(&GridsBackend::readTask)},
                      {Operation::Update, bind(&GridsBackend::putTask)},
                      {Operation::Delete, bind(&GridsBackend::deleteTask)}},
                     QStringLiteral("A task of a static grid: PUT {\"host\", \"name\", \"group\", \"started_at\"} "
                                    "registers it (host: the address it calls /token from; started_at: unix seconds "
                                    "or RFC 3339, default now), DELETE removes it."))};
    }
    case Flavour::Nodes:
        return {spec(grid + QStringLiteral("/([^/]+)"),
                     {{Operation::Read, bind(&GridsBackend::readNode)},
                      {Operation::Update, bind(&GridsBackend::putNode)},
                      {Operation::Delete, bind(&GridsBackend::deleteNode)}},
                     QStringLiteral("A node of a grid: GET shows it, PUT {\"labels\": [\"key=value\", ...]} registers "
                                    "it with labels, DELETE removes the registration."))};
    case Flavour::Policies:
        return {spec(QStringLiteral("policies"),
                     {{Operation::Read, bind(&GridsBackend::readPolicies)},
                      {Operation::Update, bind(&GridsBackend::writePolicies)}},
                     QStringLiteral("The task policies in Gatekeeper's format: {\"grid:group:task\" or \"grid:task\" "
                                    "(a trailing * globs): {\"roles\": [...], \"num_uses\": N}}. PUT replaces them "
                                    "(400 naming a bad key); POST /policies/reload applies them."))};
    }
    return {};
}

QFuture<Result<Grid>> GridsBackend::existingGrid(const QString &name)
{
    return m_broker->store().grid(name).then([name](Result<std::optional<Grid>> g) -> Result<Grid> {
        if (!g)
            return g.status();
        if (!g.value())
            return Result<Grid>::fail(QStringLiteral("no grid \"%1\"").arg(name), 404);
        return *g.value();
    });
}

QFuture<Response> GridsBackend::listGrids(const Request &)
{
    GridStore &store = m_broker->store();
    return store.gridNames()
        .then([&store](Result<QStringList> names) -> QFuture<Response> {
            if (!names)
                return ready(failure(names.status()));
            QList<QFuture<Result<std::optional<Grid>>>> reads;
            for (const QString &name : names.value())
                reads.append(store.grid(name));
            if (reads.isEmpty())
                return ready(Response::ok({{QStringLiteral("grids"), QJsonArray()}}));
            return QtFuture::whenAll(reads.begin(), reads.end())
                .then([](const QList<QFuture<Result<std::optional<Grid>>>> &done) {
                    QJsonArray grids;
                    for (const auto &f : done) {
                        const Result<std::optional<Grid>> g = f.result();
                        if (!g)
                            return failure(g.status());
                        if (g.value())
                            grids.append(g.value()->toApiJson());
                    }
                    return Response::ok({{QStringLiteral("grids"), grids}});
                });
        })
        .unwrap();
}

QFuture<Response> GridsBackend::createGrid(const Request &request)
{
    const QJsonValue name = request.data.value(QStringLiteral("name"));
    if (!name.isString() || !Grid::validName(name.toString()))
        return fail(400, QStringLiteral("name must be 1 to 63 of a-z, 0-9, '_', '.' and '-', starting with a letter "
                                        "or digit"));
    if (!request.data.value(QStringLiteral("scheduler")).isObject())
        return fail(400, QStringLiteral("scheduler {type, address} is required"));
    Grid fresh;
    fresh.name = name.toString();
    fresh.createdAt = fresh.updatedAt = QDateTime::currentSecsSinceEpoch();
    Result<Grid> grid = Grid::apply(fresh, request.data);
    if (!grid)
        return fail(grid.httpStatus(), grid.error());
    GridStore &store = m_broker->store();
    const Grid g = grid.value();
    return store.inGrid<Response>(
        g.name,
        [&store, g] {
            return store.grid(g.name)
                .then([&store, g](Result<std::optional<Grid>> existing) -> QFuture<Response> {
                    if (!existing)
                        return ready(failure(existing.status()));
                    if (existing.value())
                        return fail(400, QStringLiteral("grid \"%1\" already exists").arg(g.name));
                    return store.putGrid(g).then([g](Status st) {
                        return st ? Response::ok(g.toApiJson()) : failure(st);
                    });
                })
                .unwrap();
        },
        Response::error(503, QStringLiteral("the server is stopping")));
}

QFuture<Response> GridsBackend::readGrid(const Request &request)
{
    return existingGrid(request.captures.value(0)).then([](Result<Grid> g) {
        return g ? Response::ok(g.value().toApiJson()) : failure(g.status());
    });
}

QFuture<Response> GridsBackend::updateGrid(const Request &request)
{
    const QString name = request.captures.value(0);
    const QJsonValue bodyName = request.data.value(QStringLiteral("name"));
    if (!bodyName.isUndefined() && !bodyName.isNull() && bodyName.toString() != name)
        return fail(400, QStringLiteral("a grid cannot be renamed"));
    GridStore &store = m_broker->store();
    TaskLookup *lookup = &m_broker->lookup();
    const QJsonObject data = request.data;
    return store.inGrid<Response>(
        name,
        [this, &store, lookup, name, data] {
            return existingGrid(name)
                .then([&store, lookup, data](Result<Grid> existing) -> QFuture<Response> {
                    if (!existing)
                        return ready(failure(existing.status()));
                    Result<Grid> changed = Grid::apply(existing.value(), data);
                    if (!changed)
                        return ready(failure(changed.status()));
                    changed.value().updatedAt = QDateTime::currentSecsSinceEpoch();
                    const Grid g = changed.value();
                    return store.putGrid(g).then([lookup, g](Status st) {
                        lookup->forgetGrid(g.name);
                        return st ? Response::ok(g.toApiJson()) : failure(st);
                    });
                })
                .unwrap();
        },
        Response::error(503, QStringLiteral("the server is stopping")));
}

QFuture<Response> GridsBackend::deleteGrid(const Request &request)
{
    const QString name = request.captures.value(0);
    GridStore &store = m_broker->store();
    TaskLookup *lookup = &m_broker->lookup();
    return store.inGrid<Response>(
        name,
        [&store, lookup, name] {
            return store.removeGrid(name).then([lookup, name](Status st) {
                lookup->forgetGrid(name);
                return st ? Response::noContent() : failure(st);
            });
        },
        Response::error(503, QStringLiteral("the server is stopping")));
}

// ---- nodes ----

namespace {

QFuture<Result<QList<NodeView>>> nodeViews(Broker *broker, const Grid &grid)
{
    using R = Result<QList<NodeView>>;
    const QString name = grid.name;
    GridStore &store = broker->store();
    return broker->lookup()
        .nodes(grid)
        .then([&store, name](Result<QList<NodeInfo>> scheduled) -> QFuture<R> {
            return store.nodes(name).then([scheduled](Result<QList<GridStore::NodeRecord>> records) -> R {
                if (!records)
                    return records.status();
                QMap<QString, NodeView> byName;
                // A scheduler that cannot be asked leaves the registered nodes.
                if (scheduled) {
                    for (const NodeInfo &n : scheduled.value()) {
                        NodeView &v = byName[n.name];
                        v.name = n.name;
                        v.address = n.address;
                        v.tasks = n.tasks;
                        v.scheduled = true;
                    }
                }
                for (const GridStore::NodeRecord &r : records.value()) {
                    NodeView &v = byName[r.name];
                    v.name = r.name;
                    v.labels = r.labels;
                    v.registered = true;
                    if (v.address.isEmpty() && !QHostAddress(r.name).isNull())
                        v.address = r.name;
                }
                return byName.values();
            });
        })
        .unwrap();
}

} // namespace

QFuture<Response> GridsBackend::listNodes(const Request &request)
{
    Broker *broker = m_broker;
    return existingGrid(request.captures.value(0))
        .then([broker](Result<Grid> grid) -> QFuture<Response> {
            if (!grid)
                return ready(failure(grid.status()));
            const QString name = grid.value().name;
            return nodeViews(broker, grid.value()).then([name](Result<QList<NodeView>> views) {
                if (!views)
                    return failure(views.status());
                QJsonArray nodes;
                for (const NodeView &v : views.value())
                    nodes.append(v.toJson(name));
                return Response::ok({{QStringLiteral("nodes"), nodes}});
            });
        })
        .unwrap();
}

QFuture<Response> GridsBackend::readNode(const Request &request)
{
    Broker *broker = m_broker;
    const QString node = request.captures.value(1);
    return existingGrid(request.captures.value(0))
        .then([broker, node](Result<Grid> grid) -> QFuture<Response> {
            if (!grid)
                return ready(failure(grid.status()));
            const QString name = grid.value().name;
            return nodeViews(broker, grid.value()).then([name, node](Result<QList<NodeView>> views) {
                if (!views)
                    return failure(views.status());
                for (const NodeView &v : views.value()) {
                    if (v.name == node)
                        return Response::ok(v.toJson(name));
                }
                return Response::error(404, QStringLiteral("no node \"%1\" in grid \"%2\"").arg(node.left(128), name));
            });
        })
        .unwrap();
}

QFuture<Response> GridsBackend::putNode(const Request &request)
{
    const QString gridName = request.captures.value(0);
    GridStore::NodeRecord record;
    record.name = request.captures.value(1);
    record.updatedAt = QDateTime::currentSecsSinceEpoch();
    if (record.name.size() > kMaxFieldLength)
        return fail(400, QStringLiteral("the node name is too long"));
    const QJsonValue labels = request.data.value(QStringLiteral("labels"));
    if (!labels.isUndefined() && !labels.isNull()) {
        if (!labels.isArray() || labels.toArray().size() > kMaxLabels)
            return fail(400, QStringLiteral("labels must be a list of at most %1 \"key=value\" strings").arg(kMaxLabels));
        for (const QJsonValue &l : labels.toArray()) {
            if (!l.isString() || l.toString().isEmpty() || l.toString().size() > kMaxFieldLength)
                return fail(400, QStringLiteral("labels must be non-empty strings"));
            record.labels.append(l.toString());
        }
    }
    GridStore &store = m_broker->store();
    return store.inGrid<Response>(
        gridName,
        [this, &store, gridName, record] {
            return existingGrid(gridName)
                .then([&store, gridName, record](Result<Grid> grid) -> QFuture<Response> {
                    if (!grid)
                        return ready(failure(grid.status()));
                    return store.putNode(gridName, record).then([gridName, record](Status st) {
                        if (!st)
                            return failure(st);
                        NodeView v;
                        v.name = record.name;
                        v.labels = record.labels;
                        v.registered = true;
                        if (!QHostAddress(record.name).isNull())
                            v.address = record.name;
                        return Response::ok(v.toJson(gridName));
                    });
                })
                .unwrap();
        },
        Response::error(503, QStringLiteral("the server is stopping")));
}

QFuture<Response> GridsBackend::deleteNode(const Request &request)
{
    const QString gridName = request.captures.value(0);
    const QString node = request.captures.value(1);
    GridStore &store = m_broker->store();
    return store.inGrid<Response>(
        gridName,
        [&store, gridName, node] {
            return store.removeNode(gridName, node).then([](Status st) {
                return st ? Response::noContent() : failure(st);
            });
        },
        Response::error(503, QStringLiteral("the server is stopping")));
}

// ---- static tasks ----

QFuture<Response> GridsBackend::listTasks(const Request &request)
{
    GridStore &store = m_broker->store();
    const QString name = request.captures.value(0);
    return existingGrid(name)
        .then([&store, name](Result<Grid> grid) -> QFuture<Response> {
            if (!grid)
                return ready(failure(grid.status()));
            return store.tasks(name).then([](Result<QList<GridStore::StaticTask>> tasks) {
                if (!tasks)
                    return failure(tasks.status());
                QJsonArray out;
                for (const GridStore::StaticTask &t : tasks.value())
                    out.append(taskView(t));
                return Response::ok({{QStringLiteral("tasks"), out}});
            });
        })
        .unwrap();
}

QFuture<Response> GridsBackend::readTask(const Request &request)
{
    const QString grid = request.captures.value(0);
    const QString id = request.captures.value(1);
    return m_broker->store().task(grid, id).then([grid, id](Result<std::optional<GridStore::StaticTask>> t) {
        if (!t)
            return failure(t.status());
        if (!t.value())
            return Response::error(404, QStringLiteral("no task \"%1\" in grid \"%2\"").arg(id.left(128), grid));
        return Response::ok(taskView(*t.value()));
    });
}

QFuture<Response> GridsBackend::putTask(const Request &request)
{
    GridStore::StaticTask task;
    task.id = request.captures.value(1);
    if (task.id.size() > kMaxFieldLength)
        return fail(400, QStringLiteral("the task id is too long"));
    QString error;
    const std::optional<QString> host = textField(request.data, "host", false, &error);
    const std::optional<QString> name = textField(request.data, "name", false, &error);
    const std::optional<QString> group = textField(request.data, "group", true, &error);
    if (!error.isEmpty())
        return fail(400, error);
    if (QHostAddress(*host).isNull())
        return fail(400, QStringLiteral("host must be the IP address the task calls from"));
    const std::optional<qint64> started = startedAt(request.data.value(QStringLiteral("started_at")));
    if (!started)
        return fail(400, QStringLiteral("started_at must be unix seconds or an RFC 3339 time"));
    task.host = Grid::normalized(QHostAddress(*host)).toString();
    task.name = *name;
    task.group = *group;
    task.startedAt = *started;
    task.registeredAt = QDateTime::currentSecsSinceEpoch();
    const QString gridName = request.captures.value(0);
    GridStore &store = m_broker->store();
    TaskLookup *lookup = &m_broker->lookup();
    return store.inGrid<Response>(
        gridName,
        [this, &store, lookup, gridName, task] {
            return existingGrid(gridName)
                .then([&store, lookup, gridName, task](Result<Grid> grid) -> QFuture<Response> {
                    if (!grid)
                        return ready(failure(grid.status()));
                    if (grid.value().schedulerType != u"static")
                        return fail(400, QStringLiteral("grid \"%1\" has the %2 scheduler: its tasks come from it")
                                             .arg(gridName, grid.value().schedulerType));
                    return store.putTask(gridName, task).then([lookup, gridName, task](Status st) {
                        lookup->forget(gridName, task.id);
                        return st ? Response::ok(taskView(task)) : failure(st);
                    });
                })
                .unwrap();
        },
        Response::error(503, QStringLiteral("the server is stopping")));
}

QFuture<Response> GridsBackend::deleteTask(const Request &request)
{
    const QString gridName = request.captures.value(0);
    const QString id = request.captures.value(1);
    GridStore &store = m_broker->store();
    TaskLookup *lookup = &m_broker->lookup();
    return store.inGrid<Response>(
        gridName,
        [&store, lookup, gridName, id] {
            return store.removeTask(gridName, id).then([lookup, gridName, id](Status st) {
                lookup->forget(gridName, id);
                return st ? Response::noContent() : failure(st);
            });
        },
        Response::error(503, QStringLiteral("the server is stopping")));
}

// ---- task policies ----

QFuture<Response> GridsBackend::readPolicies(const Request &)
{
    return m_broker->store().policies().then([](Result<QJsonObject> stored) {
        return stored ? Response::ok(stored.value()) : failure(stored.status());
    });
}

QFuture<Response> GridsBackend::writePolicies(const Request &request)
{
    const Result<TaskPolicies> parsed = TaskPolicies::parse(request.data);
    if (!parsed)
        return fail(parsed.httpStatus(), parsed.error());
    return m_broker->store().putPolicies(parsed.value().toJson()).then([](Status st) {
        return st ? Response::noContent() : failure(st);
    });
}

} // namespace gk
