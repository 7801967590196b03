// The storage contract, run against every physical backend: each test runs once per row of
// initTestCase_data() (inmem, sqlite), on a fresh store.

#include "engine/storage/CachingStorage.h"
#include "engine/storage/InmemStorage.h"
#include "engine/storage/SqliteStorage.h"
#include "engine/storage/StorageFactory.h"
#include "engine/storage/StorageUtil.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

using namespace gk;

namespace {

template <typename T> T await(QFuture<T> future)
{
    future.waitForFinished();
    return future.result();
}

QByteArray valueOf(const Result<std::optional<QByteArray>> &got)
{
    return got.isOk() && got.value().has_value() ? *got.value() : QByteArray("<missing or error>");
}

bool isMissing(const Result<std::optional<QByteArray>> &got)
{
    return got.isOk() && !got.value().has_value();
}

// Runs sql on the database file with a connection of its own.
bool execSql(const QString &path, const char *sql)
{
    sqlite3 *db = nullptr;
    bool ok = sqlite3_open(QFile::encodeName(path).constData(), &db) == SQLITE_OK;
    char *error = nullptr;
    ok = ok && sqlite3_exec(db, sql, nullptr, nullptr, &error) == SQLITE_OK;
    if (error)
        qWarning("%s", error);
    sqlite3_free(error);
    sqlite3_close(db);
    return ok;
}

// The first column of the first row of sql, read with a connection of its own; -1 on error.
qint64 queryInt(const QString &path, const char *sql)
{
    sqlite3 *db = nullptr;
    sqlite3_stmt *statement = nullptr;
    qint64 out = -1;
    if (sqlite3_open(QFile::encodeName(path).constData(), &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW)
        out = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return out;
}

// The file behind a store that openStorage() made for a sqlite: URL (a SQLite store behind its read cache).
QString sqlitePath(Storage *opened)
{
    return static_cast<SqliteStorage *>(static_cast<CachingStorage *>(opened)->inner())->path();
}

} // namespace

class TestStorage final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data();
    void init();
    void cleanup();

    void getMissing();
    void putGet();
    void overwrite();
    void removeKey();
    void getMany();
    void emptyValue();
    void binaryValue();
    void largeValue();
    void invalidKeys();
    void list_data();
    void list();
    void listFolderGoneWhenEmpty();
    void listMatchesReference();
    void batchAppliesTogether();
    void batchWithInvalidOpChangesNothing();
    void batchFailingInTransaction();
    void writesApplyInOrder();
    void concurrentWriters();
    void readYourWrites();
    void readsNeverOlderThanCompletedWrites();
    void reopenKeepsData();
    void openFailsCleanly();
    void upgradesSchemaOne();
    void refusesNewerSchema();
    void checkpointsKeepWalBounded();
    void factory();

private:
    bool isSqlite() const { return m_backend == QLatin1String("sqlite"); }
    void openStore();
    void putAll(const QStringList &keys);

    QString m_backend;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_dbPath;
    std::unique_ptr<Storage> m_storage;
};

void TestStorage::initTestCase_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("inmem") << QStringLiteral("inmem");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
}

void TestStorage::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_backend = backend;
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_dbPath = m_dir->filePath(QStringLiteral("data/sub/gatekeeper.db")); // the directories do not exist yet
    openStore();
}

void TestStorage::cleanup()
{
    m_storage.reset();
    m_dir.reset();
}

void TestStorage::openStore()
{
    m_storage.reset();
    Result<std::unique_ptr<Storage>> opened =
        openStorage(isSqlite() ? QStringLiteral("sqlite:") + m_dbPath : QStringLiteral("inmem:"));
    QVERIFY2(opened.isOk(), qPrintable(opened.error()));
    m_storage = opened.takeValue();
    QCOMPARE(m_storage->type(), m_backend);
}

void TestStorage::putAll(const QStringList &keys)
{
    QList<StorageOp> ops;
    for (const QString &key : keys)
        ops.append(StorageOp::put(key, key.toUtf8()));
    const Status st = await(m_storage->batch(ops));
    QVERIFY2(st.isOk(), qPrintable(st.error()));
}

void TestStorage::getMissing()
{
    const auto got = await(m_storage->get(QStringLiteral("no/such/key")));
    QVERIFY2(got.isOk(), qPrintable(got.error()));
    QVERIFY(!got.value().has_value());
}

void TestStorage::putGet()
{
    QVERIFY(await(m_storage->put(QStringLiteral("a/b"), "hello")).isOk());
    QCOMPARE(valueOf(await(m_storage->get(QStringLiteral("a/b")))), QByteArray("hello"));
    QVERIFY(isMissing(await(m_storage->get(QStringLiteral("a")))));
    QVERIFY(isMissing(await(m_storage->get(QStringLiteral("a/b/")))));
    QVERIFY(isMissing(await(m_storage->get(QStringLiteral("A/B")))));
}

