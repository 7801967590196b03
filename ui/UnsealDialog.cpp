#include "UnsealDialog.h"

#include "ApiClient.h"
#include "Captions.h"
#include "DialogParts.h"

#include <QCheckBox>
#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace gk {

namespace {

enum Column
{
    AddressColumn,
    StateColumn,
    ProgressColumn,
    AnswerColumn,
    ColumnCount
};

bool needsShares(const std::optional<SealStatus> &status)
{
    return !status || (status->initialized && status->sealed);
}

} // namespace

UnsealDialog::UnsealDialog(ApiClient *client, QWidget *parent)
    : QDialog(parent), m_client(client), m_ownActions(new SealActions(client, this))
{
    Q_ASSERT(m_client);
    m_peerSource = [actions = m_ownActions](const QObject *context, SealActions::PeersCallback callback) {
        actions->peers(context, std::move(callback));
    };
    buildUi();
    retranslateUi();
    useTargets({m_client->baseUrl()}, {});
}

UnsealDialog::~UnsealDialog()
{
    wipeLineEdit(m_shareLineEdit);
}

void UnsealDialog::buildUi()
{
    setObjectName(QStringLiteral("unsealDialog"));
    m_shareLineEdit = makeSecretLineEdit(this, "shareLineEdit");
    m_showShareCheckBox = new QCheckBox(this);
    m_showShareCheckBox->setObjectName(QStringLiteral("showShareCheckBox"));
    connect(m_showShareCheckBox, &QCheckBox::toggled, this,
            [this](bool show) { m_shareLineEdit->setEchoMode(show ? QLineEdit::Normal : QLineEdit::Password); });
    m_shareCaptionLabel = new QLabel(this);
    m_shareCaptionLabel->setBuddy(m_shareLineEdit);
    m_progressBar = new QProgressBar(this);
    m_progressBar->setObjectName(QStringLiteral("progressBar"));
    m_progressBar->setTextVisible(true);
    m_progressCaptionLabel = new QLabel(this);
    m_progressCaptionLabel->setBuddy(m_progressBar);
    m_stateLabel = new QLabel(this);
    m_stateLabel->setObjectName(QStringLiteral("stateLabel"));
    m_stateLabel->setTextFormat(Qt::PlainText);
    m_errorLabel = makeErrorLabel(this, "errorLabel");

    m_allPeersCheckBox = new QCheckBox(this);
    m_allPeersCheckBox->setObjectName(QStringLiteral("allPeersCheckBox"));
    connect(m_allPeersCheckBox, &QCheckBox::toggled, this, &UnsealDialog::setAllPeers);
    m_noteLabel = new QLabel(this);
    m_noteLabel->setObjectName(QStringLiteral("noteLabel"));
    m_noteLabel->setTextFormat(Qt::PlainText);
    m_noteLabel->setWordWrap(true);
    m_peersTable = new QTableWidget(0, ColumnCount, this);
    m_peersTable->setObjectName(QStringLiteral("peersTable"));
    m_peersTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_peersTable->setSelectionMode(QAbstractItemView::NoSelection);
    m_peersTable->verticalHeader()->hide();
    m_peersTable->setWordWrap(false);
    m_peersTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_peersTable->horizontalHeader()->setStretchLastSection(true);
    m_peersTable->hide();

    m_submitButton = new QPushButton(this);
    m_submitButton->setObjectName(QStringLiteral("submitButton"));
    m_submitButton->setDefault(true);
    m_resetButton = new QPushButton(this);
    m_resetButton->setObjectName(QStringLiteral("resetButton"));
    m_resetButton->setAutoDefault(false);
    m_closeButton = new QPushButton(this);
    m_closeButton->setObjectName(QStringLiteral("closeButton"));
    m_closeButton->setAutoDefault(false);
    connect(m_submitButton, &QPushButton::clicked, this, &UnsealDialog::submitShare);
    connect(m_resetButton, &QPushButton::clicked, this, &UnsealDialog::resetProgress);
    connect(m_closeButton, &QPushButton::clicked, this, &QDialog::accept);

    auto *shareRow = new QHBoxLayout;
    shareRow->addWidget(m_shareLineEdit, 1);
    shareRow->addWidget(m_showShareCheckBox);
    auto *form = new QFormLayout;
    form->addRow(m_shareCaptionLabel, shareRow);
    form->addRow(m_progressCaptionLabel, m_progressBar);
    form->addRow(QString(), m_stateLabel);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_resetButton);
    buttons->addStretch(1);
    buttons->addWidget(m_submitButton);
    buttons->addWidget(m_closeButton);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_errorLabel);
    layout->addWidget(m_allPeersCheckBox);
    layout->addWidget(m_noteLabel);
    layout->addWidget(m_peersTable, 1);
    layout->addLayout(buttons);
    resize(640, 320);
}

