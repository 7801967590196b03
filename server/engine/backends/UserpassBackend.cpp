#include "engine/backends/UserpassBackend.h"

#include "engine/HomeThread.h"
#include "engine/crypto/Crypto.h"
#include "engine/policy/VaultData.h"
#include "engine/storage/Storage.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMutex>
#include <QMutexLocker>
#include <QRegularExpression>

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <chrono>

Q_LOGGING_CATEGORY(lcUserpass, "gatekeeper.userpass")

namespace gk {

namespace {

const QString kInvalidLogin = QStringLiteral("invalid username or password");
constexpr qsizetype kMaxPasswordChars = 4096;
constexpr qsizetype kMaxTrackedNames = 10000;
// Bounds for stored scrypt parameters (what hashPassword makes is well inside them).
constexpr int kMinLogN = 10;
constexpr int kMaxLogN = 20;

QFuture<Response> ready(Response r)
{
    return QtFuture::makeReadyFuture(std::move(r));
}

qint64 nowMsecs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Vault's user names: word characters, with '.', '-' and '@' inside. Lower-cased.
std::optional<QString> normalizeName(const QString &name)
{
    static const QRegularExpression valid(QStringLiteral("\\A\\w(?:[\\w.@-]{0,126}\\w)?\\z"));
    const QString lower = name.toLower();
    if (!valid.match(lower).hasMatch())
        return std::nullopt;
    return lower;
}

// The password field as bytes in a wiping buffer; nullopt when it is missing, not a string, empty or too long.
std::optional<SecureBytes> passwordField(const QJsonObject &data)
{
    const QJsonValue v = data.value(QStringLiteral("password"));
    if (!v.isString() || v.toString().isEmpty() || v.toString().size() > kMaxPasswordChars)
        return std::nullopt;
    QByteArray utf8 = v.toString().toUtf8();
    SecureBytes out = SecureBytes::fromByteArray(utf8);
    SecureBytes::wipe(utf8);
    return out;
}

EVP_KDF *scryptAlgorithm()
{
    // Fetched once and kept, as Crypto.cpp does for its algorithms.
    static EVP_KDF *const kdf = [] {
        EVP_KDF *k = EVP_KDF_fetch(nullptr, "SCRYPT", nullptr);
        if (!k)
            qFatal("OpenSSL: the SCRYPT KDF is not available");
        return k;
    }();
    return kdf;
}

struct KdfCtxFree
{
    void operator()(EVP_KDF_CTX *ctx) const { EVP_KDF_CTX_free(ctx); }
};

} // namespace

// ---- Lockout -------------------------------------------------------------------------------------------------

struct UserpassBackend::Lockout
{
    int threshold = kLockoutThreshold;
    qint64 durationMs = kLockoutDurationSecs * 1000;
    qint64 counterResetMs = kLockoutCounterResetSecs * 1000;
    bool disabled = false;

    struct Attempts
    {
        int failures = 0;
        int inFlight = 0; // password checks under way: each may still become a failure
        qint64 lastFailureMs = 0;
        qint64 lockedUntilMs = 0;
    };
    QMutex mutex;
    QHash<QString, Attempts> attempts;

    // Brings a's counters up to now: an expired lockout or an old failure count starts afresh.
    void expire(Attempts &a, qint64 now) const
    {
        if (a.lockedUntilMs != 0 && a.lockedUntilMs <= now) {
            a.lockedUntilMs = 0;
            a.failures = 0;
        }
        if (a.failures > 0 && now - a.lastFailureMs > counterResetMs)
            a.failures = 0;
    }

    bool isLocked(const QString &name)
    {
        if (disabled)
            return false;
        QMutexLocker lock(&mutex);
        const auto it = attempts.find(name);
        if (it == attempts.end())
            return false;
        expire(*it, nowMsecs());
        return it->lockedUntilMs != 0;
    }

    // Takes one of the name's remaining attempts for a password check, or false (429) when it is locked out or
    // every remaining attempt is already being checked: concurrent logins never test more passwords than the
    // threshold allows.
    bool begin(const QString &name)
    {
        if (disabled)
            return true;
        const qint64 now = nowMsecs();
        QMutexLocker lock(&mutex);
        if (attempts.size() >= kMaxTrackedNames) {
            attempts.removeIf([&](const QHash<QString, Attempts>::iterator &it) {
                return it->inFlight == 0 && it->lockedUntilMs < now && now - it->lastFailureMs > counterResetMs;
            });
        }
        Attempts &a = attempts[name];
        expire(a, now);
        if (a.lockedUntilMs != 0 || a.failures + a.inFlight >= threshold)
            return false;
        ++a.inFlight;
        return true;
    }

