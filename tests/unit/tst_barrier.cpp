#include "engine/crypto/Barrier.h"
#include "engine/crypto/Crypto.h"
#include "engine/storage/InmemStorage.h"

#include <QTest>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>
#include <QtEndian>

#include <memory>

using namespace gk;

namespace {

template <typename T> T await(QFuture<T> future)
{
    return future.result(); // blocks until fulfilled
}

// Completes every call later, on a pool thread, as a real database backend does: catches continuations that assume
// the physical future is already fulfilled, and locks held across a call.
class AsyncStorage final : public Storage
{
public:
    AsyncStorage() { m_pool.setMaxThreadCount(2); }
    ~AsyncStorage() override { m_pool.waitForDone(); }
    Q_DISABLE_COPY_MOVE(AsyncStorage)

    QString type() const override { return QStringLiteral("async"); }
    QFuture<Result<std::optional<QByteArray>>> get(const QString &key) override
    {
        return QtConcurrent::run(&m_pool, [this, key] { return m_inner.get(key).result(); });
    }
    QFuture<Status> put(const QString &key, const QByteArray &value) override
    {
        return QtConcurrent::run(&m_pool, [this, key, value] { return m_inner.put(key, value).result(); });
    }
    QFuture<Status> remove(const QString &key) override
    {
        return QtConcurrent::run(&m_pool, [this, key] { return m_inner.remove(key).result(); });
    }
    QFuture<Result<QStringList>> list(const QString &prefix) override
    {
        return QtConcurrent::run(&m_pool, [this, prefix] { return m_inner.list(prefix).result(); });
    }
    QFuture<Status> batch(const QList<StorageOp> &ops) override
    {
        return QtConcurrent::run(&m_pool, [this, ops] { return m_inner.batch(ops).result(); });
    }

private:
    InmemStorage m_inner;
    QThreadPool m_pool;
};

QByteArray physicalValue(Storage &physical, const QString &key)
{
    const auto r = await(physical.get(key));
    return r && r.value() ? *r.value() : QByteArray();
}

quint32 termOf(const QByteArray &stored)
{
    return stored.size() >= 4 ? qFromBigEndian<quint32>(stored.constData()) : 0;
}

} // namespace

class TestBarrier final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data();
    void init();
    void cleanup();

    void initializeLeavesSealed();
    void unsealWithWrongKeyFails();
    void unsealUninitializedFails();
    void putGetRoundTrip_data();
    void putGetRoundTrip();
    void physicalBytesAreEncrypted();
    void tamperedValueFails_data();
    void tamperedValueFails();
    void valueCopiedToOtherPathFails();
    void removeListAndBatch();
    void sealedRefusesEveryCall();
    void coreKeysRefused_data();
    void coreKeysRefused();
    void rotateKeepsOldValuesReadable();
    void keyringSurvivesReunseal();
    void concurrentRotationsAllPersist();
    void parallelTraffic();

private:
    void unsealOrFail();

    std::unique_ptr<Storage> m_physical;
    std::unique_ptr<Barrier> m_barrier;
    SecureBytes m_unsealKey;
};

void TestBarrier::initTestCase_data()
{
    QTest::addColumn<bool>("async");
    QTest::newRow("inmem") << false;
    QTest::newRow("async") << true;
}

void TestBarrier::init()
{
    QFETCH_GLOBAL(bool, async);
    if (async)
        m_physical = std::make_unique<AsyncStorage>();
    else
        m_physical = std::make_unique<InmemStorage>();
    m_barrier = std::make_unique<Barrier>(m_physical.get());
    m_unsealKey = crypto::randomBytes(32);
    const Status s = await(m_barrier->initialize(m_unsealKey));
    QVERIFY2(s, qPrintable(s.error()));
}

void TestBarrier::cleanup()
{
    m_barrier.reset();
    m_physical.reset();
}

void TestBarrier::unsealOrFail()
{
    const Status s = await(m_barrier->unseal(m_unsealKey));
    QVERIFY2(s, qPrintable(s.error()));
    QVERIFY(!m_barrier->isSealed());
}

