// chain(): the next step of a request runs at once on a finished future and after it on a pending one, with the
// same answers as QFuture::then() (and unwrap()), and a cancelled future stays cancelled.

#include "engine/Chain.h"

#include <QFuture>
#include <QPromise>
#include <QTest>

#include <memory>

using namespace gk;

class TestChain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void finishedRunsNow();
    void finishedUnwrapsNow();
    void pendingRunsWhenFinished();
    void pendingUnwraps();
    void cancelledStaysCancelled();
    void pendingCancelledSkipsStep();
    void innerCancelledCancelsAnswer();
};

void TestChain::finishedRunsNow()
{
    int calls = 0;
    const QFuture<int> next = chain(QtFuture::makeReadyFuture(20), [&calls](int v) {
        ++calls;
        return v + 1;
    });
    QCOMPARE(calls, 1); // before anyone waits
    QVERIFY(next.isFinished());
    QCOMPARE(next.result(), 21);
}

void TestChain::finishedUnwrapsNow()
{
    const QFuture<QString> next =
        chain(QtFuture::makeReadyFuture(7), [](int v) { return QtFuture::makeReadyFuture(QString::number(v * 6)); });
    QVERIFY(next.isFinished());
    QCOMPARE(next.result(), QStringLiteral("42"));

    // A step that answers a pending future gives that future's answer.
    QPromise<QString> later;
    later.start();
    const QFuture<QString> waiting = chain(QtFuture::makeReadyFuture(1), [&later](int) { return later.future(); });
    QVERIFY(!waiting.isFinished());
    later.addResult(QStringLiteral("done"));
    later.finish();
    QCOMPARE(waiting.result(), QStringLiteral("done"));
}

void TestChain::pendingRunsWhenFinished()
{
    QPromise<int> promise;
    promise.start();
    int calls = 0;
    const QFuture<int> next = chain(promise.future(), [&calls](int v) {
        ++calls;
        return v * 2;
    });
    QCOMPARE(calls, 0);
    QVERIFY(!next.isFinished());
    promise.addResult(21);
    promise.finish();
    QCOMPARE(next.result(), 42);
    QCOMPARE(calls, 1);
}

void TestChain::pendingUnwraps()
{
    QPromise<int> first;
    first.start();
    QPromise<int> second;
    second.start();
    const QFuture<int> next =
        chain(first.future(), [&second](int v) { return chain(second.future(), [v](int w) { return v + w; }); });
    first.addResult(40);
    first.finish();
    QVERIFY(!next.isFinished());
    second.addResult(2);
    second.finish();
    QCOMPARE(next.result(), 42);
}

void TestChain::cancelledStaysCancelled()
{
    QFuture<int> cancelled;
    {
        QPromise<int> promise;
        promise.start();
        cancelled = promise.future();
        // A promise dropped without a result cancels its future.
    }
    QVERIFY(cancelled.isCanceled());
    int calls = 0;
    QFuture<int> next = chain(cancelled, [&calls](int v) {
        ++calls;
        return v;
    });
    next.waitForFinished();
    QVERIFY(next.isCanceled());
    QCOMPARE(calls, 0);
}

void TestChain::pendingCancelledSkipsStep()
{
    // The future is given up after the step that answers a future was attached: the step never runs and the
    // answer is cancelled.
    int calls = 0;
    QFuture<int> next;
    {
        QPromise<int> promise;
        promise.start();
        next = chain(promise.future(), [&calls](int v) {
            ++calls;
            return QtFuture::makeReadyFuture(v);
        });
        QVERIFY(!next.isFinished());
    }
    next.waitForFinished();
    QVERIFY(next.isCanceled());
    QCOMPARE(next.resultCount(), 0);
    QCOMPARE(calls, 0);
}

void TestChain::innerCancelledCancelsAnswer()
{
    // Both futures pending; the step's own future is given up.
    QPromise<int> first;
    first.start();
    auto second = std::make_unique<QPromise<int>>();
    second->start();
    const QFuture<int> inner = second->future();
    QFuture<int> next = chain(first.future(), [inner](int) { return inner; });
    first.addResult(1);
    first.finish();
    QVERIFY(!next.isFinished());
    second.reset();
    next.waitForFinished();
    QVERIFY(next.isCanceled());
    QCOMPARE(next.resultCount(), 0);

    // The step's future already cancelled when the step answers it.
    QPromise<int> third;
    third.start();
    QFuture<int> gone;
    {
        QPromise<int> dropped;
        dropped.start();
        gone = dropped.future();
    }
    QFuture<int> after = chain(third.future(), [gone](int) { return gone; });
    third.addResult(2);
    third.finish();
    after.waitForFinished();
    QVERIFY(after.isCanceled());
    QCOMPARE(after.resultCount(), 0);
}

QTEST_GUILESS_MAIN(TestChain)
#include "tst_chain.moc"
