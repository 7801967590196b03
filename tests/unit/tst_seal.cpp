#include "engine/crypto/Crypto.h"
#include "engine/crypto/SealManager.h"
#include "engine/crypto/Shamir.h"
#include "engine/storage/InmemStorage.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include <memory>

using namespace gk;

namespace {

template <typename T> T await(QFuture<T> future)
{
    return future.result();
}

QString hexOf(const SecureBytes &share)
{
    return QString::fromLatin1(share.toByteArray().toHex());
}

QString base64Of(const SecureBytes &share)
{
    return QString::fromLatin1(share.toByteArray().toBase64());
}

bool isUuid(const QString &text)
{
    static const QRegularExpression re(
        QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"));
    return re.match(text).hasMatch();
}

} // namespace

class TestSeal final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void initializeReturnsShares();
    void anyThresholdSubsetUnseals_data();
    void anyThresholdSubsetUnseals();
    void belowThresholdStaysSealed();
    void progressAndNonce();
    void wrongNonceRefused();
    void duplicateShareIgnored();
    void resetClearsProgress();
    void malformedKeyRefused_data();
    void malformedKeyRefused();
    void wrongShareSetFails();
    void sealSeals();
    void alreadyInitialized();
    void badParameters_data();
    void badParameters();
    void loadOnFreshManager();
    void uninitializedStore();
    void singleShareAndUnsealWithKey();
    void barrierUsableAfterUnseal();

private:
    void initialize(int shares, int threshold);
    Result<SealState> submit(const QString &key, const QString &nonce = {});

    std::unique_ptr<InmemStorage> m_physical;
    std::unique_ptr<SealManager> m_seal;
    QList<SecureBytes> m_shares;
    SecureBytes m_unsealKey;
};

void TestSeal::init()
{
    m_physical = std::make_unique<InmemStorage>();
    m_seal = std::make_unique<SealManager>(m_physical.get());
    QVERIFY(await(m_seal->load()));
}

void TestSeal::cleanup()
{
    m_seal.reset();
    m_physical.reset();
    m_shares.clear();
    m_unsealKey.clear();
}

void TestSeal::initialize(int shares, int threshold)
{
    Result<SealManager::InitResult> r = await(m_seal->initialize(shares, threshold));
    QVERIFY2(r, qPrintable(r.error()));
    m_shares = r.value().shares;
    m_unsealKey = r.value().unsealKey;
}

Result<SealState> TestSeal::submit(const QString &key, const QString &nonce)
{
    return await(m_seal->submitShare(key, nonce));
}

void TestSeal::initializeReturnsShares()
{
    QVERIFY(!m_seal->state().initialized);
    initialize(5, 3);
    QCOMPARE(m_shares.size(), 5);
    QCOMPARE(m_unsealKey.size(), std::size_t(32));
    for (const SecureBytes &share : std::as_const(m_shares))
        QCOMPARE(share.size(), std::size_t(33));
    const Result<SecureBytes> combined = crypto::shamirCombine(m_shares.mid(1, 3));
    QVERIFY(combined && combined.value() == m_unsealKey);

    const SealState s = m_seal->state();
    QVERIFY(s.initialized);
    QVERIFY(s.sealed);
    QCOMPARE(s.shares, 5);
    QCOMPARE(s.threshold, 3);
    QCOMPARE(s.progress, 0);
    QVERIFY(s.nonce.isEmpty());

    // The seal configuration is plain JSON; the unseal key is stored nowhere.
    const auto stored = await(m_physical->get(QStringLiteral("core/seal-config")));
    QVERIFY(stored && stored.value());
    const QJsonObject config = QJsonDocument::fromJson(*stored.value()).object();
    QCOMPARE(config.value(QStringLiteral("type")).toString(), QStringLiteral("shamir"));
    QCOMPARE(config.value(QStringLiteral("secret_shares")).toInt(), 5);
    QCOMPARE(config.value(QStringLiteral("secret_threshold")).toInt(), 3);
    const QStringList core = await(m_physical->list(QStringLiteral("core/"))).value();
    for (const QString &name : core) {
        const QByteArray value = *await(m_physical->get(QStringLiteral("core/") + name)).value();
        QVERIFY(!value.contains(m_unsealKey.toByteArray()));
        for (const SecureBytes &share : std::as_const(m_shares))
            QVERIFY(!value.contains(share.toByteArray()));
    }
}

