#include "MainWindow.h"

#include "ApiClient.h"
#include "BrokerUnsealDialog.h"
#include "Captions.h"
#include "ConnectionsDialog.h"
#include "ConnectionsModel.h"
#include "Duration.h"
#include "InitWizard.h"
#include "LoginDialog.h"
#include "Notifier.h"
#include "RequestsModel.h"
#include "RequestsView.h"
#include "SealActions.h"
#include "Session.h"
#include "StatusView.h"
#include "UiLogging.h"
#include "UnsealDialog.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTime>
#include <QTimer>
#include <QVBoxLayout>

namespace gk {

Q_LOGGING_CATEGORY(lcUi, "gatekeeper.ui")

namespace {

const QString geometryKey = QStringLiteral("MainWindow/geometry");
const QString connectActionPrefix = QStringLiteral("connectAction:");
constexpr int defaultRefreshIntervalMs = 3000;

void confirmWithMessageBox(QWidget *parent, const QString &question, std::function<void(bool)> answer)
{
    auto *box = new QMessageBox(QMessageBox::Warning, MainWindow::tr("Gatekeeper"), question,
                                QMessageBox::Yes | QMessageBox::Cancel, parent);
    box->setObjectName(QStringLiteral("confirmMessageBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDefaultButton(QMessageBox::Cancel);
    QObject::connect(box, &QMessageBox::finished, box,
                     [answer = std::move(answer)](int result) { answer(result == QMessageBox::Yes); });
    box->open();
}

} // namespace

MainWindow::MainWindow(ApiClient *client, QSettings *settings, QWidget *parent)
    : QMainWindow(parent), m_client(client), m_settings(settings), m_refreshTimer(new QTimer(this)),
      m_session(new Session(client, this)), m_sessionTimer(new QTimer(this)),
      m_loginPrompt([](LoginDialog *dialog) { dialog->open(); }), m_sealActions(new SealActions(client, this)),
      m_dialogPrompt([](QDialog *dialog) { dialog->open(); }), m_confirmPrompt(confirmWithMessageBox),
      m_connectionsPrompt([](ConnectionsDialog *dialog) { dialog->open(); })
{
    Q_ASSERT(m_client);
    m_refreshTimer->setInterval(defaultRefreshIntervalMs);
    connect(m_refreshTimer, &QTimer::timeout, this, &MainWindow::refresh);
    m_sessionTimer->setInterval(1000);
    connect(m_sessionTimer, &QTimer::timeout, this, &MainWindow::updateSession);
    connect(m_session, &Session::stateChanged, this, &MainWindow::updateSession);
    connect(m_session, &Session::renewed, this, &MainWindow::updateSession);
    connect(m_session, &Session::signedIn, this, [this] {
        if (m_state == State::Failed || m_client->baseUrl().isEmpty())
            return;
        m_requestsView->stop(); // a new identity: reload everything
        m_requestsView->start();
    });
    connect(m_session, &Session::signedOut, this,
            [this] { onSessionEnded(tr("Signed out: sign in to see the access requests.")); });
    connect(m_session, &Session::expired, this, [this](const QString &error) {
        onSessionEnded(tr("The session has ended (%1): sign in again.").arg(error));
    });

    buildUi();
    retranslateUi();
    updateView();

    resize(560, 360);
    if (m_settings)
        restoreGeometry(m_settings->value(geometryKey).toByteArray());
}

MainWindow::~MainWindow()
{
    dropPendingReply();
}

void MainWindow::dropPendingReply()
{
    if (ApiReply *reply = m_pendingReply) {
        m_pendingReply = nullptr; // its callback sees that it was dropped
        reply->abort();
    }
}

void MainWindow::buildUi()
{
    setObjectName(QStringLiteral("mainWindow"));

    auto *centralWidget = new QWidget(this);
    centralWidget->setObjectName(QStringLiteral("centralWidget"));
    auto *formLayout = new QFormLayout;
    formLayout->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);

    const auto addRow = [&](QLabel *&caption, const char *captionName, QWidget *field) {
        caption = new QLabel(centralWidget);
        caption->setObjectName(QLatin1String(captionName));
        caption->setBuddy(field);
        formLayout->addRow(caption, field);
    };

    m_serverAddressLabel = makeValueLabel(centralWidget, "serverAddressLabel");
    addRow(m_serverAddressCaptionLabel, "serverAddressCaptionLabel", m_serverAddressLabel);
    m_connectionLabel = makeValueLabel(centralWidget, "connectionLabel");
    m_connectionLabel->setWordWrap(true); // error messages can be long
    addRow(m_connectionCaptionLabel, "connectionCaptionLabel", m_connectionLabel);
    m_initializedLabel = makeValueLabel(centralWidget, "initializedLabel");
    addRow(m_initializedCaptionLabel, "initializedCaptionLabel", m_initializedLabel);
    m_sealStateLabel = makeValueLabel(centralWidget, "sealStateLabel");
    QFont emphasized = m_sealStateLabel->font();
    emphasized.setBold(true);
    m_sealStateLabel->setFont(emphasized);
    addRow(m_sealStateCaptionLabel, "sealStateCaptionLabel", m_sealStateLabel);
    m_keySharesLabel = makeValueLabel(centralWidget, "keySharesLabel");
    addRow(m_keySharesCaptionLabel, "keySharesCaptionLabel", m_keySharesLabel);
    m_unsealProgressBar = new QProgressBar(centralWidget);
    m_unsealProgressBar->setObjectName(QStringLiteral("unsealProgressBar"));
    m_unsealProgressBar->setTextVisible(true);
    addRow(m_unsealProgressCaptionLabel, "unsealProgressCaptionLabel", m_unsealProgressBar);
    m_versionLabel = makeValueLabel(centralWidget, "versionLabel");
    addRow(m_versionCaptionLabel, "versionCaptionLabel", m_versionLabel);
    m_clusterLabel = makeValueLabel(centralWidget, "clusterLabel");
    addRow(m_clusterCaptionLabel, "clusterCaptionLabel", m_clusterLabel);

    m_sessionLabel = makeValueLabel(centralWidget, "sessionLabel");
    m_sessionLabel->setWordWrap(true);
    addRow(m_sessionCaptionLabel, "sessionCaptionLabel", m_sessionLabel);

    m_refreshButton = new QPushButton(centralWidget);
    m_refreshButton->setObjectName(QStringLiteral("refreshButton"));
    connect(m_refreshButton, &QPushButton::clicked, this, &MainWindow::refresh);
    m_signInButton = new QPushButton(centralWidget);
    m_signInButton->setObjectName(QStringLiteral("signInButton"));
    connect(m_signInButton, &QPushButton::clicked, this, &MainWindow::signIn);
    m_signOutButton = new QPushButton(centralWidget);
    m_signOutButton->setObjectName(QStringLiteral("signOutButton"));
    connect(m_signOutButton, &QPushButton::clicked, this, &MainWindow::signOut);

    auto *buttonLayout = new QHBoxLayout;
    buttonLayout->addWidget(m_signInButton);
    buttonLayout->addWidget(m_signOutButton);
    buttonLayout->addStretch(1);
    buttonLayout->addWidget(m_refreshButton);
    auto *mainLayout = new QVBoxLayout(centralWidget);
    mainLayout->addLayout(formLayout);
    mainLayout->addStretch(1);
    mainLayout->addLayout(buttonLayout);
    m_overviewWidget = centralWidget;

    m_requestsView = new RequestsView(m_client, this);
    connect(m_requestsView, &RequestsView::pendingCountChanged, this, &MainWindow::updateRequestsTab);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("mainTabs"));
    m_tabs->addTab(m_overviewWidget, QString());
    m_tabs->addTab(m_requestsView, QString());
    setCentralWidget(m_tabs);