void TestBarrier::initializeLeavesSealed()
{
    QVERIFY(m_barrier->isSealed());
    QCOMPARE(m_barrier->keyStatus().term, 0u);
    QVERIFY(!physicalValue(*m_physical, QStringLiteral("core/root-key")).isEmpty());
    QVERIFY(!physicalValue(*m_physical, QStringLiteral("core/keyring")).isEmpty());
    // The root key is stored encrypted: 12-byte nonce, 32 bytes, 16-byte tag.
    QCOMPARE(physicalValue(*m_physical, QStringLiteral("core/root-key")).size(), 12 + 32 + 16);

    const Status again = await(m_barrier->initialize(crypto::randomBytes(32)));
    QVERIFY(!again);
    QCOMPARE(again.httpStatus(), 400);
    const Status badKey = await(Barrier(m_physical.get()).initialize(crypto::randomBytes(16)));
    QCOMPARE(badKey.httpStatus(), 400);

    unsealOrFail();
    const Barrier::KeyStatus status = m_barrier->keyStatus();
    QCOMPARE(status.term, 1u);
    QVERIFY(status.installTime.isValid());
    QVERIFY(qAbs(status.installTime.secsTo(QDateTime::currentDateTimeUtc())) < 60);
}

void TestBarrier::unsealWithWrongKeyFails()
{
    Status s = await(m_barrier->unseal(crypto::randomBytes(32)));
    QVERIFY(!s);
    QCOMPARE(s.httpStatus(), 400);
    QVERIFY(m_barrier->isSealed());

    s = await(m_barrier->unseal(crypto::randomBytes(31)));
    QCOMPARE(s.httpStatus(), 400);
    QVERIFY(m_barrier->isSealed());

    unsealOrFail();
    // Unsealing an unsealed barrier is fine.
    QVERIFY(await(m_barrier->unseal(m_unsealKey)));
}

void TestBarrier::unsealUninitializedFails()
{
    InmemStorage empty;
    Barrier barrier(&empty);
    const Status s = await(barrier.unseal(crypto::randomBytes(32)));
    QCOMPARE(s.httpStatus(), 400);
    QVERIFY(barrier.isSealed());
}

void TestBarrier::putGetRoundTrip_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QByteArray>("value");

    QTest::newRow("text") << "secret/app" << QByteArray("{\"password\":\"hunter2\"}");
    QTest::newRow("empty value") << "a" << QByteArray();
    QTest::newRow("binary") << "kv/x/y/z" << QByteArray("\0\1\2\3\xff", 5);
    QTest::newRow("large") << "big/one" << QByteArray(200 * 1024, 'q');
    QTest::newRow("unicode path") << QString::fromUtf8("sys/ключ/é") << QByteArray("v");
}

void TestBarrier::putGetRoundTrip()
{
    QFETCH(QString, key);
    QFETCH(QByteArray, value);
    unsealOrFail();

    QVERIFY(await(m_barrier->put(key, value)));
    const auto got = await(m_barrier->get(key));
    QVERIFY2(got, qPrintable(got.error()));
    QVERIFY(got.value().has_value());
    QCOMPARE(*got.value(), value);

    const auto missing = await(m_barrier->get(key + QStringLiteral("-missing")));
    QVERIFY(missing);
    QVERIFY(!missing.value().has_value());

    // Several keys at once: each decrypted under its own key, in order.
    QVERIFY(await(m_barrier->put(key + QStringLiteral("-other"), "other")));
    const auto many =
        await(m_barrier->getMany({key + QStringLiteral("-other"), key + QStringLiteral("-missing"), key}));
    QVERIFY2(many, qPrintable(many.error()));
    QCOMPARE(many.value().size(), 3);
    QCOMPARE(many.value().at(0), std::optional<QByteArray>("other"));
    QVERIFY(!many.value().at(1).has_value());
    QCOMPARE(many.value().at(2), std::optional<QByteArray>(value));
}

