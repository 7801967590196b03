#include "engine/storage/CachingStorage.h"

#include <QFuture>
#include <QHash>
#include <QMutexLocker>

namespace gk {

CachingStorage::CachingStorage(std::unique_ptr<Storage> inner, qsizetype maxBytes)
    : m_inner(std::move(inner)), m_cache(maxBytes)
{
}

CachingStorage::~CachingStorage()
{
    // The inner store completes what is still queued as it goes, and those completions reach this object's
    // continuations: let them run while the cache is still here.
    m_inner.reset();
}

std::atomic<quint64> &CachingStorage::generation(const QString &key)
{
    return m_generations[qHash(key) % kStripes];
}

std::optional<std::optional<QByteArray>> CachingStorage::cached(const QString &key)
{
    {
        QMutexLocker lock(&m_mutex);
        if (const Entry *entry = m_cache.object(key)) {
            m_hits.fetch_add(1, std::memory_order_relaxed);
            return entry->value;
        }
    }
    m_misses.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
}

void CachingStorage::fill(const QString &key, quint64 before, const std::optional<QByteArray> &value)
{
    QMutexLocker lock(&m_mutex);
    // Only when no write of this stripe started meanwhile: such a write may have made this value stale.
    if (generation(key).load(std::memory_order_acquire) != before)
        return;
    const qsizetype cost = key.size() * 2 + (value ? value->size() : 0) + 64;
    m_cache.insert(key, new Entry{value}, cost);
}

QFuture<Result<std::optional<QByteArray>>> CachingStorage::get(const QString &key)
{
    if (std::optional<std::optional<QByteArray>> hit = cached(key))
        return QtFuture::makeReadyFuture(Result<std::optional<QByteArray>>(std::move(*hit)));
    const quint64 before = generation(key).load(std::memory_order_acquire);
    return m_inner->get(key).then([this, key, before](Result<std::optional<QByteArray>> read) {
        if (read.isOk())
            fill(key, before, read.value());
        return read;
    });
}

QFuture<Result<Storage::Values>> CachingStorage::getMany(const QStringList &keys)
{
    Values values(keys.size());
    QList<qsizetype> missing;
    QStringList missingKeys;
    QList<quint64> before;
    for (qsizetype i = 0; i < keys.size(); ++i) {
        if (std::optional<std::optional<QByteArray>> hit = cached(keys.at(i))) {
            values[i] = std::move(*hit);
            continue;
        }
        missing.append(i);
        missingKeys.append(keys.at(i));
        before.append(generation(keys.at(i)).load(std::memory_order_acquire));
    }
    if (missing.isEmpty())
        return QtFuture::makeReadyFuture(Result<Values>(std::move(values)));
    return m_inner->getMany(missingKeys)
        .then([this, values = std::move(values), missing, missingKeys,
               before](Result<Values> read) mutable -> Result<Values> {
            if (!read)
                return read.status();
            for (qsizetype i = 0; i < missing.size(); ++i) {
                fill(missingKeys.at(i), before.at(i), read.value().at(i));
                values[missing.at(i)] = read.value().at(i);
            }
            return std::move(values);
        });
}

void CachingStorage::invalidate(const QStringList &keys)
{
    QMutexLocker lock(&m_mutex);
    for (const QString &key : keys) {
        generation(key).fetch_add(1, std::memory_order_acq_rel);
        m_cache.remove(key);
    }
}

QFuture<Status> CachingStorage::afterWrite(QStringList keys, QFuture<Status> written)
{
    return written.then([this, keys = std::move(keys)](Status status) {
        invalidate(keys);
        return status;
    });
}

QFuture<Status> CachingStorage::put(const QString &key, const QByteArray &value)
{
    invalidate({key});
    return afterWrite({key}, m_inner->put(key, value));
}

QFuture<Status> CachingStorage::remove(const QString &key)
{
    invalidate({key});
    return afterWrite({key}, m_inner->remove(key));
}

QFuture<Status> CachingStorage::batch(const QList<StorageOp> &ops)
{
    QStringList keys;
    keys.reserve(ops.size());
    for (const StorageOp &op : ops)
        keys.append(op.key);
    invalidate(keys);
    return afterWrite(std::move(keys), m_inner->batch(ops));
}

QFuture<Result<QStringList>> CachingStorage::list(const QString &prefix)
{
    return m_inner->list(prefix);
}

CachingStorage::Stats CachingStorage::stats() const
{
    QMutexLocker lock(&m_mutex);
    return {m_hits.load(std::memory_order_relaxed), m_misses.load(std::memory_order_relaxed), m_cache.count()};
}

} // namespace gk
