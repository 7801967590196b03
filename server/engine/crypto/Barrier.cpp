#include "engine/crypto/Barrier.h"

#include "engine/Chain.h"
#include "engine/crypto/Aead.h"
#include "engine/crypto/Crypto.h"
#include "engine/crypto/Keyring.h"

#include <QLoggingCategory>
#include <QReadLocker>
#include <QWriteLocker>
#include <QtEndian>

namespace gk {

namespace {

Q_LOGGING_CATEGORY(lcBarrier, "gatekeeper.barrier")

using GetResult = Result<std::optional<QByteArray>>;

constexpr int kTermSize = 4;
constexpr int kRootKeySize = 32;

QString corePrefix()
{
    return QStringLiteral("core/");
}
QString rootKeyPath()
{
    return QStringLiteral("core/root-key");
}
QString keyringPath()
{
    return QStringLiteral("core/keyring");
}

Status sealedStatus()
{
    return Status::fail(QStringLiteral("Vault is sealed"), 503);
}

bool isReserved(const QString &key)
{
    return key.startsWith(corePrefix());
}

Status reservedStatus(const QString &key)
{
    return Status::fail(QStringLiteral("path \"%1\" is reserved for the barrier").arg(key), 400);
}

template <typename T> QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

// A view of key material for the QByteArray-based AEAD API, without copying it.
QByteArray view(const SecureBytes &bytes)
{
    return QByteArray::fromRawData(reinterpret_cast<const char *>(bytes.data()), static_cast<qsizetype>(bytes.size()));
}

// term (4 bytes, big-endian) || nonce || ciphertext || tag, with the path as associated data.
QByteArray encryptValue(const Keyring &keyring, const QString &path, const QByteArray &plaintext)
{
    const Keyring::Term &term = keyring.activeTerm();
    const QByteArray sealed = crypto::aeadSeal(term.key, plaintext, path.toUtf8());
    if (sealed.isEmpty())
        return {};
    QByteArray out(kTermSize + sealed.size(), Qt::Uninitialized);
    qToBigEndian<quint32>(term.number, out.data());
    std::copy(sealed.cbegin(), sealed.cend(), out.begin() + kTermSize);
    keyring.countEncryption();
    return out;
}

Result<QByteArray> decryptValue(const Keyring &keyring, const QString &path, const QByteArray &stored)
{
    if (stored.size() < kTermSize)
        return Result<QByteArray>::fail(QStringLiteral("the value at \"%1\" is not encrypted data").arg(path));
    const quint32 number = qFromBigEndian<quint32>(stored.constData());
    const Keyring::Term *term = keyring.term(number);
    if (!term) {
        return Result<QByteArray>::fail(
            QStringLiteral("the value at \"%1\" is encrypted with an unknown key term %2").arg(path).arg(number));
    }
    const QByteArray sealed = QByteArray::fromRawData(stored.constData() + kTermSize, stored.size() - kTermSize);
    Result<SecureBytes> plain = crypto::aeadOpen(term->key, sealed, path.toUtf8());
    if (!plain) {
        qCWarning(lcBarrier) << "decryption failed for" << path;
        return Result<QByteArray>::fail(
            QStringLiteral("failed to decrypt the value at \"%1\": it was altered or does not belong to this path")
                .arg(path));
    }
    return plain.value().toByteArray();
}

} // namespace

Barrier::Barrier(Storage *physical) : m_physical(physical)
{
    Q_ASSERT(m_physical);
}

Barrier::~Barrier() = default;

QString Barrier::type() const
{
    return QStringLiteral("barrier");
}

bool Barrier::sharedWithOtherServers() const
{
    return m_physical->sharedWithOtherServers();
}

std::shared_ptr<const Keyring> Barrier::keyring() const
{
    QReadLocker lock(&m_lock);
    return m_keyring;
}

bool Barrier::isSealed() const
{
    QReadLocker lock(&m_lock);
    return !m_keyring;
}

QFuture<GetResult> Barrier::get(const QString &key)
{
    const std::shared_ptr<const Keyring> keyring = this->keyring();
    if (!keyring)
        return ready(GetResult(sealedStatus()));
    if (isReserved(key))
        return ready(GetResult(reservedStatus(key)));
    return chain(m_physical->get(key), [keyring, key](GetResult stored) -> GetResult {
        if (!stored || !stored.value())
            return stored;
        Result<QByteArray> plain = decryptValue(*keyring, key, *stored.value());
        if (!plain)
            return plain.status();
        return std::optional<QByteArray>(plain.takeValue());
    });
}

QFuture<Result<Storage::Values>> Barrier::getMany(const QStringList &keys)
{
    const std::shared_ptr<const Keyring> keyring = this->keyring();
    if (!keyring)
        return ready(Result<Values>(sealedStatus()));
    for (const QString &key : keys) {
        if (isReserved(key))
            return ready(Result<Values>(reservedStatus(key)));
    }
    return chain(m_physical->getMany(keys), [keyring, keys](Result<Values> stored) -> Result<Values> {
        if (!stored)
            return stored;
        Values values = stored.takeValue();
        for (qsizetype i = 0; i < values.size(); ++i) {
            if (!values.at(i))
                continue;
            Result<QByteArray> plain = decryptValue(*keyring, keys.at(i), *values.at(i));
            if (!plain)
                return plain.status();
            values[i] = plain.takeValue();
        }
        return values;
    });
}

QFuture<Status> Barrier::put(const QString &key, const QByteArray &value)
{
    const std::shared_ptr<const Keyring> keyring = this->keyring();
    if (!keyring)
        return ready(sealedStatus());
    if (isReserved(key))
        return ready(reservedStatus(key));
    const QByteArray encrypted = encryptValue(*keyring, key, value);
    if (encrypted.isEmpty())
        return ready(Status::fail(QStringLiteral("failed to encrypt the value at \"%1\"").arg(key)));
    return m_physical->put(key, encrypted);
}

QFuture<Status> Barrier::remove(const QString &key)
{
    if (isSealed())
        return ready(sealedStatus());
    if (isReserved(key))
        return ready(reservedStatus(key));
    return m_physical->remove(key);
}

QFuture<Result<QStringList>> Barrier::list(const QString &prefix)
{
    if (isSealed())
        return ready(Result<QStringList>(sealedStatus()));
    if (isReserved(prefix))
        return ready(Result<QStringList>(reservedStatus(prefix)));
    QFuture<Result<QStringList>> listed = m_physical->list(prefix);
    if (!prefix.isEmpty())
        return listed;
    // At the top, hide the barrier's own folder: nothing below it can be read through the barrier.
    return listed.then([](Result<QStringList> names) {
        if (names)
            names.value().removeAll(corePrefix());
        return names;
    });
}

QFuture<Status> Barrier::batch(const QList<StorageOp> &ops)
{
    const std::shared_ptr<const Keyring> keyring = this->keyring();
    if (!keyring)
        return ready(sealedStatus());
    QList<StorageOp> encrypted;
    encrypted.reserve(ops.size());
    for (const StorageOp &op : ops) {
        if (isReserved(op.key))
            return ready(reservedStatus(op.key));
        if (op.kind == StorageOp::Kind::Delete) {
            encrypted.append(op);
            continue;
        }
        QByteArray value = encryptValue(*keyring, op.key, op.value);
        if (value.isEmpty())
            return ready(Status::fail(QStringLiteral("failed to encrypt the value at \"%1\"").arg(op.key)));
        encrypted.append(StorageOp::put(op.key, std::move(value)));
    }
    return m_physical->batch(encrypted);
}

QFuture<Status> Barrier::initialize(const SecureBytes &unsealKey, const QList<StorageOp> &extraPhysicalOps)
{
    if (unsealKey.size() != kRootKeySize)
        return ready(Status::fail(QStringLiteral("the unseal key must be %1 bytes").arg(kRootKeySize), 400));
    Storage *physical = m_physical;
    return physical->get(rootKeyPath())
        .then([physical, unsealKey, extraPhysicalOps](GetResult existing) -> QFuture<Status> {
            if (!existing)
                return ready(existing.status());
            if (existing.value())
                return ready(Status::fail(QStringLiteral("the barrier is already initialized"), 400));

            const SecureBytes rootKey = crypto::randomBytes(kRootKeySize);
            const SecureBytes serialized = Keyring::create()->serialize();
            const QByteArray sealedRoot = crypto::aeadSeal(unsealKey, view(rootKey), rootKeyPath().toUtf8());
            const QByteArray sealedKeyring = crypto::aeadSeal(rootKey, view(serialized), keyringPath().toUtf8());
            if (sealedRoot.isEmpty() || sealedKeyring.isEmpty())
                return ready(Status::fail(QStringLiteral("failed to encrypt the new keyring")));

            QList<StorageOp> ops{StorageOp::put(rootKeyPath(), sealedRoot),
                                 StorageOp::put(keyringPath(), sealedKeyring)};
            ops.append(extraPhysicalOps);
            qCInfo(lcBarrier) << "initializing the barrier with key term 1";
            return physical->batch(ops);
        })
        .unwrap();
}

QFuture<Status> Barrier::unseal(const SecureBytes &unsealKey)
{
    quint64 generation = 0;
    {
        QReadLocker lock(&m_lock);
        if (m_keyring)
            return ready(Status::ok());
        generation = m_sealGeneration;
    }
    const auto invalidKey = [] { return Status::fail(QStringLiteral("unseal failed, invalid key"), 400); };
    if (unsealKey.size() != kRootKeySize)
        return ready(invalidKey());

    Storage *physical = m_physical;
    return physical->get(rootKeyPath())
        .then([this, physical, unsealKey, generation, invalidKey](GetResult stored) -> QFuture<Status> {
            if (!stored)
                return ready(stored.status());
            if (!stored.value())
                return ready(Status::fail(QStringLiteral("Vault is not initialized"), 400));
            Result<SecureBytes> opened = crypto::aeadOpen(unsealKey, *stored.value(), rootKeyPath().toUtf8());
            if (!opened)
                return ready(invalidKey());
            const SecureBytes rootKey = opened.takeValue();

            return physical->get(keyringPath()).then([this, rootKey, generation](GetResult storedKeyring) -> Status {
                if (!storedKeyring)
                    return storedKeyring.status();
                if (!storedKeyring.value())
                    return Status::fail(QStringLiteral("the keyring is missing from storage"));
                Result<SecureBytes> plain = crypto::aeadOpen(rootKey, *storedKeyring.value(), keyringPath().toUtf8());
                if (!plain)
                    return Status::fail(QStringLiteral("failed to decrypt the keyring"));
                Result<std::shared_ptr<const Keyring>> keyring = Keyring::deserialize(plain.value());
                if (!keyring)
                    return keyring.status();

                QWriteLocker lock(&m_lock);
                if (m_sealGeneration != generation)
                    return sealedStatus(); // sealed while we were unsealing
                if (!m_keyring) {
                    m_keyring = keyring.takeValue();
                    m_rootKey = rootKey;
                    qCInfo(lcBarrier) << "unsealed; active key term" << m_keyring->activeTerm().number << "of"
                                      << m_keyring->termCount();
                }
                return Status::ok();
            });
        })
        .unwrap();
}

void Barrier::seal()
{
    QWriteLocker lock(&m_lock);
    ++m_sealGeneration;
    if (!m_keyring)
        return;
    // The keys are wiped when the last user of the keyring (an operation in flight) lets go of it.
    m_keyring.reset();
    m_rootKey.clear();
    qCInfo(lcBarrier) << "sealed";
}

QFuture<Status> Barrier::rotate()
{
    return m_rotations.run<Status>(
        QStringLiteral("rotate"), [this] { return rotateNow(); },
        Status::fail(QStringLiteral("the rotation was interrupted"), 503));
}

QFuture<Status> Barrier::rotateNow()
{
    std::shared_ptr<const Keyring> current;
    SecureBytes rootKey;
    quint64 generation = 0;
    {
        QReadLocker lock(&m_lock);
        current = m_keyring;
        rootKey = m_rootKey;
        generation = m_sealGeneration;
    }
    if (!current)
        return ready(sealedStatus());
    std::shared_ptr<const Keyring> next = current->withNewTerm();
    if (!next)
        return ready(Status::fail(QStringLiteral("no key term left to rotate to")));
    const SecureBytes serialized = next->serialize();
    const QByteArray sealedKeyring = crypto::aeadSeal(rootKey, view(serialized), keyringPath().toUtf8());
    if (sealedKeyring.isEmpty())
        return ready(Status::fail(QStringLiteral("failed to encrypt the keyring")));

    // Store first, use after: a value is never written under a term that the stored keyring lacks.
    return m_physical->put(keyringPath(), sealedKeyring).then([this, current, next, generation](Status stored) {
        if (!stored)
            return stored;
        QWriteLocker lock(&m_lock);
        // If the barrier was sealed meanwhile, the stored keyring (with the new term) is what the next unseal loads.
        if (m_sealGeneration == generation && m_keyring == current) {
            m_keyring = next;
            qCInfo(lcBarrier) << "rotated; active key term" << next->activeTerm().number;
        }
        return Status::ok();
    });
}

Barrier::KeyStatus Barrier::keyStatus() const
{
    const std::shared_ptr<const Keyring> keyring = this->keyring();
    if (!keyring)
        return {};
    const Keyring::Term &term = keyring->activeTerm();
    return {term.number, term.installTime, keyring->encryptions()};
}

} // namespace gk
