#include "http/HttpMessages.h"

#include "engine/Request.h"
#include "engine/Response.h"

#include <QHostAddress>
#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QUrl>

#include <charconv>

namespace gk {

namespace {

// Go's strconv.ParseBool true values, as Vault reads list= and help=.
bool isTrue(const QString &value)
{
    return value == u"1" || value == u"t" || value == u"T" || value == u"true" || value == u"TRUE" || value == u"True";
}

QString decodeQueryPart(QByteArrayView part)
{
    QByteArray bytes = part.toByteArray();
    bytes.replace('+', ' '); // form encoding, as Go's url.ParseQuery reads it
    return QString::fromUtf8(QByteArray::fromPercentEncoding(bytes));
}

// key=value pairs of an encoded query, decoded as Go's url.ParseQuery does.
QList<QPair<QString, QString>> parseQuery(const QByteArray &encoded)
{
    QList<QPair<QString, QString>> items;
    qsizetype pos = 0;
    while (pos <= encoded.size()) {
        qsizetype amp = encoded.indexOf('&', pos);
        if (amp < 0)
            amp = encoded.size();
        const QByteArrayView part = QByteArrayView(encoded).sliced(pos, amp - pos);
        pos = amp + 1;
        if (part.isEmpty())
            continue;
        const qsizetype eq = part.indexOf('=');
        if (eq < 0)
            items.append({decodeQueryPart(part), QString()});
        else
            items.append({decodeQueryPart(part.first(eq)), decodeQueryPart(part.sliced(eq + 1))});
    }
    return items;
}

// application/x-www-form-urlencoded, with or without parameters (charset).
bool isFormContentType(const QByteArray &contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    const QByteArray type = (semicolon < 0 ? contentType : contentType.left(semicolon)).trimmed().toLower();
    return type == "application/x-www-form-urlencoded";
}

Operation operationFor(QByteArrayView method, bool list)
{
    if (method == "GET" || method == "HEAD")
        return list ? Operation::List : Operation::Read;
    if (method == "LIST")
        return Operation::List;
    if (method == "PUT" || method == "POST")
        return Operation::Update;
    if (method == "DELETE")
        return Operation::Delete;
    if (method == "PATCH")
        return Operation::Patch;
    return Operation::Unknown;
}

bool isBlank(const QByteArray &body)
{
    for (char c : body) {
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            return false;
    }
    return true;
}

bool hasLineBreak(QByteArrayView v)
{
    return v.contains('\r') || v.contains('\n');
}

void appendNumber(QByteArray &out, qint64 value)
{
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof(digits), value);
    out.append(digits, result.ptr - digits);
}

} // namespace

QByteArray internMethod(QByteArrayView method)
{
    static const QByteArray known[] = {
        QByteArrayLiteral("GET"),  QByteArrayLiteral("PUT"),  QByteArrayLiteral("POST"),  QByteArrayLiteral("DELETE"),
        QByteArrayLiteral("HEAD"), QByteArrayLiteral("LIST"), QByteArrayLiteral("PATCH"), QByteArrayLiteral("OPTIONS"),
    };
    for (const QByteArray &m : known) {
        if (m == method)
            return m;
    }
    return method.toByteArray();
}

void addHeader(QHash<QByteArray, QByteArray> *headers, QByteArrayView name, QByteArrayView value)
{
    QByteArray lower = name.toByteArray().toLower();
    auto it = headers->find(lower);
    if (it == headers->end()) {
        headers->insert(std::move(lower), value.toByteArray());
    } else {
        it->append(", ");
        it->append(value);
    }
}

bool buildRequest(const QHttpServerRequest &httpRequest, const QByteArray &method, const QHostAddress &peer,
                  Request *request, QString *error)
{
    const QList<QPair<QByteArray, QByteArray>> fields = httpRequest.headers();
    QHash<QByteArray, QByteArray> headers;
    headers.reserve(fields.size());
    for (const auto &[name, value] : fields)
        addHeader(&headers, name, value);
    return buildRequest(method, httpRequest.url(), std::move(headers), httpRequest.body(), peer, request, error);
}

