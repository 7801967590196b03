#pragma once

#include <QMetaObject>
#include <QMutex>
#include <QMutexLocker>
#include <QObject>
#include <QThread>

#include <utility>

namespace gk {

// Carries work from any thread into the thread of one target object (a server thread's worker, a HomeThread),
// safely even while the target is being destroyed: its owner closes the mailbox (under the same lock) before the
// target goes away, after which post() refuses and the caller's functor is simply destroyed.
class ThreadMailbox final
{
public:
    explicit ThreadMailbox(QObject *target) : m_target(target), m_thread(target->thread()) {}
    Q_DISABLE_COPY_MOVE(ThreadMailbox)

    // Runs fn in the target's thread: at once when called from that thread, else queued. False when closed.
    template <typename Fn> bool post(Fn &&fn)
    {
        QMutexLocker locker(&m_mutex);
        if (!m_target)
            return false;
        if (QThread::currentThread() == m_thread) {
            locker.unlock();
            std::forward<Fn>(fn)();
            return true;
        }
        QMetaObject::invokeMethod(m_target, std::forward<Fn>(fn), Qt::QueuedConnection);
        return true;
    }

    void close()
    {
        QMutexLocker locker(&m_mutex);
        m_target = nullptr;
    }

private:
    QMutex m_mutex;
    QObject *m_target;
    QThread *m_thread;
};

} // namespace gk
