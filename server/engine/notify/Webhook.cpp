#include "engine/notify/Webhook.h"

namespace gk {

namespace {

std::optional<Webhook::Format> parseFormat(const QString &name)
{
    if (name == QLatin1String("json"))
        return Webhook::Format::Json;
    if (name == QLatin1String("slack"))
        return Webhook::Format::Slack;
    return std::nullopt;
}

Result<Webhook> parseOne(const QJsonValue &value, const QString &field)
{
    using R = Result<Webhook>;
    if (!value.isObject())
        return R::fail(QStringLiteral("%1 must be an object {\"url\", \"format\"}").arg(field), 400);
    const QJsonObject object = value.toObject();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (it.key() != QLatin1String("url") && it.key() != QLatin1String("format"))
            return R::fail(QStringLiteral("%1: unknown field \"%2\"").arg(field, it.key()), 400);
    }
    Webhook hook;
    const QString urlField = field + QStringLiteral(".url");
    const QJsonValue url = object.value(QStringLiteral("url"));
    if (!url.isString() || url.toString().trimmed().isEmpty())
        return R::fail(QStringLiteral("%1 must be given as a string").arg(urlField), 400);
    const QString text = url.toString().trimmed();
    if (text.size() > Webhook::kMaxUrlChars)
        return R::fail(QStringLiteral("%1 must be at most %2 characters").arg(urlField).arg(Webhook::kMaxUrlChars),
                       400);
    hook.url = QUrl(text, QUrl::StrictMode);
    const QString scheme = hook.url.scheme().toLower();
    if (!hook.url.isValid() || hook.url.isRelative() || hook.url.host().isEmpty())
        return R::fail(QStringLiteral("%1 must be an absolute URL with a host").arg(urlField), 400);
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return R::fail(QStringLiteral("%1 must use http or https").arg(urlField), 400);
    if (!hook.url.userInfo().isEmpty())
        return R::fail(QStringLiteral("%1 must not carry credentials").arg(urlField), 400);
    if (hook.url.hasFragment())
        return R::fail(QStringLiteral("%1 must not have a fragment").arg(urlField), 400);
    const QJsonValue format = object.value(QStringLiteral("format"));
    if (!format.isUndefined() && !format.isNull()) {
        const std::optional<Webhook::Format> f = format.isString() ? parseFormat(format.toString()) : std::nullopt;
        if (!f)
            return R::fail(QStringLiteral("%1.format must be \"json\" or \"slack\"").arg(field), 400);
        hook.format = *f;
    }
    return hook;
}

} // namespace

QString Webhook::formatName(Format format)
{
    return format == Format::Slack ? QStringLiteral("slack") : QStringLiteral("json");
}

QString Webhook::display() const
{
    return url.toString(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment);
}

QJsonObject Webhook::toJson() const
{
    return {{QStringLiteral("url"), url.toString(QUrl::FullyEncoded)}, {QStringLiteral("format"), formatName(format)}};
}

QList<Webhook> Webhook::fromJsonList(const QJsonArray &json)
{
    QList<Webhook> hooks;
    for (const QJsonValue &v : json) {
        const Result<Webhook> hook = parseOne(v, QStringLiteral("webhooks"));
        if (hook)
            hooks.append(hook.value());
    }
    return hooks;
}

QJsonArray Webhook::toJsonList(const QList<Webhook> &hooks)
{
    QJsonArray out;
    for (const Webhook &hook : hooks)
        out.append(hook.toJson());
    return out;
}

Result<QList<Webhook>> Webhook::parseList(const QJsonValue &value, const QString &field)
{
    using R = Result<QList<Webhook>>;
    if (!value.isArray())
        return R::fail(QStringLiteral("%1 must be a list of {\"url\", \"format\"} objects").arg(field), 400);
    const QJsonArray list = value.toArray();
    if (list.size() > kMaxHooks)
        return R::fail(QStringLiteral("%1 may name at most %2 webhooks").arg(field).arg(kMaxHooks), 400);
    QList<Webhook> hooks;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QString name = QStringLiteral("%1[%2]").arg(field).arg(i);
        const Result<Webhook> hook = parseOne(list.at(i), name);
        if (!hook)
            return hook.status();
        for (const Webhook &earlier : std::as_const(hooks)) {
            if (earlier.url == hook.value().url)
                return R::fail(QStringLiteral("%1.url is given twice").arg(name), 400);
        }
        hooks.append(hook.value());
    }
    return hooks;
}

} // namespace gk