void UnsealDialog::retranslateUi()
{
    setWindowTitle(tr("Unseal"));
    setAccessibleName(tr("Unseal"));
    setCaption(m_shareCaptionLabel, m_shareLineEdit, tr("Key &share:"), tr("Key share"),
               tr("One unseal key share, in hex or base64, hidden as you type"));
    m_showShareCheckBox->setText(tr("S&how"));
    m_showShareCheckBox->setAccessibleName(tr("Show the key share"));
    setCaption(m_progressCaptionLabel, m_progressBar, tr("Progress:"), tr("Unseal progress"),
               tr("Key shares entered so far towards the threshold"));
    m_stateLabel->setAccessibleName(tr("Seal state"));
    m_errorLabel->setAccessibleName(tr("Unseal error"));
    m_allPeersCheckBox->setText(tr("Unseal &all peers"));
    m_allPeersCheckBox->setAccessibleName(tr("Unseal all peers"));
    m_allPeersCheckBox->setAccessibleDescription(
        tr("Send each key share to every sealed server of the cluster, as listed by the server"));
    m_noteLabel->setAccessibleName(tr("Peers note"));
    m_peersTable->setAccessibleName(tr("Peers"));
    m_peersTable->setHorizontalHeaderLabels({tr("Server"), tr("State"), tr("Progress"), tr("Last answer")});
    setButtonText(m_submitButton, tr("S&ubmit"), tr("Submit the key share"),
                  tr("Send the key share; the field is cleared afterwards"));
    setButtonText(m_resetButton, tr("&Reset"), tr("Reset"), tr("Forget the key shares entered so far"));
    setButtonText(m_closeButton, tr("&Close"), tr("Close"));
    updateView();
}

void UnsealDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

UnsealDialog::Target *UnsealDialog::own()
{
    for (Target &target : m_targets) {
        if (target.client == m_client)
            return &target;
    }
    return nullptr;
}

const UnsealDialog::Target *UnsealDialog::own() const
{
    return const_cast<UnsealDialog *>(this)->own();
}

std::optional<SealStatus> UnsealDialog::sealStatus() const
{
    const Target *target = own();
    return target ? target->status : std::nullopt;
}

QList<QUrl> UnsealDialog::peerAddresses() const
{
    QList<QUrl> addresses;
    for (const Target &target : m_targets)
        addresses.append(target.address);
    return addresses;
}

QString UnsealDialog::errorText() const
{
    return m_errorLabel->isHidden() ? QString() : m_errorLabel->text();
}

bool UnsealDialog::allPeers() const
{
    return m_allPeersCheckBox->isChecked();
}

void UnsealDialog::setAllPeers(bool allPeers)
{
    if (m_allPeersCheckBox->isChecked() != allPeers) {
        m_allPeersCheckBox->setChecked(allPeers); // comes back here through toggled()
        return;
    }
    showInlineError(m_errorLabel, {});
    if (allPeers)
        loadPeers();
    else
        useTargets({m_client->baseUrl()}, {});
}

void UnsealDialog::loadPeers()
{
    const int generation = ++m_generation;
    m_note = tr("Asking the server for its peers…");
    updateView();
    m_peerSource(this, [this, generation](const QList<SealActions::Peer> &peers, const QStringList &errors) {
        if (generation != m_generation || !allPeers())
            return;
        if (!errors.isEmpty()) {
            useTargets({m_client->baseUrl()},
                       tr("The server could not list its peers (%1): only this server is unsealed here.")
                           .arg(errors.join(QStringLiteral("; "))));
            return;
        }
        QList<QUrl> addresses;
        for (const SealActions::Peer &peer : peers) {
            if (!addresses.contains(peer.address))
                addresses.append(peer.address);
        }
        useTargets(addresses, tr("%n server(s) listed.", nullptr, addresses.size()));
    });
}

void UnsealDialog::useTargets(const QList<QUrl> &addresses, const QString &note)
{
    ++m_generation;
    m_pendingCalls = 0;
    m_roundErrors.clear();
    for (const Target &target : std::as_const(m_targets)) {
        if (target.client != m_client)
            target.client->deleteLater(); // with its SealActions; late answers are dropped by the generation
    }
    m_targets.clear();
    for (const QUrl &address : addresses) {
        Target target;
        target.address = address;
        if (address == m_client->baseUrl()) {
            target.client = m_client;
            target.actions = m_ownActions;
        } else {
            target.client = new ApiClient(this);
            target.client->setBaseUrl(address);
            target.client->setCaCertificateFile(m_client->caCertificateFile());
            target.client->setTlsVerification(m_client->tlsVerification());
            target.client->setTimeoutMs(m_client->timeoutMs());
            target.actions = new SealActions(target.client, target.client);
        }
        m_targets.append(target);
    }
    m_note = note;
    refresh();
}

void UnsealDialog::refresh()
{
    for (int i = 0; i < m_targets.size(); ++i)
        readStatus(i);
    updateView();
}

void UnsealDialog::readStatus(int index)
{
    ++m_pendingCalls;
    m_targets[index].actions->status(this, answerFor(index, false));
}

SealActions::StatusCallback UnsealDialog::answerFor(int index, bool countsAsRound)
{
    return [this, generation = m_generation, index, countsAsRound](const std::optional<SealStatus> &status,
                                                                   const QStringList &errors) {
        finishCall(generation, index, countsAsRound, status, errors);
    };
}

