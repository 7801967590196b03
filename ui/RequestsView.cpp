#include "RequestsView.h"

#include "AccessRequest.h"
#include "GateActions.h"
#include "RequestsModel.h"
#include "RequestsProxyModel.h"
#include "UiLogging.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace gk {

namespace {

QLabel *makeValueLabel(QWidget *parent, const char *objectName)
{
    auto *label = new QLabel(parent);
    label->setObjectName(QLatin1String(objectName));
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    return label;
}

std::optional<QString> askWithDialog(QWidget *parent, const QString &title, const QString &label)
{
    bool ok = false;
    const QString text = QInputDialog::getMultiLineText(parent, title, label, QString(), &ok);
    return ok ? std::optional<QString>(text) : std::nullopt;
}

void showTokenOnce(QWidget *parent, const QString &gate, const QString &token)
{
    QMessageBox box(QMessageBox::Information, RequestsView::tr("Access granted"),
                    RequestsView::tr("The token granted through gate %1 is shown only this once. Copy it now: "
                                     "it is not kept anywhere.")
                        .arg(gate),
                    QMessageBox::Close, parent);
    box.setInformativeText(token);
    box.setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    QPushButton *copy = box.addButton(RequestsView::tr("&Copy and close"), QMessageBox::AcceptRole);
    copy->setAccessibleName(RequestsView::tr("Copy the token and close"));
    box.exec();
    if (box.clickedButton() == copy)
        QApplication::clipboard()->setText(token);
}

} // namespace

RequestsView::RequestsView(ApiClient *client, QWidget *parent)
    : QWidget(parent), m_model(new RequestsModel(client, this)), m_proxy(new RequestsProxyModel(this)),
      m_reasonPrompt(askWithDialog), m_tokenPresenter(showTokenOnce)
{
    m_proxy->setSourceModel(m_model);
    buildUi();
    retranslateUi();

    connect(m_model, &RequestsModel::pendingCountChanged, this, [this](int count) {
        updateBadge();
        emit pendingCountChanged(count);
    });
    connect(m_model, &RequestsModel::errorChanged, this, &RequestsView::updateError);
    connect(m_model, &RequestsModel::gatesChanged, this, &RequestsView::updateGates);
    connect(m_model, &RequestsModel::gateActivity, this, [this](const QString &gate) {
        if (gate == m_askGateComboBox->currentText())
            refreshOwnRequest();
    });
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_model, signal, this, &RequestsView::updateDetails);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &RequestsView::updateDetails);
    connect(m_model, &QAbstractItemModel::modelReset, this, &RequestsView::updateDetails);
    connect(m_requestsTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                const QModelIndex source = m_proxy->mapToSource(current);
                m_selectedGate = source.data(RequestsModel::GateRole).toString();
                m_selectedId = source.data(RequestsModel::RequestIdRole).toString();
                updateDetails();
            });

    updateGates();
    updateBadge();
    updateError();
    updateDetails();
}

RequestsView::~RequestsView() = default;

