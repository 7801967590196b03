#include "AccessRequest.h"

#include <QJsonArray>

namespace gk {

std::optional<AccessRequest> AccessRequest::fromJson(const QString &gate, const QJsonObject &json, QString *error)
{
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return std::nullopt;
    };
    AccessRequest r;
    r.gate = gate;
    r.id = json.value(QLatin1String("request_id")).toString();
    r.status = json.value(QLatin1String("status")).toString();
    if (r.id.isEmpty())
        return fail(QStringLiteral("an access request has no request_id"));
    if (r.status.isEmpty())
        return fail(QStringLiteral("access request %1 has no status").arg(r.id));
    r.requester = json.value(QLatin1String("requester")).toString();
    r.reason = json.value(QLatin1String("reason")).toString();
    r.issuedAt = QDateTime::fromString(json.value(QLatin1String("iat")).toString(), Qt::ISODateWithMs);
    r.expiresAt = QDateTime::fromString(json.value(QLatin1String("exp")).toString(), Qt::ISODateWithMs);
    r.numApprovals = json.value(QLatin1String("num_approvals")).toInt();
    r.remainingApprovals = json.value(QLatin1String("remaining_approvals")).toInt();
    r.haveApproved = json.value(QLatin1String("have_approved")).toBool();
    for (const QJsonValue &name : json.value(QLatin1String("approvers")).toArray())
        r.approvers.append(name.toString());
    r.denyReason = json.value(QLatin1String("deny_reason")).toString();
    return r;
}

} // namespace gk
