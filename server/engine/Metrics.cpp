#include "engine/Metrics.h"

#include <QJsonArray>
#include <QMutexLocker>

namespace gk {

void RouteStats::record(int status, qint64 elapsedNs)
{
    const int cls = status / 100;
    if (cls >= 1 && cls <= 5)
        m_byClass[cls].fetch_add(1, std::memory_order_relaxed);
    const double seconds = static_cast<double>(elapsedNs) / 1e9;
    std::size_t i = 0;
    while (i < bucketBounds.size() && seconds > bucketBounds[i])
        ++i;
    m_buckets[i].fetch_add(1, std::memory_order_relaxed);
    m_count.fetch_add(1, std::memory_order_relaxed);
    m_sumNs.fetch_add(static_cast<quint64>(elapsedNs > 0 ? elapsedNs : 0), std::memory_order_relaxed);
}

std::shared_ptr<RouteStats> Metrics::routeStats(const QString &route)
{
    QMutexLocker lock(&m_mutex);
    auto &slot = m_routes[route];
    if (!slot)
        slot = std::make_shared<RouteStats>(route);
    return slot;
}

void Metrics::addGauge(const QString &name, const QString &help, std::function<double()> value)
{
    QMutexLocker lock(&m_mutex);
    m_gauges[name] = Gauge{help, std::move(value)};
}

void Metrics::addCounter(const QString &name, const QString &help, std::function<double()> value)
{
    QMutexLocker lock(&m_mutex);
    m_counters[name] = Gauge{help, std::move(value)};
}

static QByteArray escapeLabel(const QString &value)
{
    QByteArray out = value.toUtf8();
    out.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return out;
}

QByteArray Metrics::renderPrometheus() const
{
    QMutexLocker lock(&m_mutex);
    QByteArray out;
    out.reserve(4096);
    out += "# HELP gatekeeper_http_requests_total Requests answered, by route and status class.\n"
           "# TYPE gatekeeper_http_requests_total counter\n";
    for (const auto &[name, stats] : m_routes) {
        const QByteArray label = escapeLabel(name);
        for (int cls = 1; cls <= 5; ++cls) {
            const quint64 n = stats->m_byClass[cls].load(std::memory_order_relaxed);
            if (n == 0)
                continue;
            out += "gatekeeper_http_requests_total{route=\"" + label + "\",code=\"" + QByteArray::number(cls) +
                   "xx\"} " + QByteArray::number(n) + '\n';
        }
    }
    out += "# HELP gatekeeper_http_request_duration_seconds Time from routing to answer, by route.\n"
           "# TYPE gatekeeper_http_request_duration_seconds histogram\n";
    for (const auto &[name, stats] : m_routes) {
        const quint64 count = stats->m_count.load(std::memory_order_relaxed);
        if (count == 0)
            continue;
        const QByteArray label = escapeLabel(name);
        quint64 cumulative = 0;
        for (std::size_t i = 0; i <= RouteStats::bucketBounds.size(); ++i) {
            cumulative += stats->m_buckets[i].load(std::memory_order_relaxed);
            const QByteArray le = i < RouteStats::bucketBounds.size()
                                      ? QByteArray::number(RouteStats::bucketBounds[i], 'g', 6)
                                      : QByteArrayLiteral("+Inf");
            out += "gatekeeper_http_request_duration_seconds_bucket{route=\"" + label + "\",le=\"" + le + "\"} " +
                   QByteArray::number(cumulative) + '\n';
        }
        out += "gatekeeper_http_request_duration_seconds_sum{route=\"" + label + "\"} " +
               QByteArray::number(static_cast<double>(stats->m_sumNs.load(std::memory_order_relaxed)) / 1e9, 'f', 6) +
               '\n';
        out += "gatekeeper_http_request_duration_seconds_count{route=\"" + label + "\"} " +
               QByteArray::number(count) + '\n';
    }
    const auto scalars = [&out](const std::map<QString, Gauge> &all, const QByteArray &type) {
        for (const auto &[name, scalar] : all) {
            const QByteArray n = name.toUtf8();
            out += "# HELP " + n + ' ' + scalar.help.toUtf8() + "\n# TYPE " + n + ' ' + type + '\n' + n + ' ' +
                   QByteArray::number(scalar.value(), 'g', 15) + '\n';
        }
    };
    scalars(m_gauges, QByteArrayLiteral("gauge"));
    scalars(m_counters, QByteArrayLiteral("counter"));
    return out;
}

QJsonObject Metrics::renderJson() const
{
    QMutexLocker lock(&m_mutex);
    QJsonArray counters;
    QJsonArray samples;
    for (const auto &[name, stats] : m_routes) {
        for (int cls = 1; cls <= 5; ++cls) {
            const quint64 n = stats->m_byClass[cls].load(std::memory_order_relaxed);
            if (n == 0)
                continue;
            counters.append(QJsonObject{
                {QStringLiteral("Name"), QStringLiteral("gatekeeper.http.requests")},
                {QStringLiteral("Count"), static_cast<qint64>(n)},
                {QStringLiteral("Labels"), QJsonObject{{QStringLiteral("route"), name},
                                                       {QStringLiteral("code"), QString::number(cls) + QStringLiteral("xx")}}},
            });
        }
        const quint64 count = stats->m_count.load(std::memory_order_relaxed);
        if (count == 0)
            continue;
        const double sumMs = static_cast<double>(stats->m_sumNs.load(std::memory_order_relaxed)) / 1e6;
        samples.append(QJsonObject{
            {QStringLiteral("Name"), QStringLiteral("gatekeeper.http.request_duration_ms")},
            {QStringLiteral("Count"), static_cast<qint64>(count)},
            {QStringLiteral("Sum"), sumMs},
            {QStringLiteral("Mean"), sumMs / static_cast<double>(count)},
            {QStringLiteral("Labels"), QJsonObject{{QStringLiteral("route"), name}}},
        });
    }
    for (const auto &[name, counter] : m_counters)
        counters.append(QJsonObject{{QStringLiteral("Name"), name}, {QStringLiteral("Count"), counter.value()}});
    QJsonArray gauges;
    for (const auto &[name, gauge] : m_gauges)
        gauges.append(QJsonObject{{QStringLiteral("Name"), name}, {QStringLiteral("Value"), gauge.value()}});
    return QJsonObject{{QStringLiteral("Counters"), counters},
                       {QStringLiteral("Gauges"), gauges},
                       {QStringLiteral("Samples"), samples}};
}

} // namespace gk
