// HomeThread, HomePromise, runOnPool and KeyedSequencer: futures are finished in the thread that made them when it is
// a home, so that continuations are never attached to a future another thread is finishing.

#include "engine/HomeThread.h"
#include "engine/Result.h"
#include "engine/backends/KeyedSequencer.h"

#include <QAtomicInt>
#include <QFuture>
#include <QSemaphore>
#include <QTest>
#include <QThread>
#include <QThreadPool>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

using namespace gk;

namespace {

// A thread that runs an event loop and is a home while it runs.
class HomeLoop final : public QThread
{
public:
    ~HomeLoop() override
    {
        quit();
        wait();
    }

    void startAndWait()
    {
        start();
        m_ready.acquire();
    }

    // Runs fn in this thread and waits for it (fn must not block on this thread's events).
    void call(std::function<void()> fn)
    {
        QSemaphore done;
        QMetaObject::invokeMethod(
            m_context,
            [&] {
                fn();
                done.release();
            },
            Qt::QueuedConnection);
        done.acquire();
    }

protected:
    void run() override
    {
        const HomeThread home;
        QObject context;
        m_context = &context;
        m_ready.release();
        exec();
        m_context = nullptr;
    }

private:
    QSemaphore m_ready;
    QObject *m_context = nullptr;
};

} // namespace

class TestHomeThread : public QObject
{
    Q_OBJECT

private slots:
    void finishedFromAnotherThreadRunsAtHome()
    {
        HomeLoop loop;
        loop.startAndWait();
        std::atomic<QThread *> ranIn{nullptr};
        std::atomic<int> value{0};
        HomePromise<int> promise = [&] {
            std::optional<HomePromise<int>> made;
            loop.call([&] {
                made.emplace();
                made->future().then([&](int v) {
                    value = v;
                    ranIn = QThread::currentThread();
                });
            });
            return *made;
        }();
        std::thread([promise] { promise.finish(42); }).join();
        QTRY_COMPARE(value.load(), 42);
        QCOMPARE(ranIn.load(), &loop);
    }

    void outsideAHomeFinishesWhereTheWorkEnds()
    {
        QVERIFY(!HomeThread::current());
        const HomePromise<int> promise;
        std::atomic<bool> ranOnMain{true};
        QFuture<void> after = promise.future().then([&](int) { ranOnMain = QThread::currentThread() == thread(); });
        std::thread([promise] { promise.finish(1); }).join();
        QVERIFY(after.isFinished());
        QVERIFY(!ranOnMain.load());
    }

    void aHomeThatIsGoneFinishesAtOnce()
    {
        std::optional<HomePromise<int>> promise;
        {
            HomeLoop loop;
            loop.startAndWait();
            loop.call([&] { promise.emplace(); });
        }
        QFuture<int> future = promise->future();
        std::thread([p = *promise] { p.finish(7); }).join();
        QVERIFY(future.isFinished());
        QCOMPARE(future.result(), 7);
    }

    void runOnPoolAnswersAtHome()
    {
        HomeLoop loop;
        loop.startAndWait();
        QThreadPool pool;
        pool.setMaxThreadCount(2);
        std::atomic<QThread *> workedIn{nullptr};
        std::atomic<QThread *> answeredIn{nullptr};
        QFuture<void> done;
        loop.call([&] {
            done = runOnPool(&pool, [&] {
                       workedIn = QThread::currentThread();
                       return 5;
                   }).then([&](int) { answeredIn = QThread::currentThread(); });
        });
        QTRY_VERIFY(answeredIn.load() != nullptr);
        QCOMPARE(answeredIn.load(), &loop);
        QVERIFY(workedIn.load() != &loop);
    }

    // Many short chains on pool work, each built while the pool may be finishing the step before: every
    // continuation runs exactly once (with plain QtConcurrent::run futures, Qt 6.4 may run one twice and crash).
    void chainsOnPoolWorkRunOnce()
    {
        constexpr int kChains = 20000;
        HomeLoop loop;
        loop.startAndWait();
        QThreadPool pool;
        pool.setMaxThreadCount(2);
        std::atomic<int> first{0};
        std::atomic<int> second{0};
        loop.call([&] {
            for (int i = 0; i < kChains; ++i) {
                runOnPool(&pool, [i] { return i; })
                    .then([&](int v) {
                        ++first;
                        return runOnPool(&pool, [v] { return v + 1; });
                    })
                    .unwrap()
                    .then([&](int) { ++second; });
            }
        });
        QTRY_COMPARE_WITH_TIMEOUT(second.load(), kChains, 60000);
        QCOMPARE(first.load(), kChains);
    }

    // Tasks under one key, queued from two home threads, never overlap and all run; other keys are not held up.
    void sequencerAcrossThreads()
    {
        constexpr int kTasks = 2000;
        HomeLoop a;
        HomeLoop b;
        a.startAndWait();
        b.startAndWait();
        QThreadPool pool;
        pool.setMaxThreadCount(2);
        KeyedSequencer sequencer;
        std::atomic<int> running{0};
        std::atomic<int> overlaps{0};
        std::atomic<int> finished{0};
        const auto task = [&]() -> QFuture<Status> {
            if (running.fetch_add(1) != 0)
                ++overlaps;
            return runOnPool(&pool, [&] {
                running.fetch_sub(1);
                return Status::ok();
            });
        };
        const auto queue = [&] {
            for (int i = 0; i < kTasks; ++i) {
                sequencer.run<Status>(QStringLiteral("key"), task, Status::fail(QStringLiteral("cancelled")))
                    .then([&](Status st) {
                        if (st)
                            ++finished;
                    });
            }
        };
        std::thread qa([&] { a.call(queue); });
        std::thread qb([&] { b.call(queue); });
        qa.join();
        qb.join();
        QTRY_COMPARE_WITH_TIMEOUT(finished.load(), 2 * kTasks, 60000);
        QCOMPARE(overlaps.load(), 0);
        QTRY_COMPARE(sequencer.busyKeys(), 0);
    }
};

QTEST_GUILESS_MAIN(TestHomeThread)
#include "tst_homethread.moc"