void TestBarrier::physicalBytesAreEncrypted()
{
    unsealOrFail();
    const QByteArray plain("the-plaintext-that-must-not-appear-0123456789");
    QVERIFY(await(m_barrier->put(QStringLiteral("secret/p"), plain)));
    const QByteArray stored = physicalValue(*m_physical, QStringLiteral("secret/p"));
    QCOMPARE(stored.size(), 4 + 12 + plain.size() + 16);
    QCOMPARE(termOf(stored), 1u);
    QVERIFY(!stored.contains(plain));
    QVERIFY(!stored.contains(plain.left(8)));
    QVERIFY(!stored.contains(plain.mid(20, 8)));

    // The same value written twice is stored differently (fresh nonce).
    QVERIFY(await(m_barrier->put(QStringLiteral("secret/p"), plain)));
    QVERIFY(physicalValue(*m_physical, QStringLiteral("secret/p")) != stored);
}

void TestBarrier::tamperedValueFails_data()
{
    QTest::addColumn<int>("position"); // negative: from the end
    QTest::newRow("term") << 3;
    QTest::newRow("nonce") << 4;
    QTest::newRow("ciphertext") << 4 + 12 + 2;
    QTest::newRow("tag") << -1;
    QTest::newRow("truncated") << -100;
}

void TestBarrier::tamperedValueFails()
{
    QFETCH(int, position);
    unsealOrFail();
    const QString key = QStringLiteral("secret/t");
    QVERIFY(await(m_barrier->put(key, "value to tamper with")));
    QByteArray stored = physicalValue(*m_physical, key);
    if (position == -100) {
        stored.truncate(3);
    } else {
        const qsizetype at = position >= 0 ? position : stored.size() + position;
        stored[at] = static_cast<char>(stored[at] ^ 0x10);
    }
    QVERIFY(await(m_physical->put(key, stored)));

    const auto got = await(m_barrier->get(key));
    QVERIFY(!got);
    QCOMPARE(got.httpStatus(), 500);
    QVERIFY(got.error().contains(key));
}

void TestBarrier::valueCopiedToOtherPathFails()
{
    unsealOrFail();
    QVERIFY(await(m_barrier->put(QStringLiteral("users/alice"), "alice's secret")));
    QVERIFY(await(
        m_physical->put(QStringLiteral("users/mallory"), physicalValue(*m_physical, QStringLiteral("users/alice")))));
    const auto got = await(m_barrier->get(QStringLiteral("users/mallory")));
    QVERIFY(!got);
    QCOMPARE(got.httpStatus(), 500);
    QVERIFY(await(m_barrier->get(QStringLiteral("users/alice"))));
}

void TestBarrier::removeListAndBatch()
{
    unsealOrFail();
    QVERIFY(await(m_barrier->put(QStringLiteral("kv/a"), "1")));
    QVERIFY(await(m_barrier->put(QStringLiteral("kv/b/c"), "2")));
    QVERIFY(await(m_barrier->put(QStringLiteral("top"), "3")));

    const auto listed = await(m_barrier->list(QStringLiteral("kv/")));
    QVERIFY(listed);
    QCOMPARE(listed.value(), (QStringList{QStringLiteral("a"), QStringLiteral("b/")}));
    const auto root = await(m_barrier->list(QString()));
    QVERIFY(root);
    QCOMPARE(root.value(), (QStringList{QStringLiteral("kv/"), QStringLiteral("top")})); // "core/" is hidden

    QVERIFY(await(m_barrier->remove(QStringLiteral("kv/a"))));
    QVERIFY(!await(m_barrier->get(QStringLiteral("kv/a"))).value().has_value());

    const Status batch = await(
        m_barrier->batch({StorageOp::put(QStringLiteral("b/1"), "one"), StorageOp::put(QStringLiteral("b/2"), "two"),
                          StorageOp::remove(QStringLiteral("top"))}));
    QVERIFY2(batch, qPrintable(batch.error()));
    QCOMPARE(*await(m_barrier->get(QStringLiteral("b/1"))).value(), QByteArray("one"));
    QCOMPARE(*await(m_barrier->get(QStringLiteral("b/2"))).value(), QByteArray("two"));
    QVERIFY(!await(m_barrier->get(QStringLiteral("top"))).value().has_value());
    QVERIFY(!physicalValue(*m_physical, QStringLiteral("b/1")).contains("one"));
    QCOMPARE(termOf(physicalValue(*m_physical, QStringLiteral("b/2"))), 1u);

    // A batch touching "core/" is refused whole.
    const Status refused = await(m_barrier->batch(
        {StorageOp::put(QStringLiteral("b/3"), "three"), StorageOp::remove(QStringLiteral("core/keyring"))}));
    QCOMPARE(refused.httpStatus(), 400);
    QVERIFY(!await(m_barrier->get(QStringLiteral("b/3"))).value().has_value());
    QVERIFY(!physicalValue(*m_physical, QStringLiteral("core/keyring")).isEmpty());
}