void RequestsView::buildUi()
{
    setObjectName(QStringLiteral("requestsView"));

    m_filterLineEdit = new QLineEdit(this);
    m_filterLineEdit->setObjectName(QStringLiteral("filterLineEdit"));
    connect(m_filterLineEdit, &QLineEdit::textChanged, m_proxy, &RequestsProxyModel::setFilterText);
    m_statusComboBox = new QComboBox(this);
    m_statusComboBox->setObjectName(QStringLiteral("statusComboBox"));
    for (const char *status : {"", "pending", "approved", "claimed", "denied", "cancelled", "expired"})
        m_statusComboBox->addItem(QString(), QString::fromLatin1(status));
    connect(m_statusComboBox, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setStatusFilter(m_statusComboBox->currentData().toString()); });
    m_pendingBadgeLabel = makeValueLabel(this, "pendingBadgeLabel");
    m_pendingBadgeLabel->setWordWrap(false);
    QFont bold = m_pendingBadgeLabel->font();
    bold.setBold(true);
    m_pendingBadgeLabel->setFont(bold);

    auto *filterLayout = new QHBoxLayout;
    filterLayout->addWidget(m_filterLineEdit, 1);
    filterLayout->addWidget(m_statusComboBox);
    filterLayout->addWidget(m_pendingBadgeLabel);

    m_errorLabel = makeValueLabel(this, "errorLabel");

    m_requestsTable = new QTableView(this);
    m_requestsTable->setObjectName(QStringLiteral("requestsTable"));
    m_requestsTable->setModel(m_proxy);
    m_requestsTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_requestsTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_requestsTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_requestsTable->setSortingEnabled(true);
    m_requestsTable->sortByColumn(RequestsModel::AgeColumn, Qt::AscendingOrder);
    m_requestsTable->setAlternatingRowColors(true);
    m_requestsTable->verticalHeader()->hide();
    m_requestsTable->horizontalHeader()->setStretchLastSection(true);
    m_requestsTable->setWordWrap(false);

    m_detailsGroupBox = new QGroupBox(this);
    m_detailsGroupBox->setObjectName(QStringLiteral("detailsGroupBox"));
    auto *detailsForm = new QFormLayout;
    const auto addRow = [&](QLabel *&caption, const char *captionName, QLabel *&field, const char *fieldName) {
        field = makeValueLabel(m_detailsGroupBox, fieldName);
        caption = new QLabel(m_detailsGroupBox);
        caption->setObjectName(QLatin1String(captionName));
        caption->setBuddy(field);
        detailsForm->addRow(caption, field);
    };
    addRow(m_requesterCaptionLabel, "requesterCaptionLabel", m_requesterLabel, "requesterLabel");
    addRow(m_gateCaptionLabel, "gateCaptionLabel", m_gateLabel, "gateLabel");
    addRow(m_statusCaptionLabel, "statusCaptionLabel", m_statusLabel, "statusLabel");
    addRow(m_reasonCaptionLabel, "reasonCaptionLabel", m_reasonLabel, "reasonLabel");
    addRow(m_approvalsCaptionLabel, "approvalsCaptionLabel", m_approvalsLabel, "approvalsLabel");
    addRow(m_historyCaptionLabel, "historyCaptionLabel", m_historyLabel, "historyLabel");
    addRow(m_issuedCaptionLabel, "issuedCaptionLabel", m_issuedLabel, "issuedLabel");
    addRow(m_expiresCaptionLabel, "expiresCaptionLabel", m_expiresLabel, "expiresLabel");

    m_approveButton = new QPushButton(m_detailsGroupBox);
    m_approveButton->setObjectName(QStringLiteral("approveButton"));
    connect(m_approveButton, &QPushButton::clicked, this, &RequestsView::approveSelected);
    m_denyButton = new QPushButton(m_detailsGroupBox);
    m_denyButton->setObjectName(QStringLiteral("denyButton"));
    connect(m_denyButton, &QPushButton::clicked, this, &RequestsView::denySelected);
    auto *decisionLayout = new QHBoxLayout;
    decisionLayout->addStretch(1);
    decisionLayout->addWidget(m_approveButton);
    decisionLayout->addWidget(m_denyButton);
    auto *detailsLayout = new QVBoxLayout(m_detailsGroupBox);
    detailsLayout->addLayout(detailsForm);
    detailsLayout->addStretch(1);
    detailsLayout->addLayout(decisionLayout);

    m_ownGroupBox = new QGroupBox(this);
    m_ownGroupBox->setObjectName(QStringLiteral("ownRequestGroupBox"));
    m_askGateComboBox = new QComboBox(m_ownGroupBox);
    m_askGateComboBox->setObjectName(QStringLiteral("askGateComboBox"));
    m_askGateCaptionLabel = new QLabel(m_ownGroupBox);
    m_askGateCaptionLabel->setObjectName(QStringLiteral("askGateCaptionLabel"));
    m_askGateCaptionLabel->setBuddy(m_askGateComboBox);
    connect(m_askGateComboBox, &QComboBox::currentTextChanged, this, &RequestsView::refreshOwnRequest);
    m_ownStatusLabel = makeValueLabel(m_ownGroupBox, "ownStatusLabel");
    m_askButton = new QPushButton(m_ownGroupBox);
    m_askButton->setObjectName(QStringLiteral("askButton"));
    connect(m_askButton, &QPushButton::clicked, this, &RequestsView::askForAccess);
    m_cancelButton = new QPushButton(m_ownGroupBox);
    m_cancelButton->setObjectName(QStringLiteral("cancelButton"));
    connect(m_cancelButton, &QPushButton::clicked, this, &RequestsView::cancelOwnRequest);
    m_claimButton = new QPushButton(m_ownGroupBox);
    m_claimButton->setObjectName(QStringLiteral("claimButton"));
    connect(m_claimButton, &QPushButton::clicked, this, &RequestsView::claimAccess);
    auto *ownButtons = new QHBoxLayout;
    ownButtons->addWidget(m_askGateCaptionLabel);
    ownButtons->addWidget(m_askGateComboBox, 1);
    ownButtons->addWidget(m_askButton);
    ownButtons->addWidget(m_cancelButton);
    ownButtons->addWidget(m_claimButton);
    auto *ownLayout = new QVBoxLayout(m_ownGroupBox);
    ownLayout->addLayout(ownButtons);
    ownLayout->addWidget(m_ownStatusLabel);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("requestsSplitter"));
    splitter->addWidget(m_requestsTable);
    // The details scroll rather than set the window's minimum height.
    auto *detailsScrollArea = new QScrollArea(this);
    detailsScrollArea->setObjectName(QStringLiteral("detailsScrollArea"));
    detailsScrollArea->setWidgetResizable(true);
    detailsScrollArea->setFrameShape(QFrame::NoFrame);
    detailsScrollArea->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    detailsScrollArea->setMinimumWidth(280);
    detailsScrollArea->setWidget(m_detailsGroupBox);
    splitter->addWidget(detailsScrollArea);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 1);
    splitter->setCollapsible(1, false);

    auto *mainLayout = new QVBoxLayout(this);
    mainLayout->addLayout(filterLayout);
    mainLayout->addWidget(m_errorLabel);
    mainLayout->addWidget(splitter, 1);
    mainLayout->addWidget(m_ownGroupBox);

    m_approveAction = new QAction(this);
    m_approveAction->setObjectName(QStringLiteral("approveAction"));
    m_approveAction->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    m_approveAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_approveAction, &QAction::triggered, this, &RequestsView::approveSelected);
    addAction(m_approveAction);
    m_denyAction = new QAction(this);
    m_denyAction->setObjectName(QStringLiteral("denyAction"));
    m_denyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_denyAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_denyAction, &QAction::triggered, this, &RequestsView::denySelected);
    addAction(m_denyAction);
}

