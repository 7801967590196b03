#include "Connection.h"

#include <QFileInfo>

namespace gk {

Connection Connection::embedded(const QString &name)
{
    Connection connection;
    connection.name = name;
    connection.kind = Kind::Embedded;
    return connection;
}

Connection Connection::remote(const QString &name, const QUrl &url)
{
    Connection connection;
    connection.name = name;
    connection.kind = Kind::Remote;
    connection.url = url;
    return connection;
}

std::optional<QUrl> Connection::parseUrl(const QString &text)
{
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return std::nullopt;
    return url;
}

QString Connection::validate() const
{
    if (name.trimmed().isEmpty())
        return tr("A connection needs a name");
    if (name != name.trimmed())
        return tr("A connection's name may not start or end with spaces");
    if (kind == Kind::Embedded)
        return {};
    if (!parseUrl(url.toString()))
        return tr("The server address must be an http:// or https:// URL with a host name");
    if (!caFile.isEmpty() && !QFileInfo(caFile).isFile())
        return tr("The CA file %1 does not exist").arg(caFile);
    return {};
}

QString Connection::description() const
{
    if (kind == Kind::Embedded)
        return tr("The embedded server on this computer");
    return url.toString(QUrl::RemoveUserInfo);
}

} // namespace gk
