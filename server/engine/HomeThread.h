#pragma once

#include "engine/ThreadMailbox.h"

#include <QFuture>
#include <QPromise>
#include <QThreadPool>

#include <memory>
#include <type_traits>
#include <utility>

class QObject;

namespace gk {

// Why futures are finished "at home".
//
// Qt 6.4 runs a continuation twice if it is attached to a future in the short moment between another thread marking
// that future finished and that thread running the future's continuation: QFutureInterfaceBase::setContinuation()
// runs the continuation at once for a finished future and then stores it, where the finishing thread's
// runContinuation() finds it and runs it again, with its promise already moved out (a crash in reportStarted()).
// The engine therefore finishes each future in the thread that attaches continuations to it: a request's chain is
// built in one server thread, and every asynchronous step it waits for (a storage read on the pool, a durable
// write, a key derivation, a turn in a per-key queue) hands its completion back to that thread instead of
// finishing the future where the work ran.
//
// A HomeThread marks the thread it is created in, which must run an event loop, as such a home for as long as it
// lives. Futures made in a thread that is not a home (a test's main thread, a pool thread) are finished where their
// work ends, as plain QPromises are.
class HomeThread final
{
public:
    HomeThread();
    ~HomeThread();
    Q_DISABLE_COPY_MOVE(HomeThread)

    // The mailbox of the current thread's home, or null when the current thread is not one.
    static std::shared_ptr<ThreadMailbox> current();

private:
    std::unique_ptr<QObject> m_target;
    std::shared_ptr<ThreadMailbox> m_mailbox;
    std::shared_ptr<ThreadMailbox> m_previous;
};

// A promise whose future is finished in the home of the thread that made it, whichever thread fulfils it. Started
// on construction; a copy is a handle on the same promise (fulfil it once). If it is never fulfilled, the future
// is cancelled when the last handle goes.
template <typename T> class HomePromise final
{
public:
    HomePromise() : m_promise(std::make_shared<QPromise<T>>()), m_home(HomeThread::current()) { m_promise->start(); }

    QFuture<T> future() const { return m_promise->future(); }

    template <typename V = T, typename = std::enable_if_t<!std::is_void_v<V>>> void finish(V value) const
    {
        m_promise->addResult(std::move(value));
        finish();
    }

    void finish() const
    {
        const std::shared_ptr<QPromise<T>> promise = m_promise;
        if (!m_home || !m_home->post([promise] { promise->finish(); }))
            promise->finish();
    }

private:
    std::shared_ptr<QPromise<T>> m_promise;
    std::shared_ptr<ThreadMailbox> m_home;
};

// Runs fn() on pool and answers its value in the caller's home (see HomeThread): QtConcurrent::run for the engine.
template <typename Fn> auto runOnPool(QThreadPool *pool, Fn fn) -> QFuture<std::invoke_result_t<Fn>>
{
    using T = std::invoke_result_t<Fn>;
    HomePromise<T> answer;
    pool->start([answer, fn = std::move(fn)]() mutable {
        if constexpr (std::is_void_v<T>) {
            fn();
            answer.finish();
        } else {
            answer.finish(fn());
        }
    });
    return answer.future();
}

} // namespace gk
