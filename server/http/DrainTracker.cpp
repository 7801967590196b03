#include "http/DrainTracker.h"

#include <QMutexLocker>

namespace gk {

DrainTracker::DrainTracker()
{
    m_promise.start();
}

DrainTracker::~DrainTracker()
{
    QMutexLocker locker(&m_mutex);
    if (!m_finished) {
        // Nobody waits for a drain that cannot happen any more; cancel rather than leave the future pending.
        m_promise.future().cancel();
        m_promise.finish();
    }
}

void DrainTracker::begin()
{
    m_inFlight.fetch_add(1, std::memory_order_acq_rel);
}

void DrainTracker::end()
{
    if (m_inFlight.fetch_sub(1, std::memory_order_acq_rel) == 1 && isDraining())
        finishIfDrained();
}

void DrainTracker::startDraining()
{
    m_draining.store(true, std::memory_order_release);
    finishIfDrained();
}

void DrainTracker::setNotifier(std::function<void()> notifier)
{
    QMutexLocker locker(&m_mutex);
    m_notifier = std::move(notifier);
}

void DrainTracker::finishIfDrained()
{
    QMutexLocker locker(&m_mutex);
    if (m_finished || m_inFlight.load(std::memory_order_acquire) != 0)
        return;
    m_finished = true;
    m_promise.finish();
    if (m_notifier)
        m_notifier();
}

} // namespace gk
