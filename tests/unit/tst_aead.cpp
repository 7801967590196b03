#include "engine/crypto/Aead.h"
#include "engine/crypto/Crypto.h"
#include "engine/crypto/Hardening.h"
#include "engine/crypto/SecureBytes.h"

#include <QDateTime>
#include <QMessageAuthenticationCode>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <thread>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace gk;
using namespace gk::crypto;

namespace {

constexpr int kNonce = 12;
constexpr int kTag = 16;

SecureBytes keyFromHex(const char *hex)
{
    return SecureBytes::fromByteArray(QByteArray::fromHex(hex));
}

} // namespace

class TestAead final : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void wrongKeyFails();
    void flippedBitFails_data();
    void flippedBitFails();
    void truncatedFails_data();
    void truncatedFails();
    void otherAssociatedDataFails_data();
    void otherAssociatedDataFails();
    void sealsOfSamePlaintextDiffer();
    void badKeySize();

    void hmacKnownAnswers_data();
    void hmacKnownAnswers();
    void hmacMatchesQt_data();
    void hmacMatchesQt();
    void sha256KnownAnswer();
    void constantTimeEquals_data();
    void constantTimeEquals();

    void randomBytesAndUuid();
    void publicRandomAfterFork();
    void secureBytesValueSemantics();
    void wipeByteArray();
    void disableCoreDumps();
};

void TestAead::roundTrip_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<QByteArray>("associatedData");

    for (const int size : {0, 1, 15, 16, 17, 1000, 65536}) {
        QTest::addRow("%d bytes, no AD", size) << size << QByteArray();
        QTest::addRow("%d bytes, path AD", size) << size << QByteArray("secret/data/app");
    }
}

void TestAead::roundTrip()
{
    QFETCH(int, size);
    QFETCH(QByteArray, associatedData);

    const SecureBytes key = randomBytes(32);
    const QByteArray plain = randomBytesRaw(size);
    const QByteArray sealed = aeadSeal(key, plain, associatedData);
    QCOMPARE(sealed.size(), kNonce + size + kTag);
    if (size >= 16)
        QVERIFY(!sealed.contains(plain));

    const Result<SecureBytes> opened = aeadOpen(key, sealed, associatedData);
    QVERIFY2(opened, qPrintable(opened.error()));
    QCOMPARE(opened.value().toByteArray(), plain);
}

void TestAead::wrongKeyFails()
{
    const SecureBytes key = randomBytes(32);
    const QByteArray sealed = aeadSeal(key, "value", "ad");
    QVERIFY(!aeadOpen(randomBytes(32), sealed, "ad"));

    // A key differing in one bit only.
    SecureBytes near = key;
    near.data()[31] ^= 0x01;
    QVERIFY(!aeadOpen(near, sealed, "ad"));
    QVERIFY(aeadOpen(key, sealed, "ad"));
}

void TestAead::flippedBitFails_data()
{
    QTest::addColumn<int>("position"); // negative: from the end
    QTest::addColumn<int>("bit");

    QTest::newRow("nonce first byte") << 0 << 0;
    QTest::newRow("nonce last byte") << kNonce - 1 << 7;
    QTest::newRow("ciphertext first byte") << kNonce << 0;
    QTest::newRow("ciphertext middle") << kNonce + 20 << 3;
    QTest::newRow("ciphertext last byte") << -kTag - 1 << 7;
    QTest::newRow("tag first byte") << -kTag << 0;
    QTest::newRow("tag last byte") << -1 << 7;
}

void TestAead::flippedBitFails()
{
    QFETCH(int, position);
    QFETCH(int, bit);

    const SecureBytes key = randomBytes(32);
    const QByteArray sealed = aeadSeal(key, QByteArray(40, 'x'), "kv/a");
    QByteArray damaged = sealed;
    const qsizetype at = position >= 0 ? position : sealed.size() + position;
    damaged[at] = static_cast<char>(damaged[at] ^ (1 << bit));
    const Result<SecureBytes> opened = aeadOpen(key, damaged, "kv/a");
    QVERIFY(!opened);
    QVERIFY(!opened.error().isEmpty());
    QVERIFY(aeadOpen(key, sealed, "kv/a"));
}

void TestAead::truncatedFails_data()
{
    QTest::addColumn<int>("keep");
    QTest::newRow("empty") << 0;
    QTest::newRow("nonce only") << kNonce;
    QTest::newRow("one short of nonce and tag") << kNonce + kTag - 1;
    QTest::newRow("last byte cut") << -1;
}

void TestAead::truncatedFails()
{
    QFETCH(int, keep);
    const SecureBytes key = randomBytes(32);
    const QByteArray sealed = aeadSeal(key, "some value", {});
    const QByteArray cut = keep >= 0 ? sealed.left(keep) : sealed.chopped(-keep);
    QVERIFY(!aeadOpen(key, cut, {}));
}

