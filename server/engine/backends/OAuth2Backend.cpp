#include "engine/backends/OAuth2Backend.h"

#include "Duration.h"
#include "engine/Engine.h"
#include "engine/RuntimeConfig.h"
#include "engine/backends/MountTable.h"
#include "engine/backends/UserpassBackend.h"
#include "engine/crypto/Crypto.h"
#include "engine/crypto/SealManager.h"
#include "engine/storage/Storage.h"
#include "engine/token/TokenStore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace gk {

namespace {

const QString kPrefix = QStringLiteral("sys/oauth2/");
// How long a refresh token lasts when token.max_ttl is 0 (no limit for tokens): refresh tokens always end.
constexpr qint64 kFallbackRefreshSecs = 768 * 3600;
// Ids of grants: 16 random bytes, hex.
constexpr int kGrantIdBytes = 16;

QFuture<Response> ready(Response r)
{
    return QtFuture::makeReadyFuture(std::move(r));
}

qint64 nowSecs()
{
    return QDateTime::currentSecsSinceEpoch();
}

// An OAuth2 error (RFC 6749 section 5.2) that also carries Gatekeeper's {"errors": [...]}.
Response oauthError(int status, const QString &code, const QString &description)
{
    Response r = Response::error(status, QStringLiteral("%1: %2").arg(code, description));
    r.json.insert(QStringLiteral("error"), code);
    r.json.insert(QStringLiteral("error_description"), description);
    return r;
}

QString grantKey(const QString &id)
{
    return kPrefix + QStringLiteral("grant/") + id;
}

QString refreshKey(const QString &hash)
{
    return kPrefix + QStringLiteral("refresh/") + hash;
}

QString entityFolder(const QString &entityId)
{
    return kPrefix + QStringLiteral("entity/") + entityId + QLatin1Char('/');
}

QString refreshHashOf(const QString &refreshToken)
{
    return QString::fromLatin1(crypto::sha256(refreshToken.toUtf8()).toHex());
}

QString newRefreshToken()
{
    const QByteArray raw = crypto::randomBytesRaw(32);
    return QStringLiteral("gkr.") +
           QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

// A required, non-empty string field of at most maxLength characters.
std::optional<QString> stringField(const QJsonObject &data, const QString &name, qsizetype maxLength)
{
    const QJsonValue v = data.value(name);
    if (!v.isString() || v.toString().isEmpty() || v.toString().size() > maxLength)
        return std::nullopt;
    return v.toString();
}

Response invalidRefresh()
{
    return oauthError(400, QStringLiteral("invalid_grant"), QStringLiteral("the refresh token is invalid, expired or used"));
}

} // namespace

QJsonObject OAuth2Backend::Grant::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("mount"), mount},
            {QStringLiteral("user_name"), userName},
            {QStringLiteral("entity_id"), entityId},
            {QStringLiteral("accessor"), accessor},
            {QStringLiteral("access_last_four"), accessLastFour},
            {QStringLiteral("refresh_last_four"), refreshLastFour},
            {QStringLiteral("refresh_hash"), refreshHash},
            {QStringLiteral("created_at"), createdAt},
            {QStringLiteral("access_expires_at"), accessExpiresAt},
            {QStringLiteral("refresh_expires_at"), refreshExpiresAt}};
}

OAuth2Backend::Grant OAuth2Backend::Grant::fromJson(const QJsonObject &json)
{
    Grant g;
    g.id = json.value(QStringLiteral("id")).toString();
    g.mount = json.value(QStringLiteral("mount")).toString();
    g.userName = json.value(QStringLiteral("user_name")).toString();
    g.entityId = json.value(QStringLiteral("entity_id")).toString();
    g.accessor = json.value(QStringLiteral("accessor")).toString();
    g.accessLastFour = json.value(QStringLiteral("access_last_four")).toString();
    g.refreshLastFour = json.value(QStringLiteral("refresh_last_four")).toString();
    g.refreshHash = json.value(QStringLiteral("refresh_hash")).toString();
    g.createdAt = json.value(QStringLiteral("created_at")).toInteger();
    g.accessExpiresAt = json.value(QStringLiteral("access_expires_at")).toInteger();
    g.refreshExpiresAt = json.value(QStringLiteral("refresh_expires_at")).toInteger();
    return g;
}

