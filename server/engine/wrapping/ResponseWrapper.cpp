#include "engine/wrapping/ResponseWrapper.h"

#include "Duration.h"
#include "engine/Chain.h"
#include "engine/crypto/Crypto.h"
#include "engine/storage/Storage.h"
#include "engine/token/TokenStore.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>

#include <atomic>

Q_LOGGING_CATEGORY(lcWrapping, "gatekeeper.wrapping")

namespace gk {

const QString ResponseWrapper::kPolicy = QStringLiteral("response-wrapping");
const QString ResponseWrapper::kInvalidToken = QStringLiteral("wrapping token is not valid or does not exist");

namespace {
const QString kPrefix = QStringLiteral("sys/wrapping/response/");

// The record's fields.
const QString kIdHmac = QStringLiteral("id_hmac");
const QString kAnswer = QStringLiteral("response");
const QString kCreationPath = QStringLiteral("creation_path");
const QString kCreationTime = QStringLiteral("creation_time");
const QString kCreationTtl = QStringLiteral("creation_ttl");
const QString kExpireTime = QStringLiteral("expire_time");
const QString kWrappedAccessor = QStringLiteral("wrapped_accessor");

template <typename T> QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

Status invalid()
{
    return Status::fail(ResponseWrapper::kInvalidToken, 400);
}

// Token store failures: a token that is not live is an invalid wrapping token; anything else (sealed, storage)
// keeps its own status.
Status asInvalid(const Status &st)
{
    return st.httpStatus() == 403 ? invalid() : st;
}

QString recordKey(const QString &idHmac)
{
    return kPrefix + idHmac;
}
} // namespace

ResponseWrapper::ResponseWrapper(Storage *barrier, TokenStore *tokens) : m_barrier(barrier), m_tokens(tokens) {}

Result<qint64> ResponseWrapper::parseTtl(const QByteArray &header, qint64 maxTtl)
{
    const QString text = QString::fromLatin1(header).trimmed();
    const std::optional<qint64> ttl = parseDurationSeconds(text);
    if (!ttl)
        return Result<qint64>::fail(
            QStringLiteral("invalid X-Vault-Wrap-TTL \"%1\": give seconds or a duration such as \"90s\", \"30m\"")
                .arg(text.left(64)),
            400);
    if (*ttl < kMinTtl)
        return Result<qint64>::fail(QStringLiteral("X-Vault-Wrap-TTL must be at least %1s").arg(kMinTtl), 400);
    if (maxTtl > 0 && *ttl > maxTtl)
        return Result<qint64>::fail(
            QStringLiteral("X-Vault-Wrap-TTL %1 is above the maximum of %2").arg(text.left(64), formatDuration(maxTtl)),
            400);
    return *ttl;
}

bool ResponseWrapper::isWrappable(const Response &answer)
{
    return answer.status == 200 && answer.hasJson &&
           (answer.json.value(QStringLiteral("data")).isObject() ||
            answer.json.value(QStringLiteral("auth")).isObject());
}

TokenEntry ResponseWrapper::wrappingEntry(qint64 ttl, const QString &creationPath)
{
    TokenEntry entry;
    entry.policies = {kPolicy};
    entry.path = creationPath;
    entry.numUses = 1;
    entry.ttl = ttl;
    entry.explicitMaxTtl = ttl;
    entry.creationTime = QDateTime::currentSecsSinceEpoch();
    return entry;
}

QString ResponseWrapper::wrappedAccessor(const QJsonObject &answer)
{
    return answer.value(QStringLiteral("auth")).toObject().value(QStringLiteral("accessor")).toString();
}

TokenStore::Alongside ResponseWrapper::recordOps(const QJsonObject &answer, qint64 ttl, const QString &creationPath)
{
    return [answer, ttl, creationPath](const TokenEntry &token) {
        const QJsonObject fields{{kIdHmac, token.idHmac},
                                 {kAnswer, answer},
                                 {kCreationPath, creationPath},
                                 {kCreationTime, token.creationTime},
                                 {kCreationTtl, ttl},
                                 {kExpireTime, token.expireTime},
                                 {kWrappedAccessor, wrappedAccessor(answer)}};
        return QList<StorageOp>{
            StorageOp::put(recordKey(token.idHmac), QJsonDocument(fields).toJson(QJsonDocument::Compact))};
    };
}

Result<QJsonObject> ResponseWrapper::envelope(const Result<TokenStore::Created> &created, qint64 ttl,
                                              const QString &creationPath, const QString &accessorWrapped)
{
    if (!created)
        return created.status();
    const TokenStore::EntryPtr token = created.value().entry;
    const QJsonObject wrapInfo{{QStringLiteral("token"), created.value().id},
                               {QStringLiteral("accessor"), token->accessor},
                               {QStringLiteral("ttl"), ttl},
                               {QStringLiteral("creation_time"), formatRfc3339(token->creationTime)},
                               {QStringLiteral("creation_path"), creationPath},
                               {kWrappedAccessor, accessorWrapped}};
    return QJsonObject{{QStringLiteral("request_id"), crypto::publicUuid()},
                       {QStringLiteral("lease_id"), QString()},
                       {QStringLiteral("renewable"), false},
                       {QStringLiteral("lease_duration"), 0},
                       {QStringLiteral("data"), QJsonValue::Null},
                       {QStringLiteral("wrap_info"), wrapInfo},
                       {QStringLiteral("warnings"), QJsonValue::Null},
                       {QStringLiteral("auth"), QJsonValue::Null}};
}

QFuture<Result<QJsonObject>> ResponseWrapper::wrap(const QJsonObject &answer, qint64 ttl, const QString &creationPath)
{
    using R = Result<QJsonObject>;
    if (ttl < kMinTtl)
        return ready(R::fail(QStringLiteral("a wrap TTL is required"), 400));
    // The wrapping token and the record of the answer go in one durable write.
    return chain(m_tokens->create(wrappingEntry(ttl, creationPath), recordOps(answer, ttl, creationPath)),
                 [ttl, creationPath, accessor = wrappedAccessor(answer)](Result<TokenStore::Created> created) {
                     return envelope(created, ttl, creationPath, accessor);
                 });
}

QFuture<Response> ResponseWrapper::wrapAnswer(QFuture<Response> answer, qint64 ttl, const QString &creationPath)
{
    return chain(
        answer, [this, ttl, creationPath](Response r) -> QFuture<Response> {
            if (!isWrappable(r))
                return ready(std::move(r));
            return wrap(r.json, ttl, creationPath).then([](Result<QJsonObject> wrapped) {
                if (!wrapped)
                    return Response::error(wrapped.httpStatus(), wrapped.error());
                return Response::ok(wrapped.value());
            });
        });
}

QFuture<Result<ResponseWrapper::Live>> ResponseWrapper::liveWrappingToken(const QByteArray &token)
{
    using R = Result<Live>;
    if (token.isEmpty())
        return ready(R(invalid()));
    const TokenStore::AlsoRead record = [](const QString &idHmac) { return QStringList{recordKey(idHmac)}; };
    return chain(m_tokens->lookup(token, record), [](Result<TokenStore::Found> found) -> R {
        if (!found)
            return asInvalid(found.status());
        // Only tokens made by wrap() qualify: exactly the wrapping policy, one use, an orphan.
        const TokenStore::EntryPtr &entry = found.value().entry;
        if (entry->policies != QStringList{kPolicy} || !entry->parentHmac.isEmpty())
            return invalid();
        return Live{entry->idHmac, decodeRecord(entry->idHmac, found.value().alongside.value(0))};
    });
}

Result<QJsonObject> ResponseWrapper::decodeRecord(const QString &idHmac, const std::optional<QByteArray> &stored)
{
    if (!stored)
        return invalid();
    const QJsonObject record = QJsonDocument::fromJson(*stored).object();
    if (!crypto::constantTimeEquals(record.value(kIdHmac).toString().toLatin1(), idHmac.toLatin1()) ||
        !record.value(kAnswer).isObject())
        return Status::fail(QStringLiteral("malformed wrapped response"));
    const qint64 expires = record.value(kExpireTime).toInteger();
    if (expires != 0 && QDateTime::currentSecsSinceEpoch() >= expires)
        return invalid();
    return record;
}

QFuture<Status> ResponseWrapper::discard(const QString &idHmac)
{
    return chain(m_barrier->remove(recordKey(idHmac)), [this, idHmac](Status removed) {
        return m_tokens->revoke(idHmac).then([removed](Status revoked) { return removed ? revoked : removed; });
    });
}

QFuture<Result<QJsonObject>> ResponseWrapper::unwrap(const QByteArray &token)
{
    using R = Result<QJsonObject>;
    return chain(liveWrappingToken(token), [this](Result<Live> live) -> QFuture<R> {
        if (!live)
            return ready(R(live.status()));
        const QString id = live.value().idHmac;
        // The token's one use and the record go in one durable write, on the token's strand: of concurrent unwraps
        // exactly one gets here first, and the others find the token gone. A token whose record is unreadable is
        // spent all the same.
        return chain(m_tokens->spendSingleUse(id, {StorageOp::remove(recordKey(id))}),
                     [record = live.value().record](Status spent) -> R {
                         if (!spent)
                             return asInvalid(spent);
                         if (!record)
                             return record.status();
                         return record.value().value(kAnswer).toObject();
                     });
    });
}

QFuture<Result<QJsonObject>> ResponseWrapper::lookup(const QByteArray &token)
{
    using R = Result<QJsonObject>;
    return chain(liveWrappingToken(token), [](Result<Live> live) -> R {
        if (!live)
            return live.status();
        const Result<QJsonObject> &record = live.value().record;
        if (!record)
            return record.status();
        const QJsonObject &r = record.value();
        return QJsonObject{{kCreationPath, r.value(kCreationPath).toString()},
                           {kCreationTime, formatRfc3339(r.value(kCreationTime).toInteger())},
                           {kCreationTtl, r.value(kCreationTtl).toInteger()}};
    });
}

QFuture<Result<QJsonObject>> ResponseWrapper::rewrap(const QByteArray &token)
{
    using R = Result<QJsonObject>;
    return chain(liveWrappingToken(token), [this](Result<Live> live) -> QFuture<R> {
        if (!live)
            return ready(R(live.status()));
        const QString oldHmac = live.value().idHmac;
        const QList<StorageOp> removeRecord{StorageOp::remove(recordKey(oldHmac))};
        const Result<QJsonObject> &record = live.value().record;
        if (!record) {
            // Spent all the same: the token goes, and with it whatever is left of the record.
            return chain(m_tokens->spendSingleUse(oldHmac, removeRecord),
                         [failed = record.status()](Status spent) { return R(spent ? failed : asInvalid(spent)); });
        }
        const QJsonObject answer = record.value().value(kAnswer).toObject();
        const qint64 ttl = record.value().value(kCreationTtl).toInteger();
        const QString path = record.value().value(kCreationPath).toString();
        if (ttl < kMinTtl)
            return ready(R::fail(QStringLiteral("malformed wrapped response")));
        // The old token's one use, its record, and the new token with the record moved under it: one durable write
        // on the old token's strand, so of concurrent rewraps and unwraps exactly one succeeds, and the answer is
        // never lost between the two tokens.
        return chain(
            m_tokens->replaceSingleUse(oldHmac, removeRecord, wrappingEntry(ttl, path), recordOps(answer, ttl, path)),
            [ttl, path, accessor = wrappedAccessor(answer)](Result<TokenStore::Created> created) -> R {
                if (!created)
                    return asInvalid(created.status());
                return envelope(created, ttl, path, accessor);
            });
    });
}

QFuture<Result<int>> ResponseWrapper::tidy()
{
    using R = Result<int>;
    return chain(
        m_barrier->list(kPrefix), [this](Result<QStringList> names) -> QFuture<R> {
            if (!names)
                return ready(R(names.status()));
            auto removed = std::make_shared<std::atomic<int>>(0);
            QList<QFuture<Status>> steps;
            const qint64 now = QDateTime::currentSecsSinceEpoch();
            for (const QString &name : names.value()) {
                if (name.endsWith(QLatin1Char('/')))
                    continue;
                steps.append(m_barrier->get(kPrefix + name)
                                 .then([this, name, now, removed](Result<std::optional<QByteArray>> got) {
                                     if (!got || !got.value())
                                         return ready(got.status());
                                     const qint64 expires =
                                         QJsonDocument::fromJson(*got.value()).object().value(kExpireTime).toInteger();
                                     if (expires == 0 || now < expires)
                                         return ready(Status::ok());
                                     ++*removed;
                                     return discard(name);
                                 })
                                 .unwrap());
            }
            if (steps.isEmpty())
                return ready(R(0));
            return chain(
                QtFuture::whenAll(steps.begin(), steps.end()), [removed](const QList<QFuture<Status>> &done) -> R {
                    for (const QFuture<Status> &f : done) {
                        const Status st = f.resultCount() > 0 ? f.result() : Status::fail(QStringLiteral("cancelled"));
                        if (!st)
                            return st;
                    }
                    if (*removed > 0)
                        qCInfo(lcWrapping) << "tidy: removed" << removed->load() << "expired wrapped responses";
                    return removed->load();
                });
        });
}

} // namespace gk
