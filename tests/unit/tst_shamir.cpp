#include "engine/crypto/Crypto.h"
#include "engine/crypto/Shamir.h"

#include <QRandomGenerator>
#include <QSet>
#include <QTest>

#include <algorithm>
#include <numeric>

using namespace gk;
using namespace gk::crypto;

namespace {

// Calls fn(indices) for every k-subset of 0..n-1 while fn returns true.
template <typename Fn> void forEachSubset(int n, int k, Fn fn)
{
    std::vector<int> idx(static_cast<std::size_t>(k));
    std::iota(idx.begin(), idx.end(), 0);
    for (;;) {
        if (!fn(idx))
            return;
        int i = k - 1;
        while (i >= 0 && idx[static_cast<std::size_t>(i)] == n - k + i)
            --i;
        if (i < 0)
            return;
        ++idx[static_cast<std::size_t>(i)];
        for (int j = i + 1; j < k; ++j)
            idx[static_cast<std::size_t>(j)] = idx[static_cast<std::size_t>(j - 1)] + 1;
    }
}

std::vector<int> randomSubset(int n, int k)
{
    std::vector<int> all(static_cast<std::size_t>(n));
    std::iota(all.begin(), all.end(), 0);
    auto *rng = QRandomGenerator::global();
    for (int i = 0; i < k; ++i)
        std::swap(all[static_cast<std::size_t>(i)], all[static_cast<std::size_t>(i + rng->bounded(n - i))]);
    all.resize(static_cast<std::size_t>(k));
    return all;
}

double binomial(int n, int k)
{
    double r = 1;
    for (int i = 1; i <= k; ++i)
        r = r * (n - k + i) / i;
    return r;
}

QList<SecureBytes> pick(const QList<SecureBytes> &shares, const std::vector<int> &indices)
{
    QList<SecureBytes> out;
    for (int i : indices)
        out.append(shares[i]);
    return out;
}

constexpr double kMaxSubsets = 3000; // beyond this, a random sample of that many

} // namespace

class TestShamir final : public QObject
{
    Q_OBJECT

private slots:
    void recoversFromThresholdSubsets_data();
    void recoversFromThresholdSubsets();
    void belowThresholdDoesNotRecover_data();
    void belowThresholdDoesNotRecover();
    void singleShareIsSecretPlusX();
    void sharesAreDistinct();
    void splitsAreRandomised();
    void badParameters_data();
    void badParameters();
    void badShares_data();
    void badShares();
};

void TestShamir::recoversFromThresholdSubsets_data()
{
    QTest::addColumn<int>("shares");
    QTest::addColumn<int>("threshold");
    QTest::addColumn<int>("secretSize");

    QTest::newRow("1 of 1") << 1 << 1 << 32;
    QTest::newRow("2 of 2") << 2 << 2 << 32;
    QTest::newRow("2 of 3") << 3 << 2 << 32;
    QTest::newRow("3 of 5") << 5 << 3 << 32;
    QTest::newRow("3 of 5, 1-byte secret") << 5 << 3 << 1;
    QTest::newRow("3 of 5, 100-byte secret") << 5 << 3 << 100;
    QTest::newRow("7 of 10") << 10 << 7 << 32;
    QTest::newRow("10 of 20 (sampled)") << 20 << 10 << 32;
    QTest::newRow("2 of 255 (sampled)") << 255 << 2 << 32;
    QTest::newRow("128 of 255 (sampled)") << 255 << 128 << 16;
    QTest::newRow("254 of 255") << 255 << 254 << 32;
    QTest::newRow("255 of 255") << 255 << 255 << 32;
}

