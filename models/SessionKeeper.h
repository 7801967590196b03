#pragma once

#include <QObject>
#include <QPointer>
#include <QString>

class QTimer;

namespace gk {

class ApiClient;
class ApiReply;
class ConnectionsModel;
class Session;
class TokenKeychain;
struct Connection;

// Keeps a Session's token in the system keychain for the connections that opted in (Connection::keychain), so that
// the console, started again, is still signed in. attach() to the connection the client now talks to: its kept
// token is read and, once the server answers unsealed, checked by signing in with it (Session: lookup-self). A
// sign-in then saves the token, a sign-out deletes it; turning the opt-in off, removing the connection or renaming it
// deletes or moves the entry. A keychain that cannot be reached is reported (keychainFailed) and nothing is kept.
// detach() before switching the client to another server, so that the switch is not taken for a sign-out.
class SessionKeeper final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionKeeper)

public:
    // None is owned; all must outlive the keeper. client is the session's.
    SessionKeeper(Session *session, ApiClient *client, TokenKeychain *keychain, ConnectionsModel *connections,
                  QObject *parent = nullptr);
    ~SessionKeeper() override;

    // The connection followed (a name in the model), empty when none.
    QString connection() const { return m_connection; }
    void attach(const QString &connection);
    void detach();
    // A kept token is being read or waits for the server to be unsealed.
    bool isRestoring() const { return m_restoring; }

    // How long to wait before asking again while the server is sealed or does not answer (default 2 s).
    int retryIntervalMs() const;
    void setRetryIntervalMs(int intervalMs);

signals:
    // The kept token was read and accepted: the session is signed in with it.
    void restored();
    // Nothing to restore: no opt-in, or no token kept for the connection.
    void nothingToRestore();
    // A kept token waits until the server is unsealed; message says so.
    void waitingForServer(const QString &message);
    // The server refused the kept token (it expired or was revoked): sign in again.
    void restoreFailed(const QString &error);
    void tokenSaved();
    void tokenDeleted();
    // The keychain failed (message for the user); nothing was kept.
    void keychainFailed(const QString &message);

private:
    bool keepsToken(const QString &connection) const;
    void tryRestore();
    void stopRestoring();
    void onSignedIn();
    void onSignedOut();
    void onConnectionChanged(const Connection &before, const Connection &after);
    void onConnectionRemoved(const Connection &connection);
    void save(const QString &connection);
    void forget(const QString &connection);
    void report(const QString &error);

    Session *m_session;
    ApiClient *m_client;
    TokenKeychain *m_keychain;
    ConnectionsModel *m_connections;
    QTimer *m_retryTimer;
    QPointer<ApiReply> m_reply;      // the seal-status check under way
    QObject *m_attachment = nullptr; // the context of the calls for the connection followed; replaced on attach/detach
    QString m_connection;
    QString m_keptToken; // read from the keychain, until the session has tried it
    bool m_restoring = false;
    bool m_signingIn = false; // the session is checking m_keptToken
};

} // namespace gk