    // Ends a check begun with begin(): a failure counts (and may lock the name out); a success clears the count.
    void end(const QString &name, bool failed)
    {
        if (disabled)
            return;
        const qint64 now = nowMsecs();
        QMutexLocker lock(&mutex);
        Attempts &a = attempts[name];
        if (a.inFlight > 0)
            --a.inFlight;
        expire(a, now);
        if (!failed) {
            if (a.lockedUntilMs == 0)
                a.failures = 0;
            return;
        }
        ++a.failures;
        a.lastFailureMs = now;
        if (a.failures >= threshold && a.lockedUntilMs == 0) {
            a.lockedUntilMs = now + durationMs;
            qCWarning(lcUserpass) << "locked out a user name after" << a.failures << "failed logins";
        }
    }

    void reset(const QString &name)
    {
        QMutexLocker lock(&mutex);
        const auto it = attempts.find(name);
        if (it == attempts.end())
            return;
        it->failures = 0;
        it->lockedUntilMs = 0;
        if (it->inFlight == 0)
            attempts.erase(it);
    }
};

// ---- PasswordHash --------------------------------------------------------------------------------------------

QJsonObject UserpassBackend::PasswordHash::toJson() const
{
    return {{QStringLiteral("algorithm"), QStringLiteral("scrypt")},
            {QStringLiteral("log_n"), logN},
            {QStringLiteral("r"), static_cast<qint64>(r)},
            {QStringLiteral("p"), static_cast<qint64>(p)},
            {QStringLiteral("salt"), QString::fromLatin1(salt.toBase64())},
            {QStringLiteral("hash"), QString::fromLatin1(hash.toBase64())}};
}

std::optional<UserpassBackend::PasswordHash> UserpassBackend::PasswordHash::fromJson(const QJsonObject &json)
{
    if (json.value(QStringLiteral("algorithm")).toString() != QLatin1String("scrypt"))
        return std::nullopt;
    PasswordHash h;
    h.logN = json.value(QStringLiteral("log_n")).toInt();
    h.r = static_cast<quint32>(json.value(QStringLiteral("r")).toInt());
    h.p = static_cast<quint32>(json.value(QStringLiteral("p")).toInt());
    h.salt = QByteArray::fromBase64(json.value(QStringLiteral("salt")).toString().toLatin1());
    h.hash = QByteArray::fromBase64(json.value(QStringLiteral("hash")).toString().toLatin1());
    if (h.logN < kMinLogN || h.logN > kMaxLogN || h.r < 1 || h.r > 32 || h.p < 1 || h.p > 16 || h.salt.size() < 8 ||
        h.hash.size() < 16)
        return std::nullopt;
    return h;
}

QByteArray UserpassBackend::scrypt(const SecureBytes &password, const QByteArray &salt, quint64 n, quint32 r, quint32 p,
                                   int length)
{
    std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(scryptAlgorithm()));
    if (!ctx || length <= 0)
        return {};
    // OpenSSL wants non-null pointers even for empty inputs.
    static unsigned char empty = 0;
    void *pw = password.isEmpty() ? static_cast<void *>(&empty) : const_cast<unsigned char *>(password.data());
    void *saltData = salt.isEmpty() ? static_cast<void *>(&empty) : const_cast<char *>(salt.constData());
    uint64_t maxMem = 1024ULL * 1024 * 1024;
    uint64_t nParam = n;
    uint32_t rParam = r;
    uint32_t pParam = p;
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, pw, password.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, saltData, static_cast<std::size_t>(salt.size())),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &nParam),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &rParam),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &pParam),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxMem),
        OSSL_PARAM_construct_end(),
    };
    QByteArray out(length, Qt::Uninitialized);
    if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char *>(out.data()), static_cast<std::size_t>(length),
                       params) != 1) {
        qCWarning(lcUserpass) << "scrypt failed for N =" << n << "r =" << r << "p =" << p;
        return {};
    }
    return out;
}

UserpassBackend::PasswordHash UserpassBackend::hashPassword(const SecureBytes &password, int logN)
{
    PasswordHash h;
    h.logN = logN;
    h.salt = crypto::randomBytesRaw(kSaltBytes);
    h.hash = scrypt(password, h.salt, quint64(1) << logN, h.r, h.p, kHashBytes);
    return h;
}

bool UserpassBackend::verifyPassword(const SecureBytes &password, const PasswordHash &stored)
{
    const QByteArray derived = scrypt(password, stored.salt, quint64(1) << stored.logN, stored.r, stored.p,
                                      static_cast<int>(stored.hash.size()));
    return !derived.isEmpty() && crypto::constantTimeEquals(derived, stored.hash);
}

