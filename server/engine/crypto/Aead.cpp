#include "engine/crypto/Aead.h"

#include "engine/crypto/Crypto.h"

#include <QLoggingCategory>

#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <memory>

namespace gk::crypto {

namespace {

Q_LOGGING_CATEGORY(lcAead, "gatekeeper.crypto.aead")

constexpr int kKeySize = 32;
constexpr int kNonceSize = 12;
constexpr int kTagSize = 16;
// Leaves room for nonce and tag in an int-sized OpenSSL length.
constexpr qsizetype kMaxMessage = INT_MAX - kNonceSize - kTagSize;

// Fetched once per process (thread-safe static initialisation) and never freed, see Crypto.cpp.
EVP_CIPHER *aes256Gcm()
{
    static EVP_CIPHER *const cipher = [] {
        EVP_CIPHER *c = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
        if (!c)
            qFatal("OpenSSL: AES-256-GCM is not available");
        return c;
    }();
    return cipher;
}

struct CipherCtxFree
{
    void operator()(EVP_CIPHER_CTX *ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char *bytes(const QByteArray &array)
{
    return reinterpret_cast<const unsigned char *>(array.constData());
}

} // namespace

QByteArray aeadSeal(const SecureBytes &key, const QByteArray &plaintext, const QByteArray &associatedData)
{
    if (key.size() != kKeySize || plaintext.size() > kMaxMessage || associatedData.size() > INT_MAX) {
        qCCritical(lcAead) << "refusing to encrypt: bad key size or oversized input";
        return {};
    }
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx)
        qFatal("OpenSSL: EVP_CIPHER_CTX_new failed");

    const auto plainSize = static_cast<int>(plaintext.size());
    QByteArray sealed(kNonceSize + plainSize + kTagSize, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(sealed.data());
    const QByteArray nonce = publicRandomBytes(kNonceSize); // unique, not secret
    std::copy(nonce.cbegin(), nonce.cend(), sealed.begin());

    int length = 0;
    bool ok = EVP_EncryptInit_ex2(ctx.get(), aes256Gcm(), key.data(), bytes(nonce), nullptr) == 1;
    // A null output buffer makes the update feed associated data; skip empty inputs altogether.
    if (ok && !associatedData.isEmpty())
        ok = EVP_EncryptUpdate(ctx.get(), nullptr, &length, bytes(associatedData),
                               static_cast<int>(associatedData.size())) == 1;
    int written = 0;
    if (ok && plainSize > 0) {
        ok = EVP_EncryptUpdate(ctx.get(), out + kNonceSize, &length, bytes(plaintext), plainSize) == 1;
        written = length;
    }
    if (ok) {
        ok = EVP_EncryptFinal_ex(ctx.get(), out + kNonceSize + written, &length) == 1; // GCM writes nothing
        written += length;
    }
    if (ok)
        ok = written == plainSize &&
             EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kTagSize, out + kNonceSize + plainSize) == 1;
    if (!ok) {
        qCCritical(lcAead) << "AES-256-GCM encryption failed";
        return {};
    }
    return sealed;
}

Result<SecureBytes> aeadOpen(const SecureBytes &key, const QByteArray &sealed, const QByteArray &associatedData)
{
    const auto fail = [] { return Result<SecureBytes>::fail(QStringLiteral("message authentication failed")); };
    if (key.size() != kKeySize || sealed.size() < kNonceSize + kTagSize || sealed.size() > INT_MAX ||
        associatedData.size() > INT_MAX) {
        return fail();
    }
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx)
        qFatal("OpenSSL: EVP_CIPHER_CTX_new failed");

    const unsigned char *in = bytes(sealed);
    const auto cipherSize = static_cast<int>(sealed.size()) - kNonceSize - kTagSize;
    SecureBytes plain(static_cast<std::size_t>(cipherSize));
    // The tag is only read by OpenSSL, but the control call takes a non-const pointer.
    unsigned char tag[kTagSize];
    std::copy(in + kNonceSize + cipherSize, in + kNonceSize + cipherSize + kTagSize, tag);

    int length = 0;
    bool ok = EVP_DecryptInit_ex2(ctx.get(), aes256Gcm(), key.data(), in, nullptr) == 1;
    if (ok && !associatedData.isEmpty())
        ok = EVP_DecryptUpdate(ctx.get(), nullptr, &length, bytes(associatedData),
                               static_cast<int>(associatedData.size())) == 1;
    int written = 0;
    if (ok && cipherSize > 0) {
        ok = EVP_DecryptUpdate(ctx.get(), plain.data(), &length, in + kNonceSize, cipherSize) == 1;
        written = length;
    }
    if (ok)
        ok = EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kTagSize, tag) == 1;
    // Final verifies the tag; any mismatch (key, nonce, data, associated data, tag) fails here.
    if (ok) {
        // GCM writes nothing here; an empty plaintext still needs a valid pointer.
        unsigned char none[1];
        unsigned char *finalOut = plain.isEmpty() ? none : plain.data() + written;
        ok = EVP_DecryptFinal_ex(ctx.get(), finalOut, &length) == 1 && written + length == cipherSize;
    }
    if (!ok)
        return fail(); // plain is wiped by its destructor
    return plain;
}

} // namespace gk::crypto
