#pragma once

#include "engine/Response.h"
#include "engine/Result.h"
#include "engine/token/TokenStore.h"

#include <QByteArray>
#include <QFuture>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace gk {

class Storage;

// Response wrapping (Vault's cubbyhole response wrapping, without a cubbyhole): an answer is replaced by a
// single-use wrapping token, and the answer itself is kept in the barrier until that token is unwrapped.
//
// The wrapping token is a real token of the token store: an orphan with the built-in "response-wrapping" policy,
// one use, TTL and explicit max TTL equal to the wrap TTL, and the wrapped request's path as its creation path, so
// that lookup-accessor, revoke-accessor and tidy treat it like Vault does. The answer is stored at
// "sys/wrapping/response/<idHmac>", where idHmac is the token store's HMAC of the wrapping token: neither the token
// nor the answer is ever stored in plain text. Taking the answer out spends the token's one use on the token's own
// strand, so of any number of concurrent unwraps (or rewraps) of one token exactly one succeeds.
//
// Every method may be called from any thread.
class ResponseWrapper final
{
public:
    ResponseWrapper(Storage *barrier, TokenStore *tokens);
    Q_DISABLE_COPY_MOVE(ResponseWrapper)

    static const QString kPolicy;        // "response-wrapping"
    static constexpr qint64 kMinTtl = 1; // seconds
    static const QString kInvalidToken;  // Vault's 400 message for an unusable wrapping token

    // The wrap TTL asked for by an X-Vault-Wrap-TTL header value (Vault's duration forms or plain seconds), or a
    // 400 when it is malformed, zero, or above maxTtl.
    static Result<qint64> parseTtl(const QByteArray &header, qint64 maxTtl);
    // Whether an answer is one that wrapping replaces: a 200 JSON answer carrying "data" or "auth".
    static bool isWrappable(const Response &answer);

    // Stores answer under a new wrapping token and returns Vault's wrapped envelope for it.
    QFuture<Result<QJsonObject>> wrap(const QJsonObject &answer, qint64 ttl, const QString &creationPath);
    // The pipeline's step for X-Vault-Wrap-TTL: answer, replaced by its wrapped form when isWrappable().
    QFuture<Response> wrapAnswer(QFuture<Response> answer, qint64 ttl, const QString &creationPath);
    // The wrapped answer, exactly once; afterwards the token and the stored answer are gone. 400 kInvalidToken
    // when the token is unknown, expired, already used, or not a wrapping token.
    QFuture<Result<QJsonObject>> unwrap(const QByteArray &token);
    // {creation_path, creation_time, creation_ttl} of a live wrapping token; spends nothing.
    QFuture<Result<QJsonObject>> lookup(const QByteArray &token);
    // Moves the wrapped answer under a new wrapping token (same creation path and TTL) and invalidates token.
    QFuture<Result<QJsonObject>> rewrap(const QByteArray &token);

    // Removes the stored answers whose wrap TTL has passed; the number removed.
    QFuture<Result<int>> tidy();

private:
    // A live wrapping token and its record (read together with the token's entry), or 400 kInvalidToken.
    struct Live
    {
        QString idHmac;
        Result<QJsonObject> record; // 400 kInvalidToken when missing or expired
    };
    QFuture<Result<Live>> liveWrappingToken(const QByteArray &token);
    static Result<QJsonObject> decodeRecord(const QString &idHmac, const std::optional<QByteArray> &stored);
    // The new wrapping token's entry, the ops that store the wrapped answer alongside it, and the envelope that
    // answers for it.
    static TokenEntry wrappingEntry(qint64 ttl, const QString &creationPath);
    static QString wrappedAccessor(const QJsonObject &answer);
    static TokenStore::Alongside recordOps(const QJsonObject &answer, qint64 ttl, const QString &creationPath);
    static Result<QJsonObject> envelope(const Result<TokenStore::Created> &created, qint64 ttl,
                                        const QString &creationPath, const QString &accessorWrapped);
    QFuture<Status> discard(const QString &idHmac);

    Storage *m_barrier;
    TokenStore *m_tokens;
};

} // namespace gk