void TestAead::otherAssociatedDataFails_data()
{
    QTest::addColumn<QByteArray>("sealedWith");
    QTest::addColumn<QByteArray>("openedWith");

    QTest::newRow("other path") << QByteArray("secret/a") << QByteArray("secret/b");
    QTest::newRow("prefix of path") << QByteArray("secret/ab") << QByteArray("secret/a");
    QTest::newRow("path vs none") << QByteArray("secret/a") << QByteArray();
    QTest::newRow("none vs path") << QByteArray() << QByteArray("secret/a");
}

void TestAead::otherAssociatedDataFails()
{
    QFETCH(QByteArray, sealedWith);
    QFETCH(QByteArray, openedWith);
    const SecureBytes key = randomBytes(32);
    const QByteArray sealed = aeadSeal(key, "value", sealedWith);
    QVERIFY(!aeadOpen(key, sealed, openedWith));
    QVERIFY(aeadOpen(key, sealed, sealedWith));
}

void TestAead::sealsOfSamePlaintextDiffer()
{
    const SecureBytes key = randomBytes(32);
    const QByteArray a = aeadSeal(key, "same plaintext", "p");
    const QByteArray b = aeadSeal(key, "same plaintext", "p");
    QCOMPARE(a.size(), b.size());
    QVERIFY(a != b);
    QVERIFY(a.left(kNonce) != b.left(kNonce)); // fresh nonce
}

void TestAead::badKeySize()
{
    const SecureBytes shortKey = randomBytes(16);
    QVERIFY(aeadSeal(shortKey, "value", {}).isEmpty());
    const QByteArray sealed = aeadSeal(randomBytes(32), "value", {});
    QVERIFY(!aeadOpen(shortKey, sealed, {}));
    QVERIFY(!aeadOpen(SecureBytes(), sealed, {}));
}

void TestAead::hmacKnownAnswers_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("expectedHex");

    // RFC 4231, test cases 1 and 2 (HMAC-SHA-256).
    QTest::newRow("RFC 4231 case 1") << QByteArray(20, '\x0b') << QByteArray("Hi There")
                                     << QByteArray("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    QTest::newRow("RFC 4231 case 2") << QByteArray("Jefe") << QByteArray("what do ya want for nothing?")
                                     << QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

void TestAead::hmacKnownAnswers()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, expectedHex);
    QCOMPARE(hmacSha256(SecureBytes::fromByteArray(key), data).toHex(), expectedHex);
}

void TestAead::hmacMatchesQt_data()
{
    QTest::addColumn<int>("keySize");
    QTest::addColumn<int>("dataSize");
    QTest::newRow("empty key") << 0 << 10;
    QTest::newRow("empty data") << 32 << 0;
    QTest::newRow("key longer than a block") << 100 << 1000;
}

void TestAead::hmacMatchesQt()
{
    QFETCH(int, keySize);
    QFETCH(int, dataSize);
    const QByteArray key = randomBytesRaw(keySize);
    const QByteArray data = randomBytesRaw(dataSize);
    QCOMPARE(hmacSha256(SecureBytes::fromByteArray(key), data),
             QMessageAuthenticationCode::hash(data, key, QCryptographicHash::Sha256));
}

void TestAead::sha256KnownAnswer()
{
    QCOMPARE(sha256("abc").toHex(), QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(sha256({}), QCryptographicHash::hash({}, QCryptographicHash::Sha256));
}

void TestAead::constantTimeEquals_data()
{
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("b");
    QTest::addColumn<bool>("equal");

    QTest::newRow("both empty") << QByteArray() << QByteArray() << true;
    QTest::newRow("equal") << QByteArray("s.token") << QByteArray("s.token") << true;
    QTest::newRow("first byte differs") << QByteArray("a.token") << QByteArray("s.token") << false;
    QTest::newRow("last byte differs") << QByteArray("s.tokem") << QByteArray("s.token") << false;
    QTest::newRow("prefix") << QByteArray("s.tok") << QByteArray("s.token") << false;
    QTest::newRow("empty vs not") << QByteArray() << QByteArray("x") << false;
    QTest::newRow("embedded zero") << QByteArray("a\0b", 3) << QByteArray("a\0c", 3) << false;
}

void TestAead::constantTimeEquals()
{
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, b);
    QFETCH(bool, equal);
    QCOMPARE(gk::crypto::constantTimeEquals(a, b), equal);
    QCOMPARE(gk::crypto::constantTimeEquals(b, a), equal);
    QCOMPARE(SecureBytes::fromByteArray(a) == SecureBytes::fromByteArray(b), equal);
}