    m_refreshAction = new QAction(this);
    m_refreshAction->setObjectName(QStringLiteral("refreshAction"));
    m_refreshAction->setShortcut(QKeySequence::Refresh);
    connect(m_refreshAction, &QAction::triggered, this, &MainWindow::refresh);
    m_quitAction = new QAction(this);
    m_quitAction->setObjectName(QStringLiteral("quitAction"));
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);
    m_signInAction = new QAction(this);
    m_signInAction->setObjectName(QStringLiteral("signInAction"));
    connect(m_signInAction, &QAction::triggered, this, &MainWindow::signIn);
    m_signOutAction = new QAction(this);
    m_signOutAction->setObjectName(QStringLiteral("signOutAction"));
    connect(m_signOutAction, &QAction::triggered, this, &MainWindow::signOut);
    m_aboutAction = new QAction(this);
    m_aboutAction->setObjectName(QStringLiteral("aboutAction"));
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About Gatekeeper"),
                           tr("Gatekeeper %1\nAdministration console for a Vault-compatible token authority.")
                               .arg(QStringLiteral(GK_VERSION)));
    });

    menuBar()->setObjectName(QStringLiteral("menuBar"));
    m_fileMenu = menuBar()->addMenu(QString());
    m_fileMenu->setObjectName(QStringLiteral("fileMenu"));
    m_fileMenu->addAction(m_refreshAction);
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_quitAction);
    m_sessionMenu = menuBar()->addMenu(QString());
    m_sessionMenu->setObjectName(QStringLiteral("sessionMenu"));
    m_sessionMenu->addAction(m_signInAction);
    m_sessionMenu->addAction(m_signOutAction);
    buildSealMenu();
    m_helpMenu = menuBar()->addMenu(QString());
    m_helpMenu->setObjectName(QStringLiteral("helpMenu"));
    m_helpMenu->addAction(m_aboutAction);
    statusBar()->setObjectName(QStringLiteral("statusBar"));
    buildStatusTab();
}

