// The audit file device, its chained line format and the verifier; the hashing of audit entries.

#include "engine/audit/AuditChain.h"
#include "engine/audit/AuditFileDevice.h"
#include "engine/audit/AuditTrail.h"
#include "engine/crypto/Crypto.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>

using namespace gk;

namespace {

QByteArray entry(int n)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("request")}, {QStringLiteral("n"), n}})
        .toJson(QJsonDocument::Compact);
}

Status await(QFuture<Status> f)
{
    f.waitForFinished();
    return f.result();
}

QList<QByteArray> readLines(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> lines = f.readAll().split('\n');
    if (!lines.isEmpty() && lines.constLast().isEmpty())
        lines.removeLast();
    return lines;
}

void writeLines(const QString &path, const QList<QByteArray> &lines)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    for (const QByteArray &l : lines)
        f.write(l + '\n');
}

} // namespace

class TestAudit final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    void writeEntries(const QString &file, int from, int count)
    {
        AuditFileDevice device(file, 0600);
        QList<QFuture<Status>> futures;
        for (int i = 0; i < count; ++i)
            futures.append(device.write(entry(from + i)));
        for (QFuture<Status> &f : futures)
            QVERIFY2(await(f).isOk(), qPrintable(f.result().error()));
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void linesChainAndVerify()
    {
        const QString file = path(QStringLiteral("chain.log"));
        writeEntries(file, 0, 5);
        const QList<QByteArray> lines = readLines(file);
        QCOMPARE(lines.size(), 5);
        // Each line is a JSON object with the entry's fields, prev_hash and its own hash.
        const QJsonObject first = QJsonDocument::fromJson(lines.at(0)).object();
        QCOMPARE(first.value(QStringLiteral("n")).toInt(), 0);
        QCOMPARE(first.value(QStringLiteral("prev_hash")).toString().toLatin1(), audit::genesisHash());
        const QJsonObject second = QJsonDocument::fromJson(lines.at(1)).object();
        QCOMPARE(second.value(QStringLiteral("prev_hash")).toString().toLatin1(), audit::lineDigest(lines.at(0)));
        QVERIFY(second.value(QStringLiteral("hash")).toString().startsWith(QLatin1String("sha256:")));
        const audit::VerifyResult r = audit::verifyFile(file);
        QVERIFY(r.intact());
        QCOMPARE(r.lines, 5);
    }

    void reopeningContinuesTheChain()
    {
        const QString file = path(QStringLiteral("reopen.log"));
        writeEntries(file, 0, 3);
        writeEntries(file, 3, 2);
        const QList<QByteArray> lines = readLines(file);
        QCOMPARE(lines.size(), 5);
        QCOMPARE(QJsonDocument::fromJson(lines.at(3)).object().value(QStringLiteral("prev_hash")).toString().toLatin1(),
                 audit::lineDigest(lines.at(2)));
        QVERIFY(audit::verifyFile(file).intact());
        QCOMPARE(audit::verifyFile(file).lines, 5);
    }

    void tamperingNamesTheLine_data()
    {
        QTest::addColumn<QString>("how");
        QTest::addColumn<qint64>("broken");
        QTest::newRow("modified middle line") << QStringLiteral("modify3") << qint64(3);
        QTest::newRow("modified last line") << QStringLiteral("modify6") << qint64(6);
        QTest::newRow("deleted line") << QStringLiteral("delete4") << qint64(4);
        QTest::newRow("inserted copy") << QStringLiteral("insert2") << qint64(3);
        QTest::newRow("swapped lines") << QStringLiteral("swap2") << qint64(2);
        QTest::newRow("junk line") << QStringLiteral("junk5") << qint64(5);
    }
    void tamperingNamesTheLine()
    {
        QFETCH(QString, how);
        QFETCH(qint64, broken);
        const QString file = path(QStringLiteral("tamper-%1.log").arg(how));
        writeEntries(file, 0, 6);
        QVERIFY(audit::verifyFile(file).intact());
        QList<QByteArray> lines = readLines(file);
        if (how == QLatin1String("modify3"))
            lines[2].replace("\"n\":2", "\"n\":7");
        else if (how == QLatin1String("modify6"))
            lines[5].replace("\"n\":5", "\"n\":8");
        else if (how == QLatin1String("delete4"))
            lines.removeAt(3);
        else if (how == QLatin1String("insert2"))
            lines.insert(2, lines.at(1));
        else if (how == QLatin1String("swap2"))
            lines.swapItemsAt(1, 2);
        else
            lines.insert(4, QByteArrayLiteral("{\"type\":\"request\"}"));
        writeLines(file, lines);
        const audit::VerifyResult r = audit::verifyFile(file);
        QVERIFY(!r.intact());
        QCOMPARE(r.brokenLine, broken);
        QVERIFY(!r.reason.isEmpty());
    }

    void emptyAndMissingFiles()
    {
        const QString empty = path(QStringLiteral("empty.log"));
        writeLines(empty, {});
        QVERIFY(audit::verifyFile(empty).intact());
        QCOMPARE(audit::verifyFile(empty).lines, 0);
        QVERIFY(!audit::verifyFile(path(QStringLiteral("missing.log"))).readable);
    }

    void concurrentWritersKeepOneChain()
    {
        const QString file = path(QStringLiteral("concurrent.log"));
        {
            AuditFileDevice device(file, 0600);
            std::atomic<int> failures{0};
            QList<QThread *> threads;
            for (int t = 0; t < 4; ++t) {
                threads.append(QThread::create([&device, &failures, t] {
                    QList<QFuture<Status>> futures;
                    for (int i = 0; i < 200; ++i)
                        futures.append(device.write(entry(t * 1000 + i)));
                    for (QFuture<Status> &f : futures)
                        if (!await(f))
                            ++failures;
                }));
                threads.constLast()->start();
            }
            for (QThread *t : std::as_const(threads)) {
                QVERIFY(t->wait(30000));
                delete t;
            }
            QCOMPARE(failures.load(), 0);
        }
        const audit::VerifyResult r = audit::verifyFile(file);
        QVERIFY2(r.intact(), qPrintable(r.reason));
        QCOMPARE(r.lines, 800);
    }

    void unwritablePathFailsAndRecovers()
    {
        const QString dir = path(QStringLiteral("gone"));
        QVERIFY(QDir().mkpath(dir));
        const QString file = dir + QStringLiteral("/audit.log");
        AuditFileDevice device(file, 0600);
        QVERIFY(await(device.open()).isOk());
        QVERIFY(await(device.write(entry(1))).isOk());
        QVERIFY(QDir(dir).removeRecursively());
        const Status failed = await(device.write(entry(2)));
        QVERIFY(!failed);
        QVERIFY(failed.error().contains(QLatin1String("audit.log")));
        // A directory where the file should be cannot be opened either (even by root).
        QVERIFY(QDir().mkpath(file));
        QVERIFY(!await(device.write(entry(3))));
        QVERIFY(QDir(file).removeRecursively());
        QVERIFY(await(device.write(entry(4))).isOk());
        QVERIFY(audit::verifyFile(file).intact());
        QCOMPARE(audit::verifyFile(file).lines, 1);
    }

    void openFailsForADirectory()
    {
        AuditFileDevice device(m_dir.path(), 0600);
        QVERIFY(!await(device.open()));
    }

    void aCutLineStaysBrokenAndTheChainGoesOn()
    {
        const QString file = path(QStringLiteral("cut.log"));
        writeEntries(file, 0, 2);
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::Append));
            f.write("{\"prev_hash\":\"sha256:");
        }
        writeEntries(file, 2, 2);
        const QList<QByteArray> lines = readLines(file);
        QCOMPARE(lines.size(), 5);
        QCOMPARE(QJsonDocument::fromJson(lines.at(3)).object().value(QStringLiteral("prev_hash")).toString().toLatin1(),
                 audit::lineDigest(lines.at(2)));
        QCOMPARE(audit::verifyFile(file).brokenLine, 3);
    }

    void hasherHidesEveryValue()
    {
        const AuditHasher hasher(crypto::randomBytes(32));
        const QJsonObject data{{QStringLiteral("password"), QStringLiteral("hunter2")},
                               {QStringLiteral("nested"),
                                QJsonObject{{QStringLiteral("list"), QJsonArray{QStringLiteral("a-secret"), 1234}}}},
                               {QStringLiteral("flag"), true}};
        const QJsonObject hashed = hasher.hashAll(data).toObject();
        const QByteArray text = QJsonDocument(hashed).toJson(QJsonDocument::Compact);
        QVERIFY(!text.contains("hunter2"));
        QVERIFY(!text.contains("a-secret"));
        QVERIFY(!text.contains("1234"));
        QCOMPARE(hashed.value(QStringLiteral("password")).toString(), hasher.hash(QStringLiteral("hunter2")));
        QCOMPARE(
            hashed.value(QStringLiteral("nested")).toObject().value(QStringLiteral("list")).toArray().at(1).toString(),
            hasher.hash(QStringLiteral("1234")));
        QVERIFY(hashed.value(QStringLiteral("flag")).toBool());
        QVERIFY(hasher.hash(QStringLiteral("x")).startsWith(QLatin1String("hmac-sha256:")));
        QCOMPARE(hasher.hash(QStringLiteral("x")).size(), 12 + 64);
        // Another key, another hash.
        QVERIFY(AuditHasher(crypto::randomBytes(32)).hash(QStringLiteral("hunter2")) !=
                hasher.hash(QStringLiteral("hunter2")));

        const QJsonObject auth = hasher.hashAuth(
            {{QStringLiteral("client_token"), QStringLiteral("gk.token")},
             {QStringLiteral("accessor"), QStringLiteral("acc")},
             {QStringLiteral("policies"), QJsonArray{QStringLiteral("default")}},
             {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("username"), QStringLiteral("alice")},
                                                      {QStringLiteral("other"), QStringLiteral("x")}}}});
        QCOMPARE(auth.value(QStringLiteral("client_token")).toString(), hasher.hash(QStringLiteral("gk.token")));
        QCOMPARE(auth.value(QStringLiteral("accessor")).toString(), hasher.hash(QStringLiteral("acc")));
        QCOMPARE(auth.value(QStringLiteral("policies")).toArray().at(0).toString(), QStringLiteral("default"));
        const QJsonObject meta = auth.value(QStringLiteral("metadata")).toObject();
        QCOMPARE(meta.value(QStringLiteral("username")).toString(), QStringLiteral("alice"));
        QCOMPARE(meta.value(QStringLiteral("other")).toString(), hasher.hash(QStringLiteral("x")));
    }
};

QTEST_GUILESS_MAIN(TestAudit)
#include "tst_audit.moc"
