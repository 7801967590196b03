#pragma once

#include "engine/storage/Storage.h"

#include <QCache>
#include <QMutex>

#include <array>
#include <atomic>
#include <memory>

namespace gk {

// A read cache in front of a physical store that only this process writes (SQLite): get() answers from memory,
// at once, for the most recently used keys, so that hot reads (a token looked up on every request, a policy, a KV
// value) cost no trip to a reader thread. What it holds is what the physical store holds: values that the barrier
// above has already encrypted, and the absence of a key.
//
// Consistency: a write invalidates its keys before it is issued and again once it is durable, and a read fills the
// cache only when no write of its key started while it was reading (a generation counter per key stripe). A reader
// therefore never sees a value older than the last write that completed before its get() began.
//
// A shared store written by other processes (PostgreSQL in HA) must not be wrapped: this cache hears only its own
// writes.
class CachingStorage final : public Storage
{
public:
    // maxBytes bounds the cached keys and values (an absent key counts as its key's size).
    CachingStorage(std::unique_ptr<Storage> inner, qsizetype maxBytes);
    ~CachingStorage() override;
    Q_DISABLE_COPY_MOVE(CachingStorage)

    QString type() const override { return m_inner->type(); }
    bool sharedWithOtherServers() const override { return m_inner->sharedWithOtherServers(); }
    QFuture<Result<std::optional<QByteArray>>> get(const QString &key) override;
    QFuture<Result<Values>> getMany(const QStringList &keys) override;
    QFuture<Status> put(const QString &key, const QByteArray &value) override;
    QFuture<Status> remove(const QString &key) override;
    QFuture<Result<QStringList>> list(const QString &prefix) override;
    QFuture<Status> batch(const QList<StorageOp> &ops) override;

    struct Stats
    {
        quint64 hits = 0;
        quint64 misses = 0;
        qsizetype entries = 0;
    };
    Stats stats() const;
    Storage *inner() const { return m_inner.get(); }

private:
    struct Entry
    {
        std::optional<QByteArray> value;
    };
    static constexpr int kStripes = 256;

    std::atomic<quint64> &generation(const QString &key);
    // The cached value of key, if any (counted as a hit or a miss).
    std::optional<std::optional<QByteArray>> cached(const QString &key);
    // Keeps what a read of key found, unless a write of its stripe began after the read did (generation before).
    void fill(const QString &key, quint64 before, const std::optional<QByteArray> &value);
    // Before and after a write of keys: bump their stripes and drop them from the cache.
    void invalidate(const QStringList &keys);
    // Invalidates keys again once the write is durable (reads that raced it are not kept).
    QFuture<Status> afterWrite(QStringList keys, QFuture<Status> written);

    std::unique_ptr<Storage> m_inner;
    mutable QMutex m_mutex;
    QCache<QString, Entry> m_cache;
    std::array<std::atomic<quint64>, kStripes> m_generations{};
    std::atomic<quint64> m_hits{0};
    std::atomic<quint64> m_misses{0};
};

} // namespace gk
