#pragma once

#include <QFuture>

#include <type_traits>
#include <utility>

namespace gk {

namespace detail {
template <typename> struct IsFuture : std::false_type
{};
template <typename U> struct IsFuture<QFuture<U>> : std::true_type
{};
} // namespace detail

// The next step of a request: future.then(fn), unwrapped when fn answers a future of its own. When the future has
// already finished with a value (a cache hit, a refusal decided at once), fn runs now and no continuation is
// attached. Qt's then() on a finished future runs fn at once as well, in the same thread, so the order of effects
// is the same; what it costs besides is a continuation object, a new future with its own state, mutex and wait
// condition, and (with unwrap) a second one, for every step. A request answered from memory passes a dozen steps.
// A cancelled future, or one still running, takes the ordinary then().
template <typename T, typename Fn> auto chain(const QFuture<T> &future, Fn fn)
{
    static_assert(!std::is_void_v<T>, "chain() passes the future's value to the next step");
    using Next = std::invoke_result_t<Fn &, T>;
    const bool now = future.isFinished() && !future.isCanceled() && future.resultCount() > 0;
    if constexpr (detail::IsFuture<Next>::value) {
        if (now)
            return fn(future.result());
        return QFuture<T>(future).then(std::move(fn)).unwrap();
    } else {
        if (now)
            return QtFuture::makeReadyFuture<Next>(fn(future.result()));
        return QFuture<T>(future).then(std::move(fn));
    }
}

} // namespace gk
