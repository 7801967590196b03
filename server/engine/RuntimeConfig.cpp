#include "engine/RuntimeConfig.h"

#include "Duration.h"
#include "engine/storage/Storage.h"

#include <QJsonDocument>
#include <QMutexLocker>

namespace gk {

namespace {
const QString kStorageKey = QStringLiteral("sys/config/runtime");
}

const QList<RuntimeConfig::Key> &RuntimeConfig::keys()
{
    static const QList<Key> table{
        {QStringLiteral("log.level"), Type::Choice, QStringLiteral("info"),
         QStringLiteral("Lowest level of messages the server logs."),
         {QStringLiteral("debug"), QStringLiteral("info"), QStringLiteral("warning"), QStringLiteral("critical")}},
        {QStringLiteral("cluster.name"), Type::String, QStringLiteral("gatekeeper"),
         QStringLiteral("Name reported as cluster_name by sys/seal-status, sys/health and sys/leader."),
         {}},
        {QStringLiteral("metrics.unauthenticated"), Type::Bool, false,
         QStringLiteral("Answer GET /v1/sys/metrics without a token (for a Prometheus scraper)."),
         {}},
        {QStringLiteral("token.default_ttl"), Type::Duration, QStringLiteral("768h0m0s"),
         QStringLiteral("TTL of a new token that asks for none (root tokens excepted); 0 means none."),
         {}},
        {QStringLiteral("token.max_ttl"), Type::Duration, QStringLiteral("768h0m0s"),
         QStringLiteral("Longest life of a non-periodic token, counted from its creation, renewals included; "
                        "0 means no limit."),
         {}},
    };
    return table;
}

RuntimeConfig::RuntimeConfig(Storage *barrier) : m_barrier(barrier)
{
    QMutexLocker lock(&m_mutex);
    applyLocked({});
}

void RuntimeConfig::applyLocked(const QJsonObject &values)
{
    m_values = QJsonObject();
    for (const Key &key : keys()) {
        const QJsonValue given = values.value(key.name);
        Result<QJsonValue> normal = given.isUndefined() ? Result<QJsonValue>(key.defaultValue) : normalise(key, given);
        m_values.insert(key.name, normal ? normal.value() : key.defaultValue);
    }
}

void RuntimeConfig::notify(const QJsonObject &values) const
{
    std::function<void(const QString &, const QJsonValue &)> observer;
    {
        QMutexLocker lock(&m_mutex);
        observer = m_observer;
    }
    if (!observer)
        return;
    for (auto it = values.begin(); it != values.end(); ++it)
        observer(it.key(), it.value());
}

void RuntimeConfig::setObserver(std::function<void(const QString &, const QJsonValue &)> observer)
{
    QMutexLocker lock(&m_mutex);
    m_observer = std::move(observer);
}

QJsonObject RuntimeConfig::values() const
{
    QMutexLocker lock(&m_mutex);
    return m_values;
}

QJsonValue RuntimeConfig::value(const QString &name) const
{
    QMutexLocker lock(&m_mutex);
    return m_values.value(name);
}

void RuntimeConfig::reset()
{
    QJsonObject now;
    {
        QMutexLocker lock(&m_mutex);
        applyLocked({});
        now = m_values;
    }
    notify(now);
}

QFuture<Status> RuntimeConfig::load()
{
    return m_barrier->get(kStorageKey).then([this](Result<std::optional<QByteArray>> got) -> Status {
        if (!got)
            return got.status();
        QJsonObject stored;
        if (got.value().has_value())
            stored = QJsonDocument::fromJson(*got.value()).object();
        QJsonObject now;
        {
            QMutexLocker lock(&m_mutex);
            applyLocked(stored);
            now = m_values;
        }
        notify(now);
        return Status::ok();
    });
}

Result<QJsonValue> RuntimeConfig::normalise(const Key &key, const QJsonValue &value)
{
    const auto wrongType = [&](const QString &expected) {
        return Result<QJsonValue>::fail(QStringLiteral("config key \"%1\" must be %2").arg(key.name, expected), 400);
    };
    switch (key.type) {
    case Type::String:
        if (!value.isString())
            return wrongType(QStringLiteral("a string"));
        if (value.toString().size() > 256)
            return Result<QJsonValue>::fail(QStringLiteral("config key \"%1\" is longer than 256 characters").arg(key.name),
                                            400);
        return value;
    case Type::Bool:
        if (value.isBool())
            return value;
        if (value.isString() && (value.toString() == QLatin1String("true") || value.toString() == QLatin1String("false")))
            return QJsonValue(value.toString() == QLatin1String("true"));
        return wrongType(QStringLiteral("a boolean"));
    case Type::Int: {
        qint64 n = 0;
        bool ok = false;
        if (value.isDouble()) {
            const double d = value.toDouble();
            ok = d == static_cast<double>(static_cast<qint64>(d));
            n = static_cast<qint64>(d);
        } else if (value.isString()) {
            n = value.toString().toLongLong(&ok);
        }
        if (!ok)
            return wrongType(QStringLiteral("an integer"));
        if (n < key.min || n > key.max)
            return Result<QJsonValue>::fail(
                QStringLiteral("config key \"%1\" must be between %2 and %3").arg(key.name).arg(key.min).arg(key.max), 400);
        return QJsonValue(n);
    }
    case Type::Duration: {
        const auto seconds = parseDurationSeconds(value);
        if (!seconds)
            return wrongType(QStringLiteral("a duration such as \"90s\", \"30m\" or 3600"));
        return QJsonValue(formatDuration(*seconds));
    }
    case Type::Choice:
        if (!value.isString() || !key.choices.contains(value.toString()))
            return wrongType(QStringLiteral("one of ") + key.choices.join(QStringLiteral(", ")));
        return value;
    }
    return wrongType(QStringLiteral("valid"));
}

QFuture<Result<QJsonObject>> RuntimeConfig::update(const QJsonObject &changes, bool replace)
{
    QStringList errors;
    QJsonObject normalised;
    for (auto it = changes.begin(); it != changes.end(); ++it) {
        const auto key = std::find_if(keys().cbegin(), keys().cend(), [&](const Key &k) { return k.name == it.key(); });
        if (key == keys().cend()) {
            errors.append(QStringLiteral("unknown config key \"%1\"").arg(it.key()));
            continue;
        }
        Result<QJsonValue> value = normalise(*key, it.value());
        if (!value)
            errors.append(value.error());
        else
            normalised.insert(it.key(), value.value());
    }
    if (!errors.isEmpty())
        return QtFuture::makeReadyFuture(Result<QJsonObject>::fail(errors.join(QStringLiteral("; ")), 400));

    QJsonObject next;
    {
        QMutexLocker lock(&m_mutex);
        next = replace ? QJsonObject() : m_values;
    }
    for (auto it = normalised.begin(); it != normalised.end(); ++it)
        next.insert(it.key(), it.value());
    // Only values that differ from the default are stored.
    QJsonObject stored;
    for (const Key &key : keys()) {
        const QJsonValue v = next.value(key.name);
        if (!v.isUndefined() && v != key.defaultValue)
            stored.insert(key.name, v);
    }
    const QByteArray bytes = QJsonDocument(stored).toJson(QJsonDocument::Compact);
    return m_barrier->put(kStorageKey, bytes).then([this, stored](Status st) -> Result<QJsonObject> {
        if (!st)
            return st;
        QJsonObject now;
        {
            QMutexLocker lock(&m_mutex);
            applyLocked(stored);
            now = m_values;
        }
        notify(now);
        return now;
    });
}

} // namespace gk