void MainWindow::retranslateUi()
{
    setWindowTitle(tr("Gatekeeper"));
    m_fileMenu->setTitle(tr("&File"));
    m_sessionMenu->setTitle(tr("&Session"));
    m_sessionMenu->setAccessibleName(tr("Session menu"));
    m_signInAction->setText(tr("Sign &in…"));
    m_signOutAction->setText(tr("Sign &out"));
    m_helpMenu->setTitle(tr("&Help"));
    retranslateSealMenu();
    m_refreshAction->setText(tr("&Refresh"));
    m_quitAction->setText(tr("&Quit"));
    m_aboutAction->setText(tr("&About Gatekeeper"));
    menuBar()->setAccessibleName(tr("Main menu"));
    m_fileMenu->setAccessibleName(tr("File menu"));
    m_helpMenu->setAccessibleName(tr("Help menu"));
    statusBar()->setAccessibleName(tr("Status"));
    m_overviewWidget->setAccessibleName(tr("Server overview"));
    m_tabs->setAccessibleName(tr("Console sections"));
    m_tabs->setTabText(0, tr("Server"));
    m_tabs->setTabText(m_tabs->indexOf(m_statusView), tr("Status"));
    updateRequestsTab();

    setCaption(m_serverAddressCaptionLabel, m_serverAddressLabel, tr("&Server:"), tr("Server address"),
               tr("The address of the server this console watches"));
    setCaption(m_connectionCaptionLabel, m_connectionLabel, tr("&Connection:"), tr("Connection"),
               tr("Whether the server answers, or why it does not"));
    setCaption(m_initializedCaptionLabel, m_initializedLabel, tr("&Initialised:"), tr("Initialised"),
               tr("Whether the server's key shares and root token have been generated"));
    setCaption(m_sealStateCaptionLabel, m_sealStateLabel, tr("S&eal state:"), tr("Seal state"),
               tr("Sealed: the server cannot decrypt its storage until enough key shares are entered"));
    setCaption(m_keySharesCaptionLabel, m_keySharesLabel, tr("&Key shares:"), tr("Key shares"),
               tr("How many key shares are needed to unseal, out of how many were issued"));
    setCaption(m_unsealProgressCaptionLabel, m_unsealProgressBar, tr("&Unseal progress:"), tr("Unseal progress"),
               tr("Key shares entered so far towards the threshold"));
    setCaption(m_versionCaptionLabel, m_versionLabel, tr("&Version:"), tr("Server version"),
               tr("The server's version"));
    setCaption(m_clusterCaptionLabel, m_clusterLabel, tr("C&luster:"), tr("Cluster"),
               tr("The cluster's name and id, known while unsealed"));

    setCaption(m_sessionCaptionLabel, m_sessionLabel, tr("Signed &in as:"), tr("Session"),
               tr("Who you are signed in as, your policies and when your token expires"));
    setButtonText(m_signInButton, tr("Sign &in…"), tr("Sign in"),
                  tr("Sign in with a token, a user name and password, or an AppRole"));
    setButtonText(m_signOutButton, tr("Sign &out"), tr("Sign out"), tr("End the session and revoke its token"));
    setButtonText(m_refreshButton, tr("&Refresh"), tr("Refresh"), tr("Ask the server for its seal state now"));
    m_refreshButton->setToolTip(tr("Ask the server for its seal state now"));
}