void TestAead::randomBytesAndUuid()
{
    QCOMPARE(randomBytes(32).size(), std::size_t(32));
    QVERIFY(randomBytes(0).isEmpty());
    QCOMPARE(randomBytesRaw(7).size(), 7);
    QVERIFY(randomBytesRaw(32) != randomBytesRaw(32));

    const QRegularExpression uuid(
        QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"));
    const QString a = randomUuid();
    QVERIFY2(uuid.match(a).hasMatch(), qPrintable(a));
    QVERIFY(randomUuid() != a);

    // Version 7: the Unix time in milliseconds in the first 48 bits, so that later ones sort after earlier ones.
    const QRegularExpression v7(
        QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"));
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    const QString first = timeOrderedUuid();
    QTest::qSleep(2);
    const QString second = timeOrderedUuid();
    const qint64 after = QDateTime::currentMSecsSinceEpoch();
    const QStringList made{first, second};
    for (const QString &id : made) {
        QVERIFY2(v7.match(id).hasMatch(), qPrintable(id));
        const qint64 ms = (id.left(8) + id.mid(9, 4)).toLongLong(nullptr, 16);
        QVERIFY(ms >= before && ms <= after);
    }
    QVERIFY(first < second);
    QVERIFY(isLowerHex("0123456789abcdef"));
    QVERIFY(isLowerHex(""));
    QVERIFY(!isLowerHex("ABC"));
    QVERIFY(!isLowerHex("12g"));
    QVERIFY(timeOrderedUuid().mid(14) != timeOrderedUuid().mid(14));

    // Public ids come from a per-thread reserve of 4 KiB (256 ids): across several refills, in two threads, every
    // id is well formed and none repeats.
    const auto draw = [](QStringList &into) {
        for (int i = 0; i < 1000; ++i)
            into.append(publicUuid());
    };
    QStringList here;
    QStringList there;
    std::thread other([&] { draw(there); });
    draw(here);
    other.join();
    QSet<QString> seen;
    for (const QString &id : here + there) {
        QVERIFY2(uuid.match(id).hasMatch(), qPrintable(id));
        seen.insert(id);
    }
    QCOMPARE(seen.size(), 2000);
}

void TestAead::publicRandomAfterFork()
{
    // The parent's reserve is filled; a forked child must not draw the bytes the parent draws next (a repeated
    // AES-GCM nonce under one key gives the key stream away).
    QCOMPARE(publicRandomBytes(12).size(), 12);
    int fds[2];
    QCOMPARE(pipe(fds), 0);
    const pid_t child = fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        const QByteArray drawn = publicRandomBytes(32);
        const bool written = write(fds[1], drawn.constData(), 32) == 32;
        _exit(written ? 0 : 1);
    }
    close(fds[1]);
    QByteArray fromChild(32, '\0');
    QCOMPARE(read(fds[0], fromChild.data(), 32), ssize_t(32));
    close(fds[0]);
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);
    QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    const QByteArray here = publicRandomBytes(32);
    QVERIFY(here != fromChild);

    // Larger than a chunk, and each draw differs.
    QCOMPARE(publicRandomBytes(1000).size(), 1000);
    QVERIFY(publicRandomBytes(16) != publicRandomBytes(16));
}

void TestAead::secureBytesValueSemantics()
{
    const SecureBytes a = keyFromHex("00112233445566778899aabbccddeeff");
    SecureBytes copy = a;
    QVERIFY(copy == a);
    copy.data()[0] = 0x7f;
    QVERIFY(!(copy == a));
    QCOMPARE(a.data()[0], 0x00); // copies are independent

    SecureBytes moved = std::move(copy);
    QCOMPARE(moved.size(), std::size_t(16));
    QVERIFY(copy.isEmpty()); // NOLINT(bugprone-use-after-move): moved-from is empty by contract here

    moved = a;
    QVERIFY(moved == a);
    moved.clear();
    QVERIFY(moved.isEmpty());
    QCOMPARE(SecureBytes(4).toByteArray(), QByteArray(4, '\0'));
    QVERIFY(!(SecureBytes(4) == SecureBytes(5)));
}

void TestAead::wipeByteArray()
{
    QByteArray secret("hunter2-hunter2");
    SecureBytes::wipe(secret);
    QVERIFY(secret.isEmpty());

    // A shared array is not overwritten behind the other holder's back.
    QByteArray original("shared secret");
    QByteArray alias = original;
    SecureBytes::wipe(alias);
    QVERIFY(alias.isEmpty());
    QCOMPARE(original, QByteArray("shared secret"));

    // Spare capacity and a raw-data array (which owns nothing) are handled.
    QByteArray grown("0123456789abcdef");
    grown.reserve(256);
    SecureBytes::wipe(grown);
    QVERIFY(grown.isEmpty());
    static const char external[] = "not ours";
    QByteArray raw = QByteArray::fromRawData(external, 8);
    SecureBytes::wipe(raw);
    QVERIFY(raw.isEmpty());
    QCOMPARE(QByteArray(external), QByteArray("not ours"));
}

void TestAead::disableCoreDumps()
{
    // In a child, so that the test process itself stays debuggable.
    const pid_t child = fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        gk::disableCoreDumps();
        rlimit limit{};
        const bool noCore = getrlimit(RLIMIT_CORE, &limit) == 0 && limit.rlim_cur == 0 && limit.rlim_max == 0;
        const bool notDumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0;
        _exit(noCore && notDumpable ? 0 : 1);
    }
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);
}

QTEST_GUILESS_MAIN(TestAead)
#include "tst_aead.moc"