void TestStorage::overwrite()
{
    QVERIFY(await(m_storage->put(QStringLiteral("k"), "one")).isOk());
    QVERIFY(await(m_storage->put(QStringLiteral("k"), "two")).isOk());
    QCOMPARE(valueOf(await(m_storage->get(QStringLiteral("k")))), QByteArray("two"));
    QCOMPARE(await(m_storage->list(QString())).value(), QStringList{QStringLiteral("k")});
}

void TestStorage::removeKey()
{
    QVERIFY(await(m_storage->put(QStringLiteral("k"), "v")).isOk());
    QVERIFY(await(m_storage->put(QStringLiteral("k2"), "v2")).isOk());
    QVERIFY(await(m_storage->remove(QStringLiteral("k"))).isOk());
    QVERIFY(isMissing(await(m_storage->get(QStringLiteral("k")))));
    QCOMPARE(valueOf(await(m_storage->get(QStringLiteral("k2")))), QByteArray("v2"));
    // Removing what is not there succeeds.
    QVERIFY(await(m_storage->remove(QStringLiteral("k"))).isOk());
    QVERIFY(await(m_storage->remove(QStringLiteral("never/was"))).isOk());
}

void TestStorage::getMany()
{
    const QString a = QStringLiteral("m/a"), b = QStringLiteral("m/b"), none = QStringLiteral("m/none");
    putAll({a, b});
    QVERIFY(await(m_storage->getMany({})).value().isEmpty());
    const auto first = await(m_storage->getMany({b, none, a, b}));
    QVERIFY2(first.isOk(), qPrintable(first.error()));
    const Storage::Values expected{b.toUtf8(), std::nullopt, a.toUtf8(), b.toUtf8()};
    QCOMPARE(first.value(), expected);

    // What was read before is not answered once it changed (a read cache, where there is one, follows writes),
    // and keys read before mix with keys never read.
    QVERIFY(await(m_storage->get(a)).isOk());
    QVERIFY(await(m_storage->put(b, "changed")).isOk());
    QVERIFY(await(m_storage->remove(a)).isOk());
    const auto second = await(m_storage->getMany({a, b, QStringLiteral("m/c")}));
    QVERIFY2(second.isOk(), qPrintable(second.error()));
    QCOMPARE(second.value(), (Storage::Values{std::nullopt, QByteArray("changed"), std::nullopt}));

    // One bad key fails the whole read.
    const QString lone = QStringLiteral("m/") + QChar(0xd800);
    QCOMPARE(await(m_storage->getMany({b, lone})).httpStatus(), 400);
}

void TestStorage::emptyValue()
{
    QVERIFY(await(m_storage->put(QStringLiteral("empty"), QByteArray())).isOk());
    const auto got = await(m_storage->get(QStringLiteral("empty")));
    QVERIFY(got.isOk() && got.value().has_value()); // present, unlike a missing key
    QVERIFY(got.value()->isEmpty());
}

void TestStorage::binaryValue()
{
    QByteArray value;
    for (int i = 0; i < 1024; ++i)
        value.append(char(i % 256));
    value.append(QByteArray(16, '\0'));
    QVERIFY(await(m_storage->put(QStringLiteral("bin"), value)).isOk());
    const QByteArray back = valueOf(await(m_storage->get(QStringLiteral("bin"))));
    QCOMPARE(back.size(), value.size());
    QCOMPARE(back, value);
}

void TestStorage::largeValue()
{
    QByteArray value(1024 * 1024, Qt::Uninitialized);
    QRandomGenerator generator(42);
    generator.fillRange(reinterpret_cast<quint32 *>(value.data()), value.size() / int(sizeof(quint32)));
    QVERIFY(await(m_storage->put(QStringLiteral("big"), value)).isOk());
    QCOMPARE(valueOf(await(m_storage->get(QStringLiteral("big")))), value);
    value[12345] = char(value[12345] ^ 0x5a);
    QVERIFY(await(m_storage->batch(
                      {StorageOp::put(QStringLiteral("big"), value), StorageOp::put(QStringLiteral("big2"), value)}))
                .isOk());
    QCOMPARE(valueOf(await(m_storage->get(QStringLiteral("big")))), value);
    QCOMPARE(valueOf(await(m_storage->get(QStringLiteral("big2")))), value);
}

