// Durability under kill -9: a helper process (storage_writer) writes to a SqliteStorage and prints each key
// once its write was acknowledged; we SIGKILL it mid-stream, reopen the database, and every acknowledged
// key must be there with its value. Three rounds on the same file, each after the previous crash.

#include "engine/storage/SqliteStorage.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace gk;

namespace {

// Same as in storage_writer.cpp.
QByteArray expectedValue(const QString &prefix, int i)
{
    return (prefix + QStringLiteral("value-%1-").arg(i)).toUtf8().repeated(1 + i % 7);
}

QString integrityCheck(const QString &path)
{
    sqlite3 *db = nullptr;
    QString out = QStringLiteral("cannot open");
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt *statement = nullptr;
        if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, nullptr) == SQLITE_OK &&
            sqlite3_step(statement) == SQLITE_ROW)
            out = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(statement, 0)));
        sqlite3_finalize(statement);
    }
    sqlite3_close(db);
    return out;
}

} // namespace

class TestStorageKill final : public QObject
{
    Q_OBJECT

private slots:
    void acknowledgedWritesSurviveKill();
};

void TestStorageKill::acknowledgedWritesSurviveKill()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString db = dir.filePath(QStringLiteral("kill/gatekeeper.db"));
    QList<QPair<QString, QByteArray>> acknowledged; // across all rounds

    for (int round = 0; round < 3; ++round) {
        const QString prefix = QStringLiteral("r%1/").arg(round);
        // Kill at a different point each time.
        const int killAfter = 300 + int(QRandomGenerator::global()->bounded(700));

        QProcess writer;
        writer.start(QStringLiteral(GK_STORAGE_WRITER), {db, prefix, QStringLiteral("32")});
        QVERIFY2(writer.waitForStarted(5000), qPrintable(writer.errorString()));

        QByteArray buffer;
        int acked = 0;
        const auto takeLines = [&] {
            qsizetype end;
            while ((end = buffer.indexOf('\n')) >= 0) {
                const QString key = QString::fromUtf8(buffer.left(end));
                buffer.remove(0, end + 1);
                const int i = key.mid(prefix.size() + 1).toInt(); // PREFIX k<i>
                acknowledged.append({key, expectedValue(prefix, i)});
                ++acked;
            }
        };
        const QDeadlineTimer deadline(8000);
        while (acked < killAfter && writer.state() == QProcess::Running && !deadline.hasExpired()) {
            writer.waitForReadyRead(100);
            buffer += writer.readAllStandardOutput();
            takeLines();
        }
        QVERIFY2(writer.state() == QProcess::Running, qPrintable(QStringLiteral("writer stopped early: ") +
                                                                 QString::fromUtf8(writer.readAllStandardError())));
        QVERIFY2(acked >= killAfter, qPrintable(QStringLiteral("only %1 writes acknowledged in time").arg(acked)));

        writer.kill(); // SIGKILL
        QVERIFY(writer.waitForFinished(5000));
        QCOMPARE(writer.exitStatus(), QProcess::CrashExit);
        // Lines already in the pipe were acknowledged before the kill, too.
        buffer += writer.readAllStandardOutput();
        takeLines();
        qInfo("round %d: killed after %d acknowledged writes", round, acked);

        QCOMPARE(integrityCheck(db), QStringLiteral("ok"));
        Result<std::unique_ptr<SqliteStorage>> opened = SqliteStorage::open(db);
        QVERIFY2(opened.isOk(), qPrintable(opened.error()));
        std::unique_ptr<SqliteStorage> storage = opened.takeValue();
        int missing = 0;
        int wrong = 0;
        for (const auto &[key, value] : std::as_const(acknowledged)) {
            QFuture<Result<std::optional<QByteArray>>> got = storage->get(key);
            const Result<std::optional<QByteArray>> &r = got.result();
            QVERIFY2(r.isOk(), qPrintable(r.error()));
            if (!r.value().has_value())
                ++missing;
            else if (*r.value() != value)
                ++wrong;
        }
        QCOMPARE(missing, 0);
        QCOMPARE(wrong, 0);
    }
}

QTEST_GUILESS_MAIN(TestStorageKill)
#include "tst_storage_kill.moc"
