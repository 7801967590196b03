#pragma once

#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

namespace gk {

// The console's tokens in the system keychain (the Secret Service on Linux, through QtKeychain), one per connection
// name, for the connections that opted in. Every call is asynchronous and answers through its callback, on the
// context's thread. When no keychain can be reached, the call fails with a message that says so and nothing is kept:
// there is no fallback to a file, and a token is never written to the settings or logged.
class TokenKeychain final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokenKeychain)

public:
    // token: what was read, empty when nothing is stored under that name. error: empty on success (a token that is
    // not there is not an error); else what went wrong, for a user to read.
    using ReadCallback = std::function<void(const QString &token, const QString &error)>;
    using Callback = std::function<void(const QString &error)>;

    // service: the keychain's namespace for the entries (tests use their own).
    explicit TokenKeychain(const QString &service = defaultService(), QObject *parent = nullptr);
    ~TokenKeychain() override;

    static QString defaultService();
    QString service() const { return m_service; }

    // Each callback runs once, unless context is destroyed first.
    void readToken(const QString &connection, const QObject *context, ReadCallback callback);
    void writeToken(const QString &connection, const QString &token, const QObject *context, Callback callback);
    // Deleting a token that is not there succeeds.
    void deleteToken(const QString &connection, const QObject *context, Callback callback);
    // Moves the token kept under one name to another (a renamed connection); nothing stored is not an error.
    void moveToken(const QString &from, const QString &to, const QObject *context, Callback callback);

private:
    QString m_service;
};

} // namespace gk