void TestStorage::invalidKeys()
{
    const QString lone = QStringLiteral("a/") + QChar(0xd800) + QStringLiteral("x"); // a lone high surrogate
    for (const QString &key : {QString(), lone}) {
        const Status put = await(m_storage->put(key, "v"));
        QVERIFY(!put.isOk());
        QCOMPARE(put.httpStatus(), 400);
        QCOMPARE(await(m_storage->remove(key)).httpStatus(), 400);
        QCOMPARE(await(m_storage->get(key)).httpStatus(), 400);
    }
    QCOMPARE(await(m_storage->list(lone)).httpStatus(), 400);
    QCOMPARE(await(m_storage->list(QString())).value(), QStringList());
    // A well-formed pair, and a NUL inside a key, are fine.
    const QString emoji = QStringLiteral("e/") + QString::fromUcs4(U"\U0001F600");
    const QString nul = QStringLiteral("n/a") + QChar(0) + QStringLiteral("b");
    QVERIFY(await(m_storage->put(emoji, "smile")).isOk());
    QVERIFY(await(m_storage->put(nul, "nul")).isOk());
    QCOMPARE(valueOf(await(m_storage->get(emoji))), QByteArray("smile"));
    QCOMPARE(valueOf(await(m_storage->get(nul))), QByteArray("nul"));
    QVERIFY(isMissing(await(m_storage->get(QStringLiteral("n/a")))));
    QCOMPARE(await(m_storage->list(QStringLiteral("n/"))).value(), QStringList{nul.mid(2)});
}

void TestStorage::list_data()
{
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QStringList>("expected");

    const QString ae = QString::fromUcs4(U"\u00e4");
    const QString emoji = QString::fromUcs4(U"\U0001F600");
    const QString privateUse = QString::fromUcs4(U"\uE000");
    const QString maxBmp = QString::fromUcs4(U"\uFFFD");

    QTest::newRow("root") << QString() << QStringList{"a", "b-x", "b/", "ba", "c/", "u/", "z/"};
    QTest::newRow("folder") << QStringLiteral("b/") << QStringList{"c", "d/", "g"};
    QTest::newRow("folder no slash") << QStringLiteral("b") << QStringList{"-x", "/", "a"};
    QTest::newRow("nested") << QStringLiteral("b/d/") << QStringList{"e", "f"};
    QTest::newRow("nested no slash") << QStringLiteral("b/d") << QStringList{"/"};
    QTest::newRow("partial segment") << QStringLiteral("b/d/e") << QStringList{};
    QTest::newRow("deep") << QStringLiteral("z/") << QStringList{"y/"};
    QTest::newRow("key equal to prefix") << QStringLiteral("c/") << QStringList{};
    QTest::newRow("missing") << QStringLiteral("nope/") << QStringList{};
    QTest::newRow("past the end") << QStringLiteral("zz") << QStringList{};
    // Sorted by UTF-16 unit like QString, whatever order the backend keeps.
    QTest::newRow("unicode") << QStringLiteral("u/") << QStringList{ae, ae + "/", emoji, privateUse, maxBmp};
    QTest::newRow("unicode prefix") << QStringLiteral("u/") + ae << QStringList{"/"};
}

void TestStorage::list()
{
    QFETCH(QString, prefix);
    QFETCH(QStringList, expected);

    const QString ae = QString::fromUcs4(U"\u00e4");
    putAll({"a", "b/c", "b/d/e", "b/d/f", "b/g", "ba", "b-x", "c/", "z/y/x", "u/" + ae, "u/" + ae + "/1",
            "u/" + ae + "/2", "u/" + QString::fromUcs4(U"\U0001F600"), "u/" + QString::fromUcs4(U"\uE000"),
            "u/" + QString::fromUcs4(U"\uFFFD")});
    const Result<QStringList> listed = await(m_storage->list(prefix));
    QVERIFY2(listed.isOk(), qPrintable(listed.error()));
    QCOMPARE(listed.value(), expected);
}

void TestStorage::listFolderGoneWhenEmpty()
{
    putAll({"f/one", "f/two", "g"});
    QCOMPARE(await(m_storage->list(QString())).value(), (QStringList{"f/", "g"}));
    QVERIFY(await(m_storage->remove(QStringLiteral("f/one"))).isOk());
    QCOMPARE(await(m_storage->list(QString())).value(), (QStringList{"f/", "g"}));
    QVERIFY(await(m_storage->remove(QStringLiteral("f/two"))).isOk());
    QCOMPARE(await(m_storage->list(QString())).value(), QStringList{"g"});
}

void TestStorage::listMatchesReference()
{
    // Random keys over a small alphabet, so that folders, near-miss prefixes and shared stems abound.
    const QStringList alphabet{
        "a", "b", "/", "/", "-", "0", QString::fromUcs4(U"\u00e4"), QString::fromUcs4(U"\U0001F600")};
    QRandomGenerator generator(7);
    QStringList keys;
    for (int i = 0; i < 400; ++i) {
        QString key;
        const int length = 1 + int(generator.bounded(7));
        for (int j = 0; j < length; ++j)
            key += alphabet.at(int(generator.bounded(alphabet.size())));
        keys.append(key);
    }
    putAll(keys);
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());

    QStringList prefixes{QString()};
    for (const QString &key : std::as_const(keys)) {
        for (qsizetype n = 1; n <= key.size(); ++n) {
            if (!key.at(n - 1).isHighSurrogate())
                prefixes.append(key.left(n));
        }
    }
    std::sort(prefixes.begin(), prefixes.end());
    prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
    for (const QString &prefix : std::as_const(prefixes)) {
        const Result<QStringList> listed = await(m_storage->list(prefix));
        QVERIFY2(listed.isOk(), qPrintable(listed.error()));
        QVERIFY2(listed.value() == childrenBelow(prefix, keys),
                 qPrintable(QStringLiteral("prefix \"%1\"").arg(prefix)));
    }
}