void TestBarrier::sealedRefusesEveryCall()
{
    const auto check = [this](const QString &when) {
        const QString key = QStringLiteral("kv/x");
        const auto expect503 = [&](int status, const QString &error, const char *call) {
            QVERIFY2(status == 503, qPrintable(when + QLatin1Char(' ') + QLatin1String(call)));
            QCOMPARE(error, QStringLiteral("Vault is sealed"));
        };
        const auto g = await(m_barrier->get(key));
        expect503(g.httpStatus(), g.error(), "get");
        const auto m = await(m_barrier->getMany({key}));
        expect503(m.httpStatus(), m.error(), "getMany");
        const Status p = await(m_barrier->put(key, "v"));
        expect503(p.httpStatus(), p.error(), "put");
        const Status r = await(m_barrier->remove(key));
        expect503(r.httpStatus(), r.error(), "remove");
        const auto l = await(m_barrier->list(QStringLiteral("kv/")));
        expect503(l.httpStatus(), l.error(), "list");
        const Status b = await(m_barrier->batch({StorageOp::put(key, "v")}));
        expect503(b.httpStatus(), b.error(), "batch");
        const Status rot = await(m_barrier->rotate());
        expect503(rot.httpStatus(), rot.error(), "rotate");
        QCOMPARE(m_barrier->keyStatus().term, 0u);
    };
    check(QStringLiteral("never unsealed:"));

    unsealOrFail();
    QVERIFY(await(m_barrier->put(QStringLiteral("kv/x"), "v")));
    m_barrier->seal();
    QVERIFY(m_barrier->isSealed());
    check(QStringLiteral("after seal:"));
    // The physical value is still there, still encrypted.
    QVERIFY(!physicalValue(*m_physical, QStringLiteral("kv/x")).isEmpty());
}

void TestBarrier::coreKeysRefused_data()
{
    QTest::addColumn<QString>("key");
    QTest::newRow("keyring") << "core/keyring";
    QTest::newRow("root key") << "core/root-key";
    QTest::newRow("anything below") << "core/x/y";
}

void TestBarrier::coreKeysRefused()
{
    QFETCH(QString, key);
    unsealOrFail();
    QCOMPARE(await(m_barrier->get(key)).httpStatus(), 400);
    QCOMPARE(await(m_barrier->getMany({QStringLiteral("kv/x"), key})).httpStatus(), 400);
    QCOMPARE(await(m_barrier->put(key, "x")).httpStatus(), 400);
    QCOMPARE(await(m_barrier->remove(key)).httpStatus(), 400);
    QCOMPARE(await(m_barrier->list(QStringLiteral("core/"))).httpStatus(), 400);
    QCOMPARE(await(m_barrier->batch({StorageOp::put(key, "x")})).httpStatus(), 400);
    // Keys that merely look alike are the caller's.
    QVERIFY(await(m_barrier->put(QStringLiteral("core"), "x")));
    QVERIFY(await(m_barrier->put(QStringLiteral("cores/x"), "x")));
    // Nothing reached the physical store.
    QVERIFY(!physicalValue(*m_physical, QStringLiteral("core/root-key")).isEmpty());
    QCOMPARE(physicalValue(*m_physical, QStringLiteral("core/x/y")), QByteArray());
}