void TestShamir::recoversFromThresholdSubsets()
{
    QFETCH(int, shares);
    QFETCH(int, threshold);
    QFETCH(int, secretSize);

    const SecureBytes secret = randomBytes(secretSize);
    Result<QList<SecureBytes>> split = shamirSplit(secret, shares, threshold);
    QVERIFY2(split, qPrintable(split.error()));
    QCOMPARE(split.value().size(), shares);

    int checked = 0;
    const auto check = [&](const std::vector<int> &indices) {
        QList<SecureBytes> subset = pick(split.value(), indices);
        if (checked % 2 == 1) // order must not matter
            std::reverse(subset.begin(), subset.end());
        const Result<SecureBytes> combined = shamirCombine(subset);
        ++checked;
        return combined && combined.value() == secret;
    };

    const double count = binomial(shares, threshold);
    if (count <= kMaxSubsets) {
        bool allOk = true;
        forEachSubset(shares, threshold, [&](const std::vector<int> &indices) { return allOk = check(indices); });
        QVERIFY2(allOk, qPrintable(QStringLiteral("subset %1 did not recover the secret").arg(checked)));
        QCOMPARE(checked, qRound(count));
    } else {
        for (int i = 0; i < kMaxSubsets; ++i)
            QVERIFY2(check(randomSubset(shares, threshold)), "a random subset did not recover the secret");
    }

    // More than the threshold recovers it too.
    if (threshold < shares) {
        const Result<SecureBytes> all = shamirCombine(split.value());
        QVERIFY(all);
        QVERIFY(all.value() == secret);
    }
}

void TestShamir::belowThresholdDoesNotRecover_data()
{
    QTest::addColumn<int>("shares");
    QTest::addColumn<int>("threshold");

    QTest::newRow("2 of 2") << 2 << 2;
    QTest::newRow("2 of 3") << 3 << 2;
    QTest::newRow("3 of 5") << 5 << 3;
    QTest::newRow("7 of 10") << 10 << 7;
    QTest::newRow("255 of 255") << 255 << 255;
}

void TestShamir::belowThresholdDoesNotRecover()
{
    QFETCH(int, shares);
    QFETCH(int, threshold);

    const SecureBytes secret = randomBytes(32);
    const Result<QList<SecureBytes>> split = shamirSplit(secret, shares, threshold);
    QVERIFY(split);

    int checked = 0;
    bool noneRecovered = true;
    const auto check = [&](const std::vector<int> &indices) {
        const Result<SecureBytes> combined = shamirCombine(pick(split.value(), indices));
        ++checked;
        // Fewer shares are not an error: they give some other value.
        noneRecovered = combined && combined.value().size() == secret.size() && !(combined.value() == secret);
        return noneRecovered;
    };
    if (binomial(shares, threshold - 1) <= kMaxSubsets)
        forEachSubset(shares, threshold - 1, check);
    else
        for (int i = 0; i < 500 && noneRecovered; ++i)
            check(randomSubset(shares, threshold - 1));
    QVERIFY2(noneRecovered, qPrintable(QStringLiteral("subset %1 below the threshold was accepted").arg(checked)));
    QVERIFY(checked > 0);
}

void TestShamir::singleShareIsSecretPlusX()
{
    const SecureBytes secret = randomBytes(32);
    const Result<QList<SecureBytes>> split = shamirSplit(secret, 1, 1);
    QVERIFY(split);
    QCOMPARE(split.value().size(), 1);
    const SecureBytes &share = split.value().first();
    QCOMPARE(share.size(), secret.size() + 1);
    QCOMPARE(share.toByteArray().left(32), secret.toByteArray());
    QCOMPARE(share.data()[32], 1);
}

void TestShamir::sharesAreDistinct()
{
    for (const int n : {2, 5, 255}) {
        const SecureBytes secret = randomBytes(32);
        const Result<QList<SecureBytes>> split = shamirSplit(secret, n, 2);
        QVERIFY(split);
        QSet<QByteArray> bodies;
        QSet<int> xs;
        for (const SecureBytes &share : split.value()) {
            QCOMPARE(share.size(), std::size_t(33));
            const int x = share.data()[32];
            QVERIFY(x >= 1 && x <= 255);
            xs.insert(x);
            bodies.insert(share.toByteArray().left(32));
            QVERIFY(share.toByteArray().left(32) != secret.toByteArray());
        }
        QCOMPARE(xs.size(), n);
        QCOMPARE(bodies.size(), n);
    }
}

