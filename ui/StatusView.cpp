#include "StatusView.h"

#include "ApiClient.h"
#include "Captions.h"
#include "DialogParts.h"
#include "Duration.h"
#include "PeersModel.h"
#include "RateChart.h"

#include <QAbstractButton>
#include <QEvent>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTableView>
#include <QVBoxLayout>

namespace gk {

StatusView::StatusView(ApiClient *client, QWidget *parent)
    : QWidget(parent), m_client(client), m_peers(new PeersModel(client, this))
{
    Q_ASSERT(m_client);
    buildUi();
    retranslateUi();
    connect(m_peers, &PeersModel::errorChanged, this, &StatusView::updatePeersError);
    updateView();
}

StatusView::~StatusView() = default;

void StatusView::buildUi()
{
    setObjectName(QStringLiteral("statusView"));
    m_errorLabel = makeErrorLabel(this, "statusErrorLabel");

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    const auto addRow = [&](QLabel *&caption, const char *captionName, QWidget *field) {
        caption = new QLabel(this);
        caption->setObjectName(QLatin1String(captionName));
        caption->setBuddy(field);
        form->addRow(caption, field);
    };
    m_idLabel = makeValueLabel(this, "statusIdLabel");
    addRow(m_idCaptionLabel, "statusIdCaptionLabel", m_idLabel);
    m_versionLabel = makeValueLabel(this, "statusVersionLabel");
    addRow(m_versionCaptionLabel, "statusVersionCaptionLabel", m_versionLabel);
    m_uptimeLabel = makeValueLabel(this, "statusUptimeLabel");
    addRow(m_uptimeCaptionLabel, "statusUptimeCaptionLabel", m_uptimeLabel);
    m_barrierLabel = makeValueLabel(this, "statusBarrierLabel");
    addRow(m_barrierCaptionLabel, "statusBarrierCaptionLabel", m_barrierLabel);
    m_brokerLabel = makeValueLabel(this, "statusBrokerLabel");
    addRow(m_brokerCaptionLabel, "statusBrokerCaptionLabel", m_brokerLabel);
    m_countersLabel = makeValueLabel(this, "statusCountersLabel");
    addRow(m_countersCaptionLabel, "statusCountersCaptionLabel", m_countersLabel);
    m_chart = new RateChart(this);
    addRow(m_chartCaptionLabel, "statusChartCaptionLabel", m_chart);

    m_peersCaptionLabel = new QLabel(this);
    m_peersCaptionLabel->setObjectName(QStringLiteral("peersCaptionLabel"));
    m_peersErrorLabel = makeErrorLabel(this, "peersErrorLabel");
    m_peersTable = new QTableView(this);
    m_peersTable->setObjectName(QStringLiteral("peersTable"));
    m_peersTable->setModel(m_peers);
    m_peersTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_peersTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_peersTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_peersTable->setAlternatingRowColors(true);
    m_peersTable->verticalHeader()->hide();
    m_peersTable->horizontalHeader()->setStretchLastSection(true);
    m_peersTable->horizontalHeader()->setSectionResizeMode(PeersModel::AddressColumn, QHeaderView::ResizeToContents);
    m_peersTable->setWordWrap(false);
    m_peersTable->setCornerButtonEnabled(false); // one row at a time: nothing to select all of
    m_peersCaptionLabel->setBuddy(m_peersTable);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_errorLabel);
    layout->addLayout(form);
    layout->addWidget(m_peersCaptionLabel);
    layout->addWidget(m_peersErrorLabel);
    layout->addWidget(m_peersTable, 1);
}

void StatusView::retranslateUi()
{
    setAccessibleName(tr("Server status"));
    m_errorLabel->setAccessibleName(tr("Status error"));
    setCaption(m_idCaptionLabel, m_idLabel, tr("I&d:"), tr("Server id"),
               tr("A random id the server takes at each start"));
    setCaption(m_versionCaptionLabel, m_versionLabel, tr("&Version:"), tr("Version"), tr("The server's version"));
    setCaption(m_uptimeCaptionLabel, m_uptimeLabel, tr("&Uptime:"), tr("Uptime"),
               tr("How long the server has been running, and since when"));
    setCaption(m_barrierCaptionLabel, m_barrierLabel, tr("&Barrier:"), tr("Barrier seal state"),
               tr("Sealed: the server cannot decrypt its storage until enough key shares are entered"));
    setCaption(m_brokerCaptionLabel, m_brokerLabel, tr("Bro&ker:"), tr("Broker seal state"),
               tr("Sealed: the task token broker has no credential and issues no task token"));
    setCaption(m_countersCaptionLabel, m_countersLabel, tr("&Task tokens:"), tr("Broker counters"),
               tr("The broker's task token requests since the server started: all, successful, denied and failed"));
    m_chartCaptionLabel->setText(tr("&Rate:"));
    m_chartCaptionLabel->setAccessibleName(m_chart->accessibleName());
    m_peersCaptionLabel->setText(tr("&Peers:"));
    m_peersCaptionLabel->setAccessibleName(tr("Peers"));
    m_peersTable->setAccessibleName(tr("Peers"));
    m_peersTable->setAccessibleDescription(tr("The servers of the cluster, their seal state and role"));
    m_peersErrorLabel->setAccessibleName(tr("Peers error"));
    if (auto *corner = m_peersTable->findChild<QAbstractButton *>())
        corner->setAccessibleName(tr("Peers table corner"));
}

