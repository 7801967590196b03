#pragma once

#include <QFuture>
#include <QPromise>

#include <type_traits>
#include <utility>

namespace gk {

namespace detail {
template <typename> struct IsFuture : std::false_type
{};
template <typename U> struct IsFuture<QFuture<U>> : std::true_type
{
    using Value = U;
};

// Settles promise with what done holds: its result, or cancelled when it has none.
template <typename R> void settle(QPromise<R> &promise, const QFuture<R> &done)
{
    if (done.isCanceled() || done.resultCount() == 0)
        promise.future().cancel();
    else
        promise.addResult(done.result());
    promise.finish();
}

// Hands what next answers on to promise: now when next has finished, else when it does. A next that is cancelled
// never runs the continuation, which then goes away with the promise in it; QPromise cancels itself when it is
// destroyed unfinished, so the cancellation reaches promise's future too.
template <typename R> void forward(QPromise<R> promise, const QFuture<R> &next)
{
    if (next.isFinished()) {
        settle(promise, next);
        return;
    }
    QFuture<R>(next).then([promise = std::move(promise)](const QFuture<R> &done) mutable { settle(promise, done); });
}
} // namespace detail

// The next step of a request: future.then(fn), unwrapped when fn answers a future of its own.
//
// When the future has already finished with a value (a cache hit, a refusal decided at once), fn runs now and no
// continuation is attached. Qt's then() on a finished future runs fn at once as well, in the same thread, so the
// order of effects is the same; what it costs besides is a continuation object, a new future with its own state,
// mutex and wait condition for every step. A request answered from memory passes a dozen steps.
//
// When the future is still running and fn answers a future, the step's answer is one promise, settled by a
// continuation on the future and, when fn's future is still running too, one on that. Qt's then().unwrap() makes
// six futures for the same: then()'s own, unwrap()'s promise, and a then() and an onCanceled() on each of the two.
// A cancelled future (a promise given up at shutdown) cancels the step's answer, as it does with Qt's.
template <typename T, typename Fn> auto chain(const QFuture<T> &future, Fn fn)
{
    static_assert(!std::is_void_v<T>, "chain() passes the future's value to the next step");
    using Next = std::invoke_result_t<Fn &, T>;
    const bool now = future.isFinished() && !future.isCanceled() && future.resultCount() > 0;
    if constexpr (detail::IsFuture<Next>::value) {
        if (now)
            return fn(future.result());
        using R = typename detail::IsFuture<Next>::Value;
        static_assert(!std::is_void_v<R>, "chain() steps answer a value");
        QPromise<R> promise;
        promise.start();
        QFuture<R> answer = promise.future();
        QFuture<T>(future).then([promise = std::move(promise), fn = std::move(fn)](T value) mutable {
            detail::forward(std::move(promise), fn(std::move(value)));
        });
        return answer;
    } else {
        if (now)
            return QtFuture::makeReadyFuture<Next>(fn(future.result()));
        return QFuture<T>(future).then(std::move(fn));
    }
}

} // namespace gk
