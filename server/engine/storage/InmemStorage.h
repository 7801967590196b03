#pragma once

#include "engine/storage/Storage.h"

#include <QMap>
#include <QMutex>

namespace gk {

// Storage in a sorted map, for --dev and tests. Every call completes at once.
class InmemStorage final : public Storage
{
public:
    InmemStorage() = default;
    Q_DISABLE_COPY_MOVE(InmemStorage)

    QString type() const override { return QStringLiteral("inmem"); }
    QFuture<Result<std::optional<QByteArray>>> get(const QString &key) override;
    QFuture<Result<Values>> getMany(const QStringList &keys) override;
    QFuture<Status> put(const QString &key, const QByteArray &value) override;
    QFuture<Status> remove(const QString &key) override;
    QFuture<Result<QStringList>> list(const QString &prefix) override;
    QFuture<Status> batch(const QList<StorageOp> &ops) override;

private:
    mutable QMutex m_mutex;
    QMap<QString, QByteArray> m_data;
};

} // namespace gk