void TestStorage::batchAppliesTogether()
{
    QVERIFY(await(m_storage->put(QStringLiteral("gone"), "x")).isOk());
    const Status st = await(
        m_storage->batch({StorageOp::put(QStringLiteral("b/1"), "1"), StorageOp::put(QStringLiteral("b/2"), "2"),
                          StorageOp::remove(QStringLiteral("gone")), StorageOp::put(QStringLiteral("b/1"), "1 again"),
                          StorageOp::remove(QStringLiteral("b/2"))}));
    QVERIFY2(st.isOk(), qPrintable(st.error()));
    QCOMPARE(valueOf(await(m_storage->get(QStringLiteral("b/1")))), QByteArray("1 again")); // in order
    QVERIFY(isMissing(await(m_storage->get(QStringLiteral("b/2")))));
    QVERIFY(isMissing(await(m_storage->get(QStringLiteral("gone")))));
    QVERIFY(await(m_storage->batch({})).isOk());

    // Readers never see half a batch.
    std::atomic<bool> stop = false;
    std::atomic<int> torn = 0;
    std::unique_ptr<QThread> reader(QThread::create([&] {
        while (!stop) {
            const QStringList listed = await(m_storage->list(QStringLiteral("pair/"))).value();
            if (listed.size() == 1)
                ++torn;
        }
    }));
    reader->start();
    for (int i = 0; i < 100; ++i) {
        const QByteArray v = QByteArray::number(i);
        QVERIFY(await(m_storage->batch(
                          {StorageOp::put(QStringLiteral("pair/a"), v), StorageOp::put(QStringLiteral("pair/b"), v)}))
                    .isOk());
        QVERIFY(await(m_storage->batch(
                          {StorageOp::remove(QStringLiteral("pair/a")), StorageOp::remove(QStringLiteral("pair/b"))}))
                    .isOk());
    }
    stop = true;
    reader->wait();
    QCOMPARE(torn.load(), 0);
}

void TestStorage::batchWithInvalidOpChangesNothing()
{
    QVERIFY(await(m_storage->put(QStringLiteral("keep"), "old")).isOk());
    const Status st = await(
        m_storage->batch({StorageOp::put(QStringLiteral("keep"), "new"), StorageOp::put(QStringLiteral("added"), "x"),
                          StorageOp::put(QString(), "invalid key")}));
    QVERIFY(!st.isOk());
    QCOMPARE(st.httpStatus(), 400);
    QCOMPARE(valueOf(await(m_storage->get(QStringLiteral("keep")))), QByteArray("old"));
    QVERIFY(isMissing(await(m_storage->get(QStringLiteral("added")))));
}

