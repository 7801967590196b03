#include "Duration.h"

#include <limits>

namespace gk {

std::optional<qint64> parseDurationSeconds(const QJsonValue &value)
{
    if (value.isDouble()) {
        const double d = value.toDouble();
        if (d < 0 || d != static_cast<double>(static_cast<qint64>(d)) || d > 1e15)
            return std::nullopt;
        return static_cast<qint64>(d);
    }
    if (value.isString())
        return parseDurationSeconds(value.toString());
    return std::nullopt;
}

std::optional<qint64> parseDurationSeconds(const QString &input)
{
    const QString text = input.trimmed();
    if (text.isEmpty())
        return std::nullopt;
    bool ok = false;
    const qint64 plain = text.toLongLong(&ok);
    if (ok)
        return plain >= 0 ? std::optional<qint64>(plain) : std::nullopt;

    // Sequence of <digits><unit> with units h, m, s, ms (and d, as Vault accepts it).
    qint64 totalMs = 0;
    qsizetype i = 0;
    const qsizetype n = text.size();
    while (i < n) {
        qsizetype start = i;
        while (i < n && text.at(i).isDigit())
            ++i;
        if (i == start)
            return std::nullopt;
        const qint64 number = text.mid(start, i - start).toLongLong(&ok);
        if (!ok || number > 1'000'000'000'000LL)
            return std::nullopt;
        start = i;
        while (i < n && text.at(i).isLetter())
            ++i;
        const QString unit = text.mid(start, i - start);
        qint64 factorMs = 0;
        if (unit == QLatin1String("ms"))
            factorMs = 1;
        else if (unit == QLatin1String("s"))
            factorMs = 1000;
        else if (unit == QLatin1String("m"))
            factorMs = 60'000;
        else if (unit == QLatin1String("h"))
            factorMs = 3'600'000;
        else if (unit == QLatin1String("d"))
            factorMs = 86'400'000;
        else
            return std::nullopt;
        totalMs += number * factorMs;
        if (totalMs > std::numeric_limits<qint64>::max() / 4)
            return std::nullopt;
    }
    return totalMs / 1000;
}

QString formatDuration(qint64 seconds)
{
    if (seconds <= 0)
        return QStringLiteral("0s");
    const qint64 h = seconds / 3600;
    const qint64 m = (seconds % 3600) / 60;
    const qint64 s = seconds % 60;
    QString out;
    if (h > 0)
        out += QString::number(h) + QLatin1Char('h');
    if (h > 0 || m > 0)
        out += QString::number(m) + QLatin1Char('m');
    out += QString::number(s) + QLatin1Char('s');
    return out;
}

} // namespace gk