void RequestsView::retranslateUi()
{
    setAccessibleName(tr("Access requests"));
    m_filterLineEdit->setPlaceholderText(tr("Filter by requester, gate, reason…"));
    m_filterLineEdit->setAccessibleName(tr("Filter requests"));
    m_filterLineEdit->setAccessibleDescription(tr("Shows only the requests whose text contains this"));
    m_statusComboBox->setAccessibleName(tr("Status filter"));
    const QStringList statusNames{tr("All statuses"), tr("Pending"),   tr("Approved"), tr("Claimed"),
                                  tr("Denied"),       tr("Cancelled"), tr("Expired")};
    for (int i = 0; i < statusNames.size() && i < m_statusComboBox->count(); ++i)
        m_statusComboBox->setItemText(i, statusNames.at(i));
    m_pendingBadgeLabel->setAccessibleName(tr("Pending requests"));
    m_errorLabel->setAccessibleName(tr("Error"));
    m_requestsTable->setAccessibleName(tr("Access requests"));
    m_requestsTable->setAccessibleDescription(tr("Requests of every gate you may list; select one for details"));
    // The table's corner button selects everything.
    if (auto *corner = m_requestsTable->findChild<QAbstractButton *>())
        corner->setAccessibleName(tr("Select all requests"));

    m_detailsGroupBox->setTitle(tr("Request"));
    m_detailsGroupBox->setAccessibleName(tr("Request details"));
    const auto caption = [](QLabel *captionLabel, QLabel *field, const QString &text, const QString &name) {
        captionLabel->setText(text);
        captionLabel->setAccessibleName(name);
        field->setAccessibleName(name);
    };
    caption(m_requesterCaptionLabel, m_requesterLabel, tr("Re&quester:"), tr("Requester"));
    caption(m_gateCaptionLabel, m_gateLabel, tr("&Gate:"), tr("Gate"));
    caption(m_statusCaptionLabel, m_statusLabel, tr("S&tatus:"), tr("Status"));
    caption(m_reasonCaptionLabel, m_reasonLabel, tr("&Reason:"), tr("Reason"));
    caption(m_approvalsCaptionLabel, m_approvalsLabel, tr("Appro&vals:"), tr("Approvals"));
    caption(m_historyCaptionLabel, m_historyLabel, tr("Approved &by:"), tr("Approval history"));
    caption(m_issuedCaptionLabel, m_issuedLabel, tr("&When asked:"), tr("Asked at"));
    caption(m_expiresCaptionLabel, m_expiresLabel, tr("E&xpires:"), tr("Expires at"));

    m_approveButton->setText(tr("&Approve"));
    m_approveButton->setAccessibleName(tr("Approve"));
    m_approveButton->setToolTip(tr("Approve the selected request (Ctrl+Return)"));
    m_denyButton->setText(tr("&Deny…"));
    m_denyButton->setAccessibleName(tr("Deny"));
    m_denyButton->setToolTip(tr("Deny the selected request, with a reason (Ctrl+D)"));
    m_approveAction->setText(tr("Approve"));
    m_denyAction->setText(tr("Deny"));

    m_ownGroupBox->setTitle(tr("My access"));
    m_ownGroupBox->setAccessibleName(tr("My access"));
    m_askGateCaptionLabel->setText(tr("Gat&e:"));
    m_askGateCaptionLabel->setAccessibleName(tr("Gate to ask on"));
    m_askGateComboBox->setAccessibleName(tr("Gate to ask on"));
    m_ownStatusLabel->setAccessibleName(tr("My request"));
    m_askButton->setText(tr("As&k for access…"));
    m_askButton->setAccessibleName(tr("Ask for access"));
    m_cancelButton->setText(tr("Ca&ncel my request"));
    m_cancelButton->setAccessibleName(tr("Cancel my request"));
    m_claimButton->setText(tr("C&laim"));
    m_claimButton->setAccessibleName(tr("Claim"));
    m_claimButton->setToolTip(tr("Exchange your approved request for a token, shown once"));
}

