#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QStringList>

namespace gk {

// An answer: a status, headers, and a JSON object or raw bytes. No body means 204 unless status says otherwise.
struct Response
{
    int status = 200;
    QJsonObject json;
    bool hasJson = false;
    QByteArray raw;          // used when hasJson is false and raw is not empty
    QByteArray contentType;  // for raw bodies
    QList<QPair<QByteArray, QByteArray>> headers;

    static Response ok(QJsonObject body, int status = 200)
    {
        Response r;
        r.status = status;
        r.json = std::move(body);
        r.hasJson = true;
        return r;
    }
    static Response noContent()
    {
        Response r;
        r.status = 204;
        return r;
    }
    static Response text(QByteArray body, QByteArray contentType, int status = 200)
    {
        Response r;
        r.status = status;
        r.raw = std::move(body);
        r.contentType = std::move(contentType);
        return r;
    }
    // {"errors": [...]}, as every answer with status >= 400 carries.
    static Response error(int status, const QStringList &messages);
    static Response error(int status, const QString &message) { return error(status, QStringList{message}); }

    Response &withHeader(QByteArray name, QByteArray value)
    {
        headers.append({std::move(name), std::move(value)});
        return *this;
    }
    bool hasBody() const { return hasJson || !raw.isEmpty(); }
};

} // namespace gk