void TestStorage::batchFailingInTransaction()
{
    if (!isSqlite())
        QSKIP("needs SQL triggers to make a write fail inside the transaction");
    // Triggers make chosen keys fail in the middle of a transaction: "abort*" fails its statement, "rollback*"
    // takes the whole transaction down (the storage must then commit the other writes of the group anew).
    m_storage.reset();
    QVERIFY(execSql(m_dbPath, "CREATE TRIGGER poison BEFORE INSERT ON kv"
                              " WHEN NEW.key GLOB 'abort*' BEGIN SELECT RAISE(ABORT, 'poisoned'); END;"
                              "CREATE TRIGGER doom BEFORE INSERT ON kv"
                              " WHEN NEW.key GLOB 'rollback*' BEGIN SELECT RAISE(ROLLBACK, 'doomed'); END;"));
    openStore();
    QVERIFY(await(m_storage->put(QStringLiteral("keep"), "old")).isOk());

    // Many writes at once, so that the failing ones share transactions with good ones.
    for (int round = 0; round < 5; ++round) {
        std::vector<QFuture<Status>> good;
        std::vector<QFuture<Status>> bad;
        const QString r = QString::number(round);
        for (int i = 0; i < 40; ++i) {
            const QString n = r + QLatin1Char('/') + QString::number(i);
            good.push_back(m_storage->put(QStringLiteral("g/") + n, n.toUtf8()));
            switch (i % 8) {
            case 1:
                bad.push_back(m_storage->batch({StorageOp::put(QStringLiteral("keep"), "new"),
                                                StorageOp::put(QStringLiteral("half/") + n, "x"),
                                                StorageOp::put(QStringLiteral("abort/") + n, "x")}));
                break;
            case 3:
                bad.push_back(m_storage->put(QStringLiteral("abort/") + n, "x"));
                break;
            case 5:
                bad.push_back(m_storage->batch({StorageOp::remove(QStringLiteral("keep")),
                                                StorageOp::put(QStringLiteral("half/") + n, "x"),
                                                StorageOp::put(QStringLiteral("rollback/") + n, "x")}));
                break;
            case 7:
                good.push_back(m_storage->batch(
                    {StorageOp::put(QStringLiteral("b/") + n, "1"), StorageOp::put(QStringLiteral("b2/") + n, "2")}));
                break;
            default:
                break;
            }
        }
        for (QFuture<Status> &f : good) {
            const Status st = await(f);
            QVERIFY2(st.isOk(), qPrintable(st.error()));
        }
        for (QFuture<Status> &f : bad) {
            const Status st = await(f);
            QVERIFY(!st.isOk());
            QVERIFY2(st.error().contains(QLatin1String("poisoned")) || st.error().contains(QLatin1String("doomed")),
                     qPrintable(st.error()));
        }
        QCOMPARE(await(m_storage->list(QStringLiteral("g/") + r + QLatin1Char('/'))).value().size(), 40);
        QCOMPARE(await(m_storage->list(QStringLiteral("b/") + r + QLatin1Char('/'))).value().size(), 5);
        QCOMPARE(await(m_storage->list(QStringLiteral("b2/") + r + QLatin1Char('/'))).value().size(), 5);
    }
    QCOMPARE(valueOf(await(m_storage->get(QStringLiteral("keep")))), QByteArray("old"));
    QCOMPARE(await(m_storage->list(QStringLiteral("half/"))).value(), QStringList());
    QCOMPARE(await(m_storage->list(QStringLiteral("abort/"))).value(), QStringList());
    QCOMPARE(await(m_storage->list(QStringLiteral("rollback/"))).value(), QStringList());

    // Still works, and still holds it all after a reopen.
    QVERIFY(await(m_storage->put(QStringLiteral("after"), "yes")).isOk());
    openStore();
    QCOMPARE(valueOf(await(m_storage->get(QStringLiteral("after")))), QByteArray("yes"));
    QCOMPARE(await(m_storage->list(QStringLiteral("g/"))).value().size(), 5);
}

void TestStorage::writesApplyInOrder()
{
    // Writes issued one after another without waiting take effect in that order.
    std::vector<QFuture<Status>> futures;
    for (int i = 0; i < 200; ++i)
        futures.push_back(m_storage->put(QStringLiteral("same"), QByteArray::number(i)));
    futures.push_back(m_storage->put(QStringLiteral("doomed"), "x"));
    futures.push_back(m_storage->remove(QStringLiteral("doomed")));
    for (QFuture<Status> &f : futures)
        QVERIFY(await(f).isOk());
    QCOMPARE(valueOf(await(m_storage->get(QStringLiteral("same")))), QByteArray("199"));
    QVERIFY(isMissing(await(m_storage->get(QStringLiteral("doomed")))));
}

void TestStorage::concurrentWriters()
{
    constexpr int kThreads = 8;
    constexpr int kPuts = 500;
    std::atomic<int> failures = 0;
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back(QThread::create([this, t, &failures] {
            std::vector<QFuture<Status>> futures;
            futures.reserve(kPuts);
            for (int i = 0; i < kPuts; ++i) {
                const QString key = QStringLiteral("c/t%1/k%2").arg(t).arg(i);
                futures.push_back(m_storage->put(key, key.toUtf8()));
                if (i % 100 == 99) // some waits in between: a mix of full and thin groups
                    futures.back().waitForFinished();
            }
            for (QFuture<Status> &f : futures) {
                if (!await(f).isOk())
                    ++failures;
            }
        }));
        threads.back()->start();
    }
    for (auto &thread : threads)
        QVERIFY(thread->wait(QDeadlineTimer(60000)));
    QCOMPARE(failures.load(), 0);

    QCOMPARE(await(m_storage->list(QStringLiteral("c/"))).value().size(), kThreads);
    for (int t = 0; t < kThreads; ++t) {
        const QString folder = QStringLiteral("c/t%1/").arg(t);
        QCOMPARE(await(m_storage->list(folder)).value().size(), kPuts);
        for (int i = 0; i < kPuts; i += 7) {
            const QString key = folder + QStringLiteral("k%1").arg(i);
            QCOMPARE(valueOf(await(m_storage->get(key))), key.toUtf8());
        }
    }
}

void TestStorage::readYourWrites()
{
    // From several threads at once: a read issued after a write's future finished sees that write.
    constexpr int kThreads = 4;
    std::atomic<int> stale = 0;
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back(QThread::create([this, t, &stale] {
            const QString key = QStringLiteral("ryw/%1").arg(t);
            for (int i = 0; i < 100; ++i) {
                const QByteArray v = QByteArray::number(i);
                if (!await(m_storage->put(key, v)).isOk() || valueOf(await(m_storage->get(key))) != v)
                    ++stale;
                if (i % 10 == 9) {
                    if (!await(m_storage->remove(key)).isOk() || !isMissing(await(m_storage->get(key))))
                        ++stale;
                    if (await(m_storage->list(QStringLiteral("ryw/"))).value().contains(QString::number(t)))
                        ++stale;
                }
            }
        }));
        threads.back()->start();
    }
    for (auto &thread : threads)
        QVERIFY(thread->wait(QDeadlineTimer(60000)));
    QCOMPARE(stale.load(), 0);
}

