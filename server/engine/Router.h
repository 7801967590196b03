#pragma once

#include "engine/Backend.h"

#include <QReadWriteLock>
#include <QRegularExpression>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace gk {

class RouteStats;
class Metrics;

// Picks a backend by the longest mount prefix, then the first of its declared patterns that matches the rest
// of the path. Mounts may change while requests are routed (thread-safe).
class Router final
{
public:
    explicit Router(Metrics *metrics);
    ~Router();
    Q_DISABLE_COPY_MOVE(Router)

    struct Route
    {
        QRegularExpression regex;
        // The pattern itself when it has no regular-expression syntax ("lookup-self"): compared as a string.
        std::optional<QString> literal;
        PathSpec spec;
        std::shared_ptr<RouteStats> stats;
    };
    struct Mount
    {
        QString prefix;
        std::shared_ptr<Backend> backend;
        std::vector<std::shared_ptr<const Route>> routes;
    };
    struct Match
    {
        std::shared_ptr<const Mount> mount;
        std::shared_ptr<const Route> route; // null when the mount matched but no pattern did
        QString mountPath;
        QStringList captures;
    };

    void mount(const QString &prefix, std::shared_ptr<Backend> backend);
    bool unmount(const QString &prefix);
    std::optional<Match> route(const QString &path) const;
    QStringList prefixes() const;

private:
    Metrics *m_metrics;
    mutable QReadWriteLock m_lock;
    std::vector<std::shared_ptr<const Mount>> m_mounts; // longest prefix first
};

} // namespace gk