// ---- the backend ---------------------------------------------------------------------------------------------

UserpassBackend::UserpassBackend(const MountContext &context)
    : m_context(context), m_lockout(std::make_shared<Lockout>()), m_dummySalt(crypto::randomBytesRaw(kSaltBytes))
{
    const QJsonObject lock = context.entry.config.value(QStringLiteral("user_lockout_config")).toObject();
    if (lock.contains(QStringLiteral("lockout_threshold")))
        m_lockout->threshold = lock.value(QStringLiteral("lockout_threshold")).toInt();
    if (lock.contains(QStringLiteral("lockout_duration")))
        m_lockout->durationMs = lock.value(QStringLiteral("lockout_duration")).toInteger() * 1000;
    if (lock.contains(QStringLiteral("lockout_counter_reset")))
        m_lockout->counterResetMs = lock.value(QStringLiteral("lockout_counter_reset")).toInteger() * 1000;
    m_lockout->disabled = lock.value(QStringLiteral("lockout_disable")).toBool();
    m_context.passwordHashLogN = std::clamp(context.passwordHashLogN, kMinLogN, kMaxLogN);
}

UserpassBackend::~UserpassBackend() = default;

QList<PathSpec> UserpassBackend::paths()
{
    // The handlers keep the backend alive: a request routed before the mount was disabled may still call one.
    const auto bind = [self = shared_from_this()](QFuture<Response> (UserpassBackend::*fn)(const Request &)) {
        return [self, fn](const Request &r) { return (self.get()->*fn)(r); };
    };
    const QStringList sensitive{QStringLiteral("password")};

    PathSpec users;
    users.pattern = QStringLiteral("users/?");
    users.handlers = {{Operation::List, bind(&UserpassBackend::listUsers)}};
    users.help = QStringLiteral("LIST the user names: {\"data\": {\"keys\": [...]}}; 404 when there are none.");

    PathSpec user;
    user.pattern = QStringLiteral("users/([^/]+)");
    user.handlers = {{Operation::Read, bind(&UserpassBackend::readUser)},
                     {Operation::Update, bind(&UserpassBackend::writeUser)},
                     {Operation::Delete, bind(&UserpassBackend::deleteUser)}};
    user.help = QStringLiteral("Create or update (POST: password, needed on create; token_policies or policies; "
                               "token_ttl; token_max_ttl; token_explicit_max_ttl; token_num_uses; "
                               "token_no_default_policy), read (never the password) or delete a user. Names are "
                               "lower-cased.");
    user.sensitiveFields = sensitive;

    PathSpec password;
    password.pattern = QStringLiteral("users/([^/]+)/password");
    password.handlers = {{Operation::Update, bind(&UserpassBackend::writePassword)}};
    password.help = QStringLiteral("Change an existing user's password: {\"password\": \"...\"}.");
    password.sensitiveFields = sensitive;

    PathSpec policies;
    policies.pattern = QStringLiteral("users/([^/]+)/policies");
    policies.handlers = {{Operation::Update, bind(&UserpassBackend::writePolicies)}};
    policies.help = QStringLiteral("Change an existing user's token_policies (or policies).");

    PathSpec login;
    login.pattern = QStringLiteral("login/([^/]+)");
    login.handlers = {{Operation::Update, bind(&UserpassBackend::login)}};
    login.help = QStringLiteral("Log in: {\"password\": \"...\"} answers {\"auth\": {\"client_token\", \"policies\", "
                                "\"metadata\": {\"username\"}, \"entity_id\", ...}}. A wrong password or an unknown "
                                "user is a 400 \"invalid username or password\"; after repeated failures the name is "
                                "locked out (429) for a while.");
    login.unauthenticated = true;
    login.sensitiveFields = {QStringLiteral("password"), QStringLiteral("client_token")};

    return {users, user, password, policies, login};
}

QFuture<Response> UserpassBackend::listUsers(const Request &)
{
    return m_context.barrier->list(m_context.storagePrefix + QStringLiteral("users/"))
        .then([](Result<QStringList> names) {
            if (!names)
                return Response::error(names.httpStatus(), names.error());
            if (names.value().isEmpty())
                return Response::error(404, QStringLiteral("no users"));
            return Response::ok(vaultData({{QStringLiteral("keys"), QJsonArray::fromStringList(names.value())}}));
        });
}

