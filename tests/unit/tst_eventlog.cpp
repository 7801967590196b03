// The live index: bumps, the bounded history and its truncation flag, waiters woken by a change or by their
// deadline, the blocking-query parameters, and an index that never goes backwards across a restart.

#include "engine/crypto/Barrier.h"
#include "engine/crypto/Crypto.h"
#include "engine/events/EventLog.h"
#include "engine/storage/InmemStorage.h"
#include "engine/storage/StorageFactory.h"

#include <QElapsedTimer>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace gk;

class TestEventLog final : public QObject
{
    Q_OBJECT

    std::unique_ptr<InmemStorage> m_physical;
    std::unique_ptr<Barrier> m_barrier;

    quint64 storedCeiling()
    {
        const auto got = m_barrier->get(QStringLiteral("sys/events/index")).result();
        return got && got.value() ? got.value()->toULongLong() : 0;
    }

    static Request withQuery(const QString &query)
    {
        Request r;
        r.query = QUrlQuery(query);
        return r;
    }

private slots:
    void init()
    {
        m_physical = std::make_unique<InmemStorage>();
        m_barrier = std::make_unique<Barrier>(m_physical.get());
        const SecureBytes key = crypto::randomBytes(32);
        QVERIFY(m_barrier->initialize(key).result());
        QVERIFY(m_barrier->unseal(key).result());
    }

    void bumpAndHistory()
    {
        EventLog log(m_barrier.get());
        QVERIFY(log.load().result());
        QCOMPARE(log.index(), quint64(0));
        QCOMPARE(log.record(QStringLiteral("policy"), QStringLiteral("update"), QStringLiteral("/v1/sys/policy/a"))
                     .result(),
                 quint64(1));
        QCOMPARE(log.record(QStringLiteral("kv"), QStringLiteral("delete"), QStringLiteral("/v1/secret/x")).result(),
                 quint64(2));
        QCOMPARE(log.index(), quint64(2));
        const EventLog::Since all = log.since(0);
        QCOMPARE(all.index, quint64(2));
        QVERIFY(!all.truncated);
        QCOMPARE(all.events.size(), 2);
        QCOMPARE(all.events.at(0).kind, QStringLiteral("policy"));
        QCOMPARE(all.events.at(1).path, QStringLiteral("/v1/secret/x"));
        QCOMPARE(all.events.at(1).operation, QStringLiteral("delete"));
        const QJsonObject json = EventLog::toJson(all.events.at(1));
        QCOMPARE(json.value(QStringLiteral("index")).toInteger(), qint64(2));
        QVERIFY(json.value(QStringLiteral("time")).toString().endsWith(QLatin1Char('Z')));
        const EventLog::Since later = log.since(1);
        QCOMPARE(later.events.size(), 1);
        QCOMPARE(later.events.at(0).index, quint64(2));
        QVERIFY(log.since(2).events.isEmpty());
    }

    void historyIsBoundedAndSaysTruncated()
    {
        EventLog log(m_barrier.get(), 3);
        QVERIFY(log.load().result());
        for (int i = 0; i < 5; ++i)
            log.record(QStringLiteral("kv"), QStringLiteral("update"), QStringLiteral("/v1/secret/%1").arg(i)).result();
        const EventLog::Since fromStart = log.since(0);
        QVERIFY(fromStart.truncated);
        QCOMPARE(fromStart.events.size(), 3);
        QCOMPARE(fromStart.events.first().index, quint64(3));
        QVERIFY(log.since(1).truncated);
        const EventLog::Since recent = log.since(2);
        QVERIFY(!recent.truncated);
        QCOMPARE(recent.events.size(), 3);
        QVERIFY(!log.since(4).truncated);
        QCOMPARE(log.since(4).events.size(), 1);
    }

    void ceilingIsReservedAheadAndSurvivesRestart()
    {
        quint64 last = 0;
        {
            EventLog log(m_barrier.get());
            QVERIFY(log.load().result());
            QCOMPARE(storedCeiling(), EventLog::kReserveBlock);
            for (quint64 i = 0; i < EventLog::kReserveBlock + 10; ++i)
                last = log.record(QStringLiteral("token"), QStringLiteral("update"), QStringLiteral("/v1/x")).result();
            QCOMPARE(last, EventLog::kReserveBlock + 10);
            QVERIFY(storedCeiling() >= last);
        }
        // A restart: the index resumes at the stored ceiling, never below what was handed out.
        EventLog again(m_barrier.get());
        QVERIFY(again.load().result());
        QVERIFY(again.index() >= last);
        const quint64 next = again.record(QStringLiteral("kv"), QStringLiteral("update"), QStringLiteral("/v1/y")).result();
        QVERIFY(next > last);
        QVERIFY(storedCeiling() >= next);
        // What happened before the restart is unknown: older indexes are answered as truncated.
        QVERIFY(again.since(last).truncated);
        QVERIFY(!again.since(next - 1).truncated);
    }

