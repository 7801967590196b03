#include "engine/crypto/SealManager.h"

#include "engine/crypto/Crypto.h"
#include "engine/crypto/Shamir.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutexLocker>

namespace gk {

namespace {

Q_LOGGING_CATEGORY(lcSeal, "gatekeeper.seal")

using GetResult = Result<std::optional<QByteArray>>;

constexpr int kUnsealKeySize = 32;
constexpr int kShareSize = kUnsealKeySize + 1; // share bytes and the x coordinate
constexpr int kMaxShares = 255;

QString sealConfigPath()
{
    return QStringLiteral("core/seal-config");
}

template <typename T> QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

Status validateConfig(int shares, int threshold)
{
    const auto bad = [](const char *message) { return Status::fail(QString::fromLatin1(message), 400); };
    if (shares < 1)
        return bad("shares must be at least one");
    if (threshold < 1)
        return bad("threshold must be at least one");
    if (shares > 1 && threshold == 1)
        return bad("threshold must be greater than one for multiple shares");
    if (shares > kMaxShares)
        return bad("shares must be less than 256");
    if (threshold > shares)
        return bad("threshold cannot be larger than shares");
    return Status::ok();
}

QByteArray encodeConfig(const SealConfig &config)
{
    const QJsonObject object{{QStringLiteral("type"), QStringLiteral("shamir")},
                             {QStringLiteral("secret_shares"), config.shares},
                             {QStringLiteral("secret_threshold"), config.threshold}};
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

Result<SealConfig> decodeConfig(const QByteArray &bytes)
{
    const QJsonObject object = QJsonDocument::fromJson(bytes).object();
    SealConfig config;
    config.shares = object.value(QStringLiteral("secret_shares")).toInt(0);
    config.threshold = object.value(QStringLiteral("secret_threshold")).toInt(0);
    if (object.value(QStringLiteral("type")).toString() != QLatin1String("shamir") ||
        !validateConfig(config.shares, config.threshold)) {
        return Result<SealConfig>::fail(QStringLiteral("the stored seal configuration is malformed"));
    }
    return config;
}

bool isHex(const QByteArray &text)
{
    if (text.isEmpty() || text.size() % 2 != 0)
        return false;
    for (const char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

// A share as Vault hands it out: hex ("keys") or standard base64 ("keys_base64"). Hex is tried first, as Vault
// does. The intermediate buffers are wiped; the caller's QString is not ours to wipe.
Result<SecureBytes> decodeShare(const QString &keyText)
{
    QByteArray text = keyText.toLatin1().trimmed(); // trimmed in place: no second, unwiped copy
    QByteArray raw;
    bool decoded = false;
    if (isHex(text)) {
        raw = QByteArray::fromHex(text);
        decoded = true;
    } else if (!text.isEmpty()) {
        QByteArray::FromBase64Result result =
            QByteArray::fromBase64Encoding(text, QByteArray::Base64Encoding | QByteArray::AbortOnBase64DecodingErrors);
        decoded = result.decodingStatus == QByteArray::Base64DecodingStatus::Ok;
        raw = std::move(result.decoded);
        SecureBytes::wipe(result.decoded);
    }
    SecureBytes::wipe(text);
    if (!decoded || raw.isEmpty()) {
        SecureBytes::wipe(raw);
        return Result<SecureBytes>::fail(QStringLiteral("'key' must be a valid hex or base64 string"), 400);
    }
    SecureBytes share = SecureBytes::fromByteArray(raw);
    SecureBytes::wipe(raw);
    return share;
}

Status invalidKey()
{
    return Status::fail(QStringLiteral("unseal failed, invalid key"), 400);
}

} // namespace

SealManager::SealManager(Storage *physical) : m_barrier(physical), m_physical(physical) {}

SealManager::~SealManager() = default;

QFuture<Status> SealManager::load()
{
    return m_physical->get(sealConfigPath()).then([this](GetResult stored) -> Status {
        if (!stored)
            return stored.status();
        QMutexLocker lock(&m_mutex);
        if (!stored.value()) {
            m_initialized = false;
            m_config = {};
            return Status::ok();
        }
        Result<SealConfig> config = decodeConfig(*stored.value());
        if (!config)
            return config.status();
        m_config = config.value();
        m_initialized = true;
        qCInfo(lcSeal) << "seal configuration loaded:" << m_config.threshold << "of" << m_config.shares << "shares";
        return Status::ok();
    });
}

SealState SealManager::state() const
{
    QMutexLocker lock(&m_mutex);
    return stateLocked();
}

SealState SealManager::stateLocked() const
{
    SealState s;
    s.initialized = m_initialized;
    s.sealed = m_barrier.isSealed();
    s.shares = m_config.shares;
    s.threshold = m_config.threshold;
    s.progress = static_cast<int>(m_pending.size());
    s.nonce = m_nonce;
    return s;
}

void SealManager::clearRoundLocked()
{
    m_pending.clear(); // each SecureBytes wipes itself
    m_nonce.clear();
}

QFuture<Result<SealManager::InitResult>> SealManager::initialize(int shares, int threshold)
{
    using R = Result<InitResult>;
    if (const Status valid = validateConfig(shares, threshold); !valid)
        return ready(R(valid));
    {
        QMutexLocker lock(&m_mutex);
        if (m_initialized || m_initializing)
            return ready(R::fail(QStringLiteral("Vault is already initialized"), 400));
        m_initializing = true;
    }
    const auto finish = [this](const Status &status, const SealConfig &config) -> Status {
        QMutexLocker lock(&m_mutex);
        m_initializing = false;
        if (status) {
            m_config = config;
            m_initialized = true;
            clearRoundLocked();
        }
        return status;
    };

    // The store may have been initialised without load() having run: look before writing.
    return m_physical->get(sealConfigPath())
        .then([this, shares, threshold, finish](GetResult existing) -> QFuture<R> {
            if (!existing)
                return ready(R(finish(existing.status(), {})));
            if (existing.value()) {
                const Result<SealConfig> stored = decodeConfig(*existing.value());
                if (stored)
                    finish(Status::ok(), stored.value());
                else
                    finish(stored.status(), {});
                return ready(R::fail(QStringLiteral("Vault is already initialized"), 400));
            }

            const SecureBytes unsealKey = crypto::randomBytes(kUnsealKeySize);
            Result<QList<SecureBytes>> split = crypto::shamirSplit(unsealKey, shares, threshold);
            if (!split)
                return ready(R(finish(split.status(), {})));
            const SealConfig config{shares, threshold};
            const QList<StorageOp> record{StorageOp::put(sealConfigPath(), encodeConfig(config))};
            return m_barrier.initialize(unsealKey, record)
                .then([finish, config, unsealKey, parts = split.takeValue()](Status status) -> R {
                    if (!finish(status, config))
                        return R(status);
                    qCInfo(lcSeal) << "initialized with" << config.threshold << "of" << config.shares << "shares";
                    return InitResult{parts, unsealKey};
                });
        })
        .unwrap();
}

QFuture<Result<SealState>> SealManager::submitShare(const QString &keyText, const QString &nonce)
{
    using R = Result<SealState>;
    Result<SecureBytes> share = decodeShare(keyText);
    if (!share)
        return ready(R(share.status()));

    QList<SecureBytes> round;
    {
        QMutexLocker lock(&m_mutex);
        if (!m_initialized)
            return ready(R::fail(QStringLiteral("Vault is not initialized"), 400));
        if (!m_barrier.isSealed())
            return ready(R(stateLocked()));
        if (!nonce.isEmpty() && nonce != m_nonce)
            return ready(R::fail(QStringLiteral("the nonce does not match the current unseal round"), 400));
        if (share.value().size() != kShareSize) {
            return ready(R::fail(QStringLiteral("the key share has the wrong length (%1 bytes, expected %2)")
                                     .arg(share.value().size())
                                     .arg(kShareSize),
                                 400));
        }
        for (const SecureBytes &pending : std::as_const(m_pending)) {
            if (pending == share.value())
                return ready(R(stateLocked())); // already counted in this round
        }
        if (m_pending.isEmpty())
            m_nonce = crypto::randomUuid();
        m_pending.append(share.takeValue());
        if (m_pending.size() < m_config.threshold)
            return ready(R(stateLocked()));
        // Threshold reached: this round ends whatever the outcome.
        round = std::move(m_pending);
        clearRoundLocked();
    }

    Result<SecureBytes> key = crypto::shamirCombine(round);
    round.clear();
    if (!key) {
        qCWarning(lcSeal) << "unseal failed: the shares do not combine";
        return ready(R(invalidKey()));
    }
    return m_barrier.unseal(key.value()).then([this](Status status) -> R {
        if (!status) {
            qCWarning(lcSeal) << "unseal failed:" << status.error();
            return R(status.httpStatus() == 400 ? invalidKey() : status);
        }
        QMutexLocker lock(&m_mutex);
        clearRoundLocked(); // shares that arrived while the key was being tried belong to no round
        return R(stateLocked());
    });
}

void SealManager::resetProgress()
{
    QMutexLocker lock(&m_mutex);
    clearRoundLocked();
}

QFuture<Status> SealManager::unsealWithKey(const SecureBytes &unsealKey)
{
    return m_barrier.unseal(unsealKey).then([this](Status status) {
        if (status) {
            QMutexLocker lock(&m_mutex);
            clearRoundLocked();
        }
        return status;
    });
}

void SealManager::seal()
{
    m_barrier.seal();
    resetProgress();
}

} // namespace gk