void MainWindow::showConnecting(const QString &message)
{
    // The client may still point at the server left: nothing is read from it until connectToServer().
    m_refreshTimer->stop();
    dropPendingReply();
    m_state = State::Waiting;
    m_message = message;
    m_sealStatus.reset();
    updateView();
}

void MainWindow::connectToServer(const QUrl &address)
{
    dropPendingReply();
    m_client->setBaseUrl(address);
    m_state = State::Connecting;
    m_message.clear();
    m_sealStatus.reset();
    updateView();
    refresh();
    m_statusView->clear();
    refreshStatus();
    m_refreshTimer->start();
    if (m_client->hasToken())
        m_requestsView->start();
    else
        m_requestsView->setInactiveMessage(tr("Access requests need a token for this server: sign in first."));
}

void MainWindow::updateRequestsTab()
{
    const int pending = m_requestsView->model()->pendingCount();
    m_tabs->setTabText(1, pending > 0 ? tr("Access requests (%1)").arg(pending) : tr("Access requests"));
    m_tabs->setTabToolTip(1, tr("%n request(s) await your decision", nullptr, pending));
}

void MainWindow::showServerFailure(const QString &message)
{
    qCWarning(lcUi) << "server failure:" << message;
    m_refreshTimer->stop();
    dropPendingReply();
    m_requestsView->setInactiveMessage(tr("Not connected."));
    m_requestsView->stop();
    m_state = State::Failed;
    m_message = message;
    m_sealStatus.reset();
    updateView();
}

int MainWindow::refreshIntervalMs() const
{
    return m_refreshTimer->interval();
}

void MainWindow::setRefreshIntervalMs(int intervalMs)
{
    m_refreshTimer->setInterval(intervalMs);
}

void MainWindow::refresh()
{
    if (m_pendingReply || m_state == State::Failed || m_state == State::Waiting || m_client->baseUrl().isEmpty())
        return;
    ApiReply *reply = m_client->sealStatus();
    m_pendingReply = reply;
    reply->onFinished(this, [this, reply](int status, const QJsonObject &body, const QStringList &errors) {
        if (m_pendingReply != reply)
            return;
        m_pendingReply = nullptr;
        handleSealStatus(status, body, errors);
    });
}

void MainWindow::handleSealStatus(int status, const QJsonObject &body, const QStringList &errors)
{
    if (m_state == State::Failed)
        return;
    statusBar()->showMessage(
        tr("Last checked at %1").arg(QLocale().toString(QTime::currentTime(), QLocale::ShortFormat)));
    if (!errors.isEmpty()) {
        m_state = State::Unreachable;
        m_message = errors.join(QStringLiteral("; "));
        m_sealStatus.reset();
        updateView();
        return;
    }
    QString parseError;
    m_sealStatus = SealStatus::fromJson(body, &parseError);
    if (!m_sealStatus) {
        m_state = State::Unreachable;
        m_message = tr("The server's answer (HTTP %1) was not understood: %2").arg(status).arg(parseError);
    } else {
        m_state = State::Connected;
        m_message.clear();
    }
    updateView();
}

