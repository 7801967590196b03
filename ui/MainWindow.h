#pragma once

#include "SealStatus.h"

#include <QMainWindow>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <functional>
#include <optional>

class QAction;
class QDialog;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QSettings;
class QTabWidget;
class QTimer;

namespace gk {

class ApiClient;
class ApiReply;
class ConnectionsDialog;
class ConnectionsModel;
class LoginDialog;
class Notifier;
class RequestsView;
class SealActions;
class Session;
class StatusView;

// The console's main window: the server's address and its seal state (initialised, sealed, t-of-n unseal progress),
// read through ApiClient and refreshed on a timer, and the access requests (RequestsView) in a second tab, which runs
// while signed in (Session: Sign in… and Sign out, who you are and when the token expires). Knows nothing of where
// the server runs (embedded or remote).
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    // Shows the sign-in dialog (already set up, deleted on close) to the user. A seam, so that tests fill it in
    // without a modal dialog; by default the dialog is opened window-modal (open()), which does not block.
    using LoginPrompt = std::function<void(LoginDialog *dialog)>;
    // The same seam for the connections dialog (Connect to > Manage connections…).
    using ConnectionsPrompt = std::function<void(ConnectionsDialog *dialog)>;
    // Shows a seal dialog (InitWizard, UnsealDialog, BrokerUnsealDialog; set up, deleted on close). A seam like
    // LoginPrompt; by default open().
    using DialogPrompt = std::function<void(QDialog *dialog)>;
    // Asks the user to confirm (answer(true) to go ahead). A seam like LoginPrompt; by default a window-modal
    // message box.
    using ConfirmPrompt =
        std::function<void(QWidget *parent, const QString &question, std::function<void(bool yes)> answer)>;

    // settings: where the window geometry is kept (nothing else is written there); may be null. Neither client
    // nor settings is owned; both must outlive the window.
    MainWindow(ApiClient *client, QSettings *settings, QWidget *parent = nullptr);
    ~MainWindow() override;

    // While the server is being started or looked for: shows what is happening, no refresh yet.
    void showConnecting(const QString &message);
    // Watches the server at address: points the client at it, shows it, refreshes now and then periodically. With a
    // token set on the client, also loads and follows the access requests.
    void connectToServer(const QUrl &address);
    // The server could not be started or reached at all: shows why and stops refreshing.
    void showServerFailure(const QString &message);

    RequestsView *requestsView() const { return m_requestsView; }
    // The Status tab: the broker's status and counters, the seal states and the peers, read on the refresh cadence
    // while the tab is on screen.
    StatusView *statusView() const { return m_statusView; }
    // Desktop notifications of new and decided access requests; a click opens the request in the requests tab.
    Notifier *notifier() const { return m_notifier; }
    Session *session() const { return m_session; }
    void setLoginPrompt(LoginPrompt prompt) { m_loginPrompt = std::move(prompt); }
    void setDialogPrompt(DialogPrompt prompt) { m_dialogPrompt = std::move(prompt); }
    void setConfirmPrompt(ConfirmPrompt prompt) { m_confirmPrompt = std::move(prompt); }
    // What the session indicator shows.
    QString sessionText() const;

    // The named connections offered in the Connect to menu (not owned; must outlive the window). Picking one emits
    // connectionRequested(); the switch itself is the caller's.
    void setConnections(ConnectionsModel *connections);
    void setConnectionsPrompt(ConnectionsPrompt prompt) { m_connectionsPrompt = std::move(prompt); }
    // The connection in use, checked in the menu and named in the status bar; empty for none.
    QString currentConnection() const { return m_currentConnection; }
    void setCurrentConnection(const QString &name);
    // What the status bar says about keeping the token in the system keychain (why it cannot, mostly); empty hides it.
    void setKeychainMessage(const QString &message);
    QString keychainMessage() const;
    QMenu *connectMenu() const { return m_connectMenu; }