void StatusView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
        updateView();
        updatePeersError();
    }
    QWidget::changeEvent(event);
}

void StatusView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    poll(); // what was read before it was hidden may be old
}

QString StatusView::errorText() const
{
    QStringList errors;
    for (const QLabel *label : {m_errorLabel, m_peersErrorLabel}) {
        if (!label->text().isEmpty())
            errors.append(label->text());
    }
    return errors.join(QLatin1Char('\n'));
}

void StatusView::refresh()
{
    if (m_client->baseUrl().isEmpty())
        return;
    if (m_client->hasToken())
        m_peers->refresh();
    updatePeersError();
    if (m_fetching)
        return;
    m_fetching = true;
    const int generation = m_generation;
    ServerStatus::fetch(m_client, this, [this, generation](const ServerStatusSnapshot &snapshot) {
        if (generation != m_generation)
            return;
        m_fetching = false;
        apply(snapshot);
    });
}

void StatusView::poll()
{
    if (isVisible() && !window()->isMinimized())
        refresh();
}

void StatusView::clear()
{
    ++m_generation;
    m_fetching = false;
    m_snapshot.reset();
    m_chartServerId.clear();
    m_chart->clear();
    updateView();
}

void StatusView::apply(const ServerStatusSnapshot &snapshot)
{
    m_snapshot = snapshot;
    if (snapshot.broker) {
        if (snapshot.broker->id != m_chartServerId) { // another server start: its counters began again
            m_chart->clear();
            m_chartServerId = snapshot.broker->id;
        }
        m_chart->addCounter(snapshot.takenAt.toMSecsSinceEpoch(), snapshot.broker->counters.requests);
    }
    updateView();
    emit refreshed();
}

void StatusView::updateView()
{
    const QString unknown = tr("Unknown");
    const std::optional<ServerStatus> broker = m_snapshot ? m_snapshot->broker : std::nullopt;
    const std::optional<SealStatus> barrier = m_snapshot ? m_snapshot->barrier : std::nullopt;
    m_idLabel->setText(broker ? broker->id : unknown);
    m_versionLabel->setText(broker ? broker->version
                                   : (barrier && !barrier->version.isEmpty() ? barrier->version : unknown));
    if (broker) {
        const QString uptime = formatDuration(broker->uptimeSeconds);
        m_uptimeLabel->setText(
            broker->started.isValid()
                ? tr("%1 (since %2)")
                      .arg(uptime, QLocale().toString(broker->started.toLocalTime(), QLocale::ShortFormat))
                : uptime);
        m_brokerLabel->setText(broker->brokerUnsealed ? tr("Unsealed") : tr("Sealed"));
        const ServerStatus::Counters &c = broker->counters;
        const QLocale locale;
        m_countersLabel->setText(tr("Requests: %1 (successful %2, denied %3, failed %4)")
                                     .arg(locale.toString(c.requests), locale.toString(c.successful),
                                          locale.toString(c.denied), locale.toString(c.failed)));
    } else {
        m_uptimeLabel->setText(unknown);
        m_brokerLabel->setText(unknown);
        m_countersLabel->setText(unknown);
    }
    if (!barrier)
        m_barrierLabel->setText(unknown);
    else if (!barrier->initialized)
        m_barrierLabel->setText(tr("Not initialised"));
    else
        m_barrierLabel->setText(barrier->sealed ? tr("Sealed") : tr("Unsealed"));

    QStringList errors;
    if (m_snapshot && !m_snapshot->brokerError.isEmpty())
        errors.append(tr("Cannot read the server's status: %1").arg(m_snapshot->brokerError));
    if (m_snapshot && !m_snapshot->barrierError.isEmpty())
        errors.append(tr("Cannot read the seal state: %1").arg(m_snapshot->barrierError));
    showInlineError(m_errorLabel, errors.join(QLatin1Char('\n')));
}

void StatusView::updatePeersError()
{
    if (!m_client->hasToken())
        showInlineError(m_peersErrorLabel, tr("Sign in to see the peers."));
    else if (!m_peers->errorString().isEmpty())
        showInlineError(m_peersErrorLabel, tr("Cannot list the peers: %1").arg(m_peers->errorString()));
    else
        showInlineError(m_peersErrorLabel, {});
}

} // namespace gk
