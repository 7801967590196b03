#pragma once

#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

class QJsonObject;
class QTimer;

namespace gk {

class ApiClient;
class ApiReply;

// The console's sign-in on one server: logs in with a token, userpass or approle, puts the token on the ApiClient,
// knows who that token is (lookup-self) and when it expires, and renews it (renew-self) at two thirds of its TTL.
// The token lives only in the ApiClient's memory: it is never logged, never written anywhere. Every call is
// asynchronous.
class Session final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Session)

public:
    enum class Method
    {
        Token,
        Userpass,
        AppRole
    };
    Q_ENUM(Method)

    enum class State
    {
        SignedOut,
        SigningIn,
        SignedIn,
        Expired // the token could not be renewed or ran out: sign in again
    };
    Q_ENUM(State)

    // What a sign-in needs. secret is the token (Token), the password (Userpass) or the secret_id (AppRole); name
    // is the user name (Userpass) or the role_id (AppRole); mount is empty for the method's default ("userpass",
    // "approle"). Not kept after the sign-in.
    struct Credentials
    {
        Method method = Method::Token;
        QString mount;
        QString name;
        QString secret;
    };

    // client is not owned and must outlive the session.
    explicit Session(ApiClient *client, QObject *parent = nullptr);
    ~Session() override;

    State state() const { return m_state; }
    bool isSignedIn() const { return m_state == State::SignedIn; }

    // Who the token is, from lookup-self (valid while signed in).
    QString displayName() const { return m_displayName; }
    QString entityId() const { return m_entityId; }
    QStringList policies() const { return m_policies; }
    bool renewable() const { return m_renewable; }
    // When the token expires; invalid for a token without TTL (root tokens).
    QDateTime expireTime() const { return m_expireTime; }
    // The time of the last successful renewal; invalid before the first.
    QDateTime lastRenewal() const { return m_lastRenewal; }

    // Signs in against the client's server. A sign-in under way is abandoned; the current token stays on the
    // client until the new one has been checked. signedIn() or signInFailed() follows.
    void signIn(const Credentials &credentials);
    // Forgets the token (clears it from the client). With revoke, first asks the server to revoke it (revoke-self)
    // without waiting for the answer.
    void signOut(bool revoke = false);

    // Renews the token now (what the timer does at two thirds of the TTL).
    void renew();

signals:
    void stateChanged(gk::Session::State state);
    void signedIn();
    // The server's errors text, or what went wrong on the way.
    void signInFailed(const QString &error);
    void renewed();
    // The renewal failed (or the token ran out without one): the session is Expired and the client has no token.
    void expired(const QString &error);
    void signedOut();

private:
    void failSignIn(const QString &error);
    void lookUp(const QString &token);
    void applyLookup(const QString &token, const QJsonObject &data);
    void scheduleRenewal(qint64 ttlSeconds);
    void setState(State state);
    void clearIdentity();
    void expire(const QString &error);
    void dropReply();
    bool takeReply(ApiReply *reply);

    ApiClient *m_client;
    ApiClient *m_probe; // checks a token before it reaches m_client
    QTimer *m_renewTimer;
    QPointer<ApiReply> m_reply; // the sign-in or renewal under way
    State m_state = State::SignedOut;
    QString m_displayName;
    QString m_entityId;
    QStringList m_policies;
    bool m_renewable = false;
    QDateTime m_expireTime;
    QDateTime m_lastRenewal;
};

} // namespace gk