void TestSeal::anyThresholdSubsetUnseals_data()
{
    QTest::addColumn<QString>("encoding"); // "hex", "base64", or "mixed" (alternating)
    QTest::addColumn<QList<int>>("indices");

    for (const char *encoding : {"hex", "base64"}) {
        for (int a = 0; a < 5; ++a)
            for (int b = a + 1; b < 5; ++b)
                for (int c = b + 1; c < 5; ++c)
                    QTest::addRow("%s %d%d%d", encoding, a, b, c)
                        << QString::fromLatin1(encoding) << QList<int>{a, b, c};
    }
    QTest::newRow("mixed, reversed") << "mixed" << QList<int>{4, 2, 0};
}

void TestSeal::anyThresholdSubsetUnseals()
{
    QFETCH(QString, encoding);
    QFETCH(QList<int>, indices);
    initialize(5, 3);

    for (int i = 0; i < indices.size(); ++i) {
        const SecureBytes &share = m_shares[indices[i]];
        const bool asBase64 = encoding == QLatin1String("base64") || (encoding == QLatin1String("mixed") && i % 2);
        const Result<SealState> s = submit(asBase64 ? base64Of(share) : hexOf(share));
        QVERIFY2(s, qPrintable(s.error()));
        if (i + 1 < indices.size()) {
            QVERIFY(s.value().sealed);
            QCOMPARE(s.value().progress, i + 1);
        } else {
            QVERIFY(!s.value().sealed);
            QCOMPARE(s.value().progress, 0);
            QVERIFY(s.value().nonce.isEmpty());
        }
    }
    QVERIFY(!m_seal->state().sealed);
    QVERIFY(!m_seal->barrier()->isSealed());
}

void TestSeal::belowThresholdStaysSealed()
{
    initialize(5, 3);
    QVERIFY(submit(hexOf(m_shares[0])));
    const Result<SealState> s = submit(hexOf(m_shares[1]));
    QVERIFY(s);
    QVERIFY(s.value().sealed);
    QCOMPARE(s.value().progress, 2);
    QVERIFY(m_seal->barrier()->isSealed());
}

void TestSeal::progressAndNonce()
{
    initialize(5, 3);
    const Result<SealState> first = submit(hexOf(m_shares[0]));
    QVERIFY(first);
    QCOMPARE(first.value().progress, 1);
    QCOMPARE(first.value().threshold, 3);
    QCOMPARE(first.value().shares, 5);
    const QString nonce = first.value().nonce;
    QVERIFY2(isUuid(nonce), qPrintable(nonce));
    QCOMPARE(m_seal->state().nonce, nonce);

    const Result<SealState> second = submit(base64Of(m_shares[1]), nonce);
    QVERIFY(second);
    QCOMPARE(second.value().progress, 2);
    QCOMPARE(second.value().nonce, nonce);

    const Result<SealState> third = submit(hexOf(m_shares[2]), nonce);
    QVERIFY(third);
    QVERIFY(!third.value().sealed);
    QCOMPARE(third.value().progress, 0);
    QVERIFY(third.value().nonce.isEmpty());

    // A new round after sealing gets a new nonce.
    m_seal->seal();
    const Result<SealState> again = submit(hexOf(m_shares[0]));
    QVERIFY(again);
    QVERIFY(isUuid(again.value().nonce));
    QVERIFY(again.value().nonce != nonce);
}

void TestSeal::wrongNonceRefused()
{
    initialize(5, 3);
    // No round in progress: any nonce is stale.
    Result<SealState> s = submit(hexOf(m_shares[0]), crypto::randomUuid());
    QCOMPARE(s.httpStatus(), 400);
    QCOMPARE(m_seal->state().progress, 0);

    QVERIFY(submit(hexOf(m_shares[0])));
    s = submit(hexOf(m_shares[1]), crypto::randomUuid());
    QVERIFY(!s);
    QCOMPARE(s.httpStatus(), 400);
    QCOMPARE(m_seal->state().progress, 1); // the round goes on
    QVERIFY(submit(hexOf(m_shares[1]), m_seal->state().nonce));
    QCOMPARE(m_seal->state().progress, 2);
}

void TestSeal::duplicateShareIgnored()
{
    initialize(5, 3);
    QVERIFY(submit(hexOf(m_shares[0])));
    const Result<SealState> s = submit(base64Of(m_shares[0])); // same share, other encoding
    QVERIFY(s);
    QCOMPARE(s.value().progress, 1);
    QVERIFY(submit(hexOf(m_shares[0]).toUpper()));
    QCOMPARE(m_seal->state().progress, 1);
    QVERIFY(submit(hexOf(m_shares[1])));
    QVERIFY(submit(hexOf(m_shares[2])));
    QVERIFY(!m_seal->state().sealed);
}

