#pragma once

#include "engine/Result.h"
#include "engine/crypto/SecureBytes.h"

#include <QList>

namespace gk::crypto {

// Shamir secret sharing over GF(2^8). A share is the share bytes (as long as the secret) followed by one
// byte, its x coordinate (1..255), as Vault lays out its unseal keys.
// split: 1 <= threshold <= shares <= 255; threshold 1 with shares 1 returns the secret itself plus x = 1.
Result<QList<SecureBytes>> shamirSplit(const SecureBytes &secret, int shares, int threshold);
// Combines at least threshold distinct shares of equal length; fewer gives a wrong secret, not an error.
Result<SecureBytes> shamirCombine(const QList<SecureBytes> &shares);

} // namespace gk::crypto