    // On SQLite the ceiling write completes on another thread, so a burst of changes past the reserved block waits
    // for one write together: every one of them must still get its own index.
    void burstPastTheCeilingOnAsyncStorage()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto physical = openStorage(QStringLiteral("sqlite:") + dir.filePath(QStringLiteral("events.db")));
        QVERIFY(physical);
        std::unique_ptr<Storage> storage = physical.takeValue();
        Barrier barrier(storage.get());
        const SecureBytes key = crypto::randomBytes(32);
        QVERIFY(barrier.initialize(key).result());
        QVERIFY(barrier.unseal(key).result());
        EventLog log(&barrier);
        QVERIFY(log.load().result());
        const int changes = int(EventLog::kReserveBlock) * 3;
        QList<QFuture<quint64>> recorded;
        for (int i = 0; i < changes; ++i)
            recorded.append(log.record(QStringLiteral("kv"), QStringLiteral("update"), QStringLiteral("/v1/secret/b")));
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(recorded.cbegin(), recorded.cend(),
                                             [](const QFuture<quint64> &f) { return f.isFinished(); }),
                                 20000);
        QSet<quint64> indexes;
        for (const QFuture<quint64> &f : std::as_const(recorded)) {
            QVERIFY(f.isValid() && f.resultCount() == 1);
            indexes.insert(f.result());
        }
        QCOMPARE(indexes.size(), changes);
        QCOMPARE(log.index(), quint64(changes));
    }

    void waiterWokenByChange()
    {
        EventLog log(m_barrier.get());
        QVERIFY(log.load().result());
        log.record(QStringLiteral("kv"), QStringLiteral("update"), QStringLiteral("/v1/secret/a")).result();
        // Already past: answered at once.
        QFuture<quint64> past = log.waitFor(0, 5000);
        QVERIFY(past.isFinished());
        QCOMPARE(past.result(), quint64(1));

        QFuture<quint64> waiting = log.waitFor(1, 5000);
        QFuture<quint64> other = log.waitFor(2, 5000); // needs two changes
        QTest::qWait(50);
        QVERIFY(!waiting.isFinished());
        QElapsedTimer timer;
        timer.start();
        log.record(QStringLiteral("policy"), QStringLiteral("update"), QStringLiteral("/v1/sys/policy/p")).result();
        QVERIFY(waiting.isFinished());
        QCOMPARE(waiting.result(), quint64(2));
        QVERIFY(timer.elapsed() < 100);
        QVERIFY(!other.isFinished());
        log.record(QStringLiteral("policy"), QStringLiteral("delete"), QStringLiteral("/v1/sys/policy/p")).result();
        QCOMPARE(other.result(), quint64(3));
    }

    void waiterExpires()
    {
        EventLog log(m_barrier.get());
        QVERIFY(log.load().result());
        QElapsedTimer timer;
        timer.start();
        QFuture<quint64> early = log.waitFor(0, 200);
        QFuture<quint64> late = log.waitFor(0, 600);
        QCOMPARE(early.result(), quint64(0)); // blocks until the deadline
        QVERIFY2(timer.elapsed() >= 190, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(timer.elapsed() < 550);
        QVERIFY(!late.isFinished());
        QCOMPARE(late.result(), quint64(0));
        QVERIFY(timer.elapsed() >= 590);
        QVERIFY(log.waitFor(0, 0).isFinished());
    }

    void blockingParameters()
    {
        auto p = EventLog::blockingParams(withQuery(QStringLiteral("index=12&wait=250ms")));
        QVERIFY(p);
        QVERIFY(p.value().blocking);
        QCOMPARE(p.value().index, quint64(12));
        QCOMPARE(p.value().waitMs, qint64(250));
        p = EventLog::blockingParams(withQuery(QStringLiteral("index=3")));
        QVERIFY(p);
        QCOMPARE(p.value().waitMs, EventLog::kDefaultWaitMs);
        p = EventLog::blockingParams(withQuery(QStringLiteral("index=3&wait=2h")));
        QVERIFY(p);
        QCOMPARE(p.value().waitMs, EventLog::kMaxWaitMs);
        p = EventLog::blockingParams(withQuery(QStringLiteral("index=3&wait=30")));
        QCOMPARE(p.value().waitMs, qint64(30000));
        p = EventLog::blockingParams(withQuery(QStringLiteral("wait=abc")));
        QVERIFY(p); // wait without index is ignored
        QVERIFY(!p.value().blocking);
        p = EventLog::blockingParams(withQuery(QStringLiteral("index=0&wait=1m")));
        QVERIFY(p);
        QVERIFY(!p.value().blocking); // as Nomad: index 0 does not wait
        for (const QString &bad : {QStringLiteral("index=abc"), QStringLiteral("index=-1"), QStringLiteral("index="),
                                   QStringLiteral("index=1.5"), QStringLiteral("index=99999999999999999999999"),
                                   QStringLiteral("index=1&wait=soon"), QStringLiteral("index=1&wait=-5s"),
                                   QStringLiteral("index=1&wait=")}) {
            const auto r = EventLog::blockingParams(withQuery(bad));
            QVERIFY2(!r, qPrintable(bad));
            QCOMPARE(r.httpStatus(), 400);
        }
    }
};

QTEST_GUILESS_MAIN(TestEventLog)
#include "tst_eventlog.moc"
