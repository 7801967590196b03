#pragma once

#include "engine/Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QUrl>

namespace gk {

// Where a gate's notifications go: one receiver URL and the shape of the body it takes. The URL may carry a secret
// of its own (Slack's incoming-webhook URLs do): it is stored in the barrier, shown only to readers of the gate's
// config, and never logged beyond its scheme and host (display()).
struct Webhook
{
    enum class Format
    {
        Json,  // the event object (WebhookEvent::toJson)
        Slack, // Slack's incoming-webhook shape: {"text", "blocks"}
    };

    static constexpr qsizetype kMaxHooks = 10;
    static constexpr qsizetype kMaxUrlChars = 2048;

    QUrl url;
    Format format = Format::Json;

    static QString formatName(Format format);
    // "https://hooks.example.com" (scheme and authority without credentials): what logs may show.
    QString display() const;

    QJsonObject toJson() const;
    // The stored list (already validated once): entries that do not parse are skipped.
    static QList<Webhook> fromJsonList(const QJsonArray &json);
    static QJsonArray toJsonList(const QList<Webhook> &hooks);
    // The "webhooks" field of a config change: an array of at most kMaxHooks objects {"url", "format"?}, the url
    // absolute http or https with a host, no credentials and no fragment, at most kMaxUrlChars; format "json" (the
    // default) or "slack"; no other field; no URL twice. A 400 naming the field ("webhooks[1].url") otherwise.
    static Result<QList<Webhook>> parseList(const QJsonValue &value, const QString &field);
};

} // namespace gk
