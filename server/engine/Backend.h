#pragma once

#include "engine/Operation.h"
#include "engine/Request.h"
#include "engine/Response.h"

#include <QFuture>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <functional>
#include <map>

namespace gk {

using Handler = std::function<QFuture<Response>(const Request &)>;

// One route of a backend: an anchored pattern relative to the mount point, and a handler per operation.
struct PathSpec
{
    QString pattern;                      // regular expression, anchored by the router
    std::map<Operation, Handler> handlers;
    QString help;                         // answered to ?help=1
    bool unauthenticated = false;         // no token needed (sys/init, sys/health, logins ...)
    bool allowedWhileSealed = false;      // answered while sealed (sys/seal-status, sys/unseal ...)
    bool requiresSudo = false;            // needs the sudo capability on the path (Vault's root paths)
    bool callerScoped = false;            // any valid token, no ACL check: the handler acts only on the caller's own
                                          // things (its OAuth2 grants, Nomad token/self), found through request.auth
    bool listLike = false;                // a Read that lists: blocking query and X-Gatekeeper-Index, as List
    bool changesNothing = false;          // an Update that only reads (capabilities-self, token and wrapping
                                          // lookups): not a change for the live index
    QStringList sensitiveFields;          // request/response fields that the audit trail must hash
    QString aclPath;                      // when set: the ACL is checked on this path instead of the request's
                                          // (root API routes guarded by a policy path, e.g. "gatekeeper/seal")
    std::function<Response(Response)> reshape; // when set: applied to every answer of the route, the pipeline's
                                               // refusals included (root API routes with their own error shape)
};

// A mounted backend (sys, token store, kv, auth methods, gates, ...): it declares its routes once.
class Backend
{
public:
    virtual ~Backend() = default;
    virtual QString type() const = 0;
    virtual QList<PathSpec> paths() = 0;
    // Periodic housekeeping of a mounted backend (expiry sweeps), run by the engine's tidy timer while unsealed.
    virtual void tidy() {}
};

} // namespace gk
