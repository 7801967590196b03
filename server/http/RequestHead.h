#pragma once

#include <QByteArrayView>
#include <QList>
#include <QPair>

namespace gk {

// What the connection must know of an HTTP/1.x request head before QHttpServer sees the request: the framing
// (Content-Length or chunked), Expect, Connection, and the method as sent. Views point into the parsed bytes.
struct RequestHead
{
    QByteArrayView method;
    QByteArrayView target;
    int minorVersion = 1;        // HTTP/1.0 or HTTP/1.1
    qint64 contentLength = -1;   // -1: no Content-Length
    bool chunked = false;        // Transfer-Encoding: chunked
    bool expectContinue = false; // Expect: 100-continue
    bool expectOther = false;    // any other Expect (417)
    bool connectionClose = false;
    bool connectionKeepAlive = false;
    bool websocketUpgrade = false;
    int headerCount = 0;

    // When parse() fails: the status to answer (400, 431, 501, 505) and why.
    int errorStatus = 0;
    const char *error = nullptr;

    // Where the head ends in data (the index after the empty line), or -1 when it is not all there yet.
    // Leading empty lines are skipped, as QHttpServer does. scanFrom: where an earlier call stopped looking.
    static qsizetype findEnd(QByteArrayView data, qsizetype scanFrom = 0);

    using Fields = QList<QPair<QByteArrayView, QByteArrayView>>;

    // Parses a complete head (as delimited by findEnd()). False: *head has errorStatus and error.
    // fields, when given, receives every header field (name and trimmed value, as sent).
    static bool parse(QByteArrayView data, int maxHeaders, RequestHead *head, Fields *fields = nullptr);
};

} // namespace gk
