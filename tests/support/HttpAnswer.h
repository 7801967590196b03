#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPair>

namespace gk::test {

// One HTTP answer as a test client read it off the wire.
struct HttpAnswer
{
    bool complete = false; // a whole answer was read (false: timeout, or the connection closed before)
    int status = 0;
    QByteArray version; // "HTTP/1.1"
    QByteArray reason;
    QList<QPair<QByteArray, QByteArray>> headers; // as sent, in order
    QByteArray body;

    bool hasHeader(QByteArrayView name) const;
    // The first header of that name (case-insensitive), or an empty array.
    QByteArray header(QByteArrayView name) const;
    int headerCount(QByteArrayView name) const;
    // The body as JSON (null document when it is not JSON).
    QJsonDocument jsonDocument() const;
    QJsonObject json() const { return jsonDocument().object(); }
    // The "errors" array of a >= 400 answer, as strings.
    QStringList errors() const;
};

} // namespace gk::test
