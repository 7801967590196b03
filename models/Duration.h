#pragma once

#include <QJsonValue>
#include <QString>

#include <optional>

namespace gk {

// Vault's duration forms: 3600, "3600", "1h", "30m", "90s", "1h30m", "500ms", "0". Negative and
// fractional-second values are refused. Seconds are returned; milliseconds are rounded down.
std::optional<qint64> parseDurationSeconds(const QJsonValue &value);
std::optional<qint64> parseDurationSeconds(const QString &text);
// "1h30m0s"-style text for a number of seconds (Go's time.Duration format, as Vault prints it).
QString formatDuration(qint64 seconds);
// RFC 3339 in UTC, as Qt::ISODate writes it ("2026-12-06T23:20:00Z"), without building a QDateTime: answers carry
// several times each. Out of the years 0001–9999, QDateTime writes it.
QString formatRfc3339(qint64 secsSinceEpoch);
// The same with milliseconds, as Qt::ISODateWithMs writes it ("2026-12-06T23:20:00.123Z").
QString formatRfc3339Ms(qint64 msecsSinceEpoch);

} // namespace gk
