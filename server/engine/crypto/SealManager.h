#pragma once

#include "engine/Result.h"
#include "engine/crypto/Barrier.h"
#include "engine/crypto/SecureBytes.h"

#include <QFuture>
#include <QList>
#include <QMutex>
#include <QString>

#include <memory>

namespace gk {

struct SealConfig
{
    int shares = 0;
    int threshold = 0;
};

struct SealState
{
    bool initialized = false;
    bool sealed = true;
    int shares = 0;    // n
    int threshold = 0; // t
    int progress = 0;  // shares submitted in the current round
    QString nonce;     // the current round's id, empty when no round is in progress
};

// Init and unseal with Shamir key shares, on top of the barrier. The seal configuration is kept in plain
// text at "core/seal-config" (it holds no secret). The unseal key is split into shares at init and never
// stored; shares submitted for unseal are kept (wiped on reset) until the threshold is reached.
// Thread-safe.
class SealManager final
{
public:
    explicit SealManager(Storage *physical);
    ~SealManager();
    Q_DISABLE_COPY_MOVE(SealManager)

    Barrier *barrier() { return &m_barrier; }

    // Reads the seal configuration (whether the store is initialised). Call once at start.
    QFuture<Status> load();
    SealState state() const;

    // Generates an unseal key, splits it, initialises the barrier. Fails with 400 when already initialised or
    // when shares/threshold are out of range (1 <= t <= n <= 255, t >= 2 when n >= 2). The barrier stays sealed;
    // the returned shares are raw share bytes (see Shamir.h), and the unseal key itself (for the caller to
    // unseal once, e.g. to create the root token) is in unsealKey.
    struct InitResult
    {
        QList<SecureBytes> shares;
        SecureBytes unsealKey;
    };
    QFuture<Result<InitResult>> initialize(int shares, int threshold);

    // Submits one share given as hex or base64 text. 400 when it does not decode, when nonce is given and is
    // not the current round's, or when the combined key does not open the barrier (progress is then reset).
    // A share already submitted in this round is ignored. Returns the state after the submission.
    QFuture<Result<SealState>> submitShare(const QString &keyText, const QString &nonce = {});
    void resetProgress();
    // Unseals with the whole unseal key (dev mode, and init's own root token creation).
    QFuture<Status> unsealWithKey(const SecureBytes &unsealKey);
    void seal();

private:
    SealState stateLocked() const;
    void clearRoundLocked();

    // The manager must outlive the futures it returns (their continuations use it).
    Barrier m_barrier;
    Storage *m_physical;
    mutable QMutex m_mutex; // guards the members below; never held across a storage call or a continuation
    SealConfig m_config;
    bool m_initialized = false;
    bool m_initializing = false;
    QList<SecureBytes> m_pending;
    QString m_nonce;
};

} // namespace gk