void RequestsView::start()
{
    m_actionError.clear();
    m_model->start();
    refreshOwnRequest();
    updateError();
}

void RequestsView::stop()
{
    m_model->stop();
    refreshOwnRequest();
    updateError();
}

QString RequestsView::badgeText() const
{
    return m_pendingBadgeLabel->text();
}

QString RequestsView::errorText() const
{
    return m_errorLabel->isHidden() ? QString() : m_errorLabel->text();
}

bool RequestsView::selectRequest(const QString &gate, const QString &requestId)
{
    const int row = m_model->rowOf(gate, requestId);
    if (row < 0)
        return false;
    const QModelIndex source = m_model->index(row, RequestsModel::RequesterColumn);
    if (!m_proxy->mapFromSource(source).isValid()) {
        m_filterLineEdit->clear();
        m_statusComboBox->setCurrentIndex(0); // every status
    }
    const QModelIndex index = m_proxy->mapFromSource(source);
    if (!index.isValid())
        return false;
    m_requestsTable->setCurrentIndex(index);
    m_requestsTable->scrollTo(index);
    m_requestsTable->setFocus(Qt::OtherFocusReason);
    return true;
}

const AccessRequest *RequestsView::selectedRequest() const
{
    const int row = m_model->rowOf(m_selectedGate, m_selectedId);
    return row < 0 ? nullptr : &m_model->requestAt(row);
}

void RequestsView::updateBadge()
{
    const int count = m_model->pendingCount();
    m_pendingBadgeLabel->setText(count > 0 ? tr("%n pending", nullptr, count) : QString());
    m_pendingBadgeLabel->setAccessibleDescription(tr("%n request(s) await your decision", nullptr, count));
}

void RequestsView::setInactiveMessage(const QString &message)
{
    m_inactiveMessage = message;
    updateError();
}

void RequestsView::updateError()
{
    QString error = m_actionError.isEmpty() ? m_model->errorString() : m_actionError;
    if (error.isEmpty() && !m_model->isRunning())
        error = m_inactiveMessage.isEmpty() ? tr("Not connected.") : m_inactiveMessage;
    m_errorLabel->setText(error);
    m_errorLabel->setVisible(!error.isEmpty());
}

