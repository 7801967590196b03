#pragma once

#include "Connection.h"
#include "ServerOptions.h"

#include <QObject>
#include <QString>
#include <QUrl>

#include <memory>
#include <vector>

namespace gk {

class ApiClient;
class ConnectionsModel;
class EmbeddedServer;
class MainWindow;
class SessionKeeper;

// Puts the console on one connection at a time: ends the session on the previous server (without revoking its token,
// which the keychain may keep), stops the embedded server when leaving it and starts it when going to it, sets the
// client's address and TLS settings, and has the SessionKeeper restore the new connection's kept token. A switch away
// from the embedded server does not wait for its shutdown (in-flight requests get up to 5 s): the server is kept until
// it has stopped, and a new embedded server starts only once every old one has (two must never open the same
// storage). Only shutdownEmbedded(), at the process exit, waits.
class ConnectionSwitcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionSwitcher)

public:
    // None is owned; all must outlive the switcher. client is the window's.
    ConnectionSwitcher(MainWindow *window, ApiClient *client, SessionKeeper *keeper, ConnectionsModel *connections,
                       QObject *parent = nullptr);
    ~ConnectionSwitcher() override;

    // What the embedded server is started with (storage …); it always listens on 127.0.0.1 and a free port.
    void setEmbeddedOptions(const ServerOptions &options) { m_embeddedOptions = options; }

    // Switches to connection; one of the model's is remembered as the last used.
    void connectTo(const Connection &connection);
    // The model's connection called name (MainWindow::connectionRequested).
    void connectToName(const QString &name);
    Connection current() const { return m_current; }

    // Where the embedded server listens, while it runs; empty otherwise.
    QUrl embeddedAddress() const { return m_embeddedAddress; }
    // Whether the embedded server in use is starting or running (not one that is stopping).
    bool isEmbeddedRunning() const { return m_embedded != nullptr; }
    // How many embedded servers left are still shutting down.
    int stoppingEmbeddedCount() const { return static_cast<int>(m_stopping.size()); }
    // Whether the start of an embedded server waits for old ones to stop.
    bool isEmbeddedStartQueued() const { return m_startQueued; }
    // Asks the embedded server in use to shut down, if there is one, and returns at once; embeddedStopped() follows.
    void stopEmbedded();

public slots:
    // Shuts down every embedded server, the one in use and those stopping, and waits for their threads (up to 10 s
    // each). For the process exit (QCoreApplication::aboutToQuit).
    void shutdownEmbedded();

signals:
    // An embedded server is being started (after any old one has stopped).
    void embeddedStarting();
    void embeddedStarted(const QUrl &address);
    void embeddedFailed(const QString &message);
    // An embedded server left has shut down and its thread has ended.
    void embeddedStopped();

private:
    void startEmbedded();
    void startQueuedEmbedded();
    void onEmbeddedStopped(EmbeddedServer *server);
    void attach(const QUrl &address);

    MainWindow *m_window;
    ApiClient *m_client;
    SessionKeeper *m_keeper;
    ConnectionsModel *m_connections;
    ServerOptions m_embeddedOptions;
    std::unique_ptr<EmbeddedServer> m_embedded;              // the one in use, starting or running
    std::vector<std::unique_ptr<EmbeddedServer>> m_stopping; // left, until their stopped()
    bool m_startQueued = false;                              // start m_embedded once m_stopping is empty
    QUrl m_embeddedAddress;
    Connection m_current;
    quint64 m_embeddedSerial = 0; // bumped on every start and stop: late news of a stopped server is ignored
};

} // namespace gk
