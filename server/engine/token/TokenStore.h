#pragma once

#include "engine/Result.h"
#include "engine/crypto/SecureBytes.h"
#include "engine/storage/Storage.h"
#include "engine/token/KeyedStrand.h"
#include "engine/token/TokenEntry.h"
#include "engine/token/TokenRole.h"

#include <QFuture>
#include <QLoggingCategory>
#include <QMutex>
#include <QStringList>

#include <functional>

#include <memory>
#include <optional>

namespace gk {

Q_DECLARE_LOGGING_CATEGORY(lcToken)

class Storage;

// Tokens in the barrier. A token id ("gk." + its creation time in 12 hex digits of Unix milliseconds + 32 random
// bytes, base64url) is returned to its owner once and stored only as HMAC-SHA256 under a key that itself lives in
// the barrier ("sys/token/salt"), so neither the physical store nor a copy of the barrier's contents yields usable
// ids. The time part leads the HMAC in idHmac (and a version 7 UUID accessor's time leads its HMAC), so that the
// keys of new tokens sort together and their index entries share pages.
//
// Layout (all keys below "sys/token/"):
//   id/<idHmac>                        the entry (TokenEntry::encode)
//   accessor/[<time>]<accessorHmac>    {"accessor", "id_hmac"}: lookup and revocation by accessor
//   parent/<parentIdHmac>/<childIdHmac> one empty value per child: the tree, for cascading revocation
//   role/<name>                        token roles
//
// A token is live when its entry exists, has not expired, has uses left, and every ancestor up to its root
// (or to an orphan) exists and has not expired: revoking a token invalidates its whole subtree at once, and
// the descendants' entries are removed right after (or by tidy() should that be interrupted).
//
// Every change of an entry (use, renewal, re-parenting, revocation) runs on a per-token strand, so concurrent
// changes of one token never lose an update. Every method may be called from any thread.
class TokenStore final
{
public:
    using EntryPtr = std::shared_ptr<const TokenEntry>;

    explicit TokenStore(Storage *barrier);
    ~TokenStore();
    Q_DISABLE_COPY_MOVE(TokenStore)

    struct Created
    {
        QString id; // the secret: give it to the caller, never store or log it
        EntryPtr entry;
    };
    // Stores entry under a new random id (or under chosenId when given, as --dev-root-token does; 400 when a
    // token with that id exists), with its accessor index and its link below its parent.
    QFuture<Result<Created>> create(TokenEntry entry, const QString &chosenId = {});
    // The same, and the ops that alongside makes from the finished entry (its idHmac, accessor and times set) go in
    // the same durable write: the token and what belongs to it exist together or not at all.
    using Alongside = std::function<QList<StorageOp>(const TokenEntry &)>;
    QFuture<Result<Created>> create(TokenEntry entry, const Alongside &alongside);
    QFuture<Result<Created>> createRoot(const QString &chosenId = {});
    // The live entry for id, or a 403-status failure when it is unknown, expired, used up or malformed, or an
    // ancestor is gone.
    QFuture<Result<EntryPtr>> lookup(const QByteArray &id);
    // lookup(), and the values of the keys that alsoRead names for the token (given its idHmac), read together
    // with the entry: one trip to storage in all.
    struct Found
    {
        EntryPtr entry;
        Storage::Values alongside; // in the order of alsoRead's keys
    };
    using AlsoRead = std::function<QStringList(const QString &idHmac)>;
    QFuture<Result<Found>> lookup(const QByteArray &id, const AlsoRead &alsoRead);
    // The live entry whose accessor this is, or a 400 "invalid accessor".
    QFuture<Result<EntryPtr>> lookupByAccessor(const QString &accessor);

    struct Use
    {
        EntryPtr entry;    // after this use: numUses is what is left (kUsesExhausted when this was the last)
        bool last = false; // this was the last use: revoke the token once the request is done
    };
    // Takes one use of a token with limited uses (a no-op for unlimited ones). 403 when none is left.
    QFuture<Result<Use>> use(const QString &idHmac);
    // Spends the only use of a single-use token (num_uses 1, none spent) by deleting it, together with alongside,
    // in one durable write. 403 when the token is gone, expired, used or not single-use: of concurrent calls for
    // one token, exactly one succeeds. The token must have no children.
    QFuture<Status> spendSingleUse(const QString &idHmac, const QList<StorageOp> &alongside);
    // Spends single-use token idHmac as spendSingleUse() does, removing alsoRemove with it, and creates entry under
    // a new random id with alongside's ops, all in one durable write: either the old token is still there, or it is
    // gone and the new one exists. 403 as spendSingleUse().
    QFuture<Result<Created>> replaceSingleUse(const QString &idHmac, const QList<StorageOp> &alsoRemove,
                                              TokenEntry entry, const Alongside &alongside);

    // Read-modify-write of one live entry (403 when it is not). change may refuse with its own status.
    using Change = std::function<Result<TokenEntry>(TokenEntry)>;
    QFuture<Result<EntryPtr>> update(const QString &idHmac, Change change);

