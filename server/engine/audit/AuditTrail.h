#pragma once

#include "engine/Request.h"
#include "engine/Response.h"
#include "engine/Result.h"
#include "engine/crypto/SecureBytes.h"

#include <QFuture>
#include <QJsonObject>
#include <QList>
#include <QMutex>

#include <atomic>
#include <functional>
#include <memory>

namespace gk {

class AuditFileDevice;

// Turns values into "hmac-sha256:<hex>" under the audit key. Strings are hashed as their UTF-8 bytes, numbers as
// their decimal text (integers without a fraction), so sys/audit-hash of "1234" finds the number 1234 too.
class AuditHasher final
{
public:
    explicit AuditHasher(SecureBytes key) : m_key(std::move(key)) {}
    QString hash(const QString &value) const;
    // Every string and number below value hashed (object keys, booleans and null kept): request and response data.
    QJsonValue hashAll(const QJsonValue &value) const;
    // An "auth" block (a login answer, or the caller's token): every string hashed except the fields known to
    // carry no secret (policies, display_name, entity_id, token_type, metadata user and role names).
    QJsonObject hashAuth(const QJsonObject &auth) const;

private:
    SecureBytes m_key;
};

// The audit record of one request: the devices that were enabled when it arrived and the key. The request line
// is written before the handler runs (fail closed: no device wrote it, no handler), the response line after it.
class AuditTrail final
{
public:
    AuditTrail(QList<std::shared_ptr<AuditFileDevice>> devices, SecureBytes key, std::shared_ptr<QMutex> order);
    Q_DISABLE_COPY_MOVE(AuditTrail)

    // Writes the request line, then runs handler (not on the writer thread); a 500 without running it when no
    // device could write the line.
    QFuture<Response> beforeHandler(const Request &request,
                                    const std::function<QFuture<Response>(const Request &)> &handler);
    // Writes the response line (and the request line first, when the request never reached a handler). answers the
    // response, or a 500 when no device wrote what it had to.
    QFuture<Response> afterResponse(const Request &request, const Response &response);

    // A line for a change made outside the request/response pair ({"time", "type": "event", "event": event}); fails
    // when no device wrote it.
    QFuture<Status> writeEvent(const QJsonObject &event);

    const AuditHasher &hasher() const { return m_hasher; }
    QJsonObject requestEntry(const Request &request, const QString &error) const;
    QJsonObject responseEntry(const Request &request, const Response &response) const;

private:
    QList<QFuture<Status>> writeToAll(const QList<QByteArray> &entries);

    QList<std::shared_ptr<AuditFileDevice>> m_devices;
    AuditHasher m_hasher;
    std::shared_ptr<QMutex> m_order; // one order of lines across all devices
    QString m_id;
    std::atomic<bool> m_requestWritten{false};
    QMutex m_routedMutex;
    std::shared_ptr<const Request> m_routed; // the request as it reached its handler (mount point, caller)
};

} // namespace gk
