#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QString>

class QHostAddress;
class QHttpServerRequest;
class QUrl;

namespace gk {

struct Request;
struct Response;

// The method as a QByteArray; the usual verbs share static data instead of allocating per request.
QByteArray internMethod(QByteArrayView method);

// Adds a header field to a lower-case name -> value table; a repeated field joins the values with ", ".
void addHeader(QHash<QByteArray, QByteArray> *headers, QByteArrayView name, QByteArrayView value);

// Builds the engine's Request from a parsed request: the method as sent, the URL (path and query still
// percent-encoded), the headers by lower-case name, and the body. False when it cannot be one (a body that is not
// a JSON object, an invalid URL): *error then holds the message for a 400 answer.
bool buildRequest(const QByteArray &method, const QUrl &url, QHash<QByteArray, QByteArray> headers,
                  const QByteArray &body, const QHostAddress &peer, Request *request, QString *error);
// The same from what QHttpServer parsed (plus the method as sent, which it may have lost).
bool buildRequest(const QHttpServerRequest &httpRequest, const QByteArray &method, const QHostAddress &peer,
                  Request *request, QString *error);

// The answer as written on the wire: status line, Content-Type, Content-Length, Cache-Control: no-store, the
// response's own headers, and the body (compact JSON, or raw bytes) unless head is set. A status >= 400 without a
// body gets {"errors":["<reason phrase>"]}; 200 without a body becomes 204.
QByteArray serializeResponse(const Response &response, bool head, bool close, bool keepAliveHeader);

QByteArrayView reasonPhrase(int status);

} // namespace gk