void TestShamir::splitsAreRandomised()
{
    const SecureBytes secret = randomBytes(32);
    const Result<QList<SecureBytes>> a = shamirSplit(secret, 5, 3);
    const Result<QList<SecureBytes>> b = shamirSplit(secret, 5, 3);
    QVERIFY(a && b);
    for (const SecureBytes &share : a.value())
        QVERIFY(!b.value().contains(share));
}

void TestShamir::badParameters_data()
{
    QTest::addColumn<int>("secretSize");
    QTest::addColumn<int>("shares");
    QTest::addColumn<int>("threshold");

    QTest::newRow("no shares") << 32 << 0 << 0;
    QTest::newRow("negative shares") << 32 << -1 << 1;
    QTest::newRow("threshold 0") << 32 << 3 << 0;
    QTest::newRow("negative threshold") << 32 << 3 << -2;
    QTest::newRow("threshold above shares") << 32 << 3 << 4;
    QTest::newRow("threshold 1 of many") << 32 << 3 << 1;
    QTest::newRow("256 shares") << 32 << 256 << 2;
    QTest::newRow("256 of 256") << 32 << 256 << 256;
    QTest::newRow("empty secret") << 0 << 3 << 2;
}

void TestShamir::badParameters()
{
    QFETCH(int, secretSize);
    QFETCH(int, shares);
    QFETCH(int, threshold);

    const Result<QList<SecureBytes>> split = shamirSplit(randomBytes(secretSize), shares, threshold);
    QVERIFY(!split);
    QCOMPARE(split.httpStatus(), 400);
}

void TestShamir::badShares_data()
{
    QTest::addColumn<QString>("damage");
    QTest::newRow("one share shorter") << "shorter";
    QTest::newRow("one share longer") << "longer";
    QTest::newRow("duplicate share") << "duplicate";
    QTest::newRow("same x twice") << "samex";
    QTest::newRow("x is zero") << "zerox";
    QTest::newRow("no shares") << "none";
    QTest::newRow("one-byte shares") << "tiny";
}

void TestShamir::badShares()
{
    QFETCH(QString, damage);

    const Result<QList<SecureBytes>> split = shamirSplit(randomBytes(32), 5, 3);
    QVERIFY(split);
    QList<SecureBytes> shares = split.value().mid(0, 3);
    if (damage == QLatin1String("shorter")) {
        shares[1] = SecureBytes::fromByteArray(shares[1].toByteArray().mid(1));
    } else if (damage == QLatin1String("longer")) {
        shares[1] = SecureBytes::fromByteArray(shares[1].toByteArray().prepend('\x01'));
    } else if (damage == QLatin1String("duplicate")) {
        shares[2] = shares[0];
    } else if (damage == QLatin1String("samex")) {
        QByteArray b = shares[2].toByteArray();
        b[32] = static_cast<char>(shares[0].data()[32]);
        shares[2] = SecureBytes::fromByteArray(b);
    } else if (damage == QLatin1String("zerox")) {
        QByteArray b = shares[1].toByteArray();
        b[32] = 0;
        shares[1] = SecureBytes::fromByteArray(b);
    } else if (damage == QLatin1String("none")) {
        shares.clear();
    } else if (damage == QLatin1String("tiny")) {
        shares = {SecureBytes::fromByteArray("\x01"), SecureBytes::fromByteArray("\x02")};
    }
    const Result<SecureBytes> combined = shamirCombine(shares);
    QVERIFY(!combined);
    QCOMPARE(combined.httpStatus(), 400);
}

QTEST_GUILESS_MAIN(TestShamir)
#include "tst_shamir.moc"
