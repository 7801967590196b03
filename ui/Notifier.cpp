#include "Notifier.h"

#include "AccessRequest.h"
#include "GateActions.h"
#include "RequestsModel.h"

#include <QGuiApplication>
#include <QSystemTrayIcon>

namespace gk {

namespace {

constexpr int messageTimeoutMs = 10000;

bool isDecision(const QString &status)
{
    return status == QLatin1String("approved") || status == QLatin1String("denied");
}

} // namespace

Notifier::Notifier(RequestsModel *model, QObject *parent)
    : QObject(parent), m_model(model), m_presenter([this](const Notification &n) { showInTray(n); })
{
    Q_ASSERT(m_model);
    connect(m_model->watcher(), &EventWatcher::synced, this, &Notifier::disarm);
    connect(m_model, &RequestsModel::loaded, this, &Notifier::arm);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &Notifier::handleRowsInserted);
    connect(m_model, &RequestsModel::gateActivity, this, [this](const QString &gate) {
        const auto g = m_model->gate(gate);
        if (m_armed && g && g->canAsk)
            queryOwn(gate);
    });
}

Notifier::~Notifier() = default;

void Notifier::disarm()
{
    m_armed = false;
    ++m_generation;
    m_own.clear();
    m_new.clear();
    m_queries.clear();
    m_querying.clear();
    m_queryAgain.clear();
}

void Notifier::arm()
{
    if (m_armed)
        return;
    m_armed = true;
    for (const RequestsModel::GateInfo &g : m_model->gates()) {
        if (g.canAsk)
            queryOwn(g.name); // where things stand now: nothing is said about it
    }
}

void Notifier::handleRowsInserted(const QModelIndex &parent, int first, int last)
{
    if (!m_armed || parent.isValid())
        return;
    for (int row = first; row <= last; ++row) {
        const AccessRequest &r = m_model->requestAt(row);
        const auto g = m_model->gate(r.gate);
        if (!r.isPending() || r.haveApproved || !g || !g->canApprove)
            continue;
        if (!g->canAsk) { // this token cannot have made it
            notifyNew(r);
            continue;
        }
        // Judged by an own-request query issued from now on: the request may be this token's own.
        m_new[r.gate].append({r.id, m_queries.value(r.gate) + 1});
        queryOwn(r.gate);
    }
}

void Notifier::queryOwn(const QString &gate)
{
    if (m_querying.contains(gate)) {
        m_queryAgain.insert(gate);
        return;
    }
    m_querying.insert(gate);
    const int query = ++m_queries[gate];
    const int generation = m_generation;
    m_model->actions()->ownRequest(
        gate, this,
        [this, generation, query, gate](const std::optional<AccessRequest> &request, const QStringList &errors) {
            handleOwn(generation, query, gate, request, errors.isEmpty());
        });
}

void Notifier::handleOwn(int generation, int query, const QString &gate, const std::optional<AccessRequest> &request,
                         bool ok)
{
    if (generation != m_generation)
        return;
    m_querying.remove(gate);
    if (ok) {
        const auto known = m_own.constFind(gate);
        if (request && known != m_own.cend() && isDecision(request->status) &&
            (known->id != request->id || known->status != request->status)) {
            const bool approved = request->status == QLatin1String("approved");
            QString message = approved ? tr("Your request on %1 was approved: you may claim the access now.").arg(gate)
                                       : tr("Your request on %1 was denied.").arg(gate);
            if (!approved && !request->denyReason.isEmpty())
                message += QLatin1Char(' ') + tr("Reason: %1").arg(request->denyReason);
            notify({Kind::Decision, gate, request->id,
                    approved ? tr("Access request approved") : tr("Access request denied"), message});
        }
        m_own.insert(gate, request ? OwnRequest{request->id, request->status} : OwnRequest{});
    }

    const QString ownId = m_own.value(gate).id;
    QList<Candidate> &candidates = m_new[gate];
    for (auto it = candidates.begin(); it != candidates.end();) {
        if (it->needsQuery > query) {
            ++it;
            continue;
        }
        const int row = m_model->rowOf(gate, it->id);
        if (it->id != ownId && row >= 0) {
            const AccessRequest &r = m_model->requestAt(row);
            if (r.isPending() && !r.haveApproved)
                notifyNew(r);
        }
        it = candidates.erase(it);
    }
    if (m_queryAgain.remove(gate))
        queryOwn(gate);
}

void Notifier::notifyNew(const AccessRequest &request)
{
    const QString message =
        request.reason.isEmpty()
            ? tr("%1 asks for access through %2.").arg(request.requester, request.gate)
            : tr("%1 asks for access through %2: %3").arg(request.requester, request.gate, request.reason);
    notify({Kind::NewRequest, request.gate, request.id, tr("New access request"), message});
}

void Notifier::notify(Notification notification)
{
    m_last = notification;
    if (m_presenter)
        m_presenter(notification);
}

void Notifier::showInTray(const Notification &notification)
{
    if (!QSystemTrayIcon::isSystemTrayAvailable() || !QSystemTrayIcon::supportsMessages())
        return;
    if (!m_tray) {
        m_tray = new QSystemTrayIcon(QGuiApplication::windowIcon(), this);
        m_tray->setToolTip(tr("Gatekeeper"));
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, &Notifier::activateLast);
        m_tray->show();
    }
    m_tray->showMessage(notification.title, notification.message, QSystemTrayIcon::Information, messageTimeoutMs);
}

void Notifier::activateLast()
{
    if (m_last)
        emit requestActivated(m_last->gate, m_last->requestId);
}

} // namespace gk
