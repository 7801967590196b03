#include "engine/policy/PolicyBackend.h"

#include "engine/policy/PolicyStore.h"
#include "engine/policy/VaultData.h"

#include <QJsonArray>
#include <QStringDecoder>

namespace gk {

namespace {

QFuture<Response> ready(Response r)
{
    return QtFuture::makeReadyFuture(std::move(r));
}

Response failure(int status, const QString &message)
{
    return Response::error(status, message);
}

// Vault takes the policy text as written or base64-encoded; text that is valid base64 of valid UTF-8 is decoded
// (HCL and JSON policies always hold characters outside the base64 alphabet).
QString decodePolicyText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty() || trimmed.size() % 4 != 0)
        return text;
    const qsizetype padding = trimmed.endsWith(QLatin1String("==")) ? 2 : trimmed.endsWith(u'=') ? 1 : 0;
    for (qsizetype i = 0; i < trimmed.size() - padding; ++i) {
        const QChar c = trimmed.at(i);
        const bool alphabet =
            (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'+' || c == u'/';
        if (!alphabet)
            return text;
    }
    const auto decoded = QByteArray::fromBase64Encoding(trimmed.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return text;
    QStringDecoder utf8(QStringDecoder::Utf8);
    const QString out = utf8(*decoded);
    return utf8.hasError() ? text : out;
}

} // namespace

QList<PathSpec> PolicyBackend::paths()
{
    const auto bind = [this](QFuture<Response> (PolicyBackend::*fn)(const Request &)) {
        return [this, fn](const Request &r) { return (this->*fn)(r); };
    };
    const bool legacy = m_flavour == Flavour::Policy;
    const QString field = legacy ? QStringLiteral("rules") : QStringLiteral("policy");

    PathSpec root;
    root.pattern = QString();
    root.handlers = {{Operation::List, bind(&PolicyBackend::list)}};
    if (legacy)
        root.handlers.insert({Operation::Read, bind(&PolicyBackend::list)});
    root.listLike = legacy; // GET sys/policy lists: a blocking query like LIST
    root.help = legacy ? QStringLiteral("List the ACL policies: {\"policies\": [...], \"keys\": [...]}, also under "
                                        "\"data\". \"default\" and \"root\" are always there.")
                       : QStringLiteral("LIST the ACL policies: {\"data\": {\"keys\": [...]}}. \"default\" and "
                                        "\"root\" are always there.");

    PathSpec one;
    one.pattern = QStringLiteral("(.+)");
    one.handlers = {{Operation::Read, bind(&PolicyBackend::read)},
                    {Operation::Update, bind(&PolicyBackend::write)},
                    {Operation::Delete, bind(&PolicyBackend::remove)}};
    one.help = QStringLiteral("Read (GET: name and %1), write (PUT {\"policy\": \"...\"}, HCL or JSON, possibly "
                              "base64-encoded) or delete (DELETE) the named ACL policy. Names are lower-cased. "
                              "\"root\" cannot be written or deleted, \"default\" cannot be deleted.")
                   .arg(field);
    return {root, one};
}

QFuture<Response> PolicyBackend::list(const Request &)
{
    const bool legacy = m_flavour == Flavour::Policy;
    return m_store->names().then([legacy](Result<QStringList> names) {
        if (!names)
            return failure(names.httpStatus(), names.error());
        const QJsonArray keys = QJsonArray::fromStringList(names.value());
        QJsonObject data{{QStringLiteral("keys"), keys}};
        if (legacy)
            data.insert(QStringLiteral("policies"), keys);
        return Response::ok(vaultData(data, legacy));
    });
}

QFuture<Response> PolicyBackend::read(const Request &request)
{
    const Result<QString> name = PolicyStore::normalizeName(request.captures.value(0));
    if (!name)
        return ready(failure(name.httpStatus(), name.error()));
    const bool legacy = m_flavour == Flavour::Policy;
    return m_store->text(name.value()).then([legacy, name = name.value()](Result<std::optional<QString>> text) {
        if (!text)
            return failure(text.httpStatus(), text.error());
        if (!text.value().has_value())
            return failure(404, QStringLiteral("no policy named \"%1\"").arg(name));
        const QJsonObject data{{QStringLiteral("name"), name},
                               {legacy ? QStringLiteral("rules") : QStringLiteral("policy"), *text.value()}};
        return Response::ok(vaultData(data, legacy));
    });
}

QFuture<Response> PolicyBackend::write(const Request &request)
{
    QJsonValue text = request.data.value(QStringLiteral("policy"));
    if (text.isUndefined() || text.isNull())
        text = request.data.value(QStringLiteral("rules"));
    if (!text.isString() || text.toString().trimmed().isEmpty())
        return ready(failure(400, QStringLiteral("'policy' parameter not supplied or empty")));
    return m_store->write(request.captures.value(0), decodePolicyText(text.toString())).then([](Status st) {
        if (!st)
            return failure(st.httpStatus(), st.error());
        return Response::noContent();
    });
}

QFuture<Response> PolicyBackend::remove(const Request &request)
{
    return m_store->remove(request.captures.value(0)).then([](Status st) {
        if (!st)
            return failure(st.httpStatus(), st.error());
        return Response::noContent();
    });
}

} // namespace gk
