#pragma once

#include <QCoreApplication>
#include <QMetaType>
#include <QString>
#include <QUrl>

#include <optional>

namespace gk {

// One server the console knows by name: its own embedded server (SQLite under the XDG data folder, on 127.0.0.1 and
// a free port) or a remote one at a URL. What is kept of it (ConnectionsModel) is never a token: whether the token
// may be kept in the system keychain is an opt-in flag here, the token itself lives only there (TokenKeychain).
struct Connection
{
    Q_DECLARE_TR_FUNCTIONS(Connection)

public:
    enum class Kind
    {
        Embedded,
        Remote
    };

    QString name;
    Kind kind = Kind::Remote;
    QUrl url;              // Remote: http(s)://host[:port][/prefix]
    QString caFile;        // Remote, optional: PEM CA certificates that replace the system's trust store
    bool verifyTls = true; // Remote over https: check the server's certificate (off only for tests and first contact)
    bool keychain = false; // keep the session's token in the system keychain

    static Connection embedded(const QString &name);
    static Connection remote(const QString &name, const QUrl &url);

    bool isEmbedded() const { return kind == Kind::Embedded; }
    // Empty when the connection may be kept; else why not (an empty name, a URL that is not http(s) with a host, a
    // CA file that does not exist). The name's uniqueness is the model's to check.
    QString validate() const;
    // What a user reads about where it goes: the URL, or that it is the embedded server.
    QString description() const;

    // "http(s)://host…" as typed, or nothing when it is not such a URL.
    static std::optional<QUrl> parseUrl(const QString &text);

    friend bool operator==(const Connection &, const Connection &) = default;
};

} // namespace gk

Q_DECLARE_METATYPE(gk::Connection)