void UnsealDialog::submitShare()
{
    if (isBusy())
        return;
    showInlineError(m_errorLabel, {});
    QString share = m_shareLineEdit->text();
    m_shareLineEdit->clear(); // share is now the text's only owner: wiped below
    m_roundErrors.clear();
    int sent = 0;
    for (int i = 0; i < m_targets.size(); ++i) {
        if (!needsShares(m_targets.at(i).status))
            continue;
        QString copy = share;
        ++m_pendingCalls;
        ++sent;
        m_targets[i].actions->submitShare(copy, this, answerFor(i, true));
    }
    wipe(share);
    if (sent == 0)
        showInlineError(m_errorLabel, tr("No sealed server to unseal."));
    updateView();
}

void UnsealDialog::resetProgress()
{
    if (isBusy())
        return;
    showInlineError(m_errorLabel, {});
    m_roundErrors.clear();
    for (int i = 0; i < m_targets.size(); ++i) {
        if (!needsShares(m_targets.at(i).status))
            continue;
        ++m_pendingCalls;
        m_targets[i].actions->resetUnseal(this, answerFor(i, true));
    }
    updateView();
}

void UnsealDialog::finishCall(int generation, int index, bool countsAsRound, const std::optional<SealStatus> &status,
                              const QStringList &errors)
{
    if (generation != m_generation || index >= m_targets.size())
        return;
    --m_pendingCalls;
    Target &target = m_targets[index];
    const bool isOwn = target.client == m_client;
    if (status) {
        target.status = status;
        target.refused = false;
        target.answer = countsAsRound ? tr("Accepted") : QString();
    } else {
        const QString error = errors.join(QStringLiteral("; "));
        target.refused = countsAsRound;
        target.answer = error;
        if (countsAsRound) {
            m_roundErrors.append(m_targets.size() > 1 || allPeers()
                                     ? tr("%1: %2").arg(target.address.toString(QUrl::RemoveUserInfo), error)
                                     : error);
        }
    }
    if (m_pendingCalls == 0 && !m_roundErrors.isEmpty()) {
        showInlineError(m_errorLabel,
                        tr("The key share was refused: %1").arg(m_roundErrors.join(QStringLiteral("\n"))));
    }
    updateView();
    if (isOwn && status)
        emit sealStatusChanged();
}

QString UnsealDialog::progressText(const std::optional<SealStatus> &status) const
{
    if (!status)
        return tr("Unknown");
    if (!status->initialized)
        return tr("Not initialised");
    if (!status->sealed)
        return tr("Unsealed");
    return tr("%1 of %2 key shares entered").arg(status->progress).arg(status->threshold);
}

void UnsealDialog::updateView()
{
    const Target *shown = own();
    if (!shown && !m_targets.isEmpty())
        shown = &m_targets.first();
    const std::optional<SealStatus> status = shown ? shown->status : std::nullopt;
    const int threshold = status ? qMax(1, status->threshold) : 1;
    m_progressBar->setRange(0, threshold);
    m_progressBar->setValue(!status ? 0 : status->sealed ? qMin(status->progress, threshold) : threshold);
    m_progressBar->setFormat(progressText(status));
    if (!status)
        m_stateLabel->setText(tr("Reading the seal state…"));
    else if (!status->initialized)
        m_stateLabel->setText(tr("The server is not initialised yet."));
    else if (!status->sealed)
        m_stateLabel->setText(tr("The server is unsealed."));
    else
        m_stateLabel->setText(tr("Sealed: %n more key share(s) needed (%1 of the %2 issued unseal it).", nullptr,
                                 qMax(0, status->threshold - status->progress))
                                  .arg(status->threshold)
                                  .arg(status->shares));

    bool anySealed = false;
    m_peersTable->setVisible(allPeers());
    m_peersTable->setRowCount(int(m_targets.size()));
    for (int row = 0; row < m_targets.size(); ++row) {
        const Target &target = m_targets.at(row);
        anySealed = anySealed || needsShares(target.status);
        const QString state = !target.status ? tr("Unknown") : !target.status->sealed ? tr("Unsealed") : tr("Sealed");
        const QStringList cells{target.address.toString(QUrl::RemoveUserInfo), state, progressText(target.status),
                                target.answer};
        for (int column = 0; column < ColumnCount; ++column) {
            QTableWidgetItem *item = m_peersTable->item(row, column);
            if (!item) {
                item = new QTableWidgetItem;
                m_peersTable->setItem(row, column, item);
            }
            item->setText(cells.at(column));
            if (column == AnswerColumn)
                item->setForeground(target.refused ? QBrush(errorColor(palette())) : palette().text());
        }
    }
    m_noteLabel->setText(m_note);
    m_noteLabel->setVisible(allPeers() && !m_note.isEmpty());
    m_submitButton->setEnabled(!isBusy() && anySealed);
    m_resetButton->setEnabled(!isBusy() && anySealed);
    m_shareLineEdit->setEnabled(anySealed);
    m_allPeersCheckBox->setEnabled(!isBusy());
}

} // namespace gk