    int refreshIntervalMs() const;
    void setRefreshIntervalMs(int intervalMs);

public slots:
    void refresh();
    // Opens the sign-in dialog (through the LoginPrompt).
    void signIn();
    // Ends the session and revokes its token.
    void signOut();
    // Opens the connections dialog (through the ConnectionsPrompt).
    void manageConnections();
    // The seal workflow (the Seal menu): each is enabled by the seal state last read.
    void initialiseServer();
    void unsealServer();
    void sealServer(); // after a confirmation
    void unsealBroker();
    void sealBroker(); // after a confirmation

signals:
    void connectionRequested(const QString &name);

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    enum class State
    {
        Idle,
        Waiting, // showConnecting(): the client's address is not the new server's yet, nothing is read
        Connecting,
        Connected,
        Unreachable,
        Failed
    };

    void buildUi();
    void retranslateUi();
    void updateView();
    void updateRequestsTab();
    void updateSession();
    void onSessionEnded(const QString &message);
    void dropPendingReply();
    void handleSealStatus(int status, const QJsonObject &body, const QStringList &errors);
    QString addressText() const;
    void rebuildConnectMenu();
    void retranslateConnections();
    void buildStatusTab();
    void refreshStatus();
    void showRequest(const QString &gate, const QString &requestId);
    void buildSealMenu();
    void retranslateSealMenu();
    void updateSealActions();
    void showSealDialog(QDialog *dialog);
    // Runs action once the user has said yes to question (through the ConfirmPrompt).
    void confirmThen(const QString &question, std::function<void()> action);

    ApiClient *m_client;
    QSettings *m_settings;
    QTimer *m_refreshTimer;
    QPointer<ApiReply> m_pendingReply;
    Session *m_session;
    QTimer *m_sessionTimer; // ticks the "expires in" countdown while signed in
    LoginPrompt m_loginPrompt;
    SealActions *m_sealActions;
    DialogPrompt m_dialogPrompt;
    ConfirmPrompt m_confirmPrompt;

    State m_state = State::Idle;
    QString m_message; // what Connecting/Unreachable/Failed show
    std::optional<SealStatus> m_sealStatus;

    QTabWidget *m_tabs = nullptr;
    QWidget *m_overviewWidget = nullptr;
    RequestsView *m_requestsView = nullptr;
    QLabel *m_serverAddressCaptionLabel = nullptr;
    QLabel *m_serverAddressLabel = nullptr;
    QLabel *m_connectionCaptionLabel = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QLabel *m_initializedCaptionLabel = nullptr;
    QLabel *m_initializedLabel = nullptr;
    QLabel *m_sealStateCaptionLabel = nullptr;
    QLabel *m_sealStateLabel = nullptr;
    QLabel *m_keySharesCaptionLabel = nullptr;
    QLabel *m_keySharesLabel = nullptr;
    QLabel *m_unsealProgressCaptionLabel = nullptr;
    QProgressBar *m_unsealProgressBar = nullptr;
    QLabel *m_versionCaptionLabel = nullptr;
    QLabel *m_versionLabel = nullptr;
    QLabel *m_clusterCaptionLabel = nullptr;
    QLabel *m_clusterLabel = nullptr;
    QLabel *m_sessionCaptionLabel = nullptr;
    QLabel *m_sessionLabel = nullptr;
    QPushButton *m_refreshButton = nullptr;
    QPushButton *m_signInButton = nullptr;
    QPushButton *m_signOutButton = nullptr;
    QAction *m_signInAction = nullptr;
    QAction *m_signOutAction = nullptr;
    QMenu *m_sessionMenu = nullptr;
    QAction *m_refreshAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QMenu *m_fileMenu = nullptr;
    QMenu *m_helpMenu = nullptr;

    ConnectionsModel *m_connections = nullptr;
    ConnectionsPrompt m_connectionsPrompt;
    QString m_currentConnection;
    QMenu *m_connectMenu = nullptr;
    QAction *m_manageConnectionsAction = nullptr;
    QLabel *m_connectionNameLabel = nullptr;
    QLabel *m_keychainLabel = nullptr;
    StatusView *m_statusView = nullptr;
    Notifier *m_notifier = nullptr;
    QMenu *m_sealMenu = nullptr;
    QAction *m_initialiseAction = nullptr;
    QAction *m_unsealAction = nullptr;
    QAction *m_sealAction = nullptr;
    QAction *m_brokerUnsealAction = nullptr;
    QAction *m_brokerSealAction = nullptr;
};

} // namespace gk