bool buildRequest(const QByteArray &method, const QUrl &url, QHash<QByteArray, QByteArray> headers,
                  const QByteArray &body, const QHostAddress &peer, Request *request, QString *error)
{
    if (!url.isValid()) {
        *error = QStringLiteral("invalid request URL");
        return false;
    }
    QString path = url.path(QUrl::FullyDecoded);
    if (path.startsWith(u"/v1/")) {
        request->api = Api::V1;
        path.remove(0, 4);
    } else {
        request->api = Api::Root;
        if (path.startsWith(u'/'))
            path.remove(0, 1);
    }
    request->path = std::move(path);
    request->method = method;
    request->head = method == "HEAD";

    bool list = false;
    bool help = false;
    QList<QPair<QString, QString>> queryItems;
    if (url.hasQuery()) {
        request->query = QUrlQuery(url);
        queryItems = parseQuery(url.query(QUrl::FullyEncoded).toUtf8());
        for (const auto &[key, value] : std::as_const(queryItems)) {
            if (key == u"list")
                list = isTrue(value);
            else if (key == u"help")
                help = isTrue(value);
        }
    }
    request->operation = help ? Operation::Help : operationFor(method, list);
    request->headers = std::move(headers);
    request->token = request->headers.value(QByteArrayLiteral("x-vault-token"));
    if (request->token.isEmpty()) {
        const QByteArray authorization = request->headers.value(QByteArrayLiteral("authorization"));
        if (authorization.size() > 7 && qstrnicmp(authorization.constData(), "bearer ", 7) == 0)
            request->token = authorization.mid(7).trimmed();
    }
    if (request->token.isEmpty())
        request->token = request->headers.value(QByteArrayLiteral("x-nomad-token"));

    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4);
    request->peer = isV4 ? QHostAddress(v4) : peer;

    // A JSON object sent as a form (curl -d sets that type) is read as JSON.
    if (request->api == Api::Root && !body.isEmpty() && isFormContentType(request->header("content-type")) &&
        !body.trimmed().startsWith('{')) {
        // The root API's OAuth2 token endpoint takes forms (RFC 6749); a repeated field keeps its last value.
        for (const auto &[key, value] : parseQuery(body))
            request->data.insert(key, value);
    } else if (!body.isEmpty() && !isBlank(body)) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
        QString bodyError;
        if (parseError.error != QJsonParseError::NoError)
            bodyError = QStringLiteral("failed to parse JSON input: %1 at offset %2")
                            .arg(parseError.errorString())
                            .arg(parseError.offset);
        else if (!document.isObject())
            bodyError = QStringLiteral("failed to parse JSON input: the body is not a JSON object");
        if (!bodyError.isEmpty() && request->api == Api::Root) {
            // The root API's routes answer in their own shapes: the engine answers the 400 once it has routed.
            request->bodyError = std::move(bodyError);
        } else if (!bodyError.isEmpty()) {
            *error = std::move(bodyError);
            return false;
        } else {
            request->data = document.object();
        }
    }

    const Operation op = request->operation;
    if ((op == Operation::Read || op == Operation::List || op == Operation::Help) && !queryItems.isEmpty()) {
        // Query parameters as strings; a repeated one as an array of strings (Vault's parseQuery).
        QHash<QString, QStringList> values;
        QStringList order;
        for (const auto &[key, value] : std::as_const(queryItems)) {
            if (key == u"list" || key == u"help")
                continue;
            auto it = values.find(key);
            if (it == values.end()) {
                values.insert(key, QStringList{value});
                order.append(key);
            } else {
                it->append(value);
            }
        }
        for (const QString &key : std::as_const(order)) {
            const QStringList &v = values[key];
            if (v.size() == 1)
                request->data.insert(key, v.first());
            else
                request->data.insert(key, QJsonArray::fromStringList(v));
        }
    }
    return true;
}

QByteArrayView reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Request Entity Too Large";
    case 414:
        return "Request-URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 416:
        return "Requested Range Not Satisfiable";
    case 417:
        return "Expectation Failed";
    case 421:
        return "Misdirected Request";
    case 422:
        return "Unprocessable Entity";
    case 423:
        return "Locked";
    case 424:
        return "Failed Dependency";
    case 425:
        return "Too Early";
    case 426:
        return "Upgrade Required";
    case 428:
        return "Precondition Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 451:
        return "Unavailable For Legal Reasons";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    case 507:
        return "Insufficient Storage";
    case 511:
        return "Network Authentication Required";
    default:
        break;
    }
    return "Unknown";
}

QByteArray serializeResponse(const Response &response, bool head, bool close, bool keepAliveHeader)
{
    int status = response.status;
    if (status < 200 || status > 599)
        status = 500; // interim and invalid codes are not final answers
    QByteArray body;
    QByteArrayView contentType = "application/json";
    if (response.hasJson) {
        body = QJsonDocument(response.json).toJson(QJsonDocument::Compact);
    } else if (!response.raw.isEmpty()) {
        body = response.raw;
        if (!response.contentType.isEmpty() && !hasLineBreak(response.contentType))
            contentType = response.contentType;
        else
            contentType = "application/octet-stream";
    }
    if (body.isEmpty()) {
        if (status >= 400) {
            const QJsonObject errors{{QStringLiteral("errors"), QJsonArray{QString::fromLatin1(reasonPhrase(status))}}};
            body = QJsonDocument(errors).toJson(QJsonDocument::Compact);
            contentType = "application/json";
        } else if (status == 200) {
            status = 204;
        }
    }
    const bool noBody = status == 204 || status == 304;
    if (noBody)
        body.clear();

    QByteArray out;
    out.reserve(160 + body.size() + response.headers.size() * 48);
    out.append("HTTP/1.1 ");
    appendNumber(out, status);
    out.append(' ');
    out.append(reasonPhrase(status));
    out.append("\r\n");
    bool ownContentType = false;
    for (const auto &[name, value] : response.headers) {
        if (name.isEmpty() || hasLineBreak(name) || hasLineBreak(value) || name.contains(':'))
            continue;
        const QByteArrayView n(name);
        if (n.compare("content-length", Qt::CaseInsensitive) == 0 ||
            n.compare("connection", Qt::CaseInsensitive) == 0 ||
            n.compare("transfer-encoding", Qt::CaseInsensitive) == 0 ||
            n.compare("cache-control", Qt::CaseInsensitive) == 0)
            continue;
        if (n.compare("content-type", Qt::CaseInsensitive) == 0)
            ownContentType = true;
        out.append(name);
        out.append(": ");
        out.append(value);
        out.append("\r\n");
    }
    if (!ownContentType) {
        out.append("Content-Type: ");
        out.append(contentType);
        out.append("\r\n");
    }
    if (!noBody) {
        out.append("Content-Length: ");
        appendNumber(out, body.size());
        out.append("\r\n");
    }
    out.append("Cache-Control: no-store\r\n");
    if (close)
        out.append("Connection: close\r\n");
    else if (keepAliveHeader)
        out.append("Connection: keep-alive\r\n");
    out.append("\r\n");
    if (!head)
        out.append(body);
    return out;
}

} // namespace gk