QJsonObject OAuth2Backend::Grant::toView(qint64 now) const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("token_type"), QStringLiteral("bearer")},
            {QStringLiteral("access_token_last_four"), accessLastFour},
            {QStringLiteral("refresh_token_last_four"), refreshLastFour},
            {QStringLiteral("expires_in"), accessExpiresAt == 0 ? 0 : std::max<qint64>(0, accessExpiresAt - now)},
            {QStringLiteral("refresh_expires_in"), std::max<qint64>(0, refreshExpiresAt - now)},
            {QStringLiteral("scopes"), QStringLiteral("user")},
            {QStringLiteral("created_at"), formatRfc3339(createdAt)},
            {QStringLiteral("user"), QJsonObject{{QStringLiteral("id"), entityId}, {QStringLiteral("name"), userName}}},
            {QStringLiteral("mount"), mount}};
}

OAuth2Backend::OAuth2Backend(Engine *engine) : m_engine(engine) {}

QList<PathSpec> OAuth2Backend::paths()
{
    // The handlers keep the backend alive while a request that was routed to it runs.
    const auto bind = [self = shared_from_this()](QFuture<Response> (OAuth2Backend::*fn)(const Request &)) {
        return [self, fn](const Request &r) { return (self.get()->*fn)(r); };
    };
    PathSpec token;
    token.pattern = QStringLiteral("token");
    token.handlers = {{Operation::Update, bind(&OAuth2Backend::token)}};
    token.unauthenticated = true;
    token.help = QStringLiteral(
        "The OAuth2 token endpoint, as a form (application/x-www-form-urlencoded) or JSON. grant_type=password with "
        "username and password logs in to the userpass mount \"userpass\" (or the one named by \"mount\"); "
        "grant_type=refresh_token with refresh_token trades a refresh token (once) for a new pair. Answers "
        "{\"access_token\", \"token_type\": \"bearer\", \"expires_in\", \"refresh_token\", \"id\", \"user\"}.");
    token.sensitiveFields = {QStringLiteral("password"), QStringLiteral("refresh_token"),
                             QStringLiteral("access_token")};

    PathSpec tokens;
    tokens.pattern = QStringLiteral("tokens");
    tokens.handlers = {{Operation::Read, bind(&OAuth2Backend::list)}, {Operation::List, bind(&OAuth2Backend::list)}};
    tokens.callerScoped = true;
    tokens.help = QStringLiteral("The caller's OAuth2 access tokens: {\"access_tokens\": [{\"id\", \"token_type\", "
                                 "\"access_token_last_four\", \"refresh_token_last_four\", \"expires_in\", ...}]}.");

    PathSpec one;
    one.pattern = QStringLiteral("tokens/([0-9a-f]{32})");
    one.handlers = {{Operation::Read, bind(&OAuth2Backend::read)}, {Operation::Delete, bind(&OAuth2Backend::remove)}};
    one.callerScoped = true;
    one.help = QStringLiteral("One of the caller's OAuth2 access tokens: GET shows it, DELETE revokes the access "
                              "token and its refresh token. Another user's id is a 404.");
    return {token, tokens, one};
}

qint64 OAuth2Backend::refreshLifetime() const
{
    const std::optional<qint64> max = parseDurationSeconds(m_engine->config().value(QStringLiteral("token.max_ttl")));
    return max && *max > 0 ? *max : kFallbackRefreshSecs;
}

QFuture<Response> OAuth2Backend::token(const Request &request)
{
    const QJsonValue grantType = request.data.value(QStringLiteral("grant_type"));
    if (!grantType.isString() || grantType.toString().isEmpty())
        return ready(oauthError(400, QStringLiteral("invalid_request"), QStringLiteral("missing grant_type")));
    if (grantType.toString() == QLatin1String("password"))
        return passwordGrant(request);
    if (grantType.toString() == QLatin1String("refresh_token"))
        return refreshGrant(request);
    return ready(oauthError(400, QStringLiteral("unsupported_grant_type"),
                            QStringLiteral("grant_type must be \"password\" or \"refresh_token\"")));
}

