#include "RequestsModel.h"

#include "ApiClient.h"
#include "GateActions.h"
#include "ModelsLogging.h"

#include <QDateTime>
#include <QJsonArray>
#include <QTimer>

#include <algorithm>
#include <limits>

namespace gk {

namespace {

QString requestPath(const QString &gate)
{
    return QStringLiteral("auth/%1/request").arg(gate);
}

// An event's path relative to /v1/ ("auth/gate/request/<id>", "sys/auth/gate").
QString relativePath(QString path)
{
    if (path.startsWith(QLatin1String("/v1/")))
        return path.mid(4);
    if (path.startsWith(QLatin1Char('/')))
        return path.mid(1);
    return path;
}

bool has(const QJsonArray &capabilities, const char *capability)
{
    return capabilities.contains(QLatin1String(capability)) || capabilities.contains(QLatin1String("root")) ||
           capabilities.contains(QLatin1String("sudo"));
}

// Capabilities answers carry the paths under data (and, Vault-style, at the top level too).
QJsonArray capabilitiesOf(const QJsonObject &body, const QString &path)
{
    const QJsonObject data = body.value(QLatin1String("data")).toObject();
    return (data.contains(path) ? data : body).value(path).toArray();
}

} // namespace

RequestsModel::RequestsModel(ApiClient *client, QObject *parent)
    : QAbstractTableModel(parent), m_client(client), m_actions(new GateActions(client, this)),
      m_watcher(new EventWatcher(client, this)), m_ticker(new QTimer(this)),
      m_nowMs(QDateTime::currentMSecsSinceEpoch())
{
    m_ticker->setInterval(1000);
    connect(m_ticker, &QTimer::timeout, this, &RequestsModel::tick);
    connect(m_watcher, &EventWatcher::synced, this, &RequestsModel::reload);
    connect(m_watcher, &EventWatcher::changed, this, &RequestsModel::handleEvents);
    connect(m_watcher, &EventWatcher::liveChanged, this, &RequestsModel::handleWatcherState);
    connect(m_actions, &GateActions::succeeded, this, [this](const QString &gate) {
        if (!m_running)
            return;
        if (const auto g = this->gate(gate); g && g->canList)
            listGate(gate);
        emit gateActivity(gate);
    });
}

RequestsModel::~RequestsModel() = default;

void RequestsModel::start()
{
    stop();
    m_running = true;
    m_loadedOnce = false;
    m_ticker->start();
    m_watcher->start(); // its first answer (synced) loads everything
}

void RequestsModel::stop()
{
    m_running = false;
    emitErrorIfChanged();
    ++m_generation;
    m_ticker->stop();
    m_watcher->stop();
    m_discovering = false;
    m_discoverAgain = false;
    m_listing.clear();
    m_listAgain.clear();
    m_waitingLoad.clear();
    m_loadPending = false;
}

bool RequestsModel::isLive() const
{
    return m_running && m_watcher->isLive() && m_error.isEmpty();
}

QString RequestsModel::errorString() const
{
    if (!m_error.isEmpty() || !m_running || m_watcher->isLive() || m_watcher->errorString().isEmpty())
        return m_error;
    return tr("Live updates fail, retrying: %1").arg(m_watcher->errorString());
}

void RequestsModel::handleWatcherState()
{
    // Without the live index (no read on sys/events, say), still show the requests once.
    if (m_running && !m_watcher->isLive() && !m_loadedOnce)
        reload();
    emitErrorIfChanged();
}

void RequestsModel::emitErrorIfChanged()
{
    const QString error = errorString();
    if (error != m_shownError) {
        m_shownError = error;
        emit errorChanged(error);
    }
    const bool live = isLive();
    if (live != m_shownLive) {
        m_shownLive = live;
        emit liveChanged(live);
    }
}

void RequestsModel::reload()
{
    if (!m_running)
        return;
    m_loadedOnce = true;
    m_loadPending = true;
    discover();
}

void RequestsModel::setTickIntervalMs(int intervalMs)
{
    m_ticker->setInterval(intervalMs);
}

std::optional<RequestsModel::GateInfo> RequestsModel::gate(const QString &name) const
{
    for (const GateInfo &g : m_gates) {
        if (g.name == name)
            return g;
    }
    return std::nullopt;
}

int RequestsModel::rowOf(const QString &gate, const QString &requestId) const
{
    return m_rowByKey.value(gate + QLatin1Char('/') + requestId, -1);
}

// ---- discovery ------------------------------------------------------------------------------------------------

void RequestsModel::discover()
{
    if (m_discovering) {
        m_discoverAgain = true;
        return;
    }
    m_discovering = true;
    m_discoverAgain = false;
    const int generation = m_generation;
    m_client->request(QStringLiteral("GET"), QStringLiteral("sys/auth"), {}, this,
                      [this, generation](int, const QJsonObject &body, const QStringList &errors) {
                          handleMounts(generation, body, errors);
                      });
}

void RequestsModel::handleMounts(int generation, const QJsonObject &body, const QStringList &errors)
{
    if (generation != m_generation)
        return;
    if (!errors.isEmpty()) {
        m_discovering = false;
        setError(tr("Cannot list the policy gates (sys/auth): %1").arg(errors.join(QStringLiteral("; "))));
        return;
    }
    const QJsonObject data = body.contains(QLatin1String("data")) ? body.value(QLatin1String("data")).toObject() : body;
    QStringList names;
    for (auto it = data.constBegin(); it != data.constEnd(); ++it) {
        if (it.value().toObject().value(QLatin1String("type")).toString() != QLatin1String("policy-gate"))
            continue;
        QString name = it.key();
        while (name.endsWith(QLatin1Char('/')))
            name.chop(1);
        if (!name.isEmpty())
            names.append(name);
    }
    names.sort();
    if (names.isEmpty()) {
        handleCapabilities(generation, names, {}, {});
        return;
    }
    QJsonArray paths;
    for (const QString &name : std::as_const(names)) {
        for (const char *operation : {"request", "approve", "deny", "cancel"})
            paths.append(QStringLiteral("auth/%1/%2").arg(name, QLatin1String(operation)));
    }
    m_client->request(QStringLiteral("POST"), QStringLiteral("sys/capabilities-self"),
                      {{QStringLiteral("paths"), paths}}, this,
                      [this, generation, names](int, const QJsonObject &answer, const QStringList &capabilityErrors) {
                          handleCapabilities(generation, names, answer, capabilityErrors);
                      });
}

void RequestsModel::handleCapabilities(int generation, const QStringList &names, const QJsonObject &body,
                                       const QStringList &errors)
{
    if (generation != m_generation)
        return;
    m_discovering = false;
    QList<GateInfo> gates;
    for (const QString &name : names) {
        GateInfo g;
        g.name = name;
        if (!errors.isEmpty()) {
            // Without capabilities, let the server decide on every call.
            g.canList = g.canApprove = g.canDeny = g.canAsk = g.canCancel = true;
        } else {
            const QJsonArray request = capabilitiesOf(body, QStringLiteral("auth/%1/request").arg(name));
            g.canList = has(request, "list");
            g.canAsk = has(request, "create") || has(request, "update");
            g.canApprove = has(capabilitiesOf(body, QStringLiteral("auth/%1/approve").arg(name)), "update");
            g.canDeny = has(capabilitiesOf(body, QStringLiteral("auth/%1/deny").arg(name)), "update");
            g.canCancel = has(capabilitiesOf(body, QStringLiteral("auth/%1/cancel").arg(name)), "update");
        }
        gates.append(g);
    }
    setGates(std::move(gates));
    if (m_discoverAgain) {
        discover();
        return;
    }
    if (m_loadPending) {
        m_loadPending = false;
        m_listError.clear();
        setError(QString());
        m_waitingLoad.clear();
        for (const GateInfo &g : std::as_const(m_gates)) {
            if (g.canList)
                m_waitingLoad.insert(g.name);
        }
        for (const GateInfo &g : std::as_const(m_gates)) {
            if (g.canList)
                listGate(g.name);
        }
        if (m_waitingLoad.isEmpty())
            emit loaded();
    }
}

void RequestsModel::setGates(QList<GateInfo> gates)
{
    if (gates == m_gates)
        return;
    QStringList dropped;
    for (const GateInfo &old : std::as_const(m_gates)) {
        const bool listable = std::any_of(gates.cbegin(), gates.cend(),
                                          [&](const GateInfo &g) { return g.name == old.name && g.canList; });
        if (!listable)
            dropped.append(old.name);
    }
    const QList<GateInfo> previous = std::exchange(m_gates, std::move(gates));
    for (const QString &name : std::as_const(dropped))
        applyGate(name, {});
    // A gate that appeared or became listable outside a full load is listed here.
    if (!m_loadPending) {
        for (const GateInfo &g : std::as_const(m_gates)) {
            const bool wasListable = std::any_of(previous.cbegin(), previous.cend(),
                                                 [&](const GateInfo &p) { return p.name == g.name && p.canList; });
            if (g.canList && !wasListable)
                listGate(g.name);
        }
    }
    emit gatesChanged();
}

// ---- listing --------------------------------------------------------------------------------------------------

void RequestsModel::listGate(const QString &gate)
{
    if (m_listing.contains(gate)) {
        m_listAgain.insert(gate);
        return;
    }
    m_listing.insert(gate);
    const int generation = m_generation;
    m_client->request(QStringLiteral("LIST"), requestPath(gate), {}, this,
                      [this, generation, gate](int status, const QJsonObject &body, const QStringList &errors) {
                          handleList(generation, gate, status, body, errors);
                      });
}

void RequestsModel::handleList(int generation, const QString &gate, int status, const QJsonObject &body,
                               const QStringList &errors)
{
    if (generation != m_generation)
        return;
    m_listing.remove(gate);
    const bool known =
        std::any_of(m_gates.cbegin(), m_gates.cend(), [&](const GateInfo &g) { return g.name == gate && g.canList; });
    if (!known) {
        applyGate(gate, {});
    } else if (status == 404) {
        applyGate(gate, {}); // a gate without requests answers 404, as Vault's empty lists do
    } else if (!errors.isEmpty()) {
        m_listError = tr("Cannot list the requests of gate %1: %2").arg(gate, errors.join(QStringLiteral("; ")));
        setError(m_listError);
    } else {
        QList<AccessRequest> requests;
        QString parseError;
        for (const QJsonValue &value :
             body.value(QLatin1String("data")).toObject().value(QLatin1String("key_info")).toArray()) {
            if (auto r = AccessRequest::fromJson(gate, value.toObject(), &parseError))
                requests.append(std::move(*r));
            else
                qCWarning(lcApi) << "skipping an access request of gate" << gate << ":" << parseError;
        }
        applyGate(gate, requests);
        if (m_error == m_listError && m_listError.contains(gate)) {
            m_listError.clear();
            setError(QString());
        }
    }
    if (m_waitingLoad.remove(gate) && m_waitingLoad.isEmpty())
        emit loaded();
    if (m_listAgain.remove(gate))
        listGate(gate);
}

void RequestsModel::applyGate(const QString &gate, const QList<AccessRequest> &requests)
{
    QHash<QString, int> wanted; // id -> position in requests
    for (int i = 0; i < requests.size(); ++i)
        wanted.insert(requests.at(i).id, i);

    // Removals, from the end, in contiguous runs.
    int row = m_rows.size() - 1;
    while (row >= 0) {
        if (m_rows.at(row).gate != gate || wanted.contains(m_rows.at(row).id)) {
            --row;
            continue;
        }
        int first = row;
        while (first > 0 && m_rows.at(first - 1).gate == gate && !wanted.contains(m_rows.at(first - 1).id))
            --first;
        beginRemoveRows({}, first, row);
        if (m_rankedColumn >= 0) // the rows left keep their order
            m_ranks.remove(first, row - first + 1);
        m_rows.remove(first, row - first + 1);
        m_haystacks.remove(first, row - first + 1);
        m_statusCodes.remove(first, row - first + 1);
        endRemoveRows();
        row = first - 1;
    }
    rebuildIndex();

    // Updates in place.
    QList<AccessRequest> added;
    for (const AccessRequest &r : requests) {
        const int at = m_rowByKey.value(r.key(), -1);
        if (at < 0) {
            added.append(r);
        } else if (!(m_rows.at(at) == r)) {
            if (m_rankedColumn >= 0 && orderCompare(m_rows.at(at), r, m_rankedColumn) != 0)
                dropOrder();
            m_rows[at] = r;
            m_haystacks[at] = haystackOf(r);
            m_statusCodes[at] = statusCodeOf(r.status);
            emit dataChanged(index(at, 0), index(at, ColumnCount - 1));
        }
    }

    // Inserts at the end.
    if (!added.isEmpty()) {
        beginInsertRows({}, m_rows.size(), m_rows.size() + added.size() - 1);
        // One new request (the usual live change) takes a rank between its neighbours; more drop the ranks.
        const std::optional<int> rank =
            added.size() == 1 && m_rankedColumn >= 0 ? rankAmongRows(added.constFirst()) : std::nullopt;
        if (rank)
            m_ranks.append(*rank);
        else
            dropOrder();
        m_rows.append(added);
        m_haystacks.reserve(m_rows.size());
        m_statusCodes.reserve(m_rows.size());
        for (const AccessRequest &r : std::as_const(added)) {
            m_haystacks.append(haystackOf(r));
            m_statusCodes.append(statusCodeOf(r.status));
        }
        endInsertRows();
        rebuildIndex();
    }
    updatePendingCount();
}

void RequestsModel::rebuildIndex()
{
    m_rowByKey.clear();
    m_rowByKey.reserve(m_rows.size());
    for (int i = 0; i < m_rows.size(); ++i)
        m_rowByKey.insert(m_rows.at(i).key(), i);
}

void RequestsModel::updatePendingCount()
{
    const int count = static_cast<int>(std::count_if(
        m_rows.cbegin(), m_rows.cend(), [](const AccessRequest &r) { return r.isPending() && !r.haveApproved; }));
    if (count == m_pendingCount)
        return;
    m_pendingCount = count;
    emit pendingCountChanged(count);
}

void RequestsModel::setError(const QString &error)
{
    if (error != m_error && !error.isEmpty())
        qCDebug(lcApi) << "requests:" << error;
    m_error = error;
    emitErrorIfChanged();
}

// ---- live updates ---------------------------------------------------------------------------------------------

void RequestsModel::handleEvents(const QList<EventWatcher::Event> &events)
{
    if (!m_running)
        return;
    bool rediscover = false;
    QSet<QString> gates;
    QSet<QString> touched;
    for (const EventWatcher::Event &event : events) {
        const QString path = relativePath(event.path);
        if (path.startsWith(QLatin1String("sys/auth")) || path.startsWith(QLatin1String("sys/polic"))) {
            rediscover = true;
            continue;
        }
        if (!path.startsWith(QLatin1String("auth/")))
            continue;
        bool matched = false;
        for (const GateInfo &g : std::as_const(m_gates)) {
            if (path.startsWith(QStringLiteral("auth/%1/").arg(g.name)) || path == QStringLiteral("auth/") + g.name) {
                matched = true;
                touched.insert(g.name);
                if (g.canList)
                    gates.insert(g.name);
            }
        }
        // A request event of a gate not known yet: the mounts have changed under us.
        if (!matched && event.kind.startsWith(QLatin1String("gate.")))
            rediscover = true;
    }
    if (rediscover)
        discover();
    for (const QString &gate : std::as_const(gates))
        listGate(gate);
    for (const QString &gate : std::as_const(touched))
        emit gateActivity(gate);
}

void RequestsModel::tick()
{
    m_nowMs = QDateTime::currentMSecsSinceEpoch();
    if (m_rows.isEmpty())
        return;
    emit dataChanged(index(0, AgeColumn), index(m_rows.size() - 1, ExpiresColumn),
                     {Qt::DisplayRole, Qt::ToolTipRole, SortRole});
}

// ---- the table ------------------------------------------------------------------------------------------------

QModelIndex RequestsModel::index(int row, int column, const QModelIndex &parent) const
{
    if (parent.isValid() || row < 0 || column < 0 || row >= m_rows.size() || column >= ColumnCount)
        return {};
    return createIndex(row, column);
}

int RequestsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int RequestsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool RequestsModel::isRow(const QModelIndex &index) const
{
    return index.isValid() && !index.parent().isValid() && index.model() == this && index.row() < m_rows.size() &&
           index.column() < ColumnCount;
}

Qt::ItemFlags RequestsModel::flags(const QModelIndex &index) const
{
    if (!isRow(index))
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

QString RequestsModel::shortDuration(qint64 seconds)
{
    seconds = qMax<qint64>(0, seconds);
    const qint64 days = seconds / 86400;
    const qint64 hours = (seconds % 86400) / 3600;
    const qint64 minutes = (seconds % 3600) / 60;
    const qint64 secs = seconds % 60;
    if (days > 0)
        return tr("%1d %2h").arg(days).arg(hours);
    if (hours > 0)
        return tr("%1h %2m").arg(hours).arg(minutes);
    if (minutes > 0)
        return tr("%1m %2s").arg(minutes).arg(secs);
    return tr("%1s").arg(secs);
}

namespace {

const char *const statusWords[] = {"pending", "approved", "claimed", "denied", "cancelled", "expired"};

} // namespace

QByteArray RequestsModel::haystackOf(const AccessRequest &r)
{
    // UTF-8 takes half the memory of UTF-16 for this mostly ASCII text, and a UTF-8 needle only ever matches on
    // character boundaries.
    QByteArray haystack =
        QStringList{r.requester, r.gate, r.reason, r.id}.join(QLatin1Char('\n')).toCaseFolded().toUtf8();
    haystack.squeeze(); // toUtf8() reserves three bytes per character
    return haystack;
}

qint8 RequestsModel::statusCodeOf(const QString &status)
{
    for (qint8 code = 0; code < qint8(std::size(statusWords)); ++code) {
        if (status == QLatin1String(statusWords[code]))
            return code;
    }
    return -1;
}

bool RequestsModel::rowContains(int row, QStringView text) const
{
    if (text.isEmpty())
        return true;
    // Per text, once: its case-folded form, and the status words whose text as shown (translated) contains it.
    if (text != m_statusMatchText) {
        m_statusMatchText = text.toString();
        m_foldedMatchText = m_statusMatchText.toCaseFolded().toUtf8();
        m_statusMatchBits = 0;
        for (qint8 code = 0; code < qint8(std::size(statusWords)); ++code) {
            if (statusText(QLatin1String(statusWords[code])).contains(text, Qt::CaseInsensitive))
                m_statusMatchBits |= 1u << code;
        }
    }
    if (m_haystacks.at(row).contains(m_foldedMatchText))
        return true;
    const qint8 code = m_statusCodes.at(row);
    if (code >= 0)
        return m_statusMatchBits & (1u << code);
    return m_rows.at(row).status.contains(text, Qt::CaseInsensitive); // an unknown word is shown as it is
}

bool RequestsModel::lessThan(int leftRow, int rightRow, int column) const
{
    if (column != m_rankedColumn && ++m_unrankedComparisons > m_rows.size())
        rankRows(column);
    if (column == m_rankedColumn)
        return m_ranks.at(leftRow) < m_ranks.at(rightRow);
    return orderCompare(m_rows.at(leftRow), m_rows.at(rightRow), column) < 0;
}

auto RequestsModel::orderText(int column) -> const QString *(*)(const AccessRequest &)
{
    switch (column) {
    case RequesterColumn:
        return [](const AccessRequest &r) { return &r.requester; };
    case GateColumn:
        return [](const AccessRequest &r) { return &r.gate; };
    case ReasonColumn:
        return [](const AccessRequest &r) { return &r.reason; };
    case StatusColumn:
        return [](const AccessRequest &r) { return &r.status; };
    default:
        return nullptr;
    }
}

int RequestsModel::orderCompare(const AccessRequest &left, const AccessRequest &right, int column) const
{
    if (const auto text = orderText(column))
        return QString::compare(*text(left), *text(right), Qt::CaseInsensitive);
    const qint64 leftNumber = orderNumber(left, column);
    const qint64 rightNumber = orderNumber(right, column);
    return leftNumber < rightNumber ? -1 : (leftNumber > rightNumber ? 1 : 0);
}

void RequestsModel::rankRows(int column) const
{
    if (column == m_rankedColumn || column < 0 || column >= ColumnCount)
        return;
    const int count = static_cast<int>(m_rows.size());
    const int gap = count < std::numeric_limits<int>::max() / rankGap ? rankGap : 1;
    // Each row's value read once, then sorted as (value, row) pairs; rows of equal value share a rank, so that a sort
    // by rank keeps them in the order it finds them. Ranks leave room between them for rows inserted later.
    const auto rankBy = [&](auto keyed) {
        std::sort(keyed.begin(), keyed.end());
        m_ranks.resize(count);
        for (int i = 0; i < count; ++i) {
            const bool tied = i > 0 && keyed.at(i - 1).first == keyed.at(i).first;
            m_ranks[keyed.at(i).second] = tied ? m_ranks.at(keyed.at(i - 1).second) : i * gap;
        }
    };
    if (const QString *(*text)(const AccessRequest &) = orderText(column)) {
        // Text ignoring case: case-folded once per row, then compared as it is.
        QList<std::pair<QString, int>> keyed(count);
        for (int row = 0; row < count; ++row)
            keyed[row] = {text(m_rows.at(row))->toCaseFolded(), row};
        rankBy(std::move(keyed));
    } else {
        QList<std::pair<qint64, int>> keyed(count);
        for (int row = 0; row < count; ++row)
            keyed[row] = {orderNumber(m_rows.at(row), column), row};
        rankBy(std::move(keyed));
    }
    m_rankedColumn = column;
    m_unrankedComparisons = 0;
}

std::optional<int> RequestsModel::rankAmongRows(const AccessRequest &request) const
{
    // One pass: the highest rank ordered before the request and the lowest ordered after it; a row it ties with
    // gives its own rank.
    qint64 below = std::numeric_limits<qint64>::min();
    qint64 above = std::numeric_limits<qint64>::max();
    for (int row = 0; row < m_rows.size(); ++row) {
        const int order = orderCompare(m_rows.at(row), request, m_rankedColumn);
        if (order == 0)
            return m_ranks.at(row);
        if (order < 0)
            below = std::max<qint64>(below, m_ranks.at(row));
        else
            above = std::min<qint64>(above, m_ranks.at(row));
    }
    if (below == std::numeric_limits<qint64>::min())
        below = (above == std::numeric_limits<qint64>::max() ? 0 : above) - 2 * rankGap;
    if (above == std::numeric_limits<qint64>::max())
        above = below + 2 * rankGap;
    const qint64 rank = below + (above - below) / 2;
    if (above - below < 2 || rank <= std::numeric_limits<int>::min() || rank >= std::numeric_limits<int>::max())
        return std::nullopt;
    return static_cast<int>(rank);
}

QString RequestsModel::statusText(const QString &status)
{
    if (status == QLatin1String("pending"))
        return RequestsModel::tr("Pending");
    if (status == QLatin1String("approved"))
        return RequestsModel::tr("Approved");
    if (status == QLatin1String("claimed"))
        return RequestsModel::tr("Claimed");
    if (status == QLatin1String("denied"))
        return RequestsModel::tr("Denied");
    if (status == QLatin1String("cancelled"))
        return RequestsModel::tr("Cancelled");
    if (status == QLatin1String("expired"))
        return RequestsModel::tr("Expired");
    return status;
}

namespace {

// The roles that give one field of the request, whatever the column.
struct FieldRole
{
    int role;
    const char *name;
    QVariant (*get)(const AccessRequest &);
};

const FieldRole fieldRoles[] = {
    {RequestsModel::RequestIdRole, "requestId", [](const AccessRequest &r) { return QVariant(r.id); }},
    {RequestsModel::GateRole, "gate", [](const AccessRequest &r) { return QVariant(r.gate); }},
    {RequestsModel::RequesterRole, "requester", [](const AccessRequest &r) { return QVariant(r.requester); }},
    {RequestsModel::ReasonRole, "reason", [](const AccessRequest &r) { return QVariant(r.reason); }},
    {RequestsModel::StatusRole, "status", [](const AccessRequest &r) { return QVariant(r.status); }},
    {RequestsModel::IssuedAtRole, "issuedAt", [](const AccessRequest &r) { return QVariant(r.issuedAt); }},
    {RequestsModel::ExpiresAtRole, "expiresAt", [](const AccessRequest &r) { return QVariant(r.expiresAt); }},
    {RequestsModel::NumApprovalsRole, "numApprovals", [](const AccessRequest &r) { return QVariant(r.numApprovals); }},
    {RequestsModel::RequiredApprovalsRole, "requiredApprovals",
     [](const AccessRequest &r) { return QVariant(r.requiredApprovals()); }},
    {RequestsModel::HaveApprovedRole, "haveApproved", [](const AccessRequest &r) { return QVariant(r.haveApproved); }},
    {RequestsModel::ApproversRole, "approvers", [](const AccessRequest &r) { return QVariant(r.approvers); }},
};

// Pending and approved requests run out at exp; the others are finished.
bool counting(const AccessRequest &r)
{
    return r.isPending() || r.status == QLatin1String("approved");
}

} // namespace

QVariant RequestsModel::displayData(const AccessRequest &r, int column) const
{
    switch (column) {
    case AgeColumn:
        return r.issuedAt.isValid() ? shortDuration((m_nowMs - r.issuedAt.toMSecsSinceEpoch()) / 1000) : QString();
    case ExpiresColumn: {
        if (!counting(r) || !r.expiresAt.isValid())
            return QString();
        const qint64 left = r.expiresAt.toMSecsSinceEpoch() - m_nowMs;
        return left <= 0 ? tr("expired") : shortDuration((left + 999) / 1000);
    }
    case ApprovalsColumn:
        return counting(r) || r.status == QLatin1String("claimed")
                   ? tr("%1 of %2").arg(r.numApprovals).arg(r.requiredApprovals())
                   : QString::number(r.numApprovals);
    case MyVoteColumn:
        return r.haveApproved ? tr("Approved") : QString();
    case StatusColumn:
        return statusText(r.status);
    default:
        return sortData(r, column); // requester, gate and reason read as they sort
    }
}

QVariant RequestsModel::sortData(const AccessRequest &r, int column) const
{
    switch (column) {
    case RequesterColumn:
        return r.requester;
    case GateColumn:
        return r.gate;
    case ReasonColumn:
        return r.reason;
    case AgeColumn:
    case ExpiresColumn:
        return sortNumber(r, column);
    case ApprovalsColumn:
    case MyVoteColumn:
        return int(sortNumber(r, column));
    case StatusColumn:
        return r.status;
    default:
        return {};
    }
}

// The sort value of a numeric column (0 for the others).
qint64 RequestsModel::sortNumber(const AccessRequest &r, int column) const
{
    switch (column) {
    case AgeColumn:
        return r.issuedAt.isValid() ? m_nowMs - r.issuedAt.toMSecsSinceEpoch() : 0;
    case ExpiresColumn:
        return r.expiresAt.isValid() ? r.expiresAt.toMSecsSinceEpoch() - m_nowMs : 0;
    case ApprovalsColumn:
        return r.numApprovals;
    case MyVoteColumn:
        return r.haveApproved ? 1 : 0;
    default:
        return 0;
    }
}

qint64 RequestsModel::orderNumber(const AccessRequest &r, int column) const
{
    constexpr qint64 first = std::numeric_limits<qint64>::min();
    switch (column) {
    case AgeColumn: // newest first, as the age reads
        return r.issuedAt.isValid() ? -r.issuedAt.toMSecsSinceEpoch() : first;
    case ExpiresColumn:
        return r.expiresAt.isValid() ? r.expiresAt.toMSecsSinceEpoch() : first;
    default:
        return sortNumber(r, column); // no time in it
    }
}

QVariant RequestsModel::data(const QModelIndex &index, int role) const
{
    if (!isRow(index))
        return {};
    const AccessRequest &r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayData(r, index.column());
    case Qt::ToolTipRole:
        if (index.column() == ReasonColumn)
            return r.reason;
        if (index.column() == ExpiresColumn || index.column() == AgeColumn) {
            const QDateTime at = index.column() == AgeColumn ? r.issuedAt : r.expiresAt;
            return at.isValid() ? QLocale().toString(at.toLocalTime(), QLocale::LongFormat) : QVariant();
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == AgeColumn || index.column() == ExpiresColumn || index.column() == ApprovalsColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case SortRole:
        return sortData(r, index.column());
    case OrderRole:
        switch (index.column()) {
        case AgeColumn:
        case ExpiresColumn:
            return orderNumber(r, index.column());
        default:
            return sortData(r, index.column());
        }
    default:
        for (const FieldRole &field : fieldRoles) {
            if (field.role == role)
                return field.get(r);
        }
        return {};
    }
}

QVariant RequestsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case RequesterColumn:
        return tr("Requester");
    case GateColumn:
        return tr("Gate");
    case ReasonColumn:
        return tr("Reason");
    case AgeColumn:
        return tr("Age");
    case ExpiresColumn:
        return tr("Expires in");
    case ApprovalsColumn:
        return tr("Approvals");
    case MyVoteColumn:
        return tr("My vote");
    case StatusColumn:
        return tr("Status");
    default:
        return {};
    }
}

QHash<int, QByteArray> RequestsModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(SortRole, "sortValue");
    names.insert(OrderRole, "orderValue");
    for (const FieldRole &field : fieldRoles)
        names.insert(field.role, field.name);
    return names;
}

} // namespace gk
