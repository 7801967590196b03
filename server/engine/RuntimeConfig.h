#pragma once

#include "engine/Result.h"

#include <QFuture>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <functional>

namespace gk {

class Storage;

// The server's runtime settings (GET|PATCH|PUT /v1/config): dotted keys from one table of names, types and
// defaults, kept in the barrier at "sys/config/runtime". Unknown keys and wrong types are refused (400)
// and change nothing. Thread-safe.
class RuntimeConfig final
{
public:
    enum class Type { String, Bool, Int, Duration, Choice };
    struct Key
    {
        QString name;
        Type type;
        QJsonValue defaultValue;
        QString help;
        QStringList choices; // for Type::Choice
        qint64 min = 0;      // for Type::Int
        qint64 max = 0;
    };
    static const QList<Key> &keys();

    explicit RuntimeConfig(Storage *barrier);
    Q_DISABLE_COPY_MOVE(RuntimeConfig)

    // Reads the stored values (after unseal); missing keys keep their defaults.
    QFuture<Status> load();
    // Back to defaults in memory (on seal).
    void reset();
    QJsonObject values() const;
    QJsonValue value(const QString &name) const;
    // PATCH: the given keys change, others stay. PUT (replace = true): keys not given return to their default.
    QFuture<Result<QJsonObject>> update(const QJsonObject &changes, bool replace);

    // Called after a value changed (from any thread), and once per key after load()/reset().
    void setObserver(std::function<void(const QString &name, const QJsonValue &value)> observer);
    // Validates and normalises one value for a key: the normalised value, or a 400 naming the key.
    static Result<QJsonValue> normalise(const Key &key, const QJsonValue &value);

private:
    void applyLocked(const QJsonObject &values);
    void notify(const QJsonObject &values) const;

    Storage *m_barrier;
    mutable QMutex m_mutex;
    QJsonObject m_values;
    std::function<void(const QString &, const QJsonValue &)> m_observer;
};

} // namespace gk