QFuture<Response> OAuth2Backend::passwordGrant(const Request &request)
{
    const std::optional<QString> userName = stringField(request.data, QStringLiteral("username"), 128);
    if (!userName || userName->contains(QLatin1Char('/')))
        return ready(oauthError(400, QStringLiteral("invalid_request"),
                                QStringLiteral("username must be a user name of 1-128 characters")));
    const QJsonValue password = request.data.value(QStringLiteral("password"));
    if (!password.isString() || password.toString().isEmpty())
        return ready(oauthError(400, QStringLiteral("invalid_request"), QStringLiteral("missing password")));
    QString mountName = QString::fromLatin1(kDefaultMount);
    const QJsonValue mountField = request.data.value(QStringLiteral("mount"));
    if (!mountField.isUndefined() && !mountField.isNull()) {
        if (!mountField.isString())
            return ready(oauthError(400, QStringLiteral("invalid_request"), QStringLiteral("mount must be a string")));
        mountName = mountField.toString();
    }
    const std::optional<QString> mount = MountTable::normalizePath(mountName);
    const std::optional<MountEntry> entry =
        mount ? m_engine->mountTable().entry(MountKind::Auth, *mount) : std::optional<MountEntry>();
    if (!entry || entry->type != QLatin1String("userpass"))
        return ready(oauthError(400, QStringLiteral("invalid_request"),
                                QStringLiteral("no userpass auth method is enabled at auth/%1").arg(mountName)));

    // The login itself is the userpass method's: its password check, lockout, identity entity and token settings.
    Request login;
    login.api = Api::V1;
    login.operation = Operation::Update;
    login.method = QByteArrayLiteral("POST");
    login.path = QStringLiteral("auth/") + entry->path + QStringLiteral("login/") + *userName;
    login.data = {{QStringLiteral("password"), password}};
    login.peer = request.peer;
    Grant grant;
    grant.mount = entry->path;
    grant.userName = userName->toLower();
    auto self = shared_from_this();
    return m_engine->handle(std::move(login))
        .then([self, grant](Response answer) mutable -> QFuture<Response> {
            if (answer.status == 400)
                return ready(oauthError(400, QStringLiteral("invalid_grant"),
                                        QStringLiteral("invalid username or password")));
            if (answer.status != 200) {
                const QJsonArray errors = answer.json.value(QStringLiteral("errors")).toArray();
                return ready(oauthError(answer.status,
                                        answer.status == 429 ? QStringLiteral("slow_down")
                                                             : QStringLiteral("server_error"),
                                        errors.isEmpty() ? QStringLiteral("login failed") : errors.first().toString()));
            }
            return self->issue(std::move(grant), answer.json.value(QStringLiteral("auth")).toObject(), QString());
        })
        .unwrap();
}

QFuture<Response> OAuth2Backend::issue(Grant grant, const QJsonObject &auth, const QString &previousRefreshHash)
{
    const QString accessToken = auth.value(QStringLiteral("client_token")).toString();
    if (accessToken.isEmpty())
        return ready(Response::error(500, QStringLiteral("the login gave no token")));
    const qint64 now = nowSecs();
    const qint64 leaseSecs = auth.value(QStringLiteral("lease_duration")).toInteger();
    const QString refreshToken = newRefreshToken();
    const bool fresh = grant.id.isEmpty();
    if (fresh) {
        grant.id = QString::fromLatin1(crypto::randomBytesRaw(kGrantIdBytes).toHex());
        grant.createdAt = now;
        grant.refreshExpiresAt = now + refreshLifetime();
    }
    grant.entityId = auth.value(QStringLiteral("entity_id")).toString();
    grant.accessor = auth.value(QStringLiteral("accessor")).toString();
    grant.accessLastFour = accessToken.right(4);
    grant.refreshLastFour = refreshToken.right(4);
    grant.refreshHash = refreshHashOf(refreshToken);
    grant.accessExpiresAt = leaseSecs > 0 ? now + leaseSecs : 0;

    QList<StorageOp> ops;
    if (!previousRefreshHash.isEmpty())
        ops.append(StorageOp::remove(refreshKey(previousRefreshHash)));
    ops.append(StorageOp::put(grantKey(grant.id), QJsonDocument(grant.toJson()).toJson(QJsonDocument::Compact)));
    ops.append(StorageOp::put(refreshKey(grant.refreshHash), grant.id.toLatin1()));
    if (fresh)
        ops.append(StorageOp::put(entityFolder(grant.entityId) + grant.id, QByteArray()));
    return m_engine->seal().barrier()->batch(ops).then([grant, accessToken, refreshToken, leaseSecs](Status st) {
        if (!st)
            return Response::error(st.httpStatus(), st.error());
        return Response::ok({{QStringLiteral("access_token"), accessToken},
                             {QStringLiteral("token_type"), QStringLiteral("bearer")},
                             {QStringLiteral("expires_in"), leaseSecs},
                             {QStringLiteral("refresh_token"), refreshToken},
                             {QStringLiteral("id"), grant.id},
                             {QStringLiteral("scope"), QStringLiteral("user")},
                             {QStringLiteral("user"), QJsonObject{{QStringLiteral("id"), grant.entityId},
                                                                  {QStringLiteral("name"), grant.userName}}}});
    });
}