void TestSeal::resetClearsProgress()
{
    initialize(5, 3);
    QVERIFY(submit(hexOf(m_shares[0])));
    QVERIFY(submit(hexOf(m_shares[1])));
    m_seal->resetProgress();
    SealState s = m_seal->state();
    QCOMPARE(s.progress, 0);
    QVERIFY(s.nonce.isEmpty());
    QVERIFY(s.sealed);
    // The discarded shares do not count any more.
    QVERIFY(submit(hexOf(m_shares[2])));
    QCOMPARE(m_seal->state().progress, 1);
}

void TestSeal::malformedKeyRefused_data()
{
    QTest::addColumn<QString>("key");
    QTest::newRow("empty") << QString();
    QTest::newRow("spaces") << "   ";
    QTest::newRow("not hex nor base64") << "zz-not-a-key!";
    QTest::newRow("non-latin") << QString::fromUtf8("ключ");
    QTest::newRow("hex too short") << "00112233445566778899aabbccddeeff";
    QTest::newRow("base64 too long") << QString::fromLatin1(QByteArray(40, 'k').toBase64());
    QTest::newRow("broken base64") << "QUJD*REVG";
}

void TestSeal::malformedKeyRefused()
{
    QFETCH(QString, key);
    initialize(5, 3);
    QVERIFY(submit(hexOf(m_shares[0])));
    const Result<SealState> s = submit(key);
    QVERIFY(!s);
    QCOMPARE(s.httpStatus(), 400);
    QCOMPARE(m_seal->state().progress, 1);
}

void TestSeal::wrongShareSetFails()
{
    initialize(5, 3);
    // Shares of some other key, of the right shape.
    const Result<QList<SecureBytes>> other = crypto::shamirSplit(crypto::randomBytes(32), 5, 3);
    QVERIFY(other);
    QVERIFY(submit(hexOf(other.value()[0])));
    QVERIFY(submit(hexOf(other.value()[1])));
    const Result<SealState> s = submit(hexOf(other.value()[2]));
    QVERIFY(!s);
    QCOMPARE(s.httpStatus(), 400);
    QVERIFY(s.error().contains(QLatin1String("invalid key")));
    QCOMPARE(m_seal->state().progress, 0);
    QVERIFY(m_seal->state().nonce.isEmpty());
    QVERIFY(m_seal->state().sealed);

    // One corrupted share among good ones.
    SecureBytes bad = m_shares[1];
    bad.data()[5] ^= 0x01;
    QVERIFY(submit(hexOf(m_shares[0])));
    QVERIFY(submit(hexOf(bad)));
    QCOMPARE(submit(hexOf(m_shares[2])).httpStatus(), 400);
    QVERIFY(m_seal->state().sealed);

    // Two shares with the same x coordinate do not combine.
    SecureBytes sameX = m_shares[1];
    sameX.data()[32] = m_shares[0].data()[32];
    QVERIFY(submit(hexOf(m_shares[0])));
    QVERIFY(submit(hexOf(sameX)));
    QCOMPARE(submit(hexOf(m_shares[2])).httpStatus(), 400);
    QCOMPARE(m_seal->state().progress, 0);

    // And a good set still works afterwards.
    QVERIFY(submit(hexOf(m_shares[0])));
    QVERIFY(submit(hexOf(m_shares[1])));
    QVERIFY(submit(hexOf(m_shares[2])));
    QVERIFY(!m_seal->state().sealed);
}

void TestSeal::sealSeals()
{
    initialize(3, 2);
    QVERIFY(submit(hexOf(m_shares[0])));
    QVERIFY(submit(hexOf(m_shares[1])));
    QVERIFY(!m_seal->state().sealed);
    QVERIFY(await(m_seal->barrier()->put(QStringLiteral("kv/a"), "b")));

    m_seal->seal();
    QVERIFY(m_seal->state().sealed);
    QCOMPARE(await(m_seal->barrier()->get(QStringLiteral("kv/a"))).httpStatus(), 503);

    // Sealing mid-round drops the round.
    QVERIFY(submit(hexOf(m_shares[2])));
    m_seal->seal();
    QCOMPARE(m_seal->state().progress, 0);
    QVERIFY(m_seal->state().nonce.isEmpty());
}

