#include "engine/backends/KeyedSequencer.h"

#include <QMutexLocker>

namespace gk {

std::optional<QFuture<void>> KeyedSequencer::State::enter(const QString &key)
{
    QMutexLocker lock(&mutex);
    const auto it = waiting.find(key);
    if (it == waiting.end()) {
        waiting.insert(key, {});
        return std::nullopt;
    }
    const HomePromise<void> turn;
    it->push_back(turn);
    return turn.future();
}

void KeyedSequencer::State::release(const QString &key)
{
    std::optional<HomePromise<void>> next;
    {
        QMutexLocker lock(&mutex);
        const auto it = waiting.find(key);
        if (it == waiting.end())
            return;
        if (it->empty()) {
            waiting.erase(it);
            return;
        }
        next = it->front();
        it->pop_front();
    }
    // Outside the lock: in the waiter's own thread, its task may start at once.
    next->finish();
}

bool KeyedSequencer::isBusy(const QString &key) const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->waiting.contains(key);
}

qsizetype KeyedSequencer::busyKeys() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->waiting.size();
}

} // namespace gk
