#pragma once

#include <QFuture>
#include <QMutex>
#include <QPromise>

#include <atomic>
#include <functional>

namespace gk {

// Counts requests in flight (handed to the RequestHandler, not yet answered) and open connections across the
// server threads, and tells once, after draining started, when no request is in flight any more.
// Thread-safe; shared by the HttpServer and its workers.
class DrainTracker final
{
public:
    DrainTracker();
    ~DrainTracker();
    Q_DISABLE_COPY_MOVE(DrainTracker)

    void begin();
    void end();
    int inFlight() const { return m_inFlight.load(std::memory_order_relaxed); }

    void connectionOpened() { m_connections.fetch_add(1, std::memory_order_relaxed); }
    void connectionClosed() { m_connections.fetch_sub(1, std::memory_order_relaxed); }
    int connections() const { return m_connections.load(std::memory_order_relaxed); }

    // From now on, the first moment with nothing in flight finishes drained() and calls the notifier.
    void startDraining();
    bool isDraining() const { return m_draining.load(std::memory_order_acquire); }
    QFuture<void> drained() const { return m_promise.future(); }
    // Called once (from any thread) when drained. Cleared by the owner before it goes away.
    void setNotifier(std::function<void()> notifier);

private:
    void finishIfDrained();

    std::atomic<int> m_inFlight{0};
    std::atomic<int> m_connections{0};
    std::atomic<bool> m_draining{false};
    QMutex m_mutex;
    QPromise<void> m_promise;
    bool m_finished = false;
    std::function<void()> m_notifier;
};

} // namespace gk
