#pragma once

#include <QFuture>
#include <QHash>
#include <QMutex>
#include <QPromise>
#include <QString>

#include <functional>
#include <memory>

namespace gk {

// Runs asynchronous tasks one after the other per key: a task starts only once every task queued before it
// under the same key has finished; tasks under different keys do not wait for each other. This is what makes
// read-modify-write sequences on a Storage (which has no compare-and-swap) safe within one process.
// T is a Status or a Result<...>: a task whose future is cancelled answers a 503 failure. Thread-safe. Must
// outlive the tasks it runs.
class KeyedStrand final
{
public:
    KeyedStrand() = default;
    Q_DISABLE_COPY_MOVE(KeyedStrand)

    template <typename T> QFuture<T> run(const QString &key, std::function<QFuture<T>()> task)
    {
        auto done = std::make_shared<QPromise<void>>();
        done->start();
        QFuture<void> previous = enqueue(key, done->future());
        return previous.then(QtFuture::Launch::Sync, [task = std::move(task)] { return task(); })
            .unwrap()
            .then(QtFuture::Launch::Sync,
                  [this, key, done](T value) {
                      release(key, done);
                      return value;
                  })
            .onCanceled([this, key, done] {
                // The store went away under the task (shutdown): the key is released all the same.
                release(key, done);
                return T::fail(QStringLiteral("the token store is shutting down"), 503);
            });
    }

    // Whether a task is queued or running under key.
    bool isBusy(const QString &key) const;
    // Keys with queued or running tasks (for tests).
    qsizetype activeKeys() const;

private:
    struct Slot
    {
        QFuture<void> tail;
        int pending = 0;
    };
    QFuture<void> enqueue(const QString &key, const QFuture<void> &done);
    void release(const QString &key, const std::shared_ptr<QPromise<void>> &done);

    mutable QMutex m_mutex;
    QHash<QString, Slot> m_slots;
};

} // namespace gk
