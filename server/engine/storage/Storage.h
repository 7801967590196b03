#pragma once

#include "engine/Result.h"

#include <QByteArray>
#include <QFuture>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace gk {

// One write in an atomic batch.
struct StorageOp
{
    enum class Kind { Put, Delete };
    Kind kind = Kind::Put;
    QString key;
    QByteArray value;

    static StorageOp put(QString key, QByteArray value) { return {Kind::Put, std::move(key), std::move(value)}; }
    static StorageOp remove(QString key) { return {Kind::Delete, std::move(key), {}}; }
};

// A key-value store with Vault's physical-storage semantics. Keys are '/'-separated paths.
//
// Every call is asynchronous and thread-safe: it may be made from any thread, and the returned future
// is fulfilled from a storage thread (or at once). A write's future is fulfilled only after the write
// is durable. list(prefix) returns the names directly below prefix, sorted: plain keys as their last
// segment, and sub-folders as "name/" (each once).
//
// The same interface is offered by the physical backends (SQLite, in-memory, PostgreSQL) and by the
// Barrier, which encrypts values on their way to a physical backend.
class Storage
{
public:
    virtual ~Storage() = default;

    using Values = QList<std::optional<QByteArray>>;

    virtual QString type() const = 0;
    virtual QFuture<Result<std::optional<QByteArray>>> get(const QString &key) = 0;
    // The values of keys, in their order, in one trip where the store can (one reader, one hop to its thread).
    // Fails as a whole when any read fails. This implementation reads one key after the other with get().
    virtual QFuture<Result<Values>> getMany(const QStringList &keys);
    virtual QFuture<Status> put(const QString &key, const QByteArray &value) = 0;
    virtual QFuture<Status> remove(const QString &key) = 0;
    virtual QFuture<Result<QStringList>> list(const QString &prefix) = 0;
    // All of ops or none of them, in order.
    virtual QFuture<Status> batch(const QList<StorageOp> &ops) = 0;
    // True when other servers write the same store (high availability): nothing read from it may then be kept in
    // memory to answer later reads, since this server does not see their writes happen.
    virtual bool sharedWithOtherServers() const { return false; }
};

} // namespace gk
