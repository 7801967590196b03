#include "engine/crypto/Shamir.h"

#include "engine/crypto/Crypto.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <climits>
#include <memory>
#include <mutex>
#include <numeric>
#include <vector>

extern "C" { // the header has no C++ guard
#include <libgfshare.h>
}

// Shamir secret sharing is done by libgfshare (Daniel Silverstone): a small, maintained C library packaged
// by Debian (libgfshare-dev), working byte-wise over GF(2^8) as Vault's shamir package does, so shares stay
// one byte longer than the secret. We do not write our own field arithmetic.
//
// Its random source is a global function pointer, gfshare_fill_rand, used for the polynomial coefficients and
// to overwrite a context's buffers in gfshare_ctx_free. In 2.0.0 it starts out null, and the only fill the
// library offers (gfshare_bad_idea_but_fill_rand_using_random) uses random(), which is predictable. We install
// a fill that uses OpenSSL's RAND_bytes, once per process, before any context is created or freed. With it,
// gfshare_ctx_free overwrites the coefficients, the secret and the shares it holds with random bytes before
// freeing them, which is the wiping we need from it.

namespace gk::crypto {

namespace {

constexpr int kMaxShares = 255;

void fillRandForGfshare(unsigned char *buffer, unsigned int count)
{
    while (count > 0) {
        const unsigned int chunk =
            count > static_cast<unsigned int>(INT_MAX) ? static_cast<unsigned int>(INT_MAX) : count;
        if (RAND_bytes(buffer, static_cast<int>(chunk)) != 1)
            qFatal("OpenSSL RAND_bytes failed");
        buffer += chunk;
        count -= chunk;
    }
}

void installGfshareRandom()
{
    static std::once_flag once;
    std::call_once(once, [] { gfshare_fill_rand = fillRandForGfshare; });
}

struct GfshareFree
{
    void operator()(gfshare_ctx *ctx) const { gfshare_ctx_free(ctx); }
};
using GfshareCtx = std::unique_ptr<gfshare_ctx, GfshareFree>;

// A uniformly distributed integer in [0, bound) for 1 <= bound <= 256, by rejection.
unsigned int uniformBelow(unsigned int bound)
{
    const unsigned int limit = 65536u - (65536u % bound);
    for (;;) {
        const QByteArray r = randomBytesRaw(2);
        const unsigned int v = (static_cast<unsigned char>(r[0]) << 8) | static_cast<unsigned char>(r[1]);
        if (v < limit)
            return v % bound;
    }
}

// shares distinct x coordinates drawn at random from 1..255 (a partial Fisher-Yates shuffle).
std::vector<unsigned char> randomCoordinates(int shares)
{
    std::array<unsigned char, kMaxShares> all{};
    std::iota(all.begin(), all.end(), static_cast<unsigned char>(1));
    for (int i = 0; i < shares; ++i) {
        const unsigned int j = static_cast<unsigned int>(i) + uniformBelow(static_cast<unsigned int>(kMaxShares - i));
        std::swap(all[static_cast<std::size_t>(i)], all[j]);
    }
    return {all.begin(), all.begin() + shares};
}

} // namespace

Result<QList<SecureBytes>> shamirSplit(const SecureBytes &secret, int shares, int threshold)
{
    using R = Result<QList<SecureBytes>>;
    if (secret.isEmpty())
        return R::fail(QStringLiteral("cannot split an empty secret"), 400);
    if (secret.size() > static_cast<std::size_t>(INT_MAX))
        return R::fail(QStringLiteral("secret too long to split"), 400);
    if (shares < 1 || shares > kMaxShares)
        return R::fail(QStringLiteral("shares must be between 1 and 255"), 400);
    if (threshold < 1 || threshold > shares)
        return R::fail(QStringLiteral("threshold must be between 1 and the number of shares"), 400);
    if (threshold == 1 && shares > 1) // every share would be the secret itself
        return R::fail(QStringLiteral("threshold must be greater than one for multiple shares"), 400);

    const std::size_t size = secret.size();
    QList<SecureBytes> result;
    result.reserve(shares);
    if (shares == 1) {
        SecureBytes share(size + 1);
        std::copy(secret.data(), secret.data() + size, share.data());
        share.data()[size] = 1;
        result.append(std::move(share));
        return result;
    }

    installGfshareRandom();
    std::vector<unsigned char> xs = randomCoordinates(shares);
    // gfshare_ctx_enc_setsecret copies the secret but takes a non-const pointer.
    SecureBytes secretCopy = secret;
    GfshareCtx ctx(gfshare_ctx_init_enc(xs.data(), static_cast<unsigned int>(shares),
                                        static_cast<unsigned char>(threshold), static_cast<unsigned int>(size)));
    if (!ctx)
        return R::fail(QStringLiteral("cannot create the secret sharing context"));
    gfshare_ctx_enc_setsecret(ctx.get(), secretCopy.data());
    secretCopy.clear();
    for (int i = 0; i < shares; ++i) {
        SecureBytes share(size + 1);
        gfshare_ctx_enc_getshare(ctx.get(), static_cast<unsigned char>(i), share.data());
        share.data()[size] = xs[static_cast<std::size_t>(i)];
        result.append(std::move(share));
    }
    return result;
}

Result<SecureBytes> shamirCombine(const QList<SecureBytes> &shares)
{
    using R = Result<SecureBytes>;
    if (shares.isEmpty())
        return R::fail(QStringLiteral("no shares to combine"), 400);
    if (shares.size() > kMaxShares)
        return R::fail(QStringLiteral("too many shares to combine"), 400);
    const std::size_t shareSize = shares.first().size();
    if (shareSize < 2)
        return R::fail(QStringLiteral("share too short"), 400);
    if (shareSize - 1 > static_cast<std::size_t>(INT_MAX))
        return R::fail(QStringLiteral("share too long"), 400);

    std::array<bool, 256> seen{};
    std::vector<unsigned char> xs;
    xs.reserve(static_cast<std::size_t>(shares.size()));
    for (const SecureBytes &share : shares) {
        if (share.size() != shareSize)
            return R::fail(QStringLiteral("shares have different lengths"), 400);
        const unsigned char x = share.data()[shareSize - 1];
        if (x == 0)
            return R::fail(QStringLiteral("invalid share: x coordinate is zero"), 400);
        if (seen[x])
            return R::fail(QStringLiteral("duplicate share"), 400);
        seen[x] = true;
        xs.push_back(x);
    }

    const std::size_t size = shareSize - 1;
    if (shares.size() == 1) // a constant polynomial: the share is the secret
        return SecureBytes(shares.first().data(), size);

    installGfshareRandom();
    GfshareCtx ctx(
        gfshare_ctx_init_dec(xs.data(), static_cast<unsigned int>(xs.size()), static_cast<unsigned int>(size)));
    if (!ctx)
        return R::fail(QStringLiteral("cannot create the secret sharing context"));
    for (qsizetype i = 0; i < shares.size(); ++i) {
        // giveshare only copies the bytes into the context; its parameter is not const.
        gfshare_ctx_dec_giveshare(ctx.get(), static_cast<unsigned char>(i),
                                  const_cast<unsigned char *>(shares[i].data()));
    }
    SecureBytes secret(size);
    gfshare_ctx_dec_extract(ctx.get(), secret.data());
    return secret;
}

} // namespace gk::crypto