void TestStorage::readsNeverOlderThanCompletedWrites()
{
    // One writer raises a counter under two keys while readers hammer them (the SQLite store is read through a cache
    // that must never keep a value a completed write replaced): a read that began after a write completed sees that
    // write or a later one.
    const QStringList keys{QStringLiteral("fresh/a"), QStringLiteral("fresh/b")};
    for (const QString &key : keys)
        QVERIFY(await(m_storage->put(key, "0")).isOk());
    std::atomic<int> completed[2] = {0, 0};
    std::atomic<bool> done = false;
    std::atomic<int> stale = 0;
    std::atomic<int> reads = 0;
    std::atomic<int> readers = 0;
    std::vector<std::unique_ptr<QThread>> threads;
    threads.emplace_back(QThread::create([&] {
        while (readers.load() < 3)
            QThread::yieldCurrentThread();
        for (int i = 1; i <= 300; ++i) {
            const int k = i % 2;
            const bool ok = k == 0
                                ? await(m_storage->put(keys.at(0), QByteArray::number(i))).isOk()
                                : await(m_storage->batch({StorageOp::put(keys.at(1), QByteArray::number(i))})).isOk();
            if (!ok)
                ++stale;
            completed[k].store(i);
        }
        done = true;
    }));
    for (int t = 0; t < 3; ++t) {
        threads.emplace_back(QThread::create([&, t] {
            ++readers;
            do {
                const int k = t % 2;
                const int floor = completed[k].load();
                const int seen = valueOf(await(m_storage->get(keys.at(k)))).toInt();
                if (seen < floor)
                    ++stale;
                ++reads;
            } while (!done);
        }));
    }
    for (auto &thread : threads)
        thread->start();
    for (auto &thread : threads)
        QVERIFY(thread->wait(QDeadlineTimer(60000)));
    QVERIFY(reads.load() > 0);
    QCOMPARE(stale.load(), 0);
}

void TestStorage::reopenKeepsData()
{
    if (!isSqlite())
        QSKIP("inmem keeps nothing");
    QVERIFY(await(m_storage->put(QStringLiteral("p/1"), "one")).isOk());
    QVERIFY(await(m_storage->put(QStringLiteral("p/2"), "two")).isOk());
    QVERIFY(await(m_storage->batch(
                      {StorageOp::put(QStringLiteral("p/3"), "three"), StorageOp::remove(QStringLiteral("p/1"))}))
                .isOk());
    // Writes still queued when the storage is destroyed are committed before it goes.
    std::vector<QFuture<Status>> pending;
    for (int i = 0; i < 50; ++i)
        pending.push_back(m_storage->put(QStringLiteral("q/%1").arg(i), "late"));
    m_storage.reset();
    for (QFuture<Status> &f : pending)
        QVERIFY(await(f).isOk());
    QVERIFY(QFile::exists(m_dbPath));

    openStore();
    QVERIFY(isMissing(await(m_storage->get(QStringLiteral("p/1")))));
    QCOMPARE(valueOf(await(m_storage->get(QStringLiteral("p/2")))), QByteArray("two"));
    QCOMPARE(valueOf(await(m_storage->get(QStringLiteral("p/3")))), QByteArray("three"));
    QCOMPARE(await(m_storage->list(QStringLiteral("q/"))).value().size(), 50);
}

