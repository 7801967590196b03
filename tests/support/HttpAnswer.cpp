#include "HttpAnswer.h"

#include <QJsonArray>
#include <QStringList>

namespace gk::test {

bool HttpAnswer::hasHeader(QByteArrayView name) const
{
    return headerCount(name) > 0;
}

QByteArray HttpAnswer::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

int HttpAnswer::headerCount(QByteArrayView name) const
{
    int count = 0;
    for (const auto &header : headers) {
        if (QByteArrayView(header.first).compare(name, Qt::CaseInsensitive) == 0)
            ++count;
    }
    return count;
}

QJsonDocument HttpAnswer::jsonDocument() const
{
    return QJsonDocument::fromJson(body);
}

QStringList HttpAnswer::errors() const
{
    QStringList out;
    const QJsonArray array = json().value(QStringLiteral("errors")).toArray();
    for (const QJsonValue &v : array)
        out.append(v.toString());
    return out;
}

} // namespace gk::test
