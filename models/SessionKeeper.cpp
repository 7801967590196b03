#include "SessionKeeper.h"

#include "ApiClient.h"
#include "ApiReply.h"
#include "ConnectionsModel.h"
#include "SealStatus.h"
#include "Session.h"
#include "TokenKeychain.h"

#include <QTimer>

namespace gk {

SessionKeeper::SessionKeeper(Session *session, ApiClient *client, TokenKeychain *keychain,
                             ConnectionsModel *connections, QObject *parent)
    : QObject(parent), m_session(session), m_client(client), m_keychain(keychain), m_connections(connections),
      m_retryTimer(new QTimer(this)), m_attachment(new QObject(this))
{
    Q_ASSERT(m_session && m_client && m_keychain && m_connections);
    m_retryTimer->setSingleShot(true);
    m_retryTimer->setInterval(2000);
    connect(m_retryTimer, &QTimer::timeout, this, &SessionKeeper::tryRestore);
    connect(m_session, &Session::signedIn, this, &SessionKeeper::onSignedIn);
    connect(m_session, &Session::signedOut, this, &SessionKeeper::onSignedOut);
    connect(m_session, &Session::signInFailed, this, [this](const QString &error) {
        if (!m_signingIn)
            return;
        stopRestoring();
        emit restoreFailed(error);
    });
    connect(m_connections, &ConnectionsModel::connectionChanged, this, &SessionKeeper::onConnectionChanged);
    connect(m_connections, &ConnectionsModel::connectionRemoved, this, &SessionKeeper::onConnectionRemoved);
}

SessionKeeper::~SessionKeeper()
{
    stopRestoring();
}

int SessionKeeper::retryIntervalMs() const
{
    return m_retryTimer->interval();
}

void SessionKeeper::setRetryIntervalMs(int intervalMs)
{
    m_retryTimer->setInterval(intervalMs);
}

bool SessionKeeper::keepsToken(const QString &connection) const
{
    const std::optional<Connection> c = m_connections->find(connection);
    return c && c->keychain;
}

void SessionKeeper::attach(const QString &connection)
{
    detach();
    m_connection = connection;
    if (!keepsToken(connection)) {
        emit nothingToRestore();
        return;
    }
    m_restoring = true;
    m_keychain->readToken(connection, m_attachment, [this](const QString &token, const QString &error) {
        if (!error.isEmpty()) {
            stopRestoring();
            report(error);
            return;
        }
        if (token.isEmpty() || m_session->isSignedIn()) {
            stopRestoring();
            emit nothingToRestore();
            return;
        }
        m_keptToken = token;
        tryRestore();
    });
}

void SessionKeeper::detach()
{
    stopRestoring();
    m_connection.clear();
}

void SessionKeeper::stopRestoring()
{
    m_retryTimer->stop();
    if (ApiReply *reply = m_reply) {
        m_reply = nullptr;
        reply->abort();
    }
    delete m_attachment; // drops the answers still due for the connection followed until now
    m_attachment = new QObject(this);
    m_keptToken.fill(QChar(0));
    m_keptToken.clear();
    m_restoring = false;
    m_signingIn = false;
}

// The token is checked only once the server can answer lookup-self: a sealed (or not yet started) server would
// refuse it for that reason alone.
void SessionKeeper::tryRestore()
{
    if (!m_restoring || m_reply || m_signingIn)
        return;
    if (m_session->isSignedIn()) { // signed in meanwhile, by hand
        stopRestoring();
        return;
    }
    ApiReply *reply = m_client->sealStatus();
    m_reply = reply;
    reply->onFinished(this, [this, reply](int, const QJsonObject &body, const QStringList &errors) {
        if (m_reply != reply)
            return;
        m_reply = nullptr;
        const std::optional<SealStatus> status = errors.isEmpty() ? SealStatus::fromJson(body) : std::nullopt;
        if (!status || !status->initialized || status->sealed) {
            emit waitingForServer(!status ? tr("The saved token will be tried once the server answers.")
                                          : tr("The saved token will be tried once the server is unsealed."));
            m_retryTimer->start();
            return;
        }
        m_signingIn = true;
        m_session->signIn({Session::Method::Token, {}, {}, m_keptToken});
    });
}

void SessionKeeper::onSignedIn()
{
    if (m_signingIn && m_client->token() == m_keptToken) {
        stopRestoring();
        emit restored();
        return;
    }
    stopRestoring(); // a sign-in by hand wins over a token still waiting
    if (keepsToken(m_connection))
        save(m_connection);
}

void SessionKeeper::onSignedOut()
{
    stopRestoring();
    if (keepsToken(m_connection))
        forget(m_connection);
}

void SessionKeeper::onConnectionChanged(const Connection &before, const Connection &after)
{
    const bool followed = !m_connection.isEmpty() && m_connection == before.name;
    if (followed)
        m_connection = after.name;
    if (before.keychain && !after.keychain) {
        forget(before.name);
    } else if (before.keychain && after.keychain && before.name != after.name) {
        m_keychain->moveToken(before.name, after.name, this, [this](const QString &error) { report(error); });
    } else if (!before.keychain && after.keychain && followed && m_session->isSignedIn()) {
        save(after.name);
    }
}

void SessionKeeper::onConnectionRemoved(const Connection &connection)
{
    if (connection.name == m_connection)
        detach();
    if (connection.keychain)
        forget(connection.name);
}

void SessionKeeper::save(const QString &connection)
{
    m_keychain->writeToken(connection, m_client->token(), this, [this](const QString &error) {
        if (error.isEmpty())
            emit tokenSaved();
        else
            report(error);
    });
}

void SessionKeeper::forget(const QString &connection)
{
    m_keychain->deleteToken(connection, this, [this](const QString &error) {
        if (error.isEmpty())
            emit tokenDeleted();
        else
            report(error);
    });
}

void SessionKeeper::report(const QString &error)
{
    if (error.isEmpty())
        return;
    emit keychainFailed(error);
}

} // namespace gk
