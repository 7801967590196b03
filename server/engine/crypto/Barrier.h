#pragma once

#include "engine/backends/KeyedSequencer.h"
#include "engine/crypto/SecureBytes.h"
#include "engine/storage/Storage.h"

#include <QDateTime>
#include <QFuture>
#include <QReadWriteLock>

#include <memory>

namespace gk {

class Keyring;

// The storage barrier: every value that passes through it is encrypted with AES-256-GCM under the keyring's
// active term, with the storage path as associated data, on its way to the physical store; reads decrypt with
// the term recorded in the value. The keyring is itself encrypted by the root key ("core/keyring"), and the
// root key by the unseal key ("core/root-key"). Keys under "core/" are the barrier's own and refused to callers.
// While sealed (no keyring in memory) every call fails with status 503 "Vault is sealed".
class Barrier final : public Storage
{
public:
    explicit Barrier(Storage *physical);
    ~Barrier() override;
    Q_DISABLE_COPY_MOVE(Barrier)

    QString type() const override;
    bool sharedWithOtherServers() const override;
    QFuture<Result<std::optional<QByteArray>>> get(const QString &key) override;
    QFuture<Result<Values>> getMany(const QStringList &keys) override;
    QFuture<Status> put(const QString &key, const QByteArray &value) override;
    QFuture<Status> remove(const QString &key) override;
    QFuture<Result<QStringList>> list(const QString &prefix) override;
    QFuture<Status> batch(const QList<StorageOp> &ops) override;

    // Creates a new root key and keyring (term 1) protected by unsealKey. Leaves the barrier sealed.
    // extraPhysicalOps are written to the physical store (unencrypted) in the same atomic batch, so that a caller's
    // own record of the initialisation (the seal configuration) exists exactly when the keys do.
    // 400 when the store already holds a root key or unsealKey is not 32 bytes.
    QFuture<Status> initialize(const SecureBytes &unsealKey, const QList<StorageOp> &extraPhysicalOps = {});
    // Decrypts the root key with unsealKey and loads the keyring. 400 "invalid key" when it does not decrypt.
    QFuture<Status> unseal(const SecureBytes &unsealKey);
    // Drops the keyring and root key from memory (wiped).
    void seal();
    bool isSealed() const;

    // Adds a new key term and makes it active for new writes; older terms still decrypt. The new keyring is stored
    // before it is used. Concurrent rotations run one after the other.
    QFuture<Status> rotate();
    struct KeyStatus
    {
        quint32 term = 0;
        QDateTime installTime;
        quint64 encryptions = 0; // under the active term since it was installed or loaded (not persisted)
    };
    KeyStatus keyStatus() const;

private:
    std::shared_ptr<const Keyring> keyring() const;
    QFuture<Status> rotateNow();

    // The barrier must outlive the futures it returns (their continuations use it).
    Storage *m_physical;
    mutable QReadWriteLock m_lock;
    std::shared_ptr<const Keyring> m_keyring; // null while sealed
    SecureBytes m_rootKey;
    quint64 m_sealGeneration = 0; // bumped by seal(); an unseal that started before a seal does not install

    KeyedSequencer m_rotations; // one key: rotations run one at a time
};

} // namespace gk