void TestSeal::alreadyInitialized()
{
    initialize(5, 3);
    const Result<SealManager::InitResult> again = await(m_seal->initialize(5, 3));
    QVERIFY(!again);
    QCOMPARE(again.httpStatus(), 400);
    QCOMPARE(again.error(), QStringLiteral("Vault is already initialized"));

    // Also through a manager that did not load() first.
    SealManager other(m_physical.get());
    const Result<SealManager::InitResult> viaOther = await(other.initialize(3, 2));
    QCOMPARE(viaOther.httpStatus(), 400);
    QVERIFY(other.state().initialized);
    QCOMPARE(other.state().threshold, 3);
}

void TestSeal::badParameters_data()
{
    QTest::addColumn<int>("shares");
    QTest::addColumn<int>("threshold");
    QTest::newRow("0 of 0") << 0 << 0;
    QTest::newRow("0 of 1") << 1 << 0;
    QTest::newRow("1 of 3") << 3 << 1;
    QTest::newRow("4 of 3") << 3 << 4;
    QTest::newRow("3 of 256") << 256 << 3;
    QTest::newRow("negative") << -1 << -1;
}

void TestSeal::badParameters()
{
    QFETCH(int, shares);
    QFETCH(int, threshold);
    const Result<SealManager::InitResult> r = await(m_seal->initialize(shares, threshold));
    QVERIFY(!r);
    QCOMPARE(r.httpStatus(), 400);
    QVERIFY(!m_seal->state().initialized);
    QVERIFY(!await(m_physical->get(QStringLiteral("core/seal-config"))).value().has_value());
    // A correct request still succeeds afterwards.
    initialize(3, 2);
}

void TestSeal::loadOnFreshManager()
{
    initialize(5, 3);
    SealManager fresh(m_physical.get());
    QVERIFY(!fresh.state().initialized);
    QVERIFY(await(fresh.load()));
    const SealState s = fresh.state();
    QVERIFY(s.initialized);
    QVERIFY(s.sealed);
    QCOMPARE(s.shares, 5);
    QCOMPARE(s.threshold, 3);

    QVERIFY(await(fresh.submitShare(base64Of(m_shares[4]))));
    QVERIFY(await(fresh.submitShare(base64Of(m_shares[3]))));
    const Result<SealState> done = await(fresh.submitShare(base64Of(m_shares[2])));
    QVERIFY2(done, qPrintable(done.error()));
    QVERIFY(!done.value().sealed);
}

void TestSeal::uninitializedStore()
{
    const SealState s = m_seal->state();
    QVERIFY(!s.initialized);
    QVERIFY(s.sealed);
    const Result<SealState> r = submit(QString::fromLatin1(QByteArray(33, '\x01').toHex()));
    QCOMPARE(r.httpStatus(), 400);
    QCOMPARE(await(m_seal->unsealWithKey(crypto::randomBytes(32))).httpStatus(), 400);
}

void TestSeal::singleShareAndUnsealWithKey()
{
    initialize(1, 1);
    QCOMPARE(m_shares.size(), 1);
    QCOMPARE(m_shares.first().toByteArray().left(32), m_unsealKey.toByteArray());
    const Result<SealState> s = submit(base64Of(m_shares.first()));
    QVERIFY2(s, qPrintable(s.error()));
    QVERIFY(!s.value().sealed);

    m_seal->seal();
    QCOMPARE(await(m_seal->unsealWithKey(crypto::randomBytes(32))).httpStatus(), 400);
    QVERIFY(m_seal->state().sealed);
    QVERIFY(await(m_seal->unsealWithKey(m_unsealKey)));
    QVERIFY(!m_seal->state().sealed);

    // Submitting to an unsealed store just reports the state.
    const Result<SealState> after = submit(hexOf(m_shares.first()));
    QVERIFY(after);
    QVERIFY(!after.value().sealed);
}

void TestSeal::barrierUsableAfterUnseal()
{
    initialize(3, 2);
    QVERIFY(await(m_seal->unsealWithKey(m_unsealKey)));
    QVERIFY(await(m_seal->barrier()->put(QStringLiteral("secret/x"), "y")));
    m_seal->seal();
    QVERIFY(submit(hexOf(m_shares[2])));
    QVERIFY(submit(hexOf(m_shares[0])));
    QCOMPARE(*await(m_seal->barrier()->get(QStringLiteral("secret/x"))).value(), QByteArray("y"));
}

QTEST_GUILESS_MAIN(TestSeal)
#include "tst_seal.moc"