QFuture<Response> UserpassBackend::readUser(const Request &request)
{
    const std::optional<QString> name = normalizeName(request.captures.value(0));
    if (!name)
        return ready(Response::error(400, QStringLiteral("invalid user name")));
    return m_context.barrier->get(m_context.storagePrefix + QStringLiteral("users/") + *name)
        .then([name = *name](Result<std::optional<QByteArray>> got) {
            if (!got)
                return Response::error(got.httpStatus(), got.error());
            if (!got.value().has_value())
                return Response::error(404, QStringLiteral("no user named \"%1\"").arg(name));
            const QJsonObject stored = QJsonDocument::fromJson(*got.value()).object();
            QJsonObject data;
            TokenParams::fromJson(stored).addTo(data);
            return Response::ok(vaultData(data));
        });
}

QFuture<Response> UserpassBackend::writeUser(const Request &request)
{
    return updateUser(request.captures.value(0), request.data, false);
}

QFuture<Response> UserpassBackend::writePassword(const Request &request)
{
    if (!request.data.contains(QStringLiteral("password")))
        return ready(Response::error(400, QStringLiteral("missing password")));
    return updateUser(request.captures.value(0),
                      {{QStringLiteral("password"), request.data.value(QStringLiteral("password"))}}, true);
}

QFuture<Response> UserpassBackend::writePolicies(const Request &request)
{
    QJsonObject data;
    for (const char *field : {"token_policies", "policies"}) {
        const QString key = QLatin1String(field);
        if (request.data.contains(key))
            data.insert(key, request.data.value(key));
    }
    if (data.isEmpty())
        return ready(Response::error(400, QStringLiteral("missing token_policies")));
    return updateUser(request.captures.value(0), data, true);
}

QFuture<Response> UserpassBackend::updateUser(const QString &rawName, const QJsonObject &data, bool mustExist)
{
    const std::optional<QString> name = normalizeName(rawName);
    if (!name)
        return ready(Response::error(400, QStringLiteral("invalid user name: use letters, digits, '_', and '.', '-' "
                                                         "or '@' inside, at most 128 characters")));
    std::optional<SecureBytes> password;
    if (data.contains(QStringLiteral("password"))) {
        password = passwordField(data);
        if (!password)
            return ready(Response::error(400, QStringLiteral("password must be a non-empty string of at most %1 "
                                                             "characters")
                                                  .arg(kMaxPasswordChars)));
    }
    const MountContext ctx = m_context;
    const QString key = ctx.storagePrefix + QStringLiteral("users/") + *name;
    auto task = [ctx, key, name = *name, data, password, mustExist]() -> QFuture<Response> {
        return ctx.barrier->get(key)
            .then([ctx, key, name, data, password,
                   mustExist](Result<std::optional<QByteArray>> got) -> QFuture<Response> {
                if (!got)
                    return ready(Response::error(got.httpStatus(), got.error()));
                const bool exists = got.value().has_value();
                if (!exists && mustExist)
                    return ready(Response::error(404, QStringLiteral("no user named \"%1\"").arg(name)));
                if (!exists && !password)
                    return ready(Response::error(400, QStringLiteral("missing password")));
                QJsonObject stored = exists ? QJsonDocument::fromJson(*got.value()).object() : QJsonObject();
                TokenParams params = TokenParams::fromJson(stored);
                if (Status st = params.update(data); !st)
                    return ready(Response::error(st.httpStatus(), st.error()));
                const QJsonObject hash = stored.value(QStringLiteral("password_hash")).toObject();
                const auto write = [ctx, key, params](const QJsonObject &hashJson) {
                    QJsonObject entry = params.toJson();
                    entry.insert(QStringLiteral("password_hash"), hashJson);
                    return ctx.barrier->put(key, QJsonDocument(entry).toJson(QJsonDocument::Compact))
                        .then([](Status st) {
                            if (!st)
                                return Response::error(st.httpStatus(), st.error());
                            return Response::noContent();
                        });
                };
                if (!password)
                    return write(hash);
                return runOnPool(
                           ctx.kdfPool,
                           [pw = *password, logN = ctx.passwordHashLogN]() { return hashPassword(pw, logN).toJson(); })
                    .then([write](QJsonObject hashJson) { return write(hashJson); })
                    .unwrap();
            })
            .unwrap();
    };
    return m_writes.run<Response>(*name, std::move(task), Response::error(500, QStringLiteral("interrupted")));
}