    // Revokes the token and all its descendants. Revoking a token that does not exist succeeds.
    QFuture<Status> revoke(const QString &idHmac);
    // Revokes the token alone; its children become orphans.
    QFuture<Status> revokeOrphan(const QString &idHmac);

    // Every accessor in the index, sorted.
    QFuture<Result<QStringList>> accessors();

    struct TidyReport
    {
        int expired = 0;            // expired or used-up tokens revoked (with their subtrees)
        int invalidParents = 0;     // tokens revoked because their parent was gone
        int danglingAccessors = 0;  // accessor index entries removed
        int danglingChildLinks = 0; // parent index entries removed
    };
    // Removes expired tokens and everything that refers to missing tokens. Tidy runs never overlap: a call
    // made while one runs starts when it is done.
    QFuture<Result<TidyReport>> tidy();
    bool isTidying() const;

    // Token roles; names are expected normalised (lower case) by the caller.
    QFuture<Result<std::optional<TokenRole>>> role(const QString &name);
    QFuture<Status> putRole(const TokenRole &role);
    QFuture<Status> removeRole(const QString &name);
    QFuture<Result<QStringList>> roleNames();

    // Forgets the cached HMAC key (on seal).
    void clearCache();
    static QString newTokenId();

private:
    // A new random id for entry, and its accessor when it has none, from one draw of the random generator.
    static QString freshIdFor(TokenEntry &entry);
    QFuture<Result<Created>> create(TokenEntry entry, const QString &chosenId, const Alongside &alongside);
    // A new token under id: its finished entry and the ops that store it (entry, accessor index, parent link, then
    // alongside's).
    struct Prepared
    {
        Created created;
        QList<StorageOp> ops;
    };
    static Prepared prepare(TokenEntry entry, const QString &id, const SecureBytes &key, const Alongside &alongside);
    // The ops that delete entry with its accessor index and parent link.
    static QList<StorageOp> removalOps(const TokenEntry &entry, const SecureBytes &key);
    // On idHmac's strand: deletes the token, when it is an unspent single-use one (else 403), with its index
    // entries and alongside, in one batch.
    QFuture<Status> spend(const QString &idHmac, const SecureBytes &key, const QList<StorageOp> &alongside);
    QFuture<Result<SecureBytes>> hmacKey(bool createIfMissing);
    QFuture<Result<SecureBytes>> loadHmacKey(bool createIfMissing);
    QFuture<Result<std::optional<TokenEntry>>> readEntry(const QString &idHmac);
    // The entry (null when there is none) from the entry cache, or read from storage and remembered there.
    QFuture<Result<EntryPtr>> readRemembered(const QString &idHmac);
    // What a read of idHmac's entry found, kept in the entry cache unless it was dropped since dropsBeforeRead.
    Result<EntryPtr> remember(const QString &idHmac, Result<std::optional<TokenEntry>> read, quint64 dropsBeforeRead);
    // Starts write, which changes or removes the entries of idHmacs, with the entry cache kept out of its way.
    QFuture<Status> writeEntries(const QStringList &idHmacs, const std::function<QFuture<Status>()> &write);
    QFuture<Result<EntryPtr>> loadLive(const QString &idHmac);
    // got when it is a live entry whose ancestors are live, else a 403 (or got's own failure).
    QFuture<Result<EntryPtr>> checkLive(Result<EntryPtr> got);
    QFuture<Status> checkAncestors(const QString &parentHmac, int depth);
    QFuture<Status> revokeOne(const QString &idHmac);
    // Deletes entry with its accessor and parent link, and applies alongside, in one batch.
    QFuture<Status> removeEntry(const TokenEntry &entry, const QList<StorageOp> &alongside);
    QFuture<Status> revokeChildren(const QString &idHmac);
    QFuture<Status> orphanChildren(const QString &idHmac);
    QFuture<Result<QStringList>> children(const QString &idHmac);
    QFuture<Result<QStringList>> listKeys(const QString &prefix);
    QFuture<Result<TidyReport>> tidyNow();

    static QString idHmac(const SecureBytes &key, const QByteArray &id);
    static QString storageKey(const QString &idHmac);
    static QString accessorKey(const SecureBytes &key, const QString &accessor);
    static QString parentLinkKey(const QString &parentHmac, const QString &childHmac);

    // Decoded entries of tokens looked up lately: a token is usually used many times, and a hit skips the
    // decryption and parsing of its entry. Every change or removal of an entry drops it before the write starts
    // and again once the write is done, and a read during which its key was dropped is not remembered, so the
    // cache never holds an entry older than storage. Off when other servers write the same store.
    class EntryCache;

    Storage *m_barrier;
    std::unique_ptr<EntryCache> m_entries;
    KeyedStrand m_strand;
    QMutex m_mutex;
    SecureBytes m_hmacKey;    // cached while unsealed
    QFuture<void> m_lastTidy; // waited for on destruction
};

} // namespace gk