void RequestsView::updateGates()
{
    const QString current = m_askGateComboBox->currentText();
    m_askGateComboBox->clear();
    for (const RequestsModel::GateInfo &gate : m_model->gates()) {
        if (gate.canAsk)
            m_askGateComboBox->addItem(gate.name);
    }
    const int index = m_askGateComboBox->findText(current);
    if (index >= 0)
        m_askGateComboBox->setCurrentIndex(index);
    updateOwnRequest();
    updateDetails();
}

void RequestsView::refreshOwnRequest()
{
    const int query = ++m_ownQuery;
    const QString gate = m_askGateComboBox->currentText();
    if (gate.isEmpty() || !m_model->isRunning()) {
        m_ownRequest.reset();
        m_ownError.clear();
        updateOwnRequest();
        return;
    }
    m_model->actions()->ownRequest(gate, this,
                                   [this, query](const std::optional<AccessRequest> &r, const QStringList &errors) {
                                       if (query != m_ownQuery)
                                           return;
                                       m_ownRequest = r;
                                       m_ownError = errors.join(QStringLiteral("; "));
                                       updateOwnRequest();
                                   });
}

void RequestsView::updateOwnRequest()
{
    const bool anyGate = m_askGateComboBox->count() > 0;
    const QString status = m_ownRequest ? m_ownRequest->status : QString();
    m_askButton->setEnabled(anyGate && m_busy == 0);
    m_cancelButton->setEnabled(m_busy == 0 && status == QLatin1String("pending"));
    m_claimButton->setEnabled(m_busy == 0 && status == QLatin1String("approved"));
    QString text;
    if (!anyGate) {
        text = tr("There is no gate you may ask on.");
    } else if (!m_ownError.isEmpty()) {
        text = tr("Cannot read your request: %1").arg(m_ownError);
    } else if (!m_ownRequest) {
        text = tr("You have no request on this gate.");
    } else if (status == QLatin1String("pending")) {
        text = tr("Your request is pending: %1 of %2 approvals.")
                   .arg(m_ownRequest->numApprovals)
                   .arg(m_ownRequest->requiredApprovals());
    } else if (status == QLatin1String("approved")) {
        text = tr("Your request is approved: claim it before %1.")
                   .arg(QLocale().toString(m_ownRequest->expiresAt.toLocalTime(), QLocale::ShortFormat));
    } else if (status == QLatin1String("denied")) {
        text = m_ownRequest->denyReason.isEmpty() ? tr("Your request was denied.")
                                                  : tr("Your request was denied: %1").arg(m_ownRequest->denyReason);
    } else {
        text = tr("Your last request is %1.").arg(RequestsModel::statusText(status).toLower());
    }
    m_ownStatusLabel->setText(text);
}

void RequestsView::updateDetails()
{
    const AccessRequest *r = selectedRequest();
    const QString none = tr("—");
    if (!r) {
        for (QLabel *label : {m_requesterLabel, m_gateLabel, m_statusLabel, m_reasonLabel, m_approvalsLabel,
                              m_historyLabel, m_issuedLabel, m_expiresLabel})
            label->setText(none);
        m_approveButton->setEnabled(false);
        m_denyButton->setEnabled(false);
        m_approveAction->setEnabled(false);
        m_denyAction->setEnabled(false);
        return;
    }
    const int row = m_model->rowOf(r->gate, r->id);
    const auto cell = [&](int column) { return m_model->index(row, column).data().toString(); };
    m_requesterLabel->setText(r->requester);
    m_gateLabel->setText(r->gate);
    m_statusLabel->setText(cell(RequestsModel::StatusColumn));
    m_reasonLabel->setText(r->reason.isEmpty() ? tr("(none given)") : r->reason);
    m_approvalsLabel->setText(r->haveApproved ? tr("%1, including yours").arg(cell(RequestsModel::ApprovalsColumn))
                                              : cell(RequestsModel::ApprovalsColumn));
    QStringList history;
    for (int i = 0; i < r->approvers.size(); ++i)
        history.append(tr("%1. %2").arg(i + 1).arg(r->approvers.at(i)));
    m_historyLabel->setText(history.isEmpty() ? tr("No approvals yet") : history.join(QLatin1Char('\n')));
    const QLocale locale;
    m_issuedLabel->setText(
        r->issuedAt.isValid()
            ? tr("%1 (%2 ago)")
                  .arg(locale.toString(r->issuedAt.toLocalTime(), QLocale::ShortFormat), cell(RequestsModel::AgeColumn))
            : none);
    const QString countdown = cell(RequestsModel::ExpiresColumn);
    m_expiresLabel->setText(
        !r->expiresAt.isValid() ? none
        : countdown.isEmpty()
            ? locale.toString(r->expiresAt.toLocalTime(), QLocale::ShortFormat)
            : tr("%1 (%2)").arg(locale.toString(r->expiresAt.toLocalTime(), QLocale::ShortFormat), countdown));

    const auto gate = m_model->gate(r->gate);
    const bool open = r->isPending() && m_busy == 0;
    m_approveButton->setEnabled(open && !r->haveApproved && gate && gate->canApprove);
    m_denyButton->setEnabled(open && gate && gate->canDeny);
    m_approveAction->setEnabled(m_approveButton->isEnabled());
    m_denyAction->setEnabled(m_denyButton->isEnabled());
}

