#pragma once

#include <QFuture>
#include <QHash>
#include <QMutex>
#include <QMutexLocker>
#include <QPromise>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace gk {

// Runs asynchronous tasks one after another per key: a task starts once every task queued before it under the
// same key has finished; tasks under different keys run independently. This is how a read-modify-write of one
// storage entry (a secret id's remaining uses, the mount table, an alias's entity) is made atomic without
// holding a lock across storage calls. No thread is blocked while a task waits. Thread-safe; the queue state is
// shared with the queued continuations, so the sequencer may be destroyed while tasks are still running.
class KeyedSequencer final
{
public:
    KeyedSequencer() : m_state(std::make_shared<State>()) {}
    Q_DISABLE_COPY_MOVE(KeyedSequencer)

    // Queues task under key and returns its answer. When the task's future is cancelled (its storage went away),
    // the answer is onCancel and the key is released all the same.
    template <typename T> QFuture<T> run(const QString &key, std::function<QFuture<T>()> task, T onCancel)
    {
        const std::shared_ptr<State> state = m_state;
        auto gate = std::make_shared<QPromise<void>>();
        gate->start();
        std::optional<QFuture<void>> previous;
        quint64 ticket = 0;
        {
            QMutexLocker lock(&state->mutex);
            ticket = ++state->nextTicket;
            const auto it = state->tails.constFind(key);
            if (it != state->tails.cend())
                previous = it->done;
            state->tails.insert(key, Tail{gate->future(), ticket});
        }
        const auto release = [state, gate, key, ticket] {
            {
                QMutexLocker lock(&state->mutex);
                const auto it = state->tails.find(key);
                if (it != state->tails.end() && it->ticket == ticket)
                    state->tails.erase(it);
            }
            gate->finish();
        };
        auto start = [task = std::move(task), release, onCancel]() -> QFuture<T> {
            return task()
                .then([release](T value) {
                    release();
                    return value;
                })
                .onCanceled([release, onCancel]() {
                    release();
                    return onCancel;
                });
        };
        if (!previous || previous->isFinished())
            return start();
        return previous->then([start = std::move(start)]() { return start(); }).unwrap();
    }

    // The number of keys with a task queued or running (for tests).
    qsizetype busyKeys() const
    {
        QMutexLocker lock(&m_state->mutex);
        return m_state->tails.size();
    }

private:
    struct Tail
    {
        QFuture<void> done;
        quint64 ticket = 0;
    };
    struct State
    {
        mutable QMutex mutex;
        QHash<QString, Tail> tails;
        quint64 nextTicket = 0;
    };
    std::shared_ptr<State> m_state;
};

} // namespace gk