QString MainWindow::addressText() const
{
    const QUrl url = m_client->baseUrl();
    return url.isEmpty() ? tr("None yet") : url.toString(QUrl::RemoveUserInfo);
}

void MainWindow::updateView()
{
    m_serverAddressLabel->setText(addressText());
    switch (m_state) {
    case State::Idle:
        m_connectionLabel->setText(tr("Not connected"));
        break;
    case State::Waiting:
    case State::Connecting:
        m_connectionLabel->setText(m_message.isEmpty() ? tr("Connecting…") : m_message);
        break;
    case State::Connected:
        m_connectionLabel->setText(tr("Connected"));
        break;
    case State::Unreachable:
        m_connectionLabel->setText(tr("Cannot read the seal state: %1").arg(m_message));
        break;
    case State::Failed:
        m_connectionLabel->setText(m_message);
        break;
    }
    m_refreshButton->setEnabled(m_state != State::Failed && m_state != State::Waiting &&
                                !m_client->baseUrl().isEmpty());
    m_refreshAction->setEnabled(m_refreshButton->isEnabled());
    updateSession();

    const QString unknown = tr("Unknown");
    if (!m_sealStatus) {
        m_initializedLabel->setText(unknown);
        m_sealStateLabel->setText(unknown);
        m_keySharesLabel->setText(unknown);
        m_unsealProgressBar->setRange(0, 1);
        m_unsealProgressBar->setValue(0);
        m_unsealProgressBar->setFormat(unknown);
        m_versionLabel->setText(unknown);
        m_clusterLabel->setText(unknown);
        return;
    }

    const SealStatus &s = *m_sealStatus;
    m_initializedLabel->setText(s.initialized ? tr("Yes") : tr("No"));
    if (!s.initialized)
        m_sealStateLabel->setText(tr("Not initialised"));
    else
        m_sealStateLabel->setText(s.sealed ? tr("Sealed") : tr("Unsealed"));

    if (s.initialized && s.threshold > 0)
        m_keySharesLabel->setText(tr("%1 of %2 needed to unseal").arg(s.threshold).arg(s.shares));
    else
        m_keySharesLabel->setText(tr("None issued"));

    const int threshold = qMax(1, s.threshold);
    m_unsealProgressBar->setRange(0, threshold);
    if (!s.initialized) {
        m_unsealProgressBar->setValue(0);
        m_unsealProgressBar->setFormat(tr("Not initialised"));
    } else if (!s.sealed) {
        m_unsealProgressBar->setValue(threshold);
        m_unsealProgressBar->setFormat(tr("Unsealed"));
    } else {
        m_unsealProgressBar->setValue(qMin(s.progress, threshold));
        m_unsealProgressBar->setFormat(tr("%1 of %2 key shares entered").arg(s.progress).arg(s.threshold));
    }

    m_versionLabel->setText(s.version.isEmpty() ? unknown : s.version);
    if (s.clusterName.isEmpty() && s.clusterId.isEmpty())
        m_clusterLabel->setText(s.sealed ? tr("Unknown while sealed") : unknown);
    else
        m_clusterLabel->setText(tr("%1 (%2)").arg(s.clusterName, s.clusterId));
}

QString MainWindow::sessionText() const
{
    switch (m_session->state()) {
    case Session::State::SignedOut:
        return tr("Not signed in");
    case Session::State::SigningIn:
        return tr("Signing in…");
    case Session::State::Expired:
        return tr("Session expired: sign in again");
    case Session::State::SignedIn:
        break;
    }
    const QString who =
        tr("%1 (policies: %2)").arg(m_session->displayName(), m_session->policies().join(QStringLiteral(", ")));
    const QDateTime expiry = m_session->expireTime();
    if (!expiry.isValid())
        return tr("%1, token without expiry").arg(who);
    return tr("%1, expires in %2")
        .arg(who, formatDuration(qMax<qint64>(0, QDateTime::currentDateTimeUtc().secsTo(expiry))));
}

