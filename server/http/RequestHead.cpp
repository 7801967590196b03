#include "http/RequestHead.h"

#include <QByteArray>

#include <cstring>

namespace gk {

namespace {

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool isToken(QByteArrayView v)
{
    if (v.isEmpty())
        return false;
    for (char c : v) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

QByteArrayView trimmed(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t'))
        v.chop(1);
    return v;
}

bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}

bool fail(RequestHead *head, int status, const char *error)
{
    head->errorStatus = status;
    head->error = error;
    return false;
}

bool parseRequestLine(QByteArrayView line, RequestHead *head)
{
    const qsizetype sp1 = line.indexOf(' ');
    if (sp1 <= 0)
        return fail(head, 400, "malformed request line");
    const qsizetype sp2 = line.indexOf(' ', sp1 + 1);
    if (sp2 < 0 || sp2 == sp1 + 1)
        return fail(head, 400, "malformed request line");
    head->method = line.first(sp1);
    head->target = line.sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArrayView version = line.sliced(sp2 + 1);
    if (!isToken(head->method) || head->method.size() > 32)
        return fail(head, 400, "malformed request method");
    for (char c : head->target) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
            return fail(head, 400, "malformed request target");
    }
    // Origin form ("/path?query") or absolute form ("http://host/path"); no authority or asterisk forms.
    if (!head->target.startsWith('/') && !head->target.startsWith("http://") && !head->target.startsWith("https://"))
        return fail(head, 400, "unsupported request target");
    if (version == "HTTP/1.1")
        head->minorVersion = 1;
    else if (version == "HTTP/1.0")
        head->minorVersion = 0;
    else if (version.startsWith("HTTP/"))
        return fail(head, 505, "HTTP version not supported");
    else
        return fail(head, 400, "malformed request line");
    return true;
}

bool parseContentLength(QByteArrayView value, RequestHead *head)
{
    if (value.isEmpty() || value.size() > 18)
        return fail(head, 400, "invalid Content-Length");
    qint64 length = 0;
    for (char c : value) {
        if (c < '0' || c > '9')
            return fail(head, 400, "invalid Content-Length");
        length = length * 10 + (c - '0');
    }
    if (head->contentLength >= 0 && head->contentLength != length)
        return fail(head, 400, "conflicting Content-Length headers");
    head->contentLength = length;
    return true;
}

void parseConnection(QByteArrayView value, RequestHead *head)
{
    while (!value.isEmpty()) {
        const qsizetype comma = value.indexOf(',');
        const QByteArrayView option = trimmed(comma < 0 ? value : value.first(comma));
        if (equalsIgnoringCase(option, "close"))
            head->connectionClose = true;
        else if (equalsIgnoringCase(option, "keep-alive"))
            head->connectionKeepAlive = true;
        value = comma < 0 ? QByteArrayView() : value.sliced(comma + 1);
    }
}

bool parseHeaderLine(QByteArrayView line, RequestHead *head, RequestHead::Fields *fields)
{
    if (line.front() == ' ' || line.front() == '\t')
        return fail(head, 400, "obsolete header line folding is not supported");
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0 || !isToken(line.first(colon)))
        return fail(head, 400, "malformed header field");
    const QByteArrayView name = line.first(colon);
    const QByteArrayView value = trimmed(line.sliced(colon + 1));
    for (char c : value) {
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
            return fail(head, 400, "malformed header value");
    }
    if (fields)
        fields->append({name, value});
    switch (name.size()) {
    case 6:
        if (equalsIgnoringCase(name, "expect")) {
            if (equalsIgnoringCase(value, "100-continue"))
                head->expectContinue = true;
            else
                head->expectOther = true;
        }
        break;
    case 7:
        if (equalsIgnoringCase(name, "upgrade") && value.toByteArray().toLower().contains("websocket"))
            head->websocketUpgrade = true;
        break;
    case 10:
        if (equalsIgnoringCase(name, "connection"))
            parseConnection(value, head);
        break;
    case 14:
        if (equalsIgnoringCase(name, "content-length"))
            return parseContentLength(value, head);
        break;
    case 17:
        if (equalsIgnoringCase(name, "transfer-encoding")) {
            if (!equalsIgnoringCase(value, "chunked"))
                return fail(head, 501, "unsupported Transfer-Encoding (only chunked is accepted)");
            if (head->chunked)
                return fail(head, 400, "repeated Transfer-Encoding");
            head->chunked = true;
        }
        break;
    default:
        break;
    }
    return true;
}

} // namespace

qsizetype RequestHead::findEnd(QByteArrayView data, qsizetype scanFrom)
{
    const char *d = data.data();
    const qsizetype size = data.size();
    qsizetype start = 0;
    while (start < size && (d[start] == '\r' || d[start] == '\n'))
        ++start;
    qsizetype i = qMax(start, scanFrom);
    while (i < size) {
        const void *hit = std::memchr(d + i, '\n', size_t(size - i));
        if (!hit)
            return -1;
        const qsizetype nl = static_cast<const char *>(hit) - d;
        if (nl + 1 < size && d[nl + 1] == '\n')
            return nl + 2;
        if (nl + 2 < size && d[nl + 1] == '\r' && d[nl + 2] == '\n')
            return nl + 3;
        i = nl + 1;
    }
    return -1;
}

bool RequestHead::parse(QByteArrayView data, int maxHeaders, RequestHead *head, Fields *fields)
{
    *head = RequestHead();
    const char *d = data.data();
    qsizetype pos = 0;
    while (pos < data.size() && (d[pos] == '\r' || d[pos] == '\n'))
        ++pos;
    bool first = true;
    while (pos < data.size()) {
        const void *hit = std::memchr(d + pos, '\n', size_t(data.size() - pos));
        if (!hit)
            return fail(head, 400, "incomplete request head");
        const qsizetype nl = static_cast<const char *>(hit) - d;
        qsizetype end = nl;
        if (end > pos && d[end - 1] == '\r')
            --end;
        const QByteArrayView line = data.sliced(pos, end - pos);
        pos = nl + 1;
        if (first) {
            if (!parseRequestLine(line, head))
                return false;
            first = false;
            continue;
        }
        if (line.isEmpty())
            break;
        if (++head->headerCount > maxHeaders)
            return fail(head, 431, "too many header fields");
        if (!parseHeaderLine(line, head, fields))
            return false;
    }
    if (first)
        return fail(head, 400, "empty request");
    if (head->chunked && head->contentLength >= 0)
        return fail(head, 400, "both Content-Length and Transfer-Encoding are set");
    return true;
}

} // namespace gk
