#pragma once

#include "engine/crypto/SecureBytes.h"

#include <QByteArray>

namespace gk::crypto {

// Cryptographically secure random bytes (OpenSSL RAND_bytes). Aborts if the generator fails.
SecureBytes randomBytes(int count);
QByteArray randomBytesRaw(int count);
// A random RFC 4122 version 4 UUID, lower-case, with dashes.
QString randomUuid();
// A version 4 UUID that names something public, such as a request (its request_id): drawn from the same generator,
// but from a per-thread reserve of random bytes filled 4 KiB at a time, since a call to the generator costs more
// than the rest of answering a request from memory. Never for a secret or an accessor: the reserve holds future
// values in memory.
QString publicUuid();
// HMAC-SHA256 (OpenSSL), raw 32 bytes.
QByteArray hmacSha256(const SecureBytes &key, const QByteArray &data);
QByteArray sha256(const QByteArray &data);
// Compares in time that depends only on the lengths (CRYPTO_memcmp).
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

} // namespace gk::crypto
