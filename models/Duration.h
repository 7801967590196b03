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

} // namespace gk