QFuture<Response> UserpassBackend::deleteUser(const Request &request)
{
    const std::optional<QString> name = normalizeName(request.captures.value(0));
    if (!name)
        return ready(Response::error(400, QStringLiteral("invalid user name")));
    const MountContext ctx = m_context;
    const std::shared_ptr<Lockout> lockout = m_lockout;
    const QString key = ctx.storagePrefix + QStringLiteral("users/") + *name;
    return m_writes.run<Response>(
        *name,
        [ctx, key, lockout, name = *name]() {
            return ctx.barrier->remove(key).then([lockout, name](Status st) {
                if (!st)
                    return Response::error(st.httpStatus(), st.error());
                lockout->reset(name);
                return Response::noContent();
            });
        },
        Response::error(500, QStringLiteral("interrupted")));
}

QFuture<Response> UserpassBackend::login(const Request &request)
{
    const std::optional<SecureBytes> password = passwordField(request.data);
    if (!password)
        return ready(Response::error(400, QStringLiteral("missing password")));
    // A malformed name is an unknown user: same answer, same cost.
    const std::optional<QString> normal = normalizeName(request.captures.value(0));
    const QString name = normal.value_or(QString());
    const std::shared_ptr<Lockout> lockout = m_lockout;
    if (normal && !lockout->begin(name))
        return ready(Response::error(429, QStringLiteral("too many failed login attempts: the user is locked out, try "
                                                         "again later")));

    const MountContext ctx = m_context;
    const QByteArray dummySalt = m_dummySalt;
    const QString requestPath = request.path;
    QFuture<Result<std::optional<QByteArray>>> stored =
        normal ? ctx.barrier->get(ctx.storagePrefix + QStringLiteral("users/") + name)
               : QtFuture::makeReadyFuture(Result<std::optional<QByteArray>>(std::optional<QByteArray>()));
    return stored
        .then([ctx, lockout, name, pw = *password, dummySalt,
               requestPath](Result<std::optional<QByteArray>> got) -> QFuture<Response> {
            if (!got) {
                if (!name.isEmpty())
                    lockout->end(name, false);
                return ready(Response::error(got.httpStatus(), got.error()));
            }
            QJsonObject user;
            std::optional<PasswordHash> hash;
            if (got.value().has_value()) {
                user = QJsonDocument::fromJson(*got.value()).object();
                hash = PasswordHash::fromJson(user.value(QStringLiteral("password_hash")).toObject());
            }
            const int dummyLogN = ctx.passwordHashLogN;
            QFuture<bool> verified = runOnPool(ctx.kdfPool, [pw, hash, dummySalt, dummyLogN]() {
                if (hash)
                    return verifyPassword(pw, *hash);
                // Unknown user: pay for one hash all the same.
                scrypt(pw, dummySalt, quint64(1) << dummyLogN, kScryptR, kScryptP, kHashBytes);
                return false;
            });
            return verified
                .then([ctx, lockout, name, user, requestPath](bool ok) -> QFuture<Response> {
                    if (!name.isEmpty())
                        lockout->end(name, !ok);
                    if (!ok)
                        return ready(Response::error(400, kInvalidLogin));
                    // Failures that came in meanwhile may have locked the name: then even the right password waits.
                    if (lockout->isLocked(name))
                        return ready(Response::error(429, QStringLiteral("too many failed login attempts: the user is "
                                                                         "locked out, try again later")));
                    lockout->reset(name);
                    return ctx.issueToken(grantFor(name, user, requestPath));
                })
                .unwrap();
        })
        .unwrap();
}

LoginGrant UserpassBackend::grantFor(const QString &name, const QJsonObject &user, const QString &requestPath)
{
    LoginGrant grant;
    grant.aliasName = name;
    grant.displayName = name;
    grant.token = TokenParams::fromJson(user);
    grant.metadata.insert(QStringLiteral("username"), name);
    grant.requestPath = requestPath;
    return grant;
}

QFuture<Response> UserpassBackend::reissue(const QString &userName, const QString &requestPath)
{
    const std::optional<QString> name = normalizeName(userName);
    if (!name)
        return ready(Response::error(400, QStringLiteral("the user no longer exists")));
    if (m_lockout->isLocked(*name))
        return ready(Response::error(429, QStringLiteral("too many failed login attempts: the user is locked out, try "
                                                         "again later")));
    const MountContext ctx = m_context;
    return ctx.barrier->get(ctx.storagePrefix + QStringLiteral("users/") + *name)
        .then([ctx, name = *name, requestPath](Result<std::optional<QByteArray>> got) -> QFuture<Response> {
            if (!got)
                return ready(Response::error(got.httpStatus(), got.error()));
            if (!got.value().has_value())
                return ready(Response::error(400, QStringLiteral("the user no longer exists")));
            const QJsonObject user = QJsonDocument::fromJson(*got.value()).object();
            return ctx.issueToken(grantFor(name, user, requestPath));
        })
        .unwrap();
}

} // namespace gk
