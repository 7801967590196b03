#pragma once

#include "engine/notify/Webhook.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace gk {

// One transition of an access request as its webhooks receive it. It holds only what approvers may see in
// LIST request: never a grant code, a token, a key or a webhook URL.
struct WebhookEvent
{
    QString deliveryId; // a random UUID per event, the same in every attempt and for every receiver
    QString gate;       // the gate's mount path: "gate" for auth/gate/
    QString mountPoint; // "auth/gate/"
    QString requestId;
    QString requester; // entity name
    QString reason;
    QString status;         // the new state: pending, approved, denied, cancelled, expired, claimed
    QString previousStatus; // empty for a new request
    qint64 timeMs = 0;      // when the transition happened
    qint64 iatMs = 0;
    qint64 expMs = 0;
    qint64 numApprovals = 0;
    qint64 requiredApprovals = 0;
    QStringList approvers;
    QString deniedBy;   // denied only
    QString denyReason; // denied only
    QString link;       // the request in the console (empty when the server's address is unknown)

    // "gate.request.<status>", the same name as the live index's event kind.
    QString name() const;
    // The console link of a request: <apiAddr>/ui/gates/<gate>/requests/<requestId>; empty without apiAddr.
    static QString consoleLink(const QString &apiAddr, const QString &gate, const QString &requestId);

    QJsonObject toJson() const;
    // Slack's incoming-webhook message: "text" (the notification and fallback line) and "blocks".
    QJsonObject toSlack() const;
    // The request body for a receiver of that format.
    QByteArray body(Webhook::Format format) const;
};

} // namespace gk
