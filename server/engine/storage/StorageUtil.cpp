#include "engine/storage/StorageUtil.h"

#include "engine/Chain.h"
#include "engine/storage/Storage.h"

namespace gk {

Q_LOGGING_CATEGORY(lcStorage, "gatekeeper.storage")

namespace {
// The values of keys[from..] appended to got, one get() after the other.
QFuture<Result<Storage::Values>> getFrom(Storage *store, QStringList keys, qsizetype from, Storage::Values got)
{
    if (from >= keys.size())
        return QtFuture::makeReadyFuture(Result<Storage::Values>(std::move(got)));
    const QString key = keys.at(from);
    return chain(store->get(key),
                 [store, keys = std::move(keys), from, got = std::move(got)](
                     Result<std::optional<QByteArray>> value) mutable -> QFuture<Result<Storage::Values>> {
                     if (!value)
                         return QtFuture::makeReadyFuture(Result<Storage::Values>(value.status()));
                     got.append(value.takeValue());
                     return getFrom(store, std::move(keys), from + 1, std::move(got));
                 });
}
} // namespace

QFuture<Result<Storage::Values>> Storage::getMany(const QStringList &keys)
{
    Values got;
    got.reserve(keys.size());
    return getFrom(this, keys, 0, std::move(got));
}

QStringList childrenBelow(const QString &prefix, const QStringList &sortedKeys)
{
    QStringList out;
    for (const QString &key : sortedKeys) {
        if (!key.startsWith(prefix))
            continue;
        const QString rest = key.mid(prefix.size());
        if (rest.isEmpty())
            continue;
        const qsizetype slash = rest.indexOf(QLatin1Char('/'));
        const QString child = slash < 0 ? rest : rest.left(slash + 1);
        if (out.isEmpty() || out.constLast() != child)
            out.append(child);
    }
    return out;
}

Status validateKey(const QString &key)
{
    if (key.isEmpty())
        return Status::fail(QStringLiteral("storage key is empty"), 400);
    const qsizetype n = key.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = key.at(i);
        if (c.isHighSurrogate() && i + 1 < n && key.at(i + 1).isLowSurrogate()) {
            ++i;
            continue;
        }
        if (c.isSurrogate())
            return Status::fail(QStringLiteral("storage key is not valid Unicode"), 400);
    }
    return Status::ok();
}

Status validateOps(const QList<StorageOp> &ops)
{
    for (const StorageOp &op : ops) {
        if (Status st = validateKey(op.key); !st)
            return st;
    }
    return Status::ok();
}

} // namespace gk
