#pragma once

#include "Connection.h"
#include "ServerOptions.h"

#include <QObject>
#include <QString>
#include <QUrl>

#include <memory>

namespace gk {

class ApiClient;
class ConnectionsModel;
class EmbeddedServer;
class MainWindow;
class SessionKeeper;

// Puts the console on one connection at a time: ends the session on the previous server (without revoking its token,
// which the keychain may keep), stops the embedded server when leaving it and starts it when going to it, sets the
// client's address and TLS settings, and has the SessionKeeper restore the new connection's kept token. The
// embedded server's stop() joins its thread: a switch away from it waits for its shutdown (in-flight requests get up
// to 5 s).
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
    bool isEmbeddedRunning() const { return m_embedded != nullptr; }
    // Shuts the embedded server down, if it runs. Blocks until its thread has ended.
    void stopEmbedded();

signals:
    void embeddedStarted(const QUrl &address);
    void embeddedFailed(const QString &message);

private:
    void startEmbedded();
    void attach(const QUrl &address);

    MainWindow *m_window;
    ApiClient *m_client;
    SessionKeeper *m_keeper;
    ConnectionsModel *m_connections;
    ServerOptions m_embeddedOptions;
    std::unique_ptr<EmbeddedServer> m_embedded;
    QUrl m_embeddedAddress;
    Connection m_current;
    quint64 m_embeddedSerial = 0; // bumped on every start and stop: late news of a stopped server is ignored
};

} // namespace gk