void TestBarrier::rotateKeepsOldValuesReadable()
{
    unsealOrFail();
    QVERIFY(await(m_barrier->put(QStringLiteral("old"), "written under term 1")));
    QCOMPARE(m_barrier->keyStatus().encryptions, 1u);
    const QByteArray keyringBefore = physicalValue(*m_physical, QStringLiteral("core/keyring"));

    const Status rotated = await(m_barrier->rotate());
    QVERIFY2(rotated, qPrintable(rotated.error()));
    QCOMPARE(m_barrier->keyStatus().term, 2u);
    QCOMPARE(m_barrier->keyStatus().encryptions, 0u);
    QVERIFY(physicalValue(*m_physical, QStringLiteral("core/keyring")) != keyringBefore);

    QVERIFY(await(m_barrier->put(QStringLiteral("new"), "written under term 2")));
    QCOMPARE(termOf(physicalValue(*m_physical, QStringLiteral("old"))), 1u);
    QCOMPARE(termOf(physicalValue(*m_physical, QStringLiteral("new"))), 2u);
    QCOMPARE(*await(m_barrier->get(QStringLiteral("old"))).value(), QByteArray("written under term 1"));
    QCOMPARE(*await(m_barrier->get(QStringLiteral("new"))).value(), QByteArray("written under term 2"));

    // Rewriting an old value moves it to the new term.
    QVERIFY(await(m_barrier->put(QStringLiteral("old"), "rewritten")));
    QCOMPARE(termOf(physicalValue(*m_physical, QStringLiteral("old"))), 2u);
}

void TestBarrier::keyringSurvivesReunseal()
{
    unsealOrFail();
    QVERIFY(await(m_barrier->put(QStringLiteral("t1"), "one")));
    QVERIFY(await(m_barrier->rotate()));
    QVERIFY(await(m_barrier->put(QStringLiteral("t2"), "two")));
    QVERIFY(await(m_barrier->rotate()));
    QVERIFY(await(m_barrier->put(QStringLiteral("t3"), "three")));
    const QDateTime installed = m_barrier->keyStatus().installTime;

    m_barrier->seal();
    QVERIFY(m_barrier->isSealed());
    unsealOrFail();
    QCOMPARE(m_barrier->keyStatus().term, 3u);
    QCOMPARE(m_barrier->keyStatus().installTime.toMSecsSinceEpoch(), installed.toMSecsSinceEpoch());

    // A different Barrier over the same store (a restart) reads everything too.
    Barrier restarted(m_physical.get());
    QVERIFY(await(restarted.unseal(m_unsealKey)));
    QCOMPARE(restarted.keyStatus().term, 3u);
    QCOMPARE(*await(restarted.get(QStringLiteral("t1"))).value(), QByteArray("one"));
    QCOMPARE(*await(restarted.get(QStringLiteral("t2"))).value(), QByteArray("two"));
    QCOMPARE(*await(restarted.get(QStringLiteral("t3"))).value(), QByteArray("three"));
}

void TestBarrier::concurrentRotationsAllPersist()
{
    unsealOrFail();
    QList<QFuture<Status>> rotations;
    for (int i = 0; i < 5; ++i)
        rotations.append(m_barrier->rotate());
    for (QFuture<Status> &f : rotations)
        QVERIFY(await(f));
    QCOMPARE(m_barrier->keyStatus().term, 6u);

    QVERIFY(await(m_barrier->put(QStringLiteral("after"), "x")));
    m_barrier->seal();
    unsealOrFail();
    QCOMPARE(m_barrier->keyStatus().term, 6u);
    QCOMPARE(*await(m_barrier->get(QStringLiteral("after"))).value(), QByteArray("x"));
}

void TestBarrier::parallelTraffic()
{
    unsealOrFail();
    QThreadPool pool;
    pool.setMaxThreadCount(4);
    QList<QFuture<bool>> workers;
    for (int w = 0; w < 4; ++w) {
        workers.append(QtConcurrent::run(&pool, [this, w] {
            for (int i = 0; i < 100; ++i) {
                const QString key = QStringLiteral("p/%1/%2").arg(w).arg(i);
                const QByteArray value = QByteArray::number(w * 1000 + i);
                if (!m_barrier->put(key, value).result())
                    return false;
                const auto got = m_barrier->get(key).result();
                if (!got || !got.value() || *got.value() != value)
                    return false;
                if (i % 40 == 0 && !m_barrier->rotate().result())
                    return false;
            }
            return true;
        }));
    }
    for (QFuture<bool> &w : workers)
        QVERIFY(w.result());
    QVERIFY(m_barrier->keyStatus().term > 1u);
}

QTEST_GUILESS_MAIN(TestBarrier)
#include "tst_barrier.moc"
