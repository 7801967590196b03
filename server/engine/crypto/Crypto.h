#pragma once

#include "engine/crypto/SecureBytes.h"

#include <QByteArray>
#include <QByteArrayView>

namespace gk::crypto {

// Cryptographically secure random bytes (OpenSSL RAND_bytes). Aborts if the generator fails.
SecureBytes randomBytes(int count);
QByteArray randomBytesRaw(int count);
// A random RFC 4122 version 4 UUID, lower-case, with dashes.
QString randomUuid();
// An RFC 9562 version 7 UUID: the current Unix time in milliseconds (48 bits, big-endian, so that UUIDs made later sort
// after earlier ones as text) followed by 74 random bits. For identifiers that are stored as index keys, where
// time order keeps new keys next to each other.
QString timeOrderedUuid();
// The same from 16 random bytes the caller drew: its first 6 make way for the time.
QString timeOrderedUuid(QByteArray random);
// Random bytes that are no secret, such as AES-GCM nonces (sent with the ciphertext): drawn from the same generator,
// but from a per-thread reserve filled 4 KiB at a time, since each call to the generator costs more than the rest
// of answering a request from memory. Each byte is handed out once; a forked child never reuses its parent's
// reserve. Never for a secret or an accessor: the reserve holds future values in memory.
QByteArray publicRandomBytes(int count);
// A version 4 UUID that names something public, such as a request (its request_id), from publicRandomBytes.
QString publicUuid();
// HMAC-SHA256 (OpenSSL), raw 32 bytes.
QByteArray hmacSha256(const SecureBytes &key, const QByteArray &data);
QByteArray sha256(const QByteArray &data);
// Whether text is only the digits 0-9 and a-f (true for an empty text).
bool isLowerHex(QByteArrayView text);
// Compares in time that depends only on the lengths (CRYPTO_memcmp).
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

} // namespace gk::crypto
