#pragma once

#include "engine/HomeThread.h"

#include <QFuture>
#include <QHash>
#include <QMutex>
#include <QString>

#include <deque>
#include <functional>
#include <memory>
#include <optional>

namespace gk {

// Runs asynchronous tasks one after another per key: a task starts once every task queued before it under the
// same key has finished; tasks under different keys run independently. This is how a read-modify-write of one
// storage entry (a secret id's remaining uses, the mount table, an alias's entity) is made atomic without
// holding a lock across storage calls. No thread is blocked while a task waits: a waiting task holds a turn (a
// HomePromise made in its own thread), which the task before it hands over when it ends, so the wait is finished
// in the thread that waits (see HomeThread). Thread-safe; the queue state is shared with the queued
// continuations, so the sequencer may be destroyed while tasks are still running.
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
        const auto release = [state, key] { state->release(key); };
        auto start = [task = std::move(task), release, onCancel]() -> QFuture<T> {
            QFuture<T> running = task();
            if (running.isFinished() && !running.isCanceled() && running.resultCount() > 0) {
                release(); // done at once (a refusal, a value from memory): no continuation needed
                return running;
            }
            return running
                .then([release](T value) {
                    release();
                    return value;
                })
                .onCanceled([release, onCancel]() {
                    release();
                    return onCancel;
                });
        };
        std::optional<QFuture<void>> turn = state->enter(key);
        if (!turn)
            return start();
        return turn->then([start = std::move(start)]() { return start(); }).unwrap();
    }

    // Whether a task is queued or running under key.
    bool isBusy(const QString &key) const;
    // The number of keys with a task queued or running (for tests).
    qsizetype busyKeys() const;

private:
    struct State
    {
        // Takes key when it is free (nothing to wait for), else queues a turn and answers the future to wait on.
        std::optional<QFuture<void>> enter(const QString &key);
        // Ends the running task under key: hands the key to the first waiter, or frees it.
        void release(const QString &key);

        mutable QMutex mutex;
        QHash<QString, std::deque<HomePromise<void>>> waiting; // a key is here while a task runs under it
    };
    std::shared_ptr<State> m_state;
};

} // namespace gk
