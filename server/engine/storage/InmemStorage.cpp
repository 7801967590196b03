#include "engine/storage/InmemStorage.h"

#include "engine/storage/StorageUtil.h"

#include <QFuture>
#include <QMutexLocker>

namespace gk {

QFuture<Result<std::optional<QByteArray>>> InmemStorage::get(const QString &key)
{
    if (Status st = validateKey(key); !st)
        return QtFuture::makeReadyFuture(Result<std::optional<QByteArray>>(st));
    QMutexLocker lock(&m_mutex);
    const auto it = m_data.constFind(key);
    std::optional<QByteArray> value;
    if (it != m_data.cend())
        value = it.value();
    return QtFuture::makeReadyFuture(Result<std::optional<QByteArray>>(std::move(value)));
}

QFuture<Result<Storage::Values>> InmemStorage::getMany(const QStringList &keys)
{
    for (const QString &key : keys) {
        if (Status st = validateKey(key); !st)
            return QtFuture::makeReadyFuture(Result<Values>(st));
    }
    Values values;
    values.reserve(keys.size());
    QMutexLocker lock(&m_mutex);
    for (const QString &key : keys) {
        const auto it = m_data.constFind(key);
        values.append(it != m_data.cend() ? std::optional<QByteArray>(it.value()) : std::nullopt);
    }
    return QtFuture::makeReadyFuture(Result<Values>(std::move(values)));
}

QFuture<Status> InmemStorage::put(const QString &key, const QByteArray &value)
{
    if (Status st = validateKey(key); !st)
        return QtFuture::makeReadyFuture(st);
    QMutexLocker lock(&m_mutex);
    m_data.insert(key, value);
    return QtFuture::makeReadyFuture(Status::ok());
}

QFuture<Status> InmemStorage::remove(const QString &key)
{
    if (Status st = validateKey(key); !st)
        return QtFuture::makeReadyFuture(st);
    QMutexLocker lock(&m_mutex);
    m_data.remove(key);
    return QtFuture::makeReadyFuture(Status::ok());
}

QFuture<Result<QStringList>> InmemStorage::list(const QString &prefix)
{
    if (!prefix.isEmpty()) {
        if (Status st = validateKey(prefix); !st)
            return QtFuture::makeReadyFuture(Result<QStringList>(st));
    }
    QStringList keys;
    {
        QMutexLocker lock(&m_mutex);
        for (auto it = m_data.lowerBound(prefix); it != m_data.cend() && it.key().startsWith(prefix); ++it)
            keys.append(it.key());
    }
    return QtFuture::makeReadyFuture(Result<QStringList>(childrenBelow(prefix, keys)));
}

QFuture<Status> InmemStorage::batch(const QList<StorageOp> &ops)
{
    // Validated before anything is applied, so a bad op leaves the store as it was.
    if (Status st = validateOps(ops); !st)
        return QtFuture::makeReadyFuture(st);
    QMutexLocker lock(&m_mutex);
    for (const StorageOp &op : ops) {
        if (op.kind == StorageOp::Kind::Put)
            m_data.insert(op.key, op.value);
        else
            m_data.remove(op.key);
    }
    return QtFuture::makeReadyFuture(Status::ok());
}

} // namespace gk