void TestStorage::openFailsCleanly()
{
    if (!isSqlite())
        QSKIP("inmem has no file");
    m_storage.reset();
    // The error of opening path, which must fail; empty when it opened.
    const auto openError = [](const QString &path) {
        Result<std::unique_ptr<SqliteStorage>> opened = SqliteStorage::open(path);
        return opened.isOk() ? QString() : opened.error();
    };
#define EXPECT_OPEN_FAILS(path, why)                                                                                   \
    do {                                                                                                               \
        const QString error = openError(path);                                                                         \
        QVERIFY2(!error.isEmpty(), qPrintable(path));                                                                  \
        QVERIFY2(error.contains(path) && error.contains(why), qPrintable(error));                                      \
    } while (false)

    // The parent "directory" is a file.
    const QString file = m_dir->filePath(QStringLiteral("plain-file"));
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a directory");
    }
    EXPECT_OPEN_FAILS(file + QStringLiteral("/gatekeeper.db"), QStringLiteral("cannot create directory"));

    // A directory where the file should be.
    EXPECT_OPEN_FAILS(m_dir->path(), QStringLiteral("directory"));

    // A file that is not a database.
    const QString junk = m_dir->filePath(QStringLiteral("junk.db"));
    {
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QByteArray bytes(8192, Qt::Uninitialized);
        QRandomGenerator(1).fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
        f.write(bytes);
    }
    EXPECT_OPEN_FAILS(junk, QStringLiteral("not a database"));

    // Another application's database.
    const QString foreign = m_dir->filePath(QStringLiteral("foreign.db"));
    QVERIFY(execSql(foreign, "CREATE TABLE things (id INTEGER PRIMARY KEY)"));
    EXPECT_OPEN_FAILS(foreign, QStringLiteral("another application"));

    // A directory without write permission (root writes anyway: then there is nothing to check).
    const QString locked = m_dir->filePath(QStringLiteral("locked"));
    QVERIFY(QDir().mkpath(locked));
    QVERIFY(QFile::setPermissions(locked, QFile::ReadOwner | QFile::ExeOwner));
    QFile probe(locked + QStringLiteral("/probe"));
    const bool lockedOut = !probe.open(QIODevice::WriteOnly);
    probe.close();
    const QString lockedError = openError(locked + QStringLiteral("/gatekeeper.db"));
    QFile::setPermissions(locked, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    if (lockedOut)
        QVERIFY2(lockedError.contains(QLatin1String("unable to open")), qPrintable(lockedError));
#undef EXPECT_OPEN_FAILS

    // None of this disturbed a good database.
    openStore();
    QVERIFY(await(m_storage->put(QStringLiteral("fine"), "yes")).isOk());
}

void TestStorage::upgradesSchemaOne()
{
    if (!isSqlite())
        QSKIP("inmem has no schema");
    m_storage.reset();
    // A database as the first schema left it: a WITHOUT ROWID table keyed by the TEXT key.
    const QString path = m_dir->filePath(QStringLiteral("v1.db"));
    QVERIFY(execSql(path, "PRAGMA journal_mode = WAL;"
                          "CREATE TABLE kv (key TEXT NOT NULL PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;"
                          "INSERT INTO kv VALUES ('a/1', 'one'), ('a/2', x'00ff'), ('b/c/d', ''), ('top', 'x');"
                          "PRAGMA application_id = 1196127092;" // "GKst"
                          "PRAGMA user_version = 1;"));
    {
        Result<std::unique_ptr<SqliteStorage>> opened = SqliteStorage::open(path);
        QVERIFY2(opened.isOk(), qPrintable(opened.error()));
        std::unique_ptr<SqliteStorage> storage = opened.takeValue();
        QCOMPARE(valueOf(await(storage->get(QStringLiteral("a/1")))), QByteArray("one"));
        QCOMPARE(valueOf(await(storage->get(QStringLiteral("a/2")))), QByteArray("\x00\xff", 2));
        QCOMPARE(valueOf(await(storage->get(QStringLiteral("b/c/d")))), QByteArray());
        QCOMPARE(await(storage->list({})).value(),
                 QStringList({QStringLiteral("a/"), QStringLiteral("b/"), QStringLiteral("top")}));
        QVERIFY(await(storage->put(QStringLiteral("a/1"), "uno")).isOk()); // an upsert on the unique key
        QVERIFY(await(storage->put(QStringLiteral("a/3"), "three")).isOk());
        QVERIFY(await(storage->remove(QStringLiteral("top"))).isOk());
    }
    QCOMPARE(queryInt(path, "PRAGMA user_version"), 2);
    QCOMPARE(queryInt(path, "SELECT count(*) FROM kv WHERE id IS NOT NULL"), 4); // a rowid table now
    QCOMPARE(queryInt(path, "SELECT count(*) FROM sqlite_master WHERE name = 'kv_v1'"), 0);
    QCOMPARE(queryInt(path, "SELECT count(*) FROM kv WHERE key = 'a/1' AND CAST(value AS TEXT) = 'uno'"), 1);

    // Reopening the upgraded file changes nothing.
    Result<std::unique_ptr<SqliteStorage>> again = SqliteStorage::open(path);
    QVERIFY2(again.isOk(), qPrintable(again.error()));
    QCOMPARE(valueOf(await(again.value()->get(QStringLiteral("a/3")))), QByteArray("three"));
    QVERIFY(isMissing(await(again.value()->get(QStringLiteral("top")))));
}

void TestStorage::refusesNewerSchema()
{
    if (!isSqlite())
        QSKIP("inmem has no schema");
    m_storage.reset();
    const QString path = m_dir->filePath(QStringLiteral("future.db"));
    QVERIFY(execSql(path, "CREATE TABLE kv (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, value BLOB NOT NULL);"
                          "INSERT INTO kv (key, value) VALUES ('k', 'v');"
                          "PRAGMA application_id = 1196127092;"
                          "PRAGMA user_version = 99;"));
    Result<std::unique_ptr<SqliteStorage>> opened = SqliteStorage::open(path);
    QVERIFY(!opened.isOk());
    QVERIFY2(opened.error().contains(QLatin1String("schema version 99")), qPrintable(opened.error()));
    QCOMPARE(queryInt(path, "SELECT count(*) FROM kv"), 1);
}

