#pragma once

#include "engine/backends/KeyedSequencer.h"

#include <QFuture>
#include <QString>

#include <functional>

namespace gk {

// The token store's per-key sequencer (KeyedSequencer): tasks under one key run one after the other, which is what
// makes read-modify-write sequences on a Storage (which has no compare-and-swap) safe within one process. T is a
// Status or a Result<...>: a task whose future is cancelled answers a 503 failure. Thread-safe.
class KeyedStrand final
{
public:
    KeyedStrand() = default;
    Q_DISABLE_COPY_MOVE(KeyedStrand)

    template <typename T> QFuture<T> run(const QString &key, std::function<QFuture<T>()> task)
    {
        return m_sequencer.run<T>(key, std::move(task),
                                  T::fail(QStringLiteral("the token store is shutting down"), 503));
    }

    // Whether a task is queued or running under key.
    bool isBusy(const QString &key) const { return m_sequencer.isBusy(key); }
    // Keys with queued or running tasks (for tests).
    qsizetype activeKeys() const { return m_sequencer.busyKeys(); }

private:
    KeyedSequencer m_sequencer;
};

} // namespace gk