void MainWindow::updateSession()
{
    const bool signedIn = m_session->isSignedIn();
    const bool canSignIn =
        m_state != State::Failed && !m_client->baseUrl().isEmpty() && m_session->state() != Session::State::SigningIn;
    m_sessionLabel->setText(sessionText());
    m_signInButton->setEnabled(canSignIn);
    m_signInAction->setEnabled(canSignIn);
    m_signOutButton->setEnabled(signedIn);
    m_signOutAction->setEnabled(signedIn);
    updateSealActions(); // sealing needs a token
    if (signedIn && m_session->expireTime().isValid())
        m_sessionTimer->start();
    else
        m_sessionTimer->stop();
}

void MainWindow::signIn()
{
    if (!m_signInButton->isEnabled())
        return;
    auto *dialog = new LoginDialog(m_session, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_loginPrompt(dialog);
}

void MainWindow::signOut()
{
    if (m_session->isSignedIn())
        m_session->signOut(true);
}

void MainWindow::onSessionEnded(const QString &message)
{
    m_requestsView->stop();
    m_requestsView->setInactiveMessage(message);
    updateSession();
}

void MainWindow::buildStatusTab()
{
    m_statusView = new StatusView(m_client, this);
    m_tabs->addTab(m_statusView, QString());
    connect(m_refreshTimer, &QTimer::timeout, this, &MainWindow::refreshStatus);
    connect(m_refreshButton, &QPushButton::clicked, this, &MainWindow::refreshStatus);
    connect(m_refreshAction, &QAction::triggered, this, &MainWindow::refreshStatus);

    m_notifier = new Notifier(m_requestsView->model(), this);
    connect(m_notifier, &Notifier::requestActivated, this, &MainWindow::showRequest);
}

void MainWindow::refreshStatus()
{
    if (m_state != State::Failed && m_state != State::Waiting)
        m_statusView->poll(); // only while the tab is on screen; it reads by itself when shown
}

void MainWindow::showRequest(const QString &gate, const QString &requestId)
{
    if (isMinimized())
        showNormal();
    raise();
    activateWindow();
    m_tabs->setCurrentWidget(m_requestsView);
    m_requestsView->selectRequest(gate, requestId);
}

void MainWindow::buildSealMenu()
{
    const auto makeAction = [this](const char *objectName, void (MainWindow::*slot)()) {
        auto *action = new QAction(this);
        action->setObjectName(QLatin1String(objectName));
        action->setEnabled(false);
        connect(action, &QAction::triggered, this, slot);
        return action;
    };
    m_initialiseAction = makeAction("initialiseAction", &MainWindow::initialiseServer);
    m_unsealAction = makeAction("unsealAction", &MainWindow::unsealServer);
    m_sealAction = makeAction("sealAction", &MainWindow::sealServer);
    m_brokerUnsealAction = makeAction("brokerUnsealAction", &MainWindow::unsealBroker);
    m_brokerSealAction = makeAction("brokerSealAction", &MainWindow::sealBroker);
    m_sealMenu = menuBar()->addMenu(QString());
    m_sealMenu->setObjectName(QStringLiteral("sealMenu"));
    m_sealMenu->addActions({m_initialiseAction, m_unsealAction, m_sealAction});
    m_sealMenu->addSeparator();
    m_sealMenu->addActions({m_brokerUnsealAction, m_brokerSealAction});
}

void MainWindow::retranslateSealMenu()
{
    m_sealMenu->setTitle(tr("Se&al"));
    m_sealMenu->setAccessibleName(tr("Seal menu"));
    m_initialiseAction->setText(tr("&Initialise…"));
    m_initialiseAction->setToolTip(tr("Generate the key shares and the root token of a new server"));
    m_unsealAction->setText(tr("&Unseal…"));
    m_unsealAction->setToolTip(tr("Enter key shares to unseal the server (or every peer)"));
    m_sealAction->setText(tr("&Seal…"));
    m_sealAction->setToolTip(tr("Seal the server: it stops serving until unsealed again"));
    m_brokerUnsealAction->setText(tr("&Broker unseal…"));
    m_brokerUnsealAction->setToolTip(tr("Give the task token broker the credential it issues task tokens with"));
    m_brokerSealAction->setText(tr("Broker s&eal…"));
    m_brokerSealAction->setToolTip(tr("Make the task token broker forget its credential"));
}

void MainWindow::updateSealActions()
{
    const bool known = m_state == State::Connected && m_sealStatus.has_value();
    const bool initialised = known && m_sealStatus->initialized;
    const bool unsealed = initialised && !m_sealStatus->sealed;
    m_initialiseAction->setEnabled(known && !m_sealStatus->initialized);
    m_unsealAction->setEnabled(initialised && m_sealStatus->sealed);
    m_sealAction->setEnabled(unsealed && m_client->hasToken());
    m_brokerUnsealAction->setEnabled(unsealed);
    m_brokerSealAction->setEnabled(unsealed && m_client->hasToken());
}

void MainWindow::showSealDialog(QDialog *dialog)
{
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::finished, this, &MainWindow::refresh);
    m_dialogPrompt(dialog);
}