void RequestsView::runAction(const QString &what,
                             const std::function<void(std::function<void(const QStringList &)>)> &call)
{
    ++m_busy;
    updateDetails();
    updateOwnRequest();
    call([this, what](const QStringList &errors) {
        --m_busy;
        updateOwnRequest();
        m_actionError = errors.isEmpty() ? QString() : tr("%1 failed: %2").arg(what, errors.join(QStringLiteral("; ")));
        if (!errors.isEmpty())
            qCDebug(lcUi) << what << "failed:" << errors;
        updateError();
        updateDetails();
    });
}

std::optional<QString> RequestsView::promptReason(const QString &title, const QString &label)
{
    return m_reasonPrompt ? m_reasonPrompt(this, title, label) : std::nullopt;
}

void RequestsView::approveSelected()
{
    const AccessRequest *r = selectedRequest();
    if (!r || !m_approveButton->isEnabled())
        return;
    runAction(tr("Approve"), [this, gate = r->gate, id = r->id](auto done) {
        m_model->actions()->approve(gate, id, this, std::move(done));
    });
}

void RequestsView::denySelected()
{
    const AccessRequest *r = selectedRequest();
    if (!r || !m_denyButton->isEnabled())
        return;
    const QString gate = r->gate;
    const QString id = r->id;
    const std::optional<QString> reason =
        promptReason(tr("Deny access request"), tr("Why is the request of %1 denied?").arg(r->requester));
    if (!reason)
        return;
    if (reason->trimmed().isEmpty()) {
        m_actionError = tr("Deny failed: a reason is required");
        updateError();
        return;
    }
    runAction(tr("Deny"), [this, gate, id, reason = *reason](auto done) {
        m_model->actions()->deny(gate, id, reason, this, std::move(done));
    });
}

void RequestsView::askForAccess()
{
    const QString gate = m_askGateComboBox->currentText();
    if (gate.isEmpty())
        return;
    const std::optional<QString> reason =
        promptReason(tr("Ask for access"), tr("Why do you need the access gate %1 grants?").arg(gate));
    if (!reason)
        return;
    runAction(tr("Ask for access"), [this, gate, reason = *reason](auto done) {
        m_model->actions()->ask(gate, reason, this,
                                [done](const QString &, const QStringList &errors) { done(errors); });
    });
}

void RequestsView::cancelOwnRequest()
{
    const QString gate = m_askGateComboBox->currentText();
    if (gate.isEmpty())
        return;
    runAction(tr("Cancel"), [this, gate](auto done) { m_model->actions()->cancel(gate, this, std::move(done)); });
}

void RequestsView::claimAccess()
{
    const QString gate = m_askGateComboBox->currentText();
    if (gate.isEmpty())
        return;
    runAction(tr("Claim"), [this, gate](auto done) {
        m_model->actions()->claim(gate, this, [this, gate, done](const QString &token, const QStringList &errors) {
            done(errors);
            if (errors.isEmpty() && m_tokenPresenter)
                m_tokenPresenter(this, gate, token);
        });
    });
}

void RequestsView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
        updateBadge();
        updateError();
        updateDetails();
    }
    QWidget::changeEvent(event);
}

} // namespace gk
