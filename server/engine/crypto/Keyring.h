#pragma once

#include "engine/Result.h"
#include "engine/crypto/SecureBytes.h"

#include <QDateTime>
#include <QtGlobal>

#include <atomic>
#include <memory>
#include <vector>

namespace gk {

// The barrier's data keys: numbered terms (from 1), each a 32-byte AES key with the time it was installed, one of
// them active for new encryptions. Immutable once built (rotation makes a new keyring), so it is shared between
// threads through std::shared_ptr<const Keyring>; only the encryption counter changes. The keys are wiped when
// the keyring is destroyed.
//
// Serialized form (binary, big-endian, so that every byte of it can be wiped):
//   "GKKR" | version u8 = 1 | active term u32 | term count u32 |
//   per term, in increasing order: term u32 | install time, ms since the epoch, i64 | key length u16 | key
class Keyring final
{
public:
    static constexpr int kKeySize = 32;

    struct Term
    {
        quint32 number = 0;
        SecureBytes key;
        QDateTime installTime;
    };

    ~Keyring();
    Q_DISABLE_COPY_MOVE(Keyring)

    // A keyring with one term (1) and a fresh random key.
    static std::shared_ptr<const Keyring> create();
    // A copy with one more term, made active; null when the term numbers are exhausted.
    std::shared_ptr<const Keyring> withNewTerm() const;

    // The term with this number, or null.
    const Term *term(quint32 number) const;
    const Term &activeTerm() const;
    int termCount() const { return static_cast<int>(m_terms.size()); }

    // Counts encryptions under the active term since this keyring was loaded (not persisted).
    void countEncryption() const { m_encryptions.fetch_add(1, std::memory_order_relaxed); }
    quint64 encryptions() const { return m_encryptions.load(std::memory_order_relaxed); }

    // The serialized keyring; secret, the SecureBytes wipes it.
    SecureBytes serialize() const;
    // Fails (500) on anything malformed.
    static Result<std::shared_ptr<const Keyring>> deserialize(const SecureBytes &bytes);

private:
    Keyring() = default;

    std::vector<Term> m_terms; // sorted by number, never empty
    std::size_t m_active = 0;  // index into m_terms
    mutable std::atomic<quint64> m_encryptions{0};
};

} // namespace gk
