#include "engine/Router.h"

#include "engine/Metrics.h"

#include <QReadLocker>
#include <QWriteLocker>

#include <algorithm>

namespace gk {

namespace {
// Letters, digits and the path characters that mean nothing special in a regular expression.
bool isLiteral(const QString &pattern)
{
    return std::all_of(pattern.cbegin(), pattern.cend(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'/' ||
               c == u'_' || c == u'-';
    });
}
} // namespace

Router::Router(Metrics *metrics) : m_metrics(metrics) {}

Router::~Router() = default;

void Router::mount(const QString &prefix, std::shared_ptr<Backend> backend)
{
    auto mount = std::make_shared<Mount>();
    mount->prefix = prefix;
    mount->backend = backend;
    for (PathSpec &spec : backend->paths()) {
        auto route = std::make_shared<Route>();
        route->regex = QRegularExpression(QStringLiteral("\\A(?:") + spec.pattern + QStringLiteral(")\\z"));
        route->regex.optimize();
        if (isLiteral(spec.pattern))
            route->literal = spec.pattern;
        Q_ASSERT_X(route->regex.isValid(), "Router::mount", qPrintable(spec.pattern));
        route->stats = m_metrics->routeStats(prefix + spec.pattern);
        route->spec = std::move(spec);
        mount->routes.push_back(std::move(route));
    }

    QWriteLocker lock(&m_lock);
    m_mounts.erase(std::remove_if(m_mounts.begin(), m_mounts.end(), [&](const auto &m) { return m->prefix == prefix; }),
                   m_mounts.end());
    m_mounts.push_back(std::move(mount));
    std::stable_sort(m_mounts.begin(), m_mounts.end(),
                     [](const auto &a, const auto &b) { return a->prefix.size() > b->prefix.size(); });
}

bool Router::unmount(const QString &prefix)
{
    QWriteLocker lock(&m_lock);
    const auto before = m_mounts.size();
    m_mounts.erase(std::remove_if(m_mounts.begin(), m_mounts.end(), [&](const auto &m) { return m->prefix == prefix; }),
                   m_mounts.end());
    return m_mounts.size() != before;
}

QStringList Router::prefixes() const
{
    QReadLocker lock(&m_lock);
    QStringList out;
    for (const auto &m : m_mounts)
        out.append(m->prefix);
    return out;
}

std::optional<Router::Match> Router::route(const QString &path) const
{
    std::shared_ptr<const Mount> mount;
    {
        QReadLocker lock(&m_lock);
        for (const auto &m : m_mounts) {
            // "sys/" matches "sys/health" and also "sys" itself.
            if (path.startsWith(m->prefix) || path == QStringView(m->prefix).chopped(1)) {
                mount = m;
                break;
            }
        }
    }
    if (!mount)
        return std::nullopt;

    Match match;
    match.mount = mount;
    match.mountPath = path.size() > mount->prefix.size() ? path.mid(mount->prefix.size()) : QString();
    for (const auto &route : mount->routes) {
        if (route->literal) {
            if (*route->literal == match.mountPath) {
                match.route = route;
                break;
            }
            continue;
        }
        const QRegularExpressionMatch m = route->regex.match(match.mountPath);
        if (m.hasMatch()) {
            match.route = route;
            match.captures = m.capturedTexts().mid(1);
            break;
        }
    }
    return match;
}

} // namespace gk
