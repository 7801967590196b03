#pragma once

#include "engine/Result.h"
#include "engine/crypto/SecureBytes.h"

#include <QByteArray>

namespace gk::crypto {

// AES-256-GCM through OpenSSL EVP: a fresh 12-byte random nonce per message, 16-byte tag.
// Sealed layout: nonce(12) || ciphertext || tag(16). The associated data binds the message to its context
// (the storage path). Thread-safe; the cipher is fetched once per process.
QByteArray aeadSeal(const SecureBytes &key, const QByteArray &plaintext, const QByteArray &associatedData);
// Fails (without detail) when the key, the data, the associated data or the tag do not match.
Result<SecureBytes> aeadOpen(const SecureBytes &key, const QByteArray &sealed, const QByteArray &associatedData);

} // namespace gk::crypto
