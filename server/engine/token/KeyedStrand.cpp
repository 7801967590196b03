#include "engine/token/KeyedStrand.h"

#include <QMutexLocker>

namespace gk {

QFuture<void> KeyedStrand::enqueue(const QString &key, const QFuture<void> &done)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_slots.find(key);
    if (it == m_slots.end())
        it = m_slots.insert(key, Slot{QtFuture::makeReadyFuture(), 0});
    QFuture<void> previous = it->tail;
    it->tail = done;
    ++it->pending;
    return previous;
}

void KeyedStrand::release(const QString &key, const std::shared_ptr<QPromise<void>> &done)
{
    // Finishing may run the next task of this key at once, on this thread: no lock is held meanwhile.
    done->finish();
    QMutexLocker lock(&m_mutex);
    const auto it = m_slots.find(key);
    if (it != m_slots.end() && --it->pending == 0)
        m_slots.erase(it);
}

bool KeyedStrand::isBusy(const QString &key) const
{
    QMutexLocker lock(&m_mutex);
    return m_slots.contains(key);
}

qsizetype KeyedStrand::activeKeys() const
{
    QMutexLocker lock(&m_mutex);
    return m_slots.size();
}

} // namespace gk