void TestStorage::checkpointsKeepWalBounded()
{
    if (!isSqlite())
        QSKIP("inmem has no WAL");
    m_storage.reset();
    // A low threshold, so that a few hundred commits need many checkpoints. Without them the WAL would grow
    // to well over 4 MB (2,000 commits of at least one 4 KB page each).
    SqliteStorage::Options options;
    options.checkpointPages = 16;
    const QString path = m_dir->filePath(QStringLiteral("ckpt.db"));
    Result<std::unique_ptr<SqliteStorage>> opened = SqliteStorage::open(path, options);
    QVERIFY2(opened.isOk(), qPrintable(opened.error()));
    std::unique_ptr<SqliteStorage> storage = opened.takeValue();
    const QByteArray value(1500, 'v');
    for (int i = 0; i < 2000; ++i) {
        const Status st = await(storage->put(QStringLiteral("w/%1").arg(i * 7919 % 2000, 4, 10, QLatin1Char('0')),
                                             value + QByteArray::number(i)));
        QVERIFY2(st.isOk(), qPrintable(st.error()));
    }
    // The writer checkpoints itself at 16 × the threshold at the latest; leave room for one more group.
    const qint64 walBytes = QFileInfo(path + QStringLiteral("-wal")).size();
    QVERIFY2(walBytes < 2 * 1024 * 1024, qPrintable(QString::number(walBytes)));
    QCOMPARE(await(storage->list(QStringLiteral("w/"))).value().size(), 2000);
    QCOMPARE(valueOf(await(storage->get(QStringLiteral("w/1919")))), value + "1"); // 1 * 7919 % 2000

    storage.reset();
    Result<std::unique_ptr<SqliteStorage>> reopened = SqliteStorage::open(path, options);
    QVERIFY2(reopened.isOk(), qPrintable(reopened.error()));
    QCOMPARE(await(reopened.value()->list(QStringLiteral("w/"))).value().size(), 2000);
}

void TestStorage::factory()
{
    if (isSqlite())
        QSKIP("backend independent: runs once");

    Result<std::unique_ptr<Storage>> pg = openStorage(QStringLiteral("postgresql://gk:s3cret@db.example/gk"));
    QVERIFY(!pg.isOk());
    QCOMPARE(pg.httpStatus(), 501);
    QCOMPARE(pg.error(), QStringLiteral("postgresql storage is not supported yet"));
    QCOMPARE(openStorage(QStringLiteral("postgres://h/db")).httpStatus(), 501);

    Result<std::unique_ptr<Storage>> unknown = openStorage(QStringLiteral("mysql://root:s3cret@h/db"));
    QCOMPARE(unknown.httpStatus(), 400);
    QVERIFY2(unknown.error().contains(QLatin1String("\"mysql\"")), qPrintable(unknown.error()));
    QVERIFY(!unknown.error().contains(QLatin1String("s3cret")));

    for (const char *bad : {"", "/var/lib/gk.db", "inmem:x", "sqlite:", "sqlite://", "sqlite://host/gk.db"}) {
        Result<std::unique_ptr<Storage>> r = openStorage(QString::fromUtf8(bad));
        QVERIFY2(!r.isOk(), bad);
        QCOMPARE(r.httpStatus(), 400);
    }

    Result<std::unique_ptr<Storage>> inmem = openStorage(QStringLiteral("INMEM:"));
    QVERIFY(inmem.isOk());
    QCOMPARE(inmem.value()->type(), QStringLiteral("inmem"));

    // sqlite:///absolute and sqlite:relative (to the working directory).
    const QString absolute = m_dir->filePath(QStringLiteral("abs/gk.db"));
    Result<std::unique_ptr<Storage>> abs = openStorage(QStringLiteral("sqlite://") + absolute);
    QVERIFY2(abs.isOk(), qPrintable(abs.error()));
    QCOMPARE(abs.value()->type(), QStringLiteral("sqlite"));
    QCOMPARE(sqlitePath(abs.value().get()), absolute);

    const QString previous = QDir::currentPath();
    QVERIFY(QDir::setCurrent(m_dir->path()));
    Result<std::unique_ptr<Storage>> relative = openStorage(QStringLiteral("sqlite:rel/gk.db"));
    QDir::setCurrent(previous);
    QVERIFY2(relative.isOk(), qPrintable(relative.error()));
    QCOMPARE(sqlitePath(relative.value().get()), m_dir->filePath(QStringLiteral("rel/gk.db")));
    QVERIFY(await(relative.value()->put(QStringLiteral("x"), "y")).isOk());
}

QTEST_GUILESS_MAIN(TestStorage)
#include "tst_storage.moc"
