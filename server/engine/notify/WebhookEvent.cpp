#include "engine/notify/WebhookEvent.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>

namespace gk {

namespace {

QString timestamp(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

// Slack's mrkdwn escapes: user text can then neither format links nor mention anyone (<!channel>).
QString slackEscape(const QString &text)
{
    QString out = text;
    out.replace(QLatin1Char('&'), QLatin1String("&amp;"))
        .replace(QLatin1Char('<'), QLatin1String("&lt;"))
        .replace(QLatin1Char('>'), QLatin1String("&gt;"));
    return out;
}

// Slack refuses a block whose text is over its limit (3000 characters for a section, 2000 for a field): longer text
// is cut, never inside an escape.
constexpr qsizetype kSlackTextChars = 1900;

QJsonObject mrkdwn(const QString &text)
{
    QString clipped = text;
    if (clipped.size() > kSlackTextChars) {
        clipped.truncate(kSlackTextChars);
        const qsizetype amp = clipped.lastIndexOf(QLatin1Char('&'));
        if (amp >= 0 && clipped.indexOf(QLatin1Char(';'), amp) < 0)
            clipped.truncate(amp);
        clipped.append(QStringLiteral("…"));
    }
    return {{QStringLiteral("type"), QStringLiteral("mrkdwn")}, {QStringLiteral("text"), clipped}};
}

QString headline(const WebhookEvent &e)
{
    if (e.previousStatus.isEmpty())
        return QStringLiteral("New access request, pending approval");
    return QStringLiteral("Access request %1").arg(e.status);
}

} // namespace

QString WebhookEvent::name() const
{
    return QStringLiteral("gate.request.") + status;
}

QString WebhookEvent::consoleLink(const QString &apiAddr, const QString &gate, const QString &requestId)
{
    QString base = apiAddr.trimmed();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    if (base.isEmpty())
        return {};
    QStringList segments;
    for (const QString &s : gate.split(QLatin1Char('/'), Qt::SkipEmptyParts))
        segments.append(QString::fromLatin1(QUrl::toPercentEncoding(s)));
    return QStringLiteral("%1/ui/gates/%2/requests/%3")
        .arg(base, segments.join(QLatin1Char('/')), QString::fromLatin1(QUrl::toPercentEncoding(requestId)));
}

QJsonObject WebhookEvent::toJson() const
{
    QJsonObject json{{QStringLiteral("event"), name()},
                     {QStringLiteral("delivery_id"), deliveryId},
                     {QStringLiteral("time"), timestamp(timeMs)},
                     {QStringLiteral("gate"), gate},
                     {QStringLiteral("mount_point"), mountPoint},
                     {QStringLiteral("request_id"), requestId},
                     {QStringLiteral("requester"), requester},
                     {QStringLiteral("reason"), reason},
                     {QStringLiteral("status"), status},
                     {QStringLiteral("previous_status"), previousStatus},
                     {QStringLiteral("iat"), timestamp(iatMs)},
                     {QStringLiteral("exp"), timestamp(expMs)},
                     {QStringLiteral("num_approvals"), numApprovals},
                     {QStringLiteral("required_approvals"), requiredApprovals},
                     {QStringLiteral("approvers"), QJsonArray::fromStringList(approvers)}};
    if (!deniedBy.isEmpty())
        json.insert(QStringLiteral("denied_by"), deniedBy);
    if (!denyReason.isEmpty())
        json.insert(QStringLiteral("deny_reason"), denyReason);
    if (!link.isEmpty())
        json.insert(QStringLiteral("link"), link);
    return json;
}

QJsonObject WebhookEvent::toSlack() const
{
    const QString requestRef =
        link.isEmpty() ? QStringLiteral("`%1`").arg(requestId) : QStringLiteral("<%1|%2>").arg(link, requestId);
    const QString text = QStringLiteral("%1 on gate `%2` by *%3*: %4")
                             .arg(headline(*this), slackEscape(gate), slackEscape(requester),
                                  reason.isEmpty() ? QStringLiteral("no reason given") : slackEscape(reason));
    QJsonArray fields{mrkdwn(QStringLiteral("*Requester*\n") + slackEscape(requester)),
                      mrkdwn(QStringLiteral("*Status*\n") +
                             (previousStatus.isEmpty() ? status : previousStatus + QStringLiteral(" → ") + status)),
                      mrkdwn(QStringLiteral("*Gate*\n`") + slackEscape(gate) + QLatin1Char('`')),
                      mrkdwn(QStringLiteral("*Request*\n") + requestRef),
                      mrkdwn(QStringLiteral("*Approvals*\n%1 of %2").arg(numApprovals).arg(requiredApprovals))};
    if (!approvers.isEmpty())
        fields.append(mrkdwn(QStringLiteral("*Approved by*\n") + slackEscape(approvers.join(QStringLiteral(", ")))));
    if (!deniedBy.isEmpty())
        fields.append(mrkdwn(QStringLiteral("*Denied by*\n") + slackEscape(deniedBy)));
    QJsonArray blocks{
        QJsonObject{{QStringLiteral("type"), QStringLiteral("section")},
                    {QStringLiteral("text"),
                     mrkdwn(QStringLiteral("*%1* on gate `%2`").arg(headline(*this), slackEscape(gate)))}},
        QJsonObject{{QStringLiteral("type"), QStringLiteral("section")}, {QStringLiteral("fields"), fields}}};
    if (!reason.isEmpty())
        blocks.append(
            QJsonObject{{QStringLiteral("type"), QStringLiteral("section")},
                        {QStringLiteral("text"), mrkdwn(QStringLiteral("*Reason*\n") + slackEscape(reason))}});
    if (!denyReason.isEmpty())
        blocks.append(
            QJsonObject{{QStringLiteral("type"), QStringLiteral("section")},
                        {QStringLiteral("text"), mrkdwn(QStringLiteral("*Deny reason*\n") + slackEscape(denyReason))}});
    blocks.append(QJsonObject{
        {QStringLiteral("type"), QStringLiteral("context")},
        {QStringLiteral("elements"),
         QJsonArray{mrkdwn(QStringLiteral("%1 · %2 · expires %3").arg(name(), timestamp(timeMs), timestamp(expMs)))}}});
    return {{QStringLiteral("text"), text}, {QStringLiteral("blocks"), blocks}};
}

QByteArray WebhookEvent::body(Webhook::Format format) const
{
    return QJsonDocument(format == Webhook::Format::Slack ? toSlack() : toJson()).toJson(QJsonDocument::Compact);
}

} // namespace gk
