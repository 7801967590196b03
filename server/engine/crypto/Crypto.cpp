#include "engine/crypto/Crypto.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QUuid>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <pthread.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>

namespace gk::crypto {

namespace {

Q_LOGGING_CATEGORY(lcCrypto, "gatekeeper.crypto")

// Fetched once per process and kept (OpenSSL's fetched algorithms are immutable and safe to share between
// threads). They are deliberately never freed: freeing them from a static destructor could run after
// OpenSSL's own exit-time cleanup.
EVP_MAC *hmacAlgorithm()
{
    static EVP_MAC *const mac = [] {
        EVP_MAC *m = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        if (!m)
            qFatal("OpenSSL: HMAC is not available");
        return m;
    }();
    return mac;
}

EVP_MD *sha256Algorithm()
{
    static EVP_MD *const md = [] {
        EVP_MD *m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
        if (!m)
            qFatal("OpenSSL: SHA256 is not available");
        return m;
    }();
    return md;
}

void fillRandom(unsigned char *buffer, std::size_t count)
{
    while (count > 0) {
        const int chunk = count > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(count);
        if (RAND_bytes(buffer, chunk) != 1) {
            // Nothing that needs randomness can go on safely without it.
            qCCritical(lcCrypto) << "the random generator failed";
            qFatal("OpenSSL RAND_bytes failed");
        }
        buffer += chunk;
        count -= static_cast<std::size_t>(chunk);
    }
}

struct MacCtxFree
{
    void operator()(EVP_MAC_CTX *ctx) const { EVP_MAC_CTX_free(ctx); }
};

} // namespace

SecureBytes randomBytes(int count)
{
    if (count <= 0)
        return {};
    SecureBytes bytes(static_cast<std::size_t>(count));
    fillRandom(bytes.data(), bytes.size());
    return bytes;
}

QByteArray randomBytesRaw(int count)
{
    if (count <= 0)
        return {};
    QByteArray bytes(count, Qt::Uninitialized);
    fillRandom(reinterpret_cast<unsigned char *>(bytes.data()), static_cast<std::size_t>(count));
    return bytes;
}

namespace {
QString uuidFromBytes(QByteArray bytes, int version = 4)
{
    bytes[6] = static_cast<char>((bytes[6] & 0x0f) | (version << 4));
    bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80); // RFC 4122 variant
    return QUuid::fromRfc4122(bytes).toString(QUuid::WithoutBraces);
}
} // namespace

QString randomUuid()
{
    return uuidFromBytes(randomBytesRaw(16));
}

bool isLowerHex(QByteArrayView text)
{
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

QString timeOrderedUuid()
{
    return timeOrderedUuid(randomBytesRaw(16));
}

QString timeOrderedUuid(QByteArray bytes)
{
    Q_ASSERT(bytes.size() == 16);
    const quint64 ms = quint64(QDateTime::currentMSecsSinceEpoch());
    for (int i = 0; i < 6; ++i)
        bytes[i] = static_cast<char>((ms >> (8 * (5 - i))) & 0xff);
    return uuidFromBytes(bytes, 7);
}

namespace {
constexpr std::size_t kReserveSize = 4096;

struct Reserve
{
    unsigned char bytes[kReserveSize];
    std::size_t used = kReserveSize; // empty until first use
};

thread_local Reserve reserve;

// A forked child starts with a copy of its parent's reserve: it must not hand out the same bytes again. Only the
// forking thread exists in the child, and its reserve is emptied there.
void emptyReserveInChild()
{
    reserve.used = kReserveSize;
}

const int atForkRegistered = pthread_atfork(nullptr, nullptr, &emptyReserveInChild);

void fillFromReserve(unsigned char *out, std::size_t count)
{
    Q_ASSERT(count <= kReserveSize);
    Q_UNUSED(atForkRegistered);
    if (reserve.used + count > kReserveSize) {
        fillRandom(reserve.bytes, kReserveSize);
        reserve.used = 0;
    }
    std::memcpy(out, reserve.bytes + reserve.used, count);
    OPENSSL_cleanse(reserve.bytes + reserve.used, count); // each byte is handed out once
    reserve.used += count;
}
} // namespace

QByteArray publicRandomBytes(int count)
{
    if (count <= 0)
        return {};
    QByteArray bytes(count, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(bytes.data());
    for (std::size_t left = static_cast<std::size_t>(count); left > 0;) {
        const std::size_t chunk = std::min<std::size_t>(left, 256);
        fillFromReserve(out, chunk);
        out += chunk;
        left -= chunk;
    }
    return bytes;
}

QString publicUuid()
{
    return uuidFromBytes(publicRandomBytes(16));
}

namespace {
// An HMAC context with its digest chosen, one per thread: each HMAC starts from a copy of it, because
// choosing the digest by name looks it up in OpenSSL's provider tables every time. The copy, which holds the key's
// pads, is freed (and cleansed by OpenSSL) when the HMAC is done; the template itself holds only the empty key.
EVP_MAC_CTX *hmacSha256Template()
{
    thread_local const std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx = [] {
        std::unique_ptr<EVP_MAC_CTX, MacCtxFree> made(EVP_MAC_CTX_new(hmacAlgorithm()));
        char digestName[] = "SHA256";
        const OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digestName, 0),
            OSSL_PARAM_construct_end(),
        };
        // Keyed with the empty key, which is no secret: an HMAC context is only copied once it has a key.
        static const unsigned char emptyKey = 0;
        if (!made || EVP_MAC_init(made.get(), &emptyKey, 0, params) != 1)
            qFatal("OpenSSL: cannot set up HMAC-SHA256");
        return made;
    }();
    return ctx.get();
}
} // namespace

QByteArray hmacSha256(const SecureBytes &key, const QByteArray &data)
{
    std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx(EVP_MAC_CTX_dup(hmacSha256Template()));
    if (!ctx)
        qFatal("OpenSSL: EVP_MAC_CTX_dup failed");
    // An empty key is legal for HMAC; OpenSSL wants a non-null pointer to set it.
    static const unsigned char emptyKey = 0;
    const unsigned char *keyData = key.isEmpty() ? &emptyKey : key.data();
    QByteArray mac(32, Qt::Uninitialized);
    std::size_t macLength = 0;
    if (EVP_MAC_init(ctx.get(), keyData, key.size(), nullptr) != 1 ||
        EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char *>(data.constData()),
                       static_cast<std::size_t>(data.size())) != 1 ||
        EVP_MAC_final(ctx.get(), reinterpret_cast<unsigned char *>(mac.data()), &macLength,
                      static_cast<std::size_t>(mac.size())) != 1 ||
        macLength != 32) {
        qFatal("OpenSSL: HMAC-SHA256 failed");
    }
    return mac;
}

QByteArray sha256(const QByteArray &data)
{
    QByteArray digest(32, Qt::Uninitialized);
    unsigned int length = 0;
    if (EVP_Digest(data.constData(), static_cast<std::size_t>(data.size()),
                   reinterpret_cast<unsigned char *>(digest.data()), &length, sha256Algorithm(), nullptr) != 1 ||
        length != 32) {
        qFatal("OpenSSL: SHA-256 failed");
    }
    return digest;
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    if (a.isEmpty())
        return true;
    return CRYPTO_memcmp(a.constData(), b.constData(), static_cast<std::size_t>(a.size())) == 0;
}

} // namespace gk::crypto