void MainWindow::initialiseServer()
{
    if (!m_initialiseAction->isEnabled())
        return;
    auto *wizard = new InitWizard(m_client, this);
    connect(wizard, &InitWizard::initialised, this, &MainWindow::refresh);
    showSealDialog(wizard);
}

void MainWindow::unsealServer()
{
    if (!m_unsealAction->isEnabled())
        return;
    auto *dialog = new UnsealDialog(m_client, this);
    connect(dialog, &UnsealDialog::sealStatusChanged, this, &MainWindow::refresh);
    showSealDialog(dialog);
}

void MainWindow::confirmThen(const QString &question, std::function<void()> action)
{
    m_confirmPrompt(this, question, [guard = QPointer<MainWindow>(this), action = std::move(action)](bool yes) {
        if (guard && yes)
            action();
    });
}

void MainWindow::sealServer()
{
    if (!m_sealAction->isEnabled())
        return;
    confirmThen(tr("Seal the server? It stops serving requests until %n key share(s) unseal it again.", nullptr,
                   m_sealStatus->threshold),
                [this] {
                    m_sealActions->seal(this, [this](const QStringList &errors) {
                        statusBar()->showMessage(errors.isEmpty()
                                                     ? tr("The server is sealed.")
                                                     : tr("Could not seal: %1").arg(errors.join(QStringLiteral("; "))));
                        refresh();
                    });
                });
}

void MainWindow::unsealBroker()
{
    if (!m_brokerUnsealAction->isEnabled())
        return;
    auto *dialog = new BrokerUnsealDialog(m_client, this);
    connect(dialog, &BrokerUnsealDialog::brokerUnsealed, this,
            [this](const QString &message) { statusBar()->showMessage(tr("Broker: %1").arg(message)); });
    showSealDialog(dialog);
}

void MainWindow::sealBroker()
{
    if (!m_brokerSealAction->isEnabled())
        return;
    confirmThen(
        tr("Seal the task token broker? It forgets its credential and issues no task token until unsealed again."),
        [this] {
            m_sealActions->brokerSeal(this, [this](bool, const QString &message, const QStringList &errors) {
                statusBar()->showMessage(
                    errors.isEmpty() ? tr("Broker: %1").arg(message)
                                     : tr("Could not seal the broker: %1").arg(errors.join(QStringLiteral("; "))));
            });
        });
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_settings)
        m_settings->setValue(geometryKey, saveGeometry());
    QMainWindow::closeEvent(event);
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
        retranslateConnections();
        updateView();
    }
    QMainWindow::changeEvent(event);
}