QFuture<Response> OAuth2Backend::refreshGrant(const Request &request)
{
    const std::optional<QString> refreshToken = stringField(request.data, QStringLiteral("refresh_token"), 256);
    if (!refreshToken)
        return ready(oauthError(400, QStringLiteral("invalid_request"), QStringLiteral("missing refresh_token")));
    const QString hash = refreshHashOf(*refreshToken);
    auto self = shared_from_this();
    return m_engine->seal()
        .barrier()
        ->get(refreshKey(hash))
        .then([self, hash](Result<std::optional<QByteArray>> index) -> QFuture<Response> {
            if (!index)
                return ready(Response::error(index.httpStatus(), index.error()));
            if (!index.value().has_value())
                return ready(invalidRefresh());
            const QString id = QString::fromLatin1(*index.value());
            // One change of a grant at a time: of two refreshes with one token the first rotates it, and the
            // second then finds another hash in the grant.
            return self->m_grants.run<Response>(
                id, [self, id, hash]() { return self->refreshNow(id, hash); },
                Response::error(503, QStringLiteral("Vault is sealed")));
        })
        .unwrap();
}

QFuture<Response> OAuth2Backend::refreshNow(const QString &id, const QString &hash)
{
    auto self = shared_from_this();
    return m_engine->seal()
        .barrier()
        ->get(grantKey(id))
        .then([self, hash](Result<std::optional<QByteArray>> stored) -> QFuture<Response> {
            if (!stored)
                return ready(Response::error(stored.httpStatus(), stored.error()));
            if (!stored.value().has_value())
                return ready(invalidRefresh());
            const Grant grant = Grant::fromJson(QJsonDocument::fromJson(*stored.value()).object());
            if (!crypto::constantTimeEquals(grant.refreshHash.toLatin1(), hash.toLatin1()) ||
                nowSecs() >= grant.refreshExpiresAt)
                return ready(invalidRefresh());
            const auto userpass = std::dynamic_pointer_cast<UserpassBackend>(
                self->m_engine->mountTable().backend(MountKind::Auth, grant.mount));
            if (!userpass)
                return ready(oauthError(400, QStringLiteral("invalid_grant"),
                                        QStringLiteral("the auth method of this grant is no longer enabled")));
            const QString loginPath = QStringLiteral("auth/") + grant.mount + QStringLiteral("login/") + grant.userName;
            return userpass->reissue(grant.userName, loginPath)
                .then([self, grant, hash](Response answer) -> QFuture<Response> {
                    if (answer.status != 200) {
                        const QJsonArray errors = answer.json.value(QStringLiteral("errors")).toArray();
                        const QString why = errors.isEmpty() ? QStringLiteral("refresh refused") : errors.first().toString();
                        return ready(answer.status == 400 ? oauthError(400, QStringLiteral("invalid_grant"), why)
                                                          : oauthError(answer.status, QStringLiteral("server_error"), why));
                    }
                    const QString oldAccessor = grant.accessor;
                    return self->issue(grant, answer.json.value(QStringLiteral("auth")).toObject(), hash)
                        .then([self, oldAccessor](Response issued) -> QFuture<Response> {
                            if (issued.status != 200)
                                return ready(issued);
                            // The access token the refresh token came with is replaced, not kept alive.
                            return self->revokeAccessToken(oldAccessor).then([issued](Status st) {
                                if (!st)
                                    return Response::error(st.httpStatus(), st.error());
                                return issued;
                            });
                        })
                        .unwrap();
                })
                .unwrap();
        })
        .unwrap();
}

