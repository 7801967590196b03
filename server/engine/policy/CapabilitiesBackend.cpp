#include "engine/policy/CapabilitiesBackend.h"

#include "engine/policy/Acl.h"
#include "engine/policy/PolicyStore.h"
#include "engine/policy/VaultData.h"
#include "engine/token/TokenEntry.h"

#include <QJsonArray>

namespace gk {

namespace {

QFuture<Response> ready(Response r)
{
    return QtFuture::makeReadyFuture(std::move(r));
}

// "paths" (or Vault's older "path") as a list of strings or one comma-separated string.
bool appendPaths(const QJsonValue &value, QStringList *out)
{
    QStringList items;
    if (value.isString()) {
        items = value.toString().split(u',');
    } else if (value.isArray()) {
        for (const QJsonValue &item : value.toArray()) {
            if (!item.isString())
                return false;
            items.append(item.toString());
        }
    } else if (!value.isUndefined() && !value.isNull()) {
        return false;
    }
    for (QString item : std::as_const(items)) {
        item = item.trimmed();
        if (item.startsWith(u'/'))
            item.remove(0, 1);
        if (!item.isEmpty() && !out->contains(item))
            out->append(item);
    }
    return true;
}

} // namespace

QList<PathSpec> CapabilitiesBackend::paths()
{
    PathSpec self;
    self.pattern = QString();
    self.handlers = {{Operation::Update, [this](const Request &r) { return capabilitiesSelf(r); }}};
    self.changesNothing = true;
    self.help = QStringLiteral("The calling token's capabilities on each of \"paths\" (a list, or one "
                               "comma-separated string): {\"<path>\": [\"read\", ...], ...}, also under \"data\"; "
                               "with one path also as \"capabilities\". [\"root\"] for a root token, [\"deny\"] "
                               "where nothing is granted.");
    return {self};
}

QFuture<Response> CapabilitiesBackend::capabilitiesSelf(const Request &request)
{
    if (!request.auth)
        return ready(Response::error(403, QStringLiteral("permission denied")));
    QStringList paths;
    if (!appendPaths(request.data.value(QStringLiteral("paths")), &paths) ||
        !appendPaths(request.data.value(QStringLiteral("path")), &paths))
        return ready(Response::error(400, QStringLiteral("\"paths\" must be a list of strings")));
    if (paths.isEmpty())
        return ready(Response::error(400, QStringLiteral("no paths given: send {\"paths\": [\"path\", ...]}")));
    return m_store->aclFor(request.auth->policies).then([paths](Result<std::shared_ptr<const Acl>> acl) {
        if (!acl)
            return Response::error(acl.httpStatus(), acl.error());
        QJsonObject data;
        for (const QString &path : paths)
            data.insert(path, QJsonArray::fromStringList(acl.value()->capabilityNames(path)));
        if (paths.size() == 1)
            data.insert(QStringLiteral("capabilities"), data.value(paths.constFirst()));
        return Response::ok(vaultData(data, true));
    });
}

} // namespace gk
