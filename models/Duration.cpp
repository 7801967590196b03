#include "Duration.h"

#include <QDateTime>

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

namespace {
constexpr qint64 kSecsPerDay = 86400;
// 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z in seconds since the epoch.
constexpr qint64 kFirstSecs = -62135596800;
constexpr qint64 kEndSecs = 253402300800;

void appendDigits(QChar *&out, qint64 value, int width)
{
    for (int i = width - 1; i >= 0; --i) {
        out[i] = QChar(u'0' + char16_t(value % 10));
        value /= 10;
    }
    out += width;
}

// Writes "YYYY-MM-DDTHH:MM:SS" (19 characters) for secs in [kFirstSecs, kEndSecs). The date comes from the day
// number by the proleptic Gregorian "days from civil" inversion (eras of 400 years, March-based years).
void writeDateTime(QChar *&out, qint64 secs)
{
    qint64 days = secs / kSecsPerDay;
    qint64 rest = secs % kSecsPerDay;
    if (rest < 0) {
        rest += kSecsPerDay;
        --days;
    }
    const qint64 z = days + 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const qint64 dayOfEra = z - era * 146097;
    const qint64 yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
    const qint64 dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const qint64 mp = (5 * dayOfYear + 2) / 153;
    const qint64 day = dayOfYear - (153 * mp + 2) / 5 + 1;
    const qint64 month = mp < 10 ? mp + 3 : mp - 9;
    const qint64 year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    appendDigits(out, year, 4);
    *out++ = u'-';
    appendDigits(out, month, 2);
    *out++ = u'-';
    appendDigits(out, day, 2);
    *out++ = u'T';
    appendDigits(out, rest / 3600, 2);
    *out++ = u':';
    appendDigits(out, rest / 60 % 60, 2);
    *out++ = u':';
    appendDigits(out, rest % 60, 2);
}
} // namespace

QString formatRfc3339(qint64 secsSinceEpoch)
{
    if (secsSinceEpoch < kFirstSecs || secsSinceEpoch >= kEndSecs)
        return QDateTime::fromSecsSinceEpoch(secsSinceEpoch, Qt::UTC).toString(Qt::ISODate);
    QString text(20, Qt::Uninitialized);
    QChar *out = text.data();
    writeDateTime(out, secsSinceEpoch);
    *out = u'Z';
    return text;
}

QString formatRfc3339Ms(qint64 msecsSinceEpoch)
{
    qint64 secs = msecsSinceEpoch / 1000;
    qint64 ms = msecsSinceEpoch % 1000;
    if (ms < 0) {
        ms += 1000;
        --secs;
    }
    if (secs < kFirstSecs || secs >= kEndSecs)
        return QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch, Qt::UTC).toString(Qt::ISODateWithMs);
    QString text(24, Qt::Uninitialized);
    QChar *out = text.data();
    writeDateTime(out, secs);
    *out++ = u'.';
    appendDigits(out, ms, 3);
    *out = u'Z';
    return text;
}

} // namespace gk
