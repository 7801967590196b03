#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace gk {

// One access request of a policy gate as LIST auth/<gate>/request shows it (one key_info entry), or as its requester
// reads it (GET auth/<gate>/request). A value type. Never holds a grant code.
struct AccessRequest
{
    QString gate; // the gate's mount path, without a trailing slash ("gate", "teams/prod")
    QString id;   // request_id (a UUID)
    QString requester;
    QString reason;
    QString status; // pending, approved, claimed, denied, cancelled, expired
    QDateTime issuedAt;
    QDateTime expiresAt;
    int numApprovals = 0;
    int remainingApprovals = 0;
    bool haveApproved = false;
    QStringList approvers; // in the order they approved
    QString denyReason;    // only in the requester's own view (GET auth/<gate>/request)

    // gate + '/' + id: unique across gates.
    QString key() const { return gate + QLatin1Char('/') + id; }
    bool isPending() const { return status == QLatin1String("pending"); }
    // Approvals needed in all: while pending, those given plus those remaining; afterwards, those given.
    int requiredApprovals() const { return numApprovals + remainingApprovals; }

    // Parses one key_info entry. request_id and status are required; on failure *error says what is wrong.
    static std::optional<AccessRequest> fromJson(const QString &gate, const QJsonObject &json,
                                                 QString *error = nullptr);

    friend bool operator==(const AccessRequest &, const AccessRequest &) = default;
};

} // namespace gk
