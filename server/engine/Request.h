#pragma once

#include "engine/Operation.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

#include <memory>

namespace gk {

struct TokenEntry;
class AuditTrail;

// Which API a request came in on: /v1/... (Vault, Nomad, Kontena routes) or the root (Gatekeeper's
// /token, /status, /unseal ..., and /oauth2/...).
enum class Api { V1, Root };

// A request as the engine sees it: the HTTP layer builds it, the pipeline fills in the rest.
struct Request
{
    Api api = Api::V1;
    Operation operation = Operation::Read;
    QByteArray method;           // the HTTP verb as sent (for logs and audit)
    QString path;                // without "/v1/" (or the leading "/" for Api::Root), percent-decoded
    QJsonObject data;            // the JSON body; for Read and List, the query parameters as strings
    QUrlQuery query;             // the raw query
    QByteArray token;            // X-Vault-Token, Authorization: Bearer, or X-Nomad-Token
    QHostAddress peer;           // the connection's peer (IPv4-mapped addresses already converted)
    QHash<QByteArray, QByteArray> headers; // lower-case names
    bool head = false;           // the answer is sent without a body
    QString bodyError;           // root API: why the body could not be parsed (the engine answers 400 after routing)

    // Filled by the pipeline.
    QString mountPoint;          // the mount prefix that matched, e.g. "sys/"
    QString mountPath;           // path below the mount
    QStringList captures;        // the matched pattern's capture groups
    std::shared_ptr<const TokenEntry> auth; // the caller's token, when the route needs one
    std::shared_ptr<AuditTrail> audit;      // set by the audit broker while an audit device is enabled

    QByteArray header(const QByteArray &lowerName) const { return headers.value(lowerName); }
};

} // namespace gk
