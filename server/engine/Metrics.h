#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QMutex>
#include <QString>

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>

namespace gk {

// Counters and a latency histogram for one route, updated without locks.
class RouteStats final
{
public:
    explicit RouteStats(QString route) : m_route(std::move(route)) {}
    Q_DISABLE_COPY_MOVE(RouteStats)

    static constexpr std::array<double, 12> bucketBounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                         0.05,   0.1,   0.25,   0.5,   1.0,  5.0};
    void record(int status, qint64 elapsedNs);
    const QString &route() const { return m_route; }

private:
    friend class Metrics;
    QString m_route;
    std::array<std::atomic<quint64>, 6> m_byClass{}; // index 1..5 = 1xx..5xx
    std::array<std::atomic<quint64>, bucketBounds.size() + 1> m_buckets{};
    std::atomic<quint64> m_count{0};
    std::atomic<quint64> m_sumNs{0};
};

// The server's metrics, rendered in Prometheus text format.
class Metrics final
{
public:
    Metrics() = default;
    Q_DISABLE_COPY_MOVE(Metrics)

    std::shared_ptr<RouteStats> routeStats(const QString &route);
    // Gauges computed when rendering (seal state, ...): name -> (help, value function).
    void addGauge(const QString &name, const QString &help, std::function<double()> value);
    // Counters kept elsewhere (webhook deliveries, ...), read when rendering: name -> (help, value function).
    void addCounter(const QString &name, const QString &help, std::function<double()> value);
    QByteArray renderPrometheus() const;
    // The same figures as JSON (Vault's default metrics format: Counters, Gauges, Samples).
    QJsonObject renderJson() const;

private:
    mutable QMutex m_mutex;
    std::map<QString, std::shared_ptr<RouteStats>> m_routes;
    struct Gauge
    {
        QString help;
        std::function<double()> value;
    };
    std::map<QString, Gauge> m_gauges;
    std::map<QString, Gauge> m_counters;
};

} // namespace gk
