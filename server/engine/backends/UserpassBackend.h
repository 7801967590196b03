#pragma once

#include "engine/Backend.h"
#include "engine/backends/KeyedSequencer.h"
#include "engine/backends/MountTable.h"
#include "engine/crypto/SecureBytes.h"

#include <QByteArray>
#include <QJsonObject>

#include <memory>
#include <optional>

namespace gk {

// Vault's userpass auth method: users/:name (password, token_policies, token_ttl, ...), LIST users, and
// login/:name. Names are lower-cased. Passwords are kept only as scrypt hashes (OpenSSL's EVP_KDF "SCRYPT", N = 2^15,
// r = 8, p = 1, a 16-byte random salt, 32 bytes out; the parameters are stored with the hash, so a later change of
// cost still verifies old hashes) and compared in constant time. Hashing runs on the mount table's KDF pool, never on
// an HTTP thread. A failed login costs the same whether or not the user exists.
//
// User lockout (Vault's): after lockout_threshold failed logins for one name, with no more than lockout_counter_reset
// between them, the name answers 429 for lockout_duration. Defaults 5, 15m and 15m; the mount's
// config.user_lockout_config changes them (lockout_disable turns it off). The counters are in memory, per mount.
// Password checks under way count against the threshold too, so concurrent logins of one name never test more than
// lockout_threshold passwords: the attempts beyond it answer 429 at once.
class UserpassBackend final : public Backend, public std::enable_shared_from_this<UserpassBackend>
{
public:
    static constexpr int kLockoutThreshold = 5;
    static constexpr qint64 kLockoutDurationSecs = 15 * 60;
    static constexpr qint64 kLockoutCounterResetSecs = 15 * 60;
    static constexpr int kScryptLogN = 15;
    static constexpr quint32 kScryptR = 8;
    static constexpr quint32 kScryptP = 1;
    static constexpr int kSaltBytes = 16;
    static constexpr int kHashBytes = 32;

    // A stored password hash and the parameters that made it.
    struct PasswordHash
    {
        int logN = kScryptLogN;
        quint32 r = kScryptR;
        quint32 p = kScryptP;
        QByteArray salt;
        QByteArray hash;

        QJsonObject toJson() const;
        // nullopt when the JSON is not a scrypt hash with parameters in the accepted range.
        static std::optional<PasswordHash> fromJson(const QJsonObject &json);
    };
    // scrypt through OpenSSL's EVP_KDF; an empty array when OpenSSL refuses the parameters.
    static QByteArray scrypt(const SecureBytes &password, const QByteArray &salt, quint64 n, quint32 r, quint32 p,
                             int length);
    // A new hash of password with a fresh random salt and N = 2^logN.
    static PasswordHash hashPassword(const SecureBytes &password, int logN);
    // Whether password matches stored, compared in constant time.
    static bool verifyPassword(const SecureBytes &password, const PasswordHash &stored);

    explicit UserpassBackend(const MountContext &context);
    ~UserpassBackend() override;
    Q_DISABLE_COPY_MOVE(UserpassBackend)

    QString type() const override { return QStringLiteral("userpass"); }
    QList<PathSpec> paths() override;

    // A new token for an existing user without a password, with the user's current token settings: for a caller
    // that has already proven the user's identity another way (an OAuth2 refresh token). 400 when the user is gone,
    // 429 while the name is locked out.
    QFuture<Response> reissue(const QString &userName, const QString &requestPath);

    struct Lockout;

private:
    static LoginGrant grantFor(const QString &name, const QJsonObject &user, const QString &requestPath);
    QFuture<Response> listUsers(const Request &request);
    QFuture<Response> readUser(const Request &request);
    QFuture<Response> writeUser(const Request &request);
    QFuture<Response> deleteUser(const Request &request);
    QFuture<Response> writePassword(const Request &request);
    QFuture<Response> writePolicies(const Request &request);
    QFuture<Response> login(const Request &request);
    // Read-modify-write of one user, serialised per name. password is hashed when given.
    QFuture<Response> updateUser(const QString &name, const QJsonObject &data, bool mustExist);

    MountContext m_context;
    std::shared_ptr<Lockout> m_lockout;
    QByteArray m_dummySalt; // for the hash an unknown user's login pays for
    KeyedSequencer m_writes;
};

} // namespace gk