QFuture<Status> OAuth2Backend::revokeAccessToken(const QString &accessor)
{
    TokenStore *tokens = &m_engine->tokens();
    return tokens->lookupByAccessor(accessor)
        .then([tokens](Result<TokenStore::EntryPtr> entry) -> QFuture<Status> {
            // An access token that has expired or was revoked already is gone: nothing to do.
            if (!entry)
                return QtFuture::makeReadyFuture(entry.httpStatus() == 400 ? Status::ok() : entry.status());
            return tokens->revoke(entry.value()->idHmac);
        })
        .unwrap();
}

QFuture<Response> OAuth2Backend::list(const Request &request)
{
    const QString entityId = request.auth ? request.auth->entityId : QString();
    if (entityId.isEmpty()) // a token made by no login (a root or token-store token) owns no OAuth2 tokens
        return ready(Response::ok({{QStringLiteral("access_tokens"), QJsonArray()}}));
    Storage *barrier = m_engine->seal().barrier();
    return barrier->list(entityFolder(entityId))
        .then([barrier](Result<QStringList> ids) -> QFuture<Response> {
            if (!ids)
                return ready(Response::error(ids.httpStatus(), ids.error()));
            QList<QFuture<Result<std::optional<QByteArray>>>> reads;
            for (const QString &id : ids.value())
                reads.append(barrier->get(grantKey(id)));
            if (reads.isEmpty())
                return ready(Response::ok({{QStringLiteral("access_tokens"), QJsonArray()}}));
            return QtFuture::whenAll(reads.begin(), reads.end())
                .then([](const QList<QFuture<Result<std::optional<QByteArray>>>> &done) {
                    QJsonArray out;
                    const qint64 now = nowSecs();
                    for (const auto &f : done) {
                        const Result<std::optional<QByteArray>> got = f.result();
                        if (!got)
                            return Response::error(got.httpStatus(), got.error());
                        if (got.value().has_value())
                            out.append(Grant::fromJson(QJsonDocument::fromJson(*got.value()).object()).toView(now));
                    }
                    return Response::ok({{QStringLiteral("access_tokens"), out}});
                });
        })
        .unwrap();
}

QFuture<Result<OAuth2Backend::Grant>> OAuth2Backend::ownGrant(const Request &request)
{
    const QString entityId = request.auth ? request.auth->entityId : QString();
    const QString id = request.captures.value(0);
    return m_engine->seal().barrier()->get(grantKey(id)).then([entityId, id](Result<std::optional<QByteArray>> got) {
        using R = Result<Grant>;
        if (!got)
            return R(got.status());
        const Status notFound = Status::fail(QStringLiteral("no access token %1").arg(id), 404);
        if (!got.value().has_value())
            return R(notFound);
        Grant grant = Grant::fromJson(QJsonDocument::fromJson(*got.value()).object());
        if (entityId.isEmpty() || grant.entityId != entityId)
            return R(notFound);
        return R(std::move(grant));
    });
}

QFuture<Response> OAuth2Backend::read(const Request &request)
{
    return ownGrant(request).then([](Result<Grant> grant) {
        if (!grant)
            return Response::error(grant.httpStatus(), grant.error());
        return Response::ok(grant.value().toView(nowSecs()));
    });
}

QFuture<Response> OAuth2Backend::remove(const Request &request)
{
    auto self = shared_from_this();
    // In the grant's turn, reading it afresh: a refresh that ran just before may have replaced its access token.
    return m_grants.run<Response>(
        request.captures.value(0),
        [self, request]() -> QFuture<Response> {
            return self->ownGrant(request)
                .then([self](Result<Grant> grant) -> QFuture<Response> {
                    if (!grant)
                        return ready(Response::error(grant.httpStatus(), grant.error()));
                    const Grant g = grant.value();
                    return self->revokeAccessToken(g.accessor)
                        .then([self, g](Status st) -> QFuture<Status> {
                            if (!st)
                                return QtFuture::makeReadyFuture(st);
                            return self->m_engine->seal().barrier()->batch(
                                {StorageOp::remove(refreshKey(g.refreshHash)), StorageOp::remove(grantKey(g.id)),
                                 StorageOp::remove(entityFolder(g.entityId) + g.id)});
                        })
                        .unwrap()
                        .then([](Status st) {
                            if (!st)
                                return Response::error(st.httpStatus(), st.error());
                            return Response::noContent();
                        });
                })
                .unwrap();
        },
        Response::error(503, QStringLiteral("Vault is sealed")));
}

} // namespace gk
