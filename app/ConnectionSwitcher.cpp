#include "ConnectionSwitcher.h"

#include "ApiClient.h"
#include "ConnectionsModel.h"
#include "EmbeddedServer.h"
#include "MainWindow.h"
#include "Session.h"
#include "SessionKeeper.h"

#include <algorithm>

namespace gk {

ConnectionSwitcher::ConnectionSwitcher(MainWindow *window, ApiClient *client, SessionKeeper *keeper,
                                       ConnectionsModel *connections, QObject *parent)
    : QObject(parent), m_window(window), m_client(client), m_keeper(keeper), m_connections(connections)
{
    Q_ASSERT(m_window && m_client && m_keeper && m_connections);
    connect(m_window, &MainWindow::connectionRequested, this, &ConnectionSwitcher::connectToName);
    connect(m_keeper, &SessionKeeper::keychainFailed, m_window, &MainWindow::setKeychainMessage);
    connect(m_keeper, &SessionKeeper::waitingForServer, m_window, &MainWindow::setKeychainMessage);
    connect(m_keeper, &SessionKeeper::restored, m_window,
            [this] { m_window->setKeychainMessage(tr("Signed in with the token kept in the system keychain.")); });
    connect(m_keeper, &SessionKeeper::restoreFailed, m_window, [this](const QString &error) {
        m_window->setKeychainMessage(tr("The token kept in the keychain was refused (%1): sign in again.").arg(error));
    });
    connect(m_keeper, &SessionKeeper::tokenSaved, m_window,
            [this] { m_window->setKeychainMessage(tr("Your token is kept in the system keychain.")); });
    connect(m_keeper, &SessionKeeper::tokenDeleted, m_window,
            [this] { m_window->setKeychainMessage(tr("Your token was deleted from the system keychain.")); });
    connect(m_keeper, &SessionKeeper::nothingToRestore, m_window, [this] { m_window->setKeychainMessage({}); });
}

ConnectionSwitcher::~ConnectionSwitcher()
{
    shutdownEmbedded();
}

void ConnectionSwitcher::connectToName(const QString &name)
{
    if (const std::optional<Connection> connection = m_connections->find(name))
        connectTo(*connection);
}

void ConnectionSwitcher::connectTo(const Connection &connection)
{
    // The previous server's session ends here, unrevoked: its token may be kept for the next visit.
    m_keeper->detach();
    if (m_window->session()->state() != Session::State::SignedOut)
        m_window->session()->signOut(false);
    m_window->setKeychainMessage({});
    m_current = connection;
    m_window->setCurrentConnection(connection.name);
    if (m_connections->indexOf(connection.name) >= 0)
        m_connections->setLastUsed(connection.name);

    if (connection.isEmbedded()) {
        m_client->setCaCertificateFile({});
        m_client->setTlsVerification(true);
        if (!m_embedded)
            startEmbedded(); // attaches once started
        else if (!m_embeddedAddress.isEmpty())
            attach(m_embeddedAddress);
        else
            m_window->showConnecting(tr("Starting the embedded server…"));
        return;
    }

    stopEmbedded();
    m_client->setTlsVerification(connection.verifyTls);
    QString caError;
    if (!m_client->setCaCertificateFile(connection.caFile, &caError)) {
        m_client->setBaseUrl(connection.url);
        m_window->showServerFailure(tr("The CA file of %1 cannot be used: %2").arg(connection.name, caError));
        return;
    }
    attach(connection.url);
}

void ConnectionSwitcher::attach(const QUrl &address)
{
    m_window->connectToServer(address);
    m_keeper->attach(m_current.name);
}

void ConnectionSwitcher::startEmbedded()
{
    stopEmbedded();
    m_embedded = std::make_unique<EmbeddedServer>();
    const quint64 serial = ++m_embeddedSerial;
    connect(m_embedded.get(), &EmbeddedServer::started, this, [this, serial](const QUrl &address) {
        if (serial != m_embeddedSerial) // a server stopped meanwhile
            return;
        m_embeddedAddress = address;
        emit embeddedStarted(address);
        if (m_current.isEmbedded())
            attach(address);
    });
    connect(m_embedded.get(), &EmbeddedServer::failed, this, [this, serial](const QString &message) {
        if (serial != m_embeddedSerial)
            return;
        stopEmbedded(); // so that the next switch to it tries again
        emit embeddedFailed(message);
        if (m_current.isEmbedded())
            m_window->showServerFailure(tr("The embedded server did not start: %1").arg(message));
    });
    m_window->showConnecting(tr("Starting the embedded server…"));
    m_startQueued = true;
    startQueuedEmbedded();
}

void ConnectionSwitcher::startQueuedEmbedded()
{
    // An old server may still hold the storage open.
    if (!m_startQueued || !m_embedded || !m_stopping.empty())
        return;
    m_startQueued = false;
    ServerOptions options = m_embeddedOptions;
    options.listenHost = QStringLiteral("127.0.0.1");
    options.listenPort = 0;
    if (options.storage.isEmpty())
        options.storage = defaultStorageUrl();
    emit embeddedStarting();
    m_embedded->start(options);
}

void ConnectionSwitcher::stopEmbedded()
{
    if (!m_embedded)
        return;
    ++m_embeddedSerial;
    m_startQueued = false;
    EmbeddedServer *server = m_embedded.get();
    connect(server, &EmbeddedServer::stopped, this, [this, server] { onEmbeddedStopped(server); });
    m_stopping.push_back(std::move(m_embedded));
    m_embeddedAddress.clear();
    server->stopAsync();
}

void ConnectionSwitcher::onEmbeddedStopped(EmbeddedServer *server)
{
    const auto it = std::find_if(m_stopping.begin(), m_stopping.end(),
                                 [server](const std::unique_ptr<EmbeddedServer> &s) { return s.get() == server; });
    if (it == m_stopping.end())
        return;
    EmbeddedServer *done = it->release();
    m_stopping.erase(it);
    // Deleted once its signal has returned; as a child, with the switcher should that go first.
    done->setParent(this);
    done->deleteLater();
    emit embeddedStopped();
    startQueuedEmbedded();
}

void ConnectionSwitcher::shutdownEmbedded()
{
    stopEmbedded();     // the one in use shuts down alongside those already stopping
    m_stopping.clear(); // each destructor joins its thread
}

} // namespace gk