void MainWindow::setConnections(ConnectionsModel *connections)
{
    if (m_connections)
        disconnect(m_connections, nullptr, this, nullptr);
    m_connections = connections;
    if (!m_connectMenu) {
        m_connectMenu = new QMenu(this);
        m_connectMenu->setObjectName(QStringLiteral("connectMenu"));
        menuBar()->insertMenu(m_sessionMenu->menuAction(), m_connectMenu);
        m_manageConnectionsAction = new QAction(this);
        m_manageConnectionsAction->setObjectName(QStringLiteral("manageConnectionsAction"));
        connect(m_manageConnectionsAction, &QAction::triggered, this, &MainWindow::manageConnections);
        m_connectionNameLabel = makeValueLabel(statusBar(), "connectionNameLabel");
        m_keychainLabel = makeValueLabel(statusBar(), "keychainLabel");
        m_keychainLabel->setWordWrap(true);
        m_keychainLabel->hide();
        statusBar()->addPermanentWidget(m_keychainLabel, 1);
        statusBar()->addPermanentWidget(m_connectionNameLabel);
    }
    if (m_connections) {
        connect(m_connections, &ConnectionsModel::rowsInserted, this, &MainWindow::rebuildConnectMenu);
        connect(m_connections, &ConnectionsModel::rowsRemoved, this, &MainWindow::rebuildConnectMenu);
        connect(m_connections, &ConnectionsModel::dataChanged, this, &MainWindow::rebuildConnectMenu);
        connect(m_connections, &ConnectionsModel::modelReset, this, &MainWindow::rebuildConnectMenu);
        connect(m_connections, &ConnectionsModel::connectionChanged, this,
                [this](const Connection &before, const Connection &after) {
                    if (before.name == m_currentConnection)
                        setCurrentConnection(after.name);
                });
    }
    retranslateConnections();
}

void MainWindow::retranslateConnections()
{
    if (!m_connectMenu)
        return;
    m_connectMenu->setTitle(tr("C&onnect to"));
    m_connectMenu->setAccessibleName(tr("Connect to menu"));
    m_manageConnectionsAction->setText(tr("&Manage connections…"));
    m_connectionNameLabel->setAccessibleName(tr("Connection in use"));
    m_keychainLabel->setAccessibleName(tr("Keychain"));
    setCurrentConnection(m_currentConnection);
    rebuildConnectMenu();
}

void MainWindow::rebuildConnectMenu()
{
    if (!m_connectMenu)
        return;
    m_connectMenu->clear();
    auto *group = new QActionGroup(m_connectMenu);
    const int count = m_connections ? m_connections->rowCount() : 0;
    for (int row = 0; row < count; ++row) {
        const QModelIndex index = m_connections->index(row);
        const QString name = index.data(ConnectionsModel::NameRole).toString();
        QAction *action = m_connectMenu->addAction(QString(name).replace(QLatin1Char('&'), QStringLiteral("&&")));
        action->setObjectName(connectActionPrefix + name);
        action->setToolTip(index.data(Qt::ToolTipRole).toString());
        action->setCheckable(true);
        action->setChecked(name == m_currentConnection);
        action->setActionGroup(group);
        connect(action, &QAction::triggered, this, [this, name] { emit connectionRequested(name); });
    }
    if (count > 0)
        m_connectMenu->addSeparator();
    m_connectMenu->addAction(m_manageConnectionsAction);
}

void MainWindow::setCurrentConnection(const QString &name)
{
    m_currentConnection = name;
    if (m_connectionNameLabel) {
        m_connectionNameLabel->setText(name.isEmpty() ? QString() : tr("Connection: %1").arg(name));
        m_connectionNameLabel->setVisible(!name.isEmpty());
    }
    if (m_connectMenu) {
        for (QAction *action : m_connectMenu->actions()) {
            if (action->isCheckable())
                action->setChecked(action->objectName() == connectActionPrefix + name);
        }
    }
}

void MainWindow::setKeychainMessage(const QString &message)
{
    if (!m_keychainLabel)
        return;
    m_keychainLabel->setText(message);
    m_keychainLabel->setVisible(!message.isEmpty());
}

QString MainWindow::keychainMessage() const
{
    return m_keychainLabel && !m_keychainLabel->isHidden() ? m_keychainLabel->text() : QString();
}

void MainWindow::manageConnections()
{
    if (!m_connections)
        return;
    auto *dialog = new ConnectionsDialog(m_connections, m_currentConnection, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ConnectionsDialog::connectRequested, this, &MainWindow::connectionRequested);
    m_connectionsPrompt(dialog);
}

} // namespace gk
