#include "engine/token/TokenStore.h"

#include "engine/Chain.h"
#include "engine/crypto/Crypto.h"
#include "engine/storage/Storage.h"

#include <QDateTime>
#include <QHash>
#include <QJsonDocument>
#include <QMutexLocker>

#include <algorithm>
#include <atomic>

namespace gk {

Q_LOGGING_CATEGORY(lcToken, "gatekeeper.token")

namespace {
const QString kSaltKey = QStringLiteral("sys/token/salt");
const QString kIdPrefix = QStringLiteral("sys/token/id/");
const QString kAccessorPrefix = QStringLiteral("sys/token/accessor/");
const QString kParentPrefix = QStringLiteral("sys/token/parent/");
const QString kRolePrefix = QStringLiteral("sys/token/role/");
const QString kTokenPrefix = QStringLiteral("gk.");
// A token id made by newTokenId(): the prefix, its creation time as 12 lower-case hex digits of Unix milliseconds,
// then 32 random bytes in base64url without padding.
constexpr qsizetype kTimeDigits = 12;
constexpr qsizetype kRandomChars = 43;
constexpr int kRandomBytes = 32;
// The random draw of a version 7 UUID (its time replaces the first 6 bytes).
constexpr int kUuidBytes = 16;
// Ancestors followed when checking that a token's parents are alive; a deeper tree is refused.
constexpr int kMaxDepth = 256;
// Storage operations started at once when walking a list of keys.
constexpr qsizetype kChunk = 64;

Status denied()
{
    return Status::fail(QStringLiteral("permission denied"), 403);
}

Status invalidAccessor()
{
    return Status::fail(QStringLiteral("invalid accessor"), 400);
}

template <typename T> QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

QByteArray compact(const QJsonObject &json)
{
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

// Runs step for every item, kChunk at a time, and keeps going past failures: the first failure is the answer.
QFuture<Status> forEachItem(QStringList items, std::function<QFuture<Status>(const QString &)> step)
{
    if (items.isEmpty())
        return ready(Status::ok());
    const qsizetype n = std::min(kChunk, items.size());
    QList<QFuture<Status>> running;
    running.reserve(n);
    for (qsizetype i = 0; i < n; ++i)
        running.append(step(items.at(i)));
    items.remove(0, n);
    return QtFuture::whenAll(running.begin(), running.end())
        .then(
            QtFuture::Launch::Sync,
            [items = std::move(items), step = std::move(step)](const QList<QFuture<Status>> &done) mutable {
                Status first;
                for (const QFuture<Status> &f : done) {
                    const Status st =
                        f.isValid() && f.resultCount() > 0 ? f.result() : Status::fail(QStringLiteral("cancelled"));
                    if (!st && first)
                        first = st;
                }
                return forEachItem(std::move(items), std::move(step)).then(QtFuture::Launch::Sync, [first](Status st) {
                    return first ? st : first;
                });
            })
        .unwrap();
}

// The creation time that leads an id made by newTokenId(), or nothing for an id of another form (a chosen one, or
// one made before ids carried the time).
QByteArray idTimePart(const QByteArray &id)
{
    if (id.size() != kTokenPrefix.size() + kTimeDigits + kRandomChars || !id.startsWith("gk."))
        return {};
    QByteArray time = id.mid(kTokenPrefix.size(), kTimeDigits);
    return crypto::isLowerHex(time) ? time : QByteArray();
}

// The creation time that leads a version 7 UUID accessor (its first 48 bits, 12 hex digits), or nothing for an
// accessor of another form.
QString accessorTimePart(const QString &accessor)
{
    if (accessor.size() != 36 || accessor.at(14) != QLatin1Char('7') || accessor.at(8) != QLatin1Char('-'))
        return {};
    QString time = accessor.left(8) + accessor.mid(9, 4);
    return crypto::isLowerHex(time.toLatin1()) ? time : QString();
}

// The entry stored for idHmac, or nothing when there is none.
Result<std::optional<TokenEntry>> decodeEntry(const QString &idHmac, const std::optional<QByteArray> &stored)
{
    if (!stored)
        return std::optional<TokenEntry>();
    std::optional<TokenEntry> entry = TokenEntry::decode(*stored);
    // The key already selected the entry; the stored HMAC is compared as well, in constant time.
    if (!entry || !crypto::constantTimeEquals(entry->idHmac.toLatin1(), idHmac.toLatin1()))
        return Status::fail(QStringLiteral("malformed token entry"));
    return entry;
}

QString nonFolder(const QString &name)
{
    return name.endsWith(QLatin1Char('/')) ? QString() : name;
}
} // namespace

class TokenStore::EntryCache final
{
public:
    explicit EntryCache(bool enabled) : m_enabled(enabled) {}

    EntryPtr find(const QString &idHmac) const
    {
        if (!m_enabled)
            return {};
        QMutexLocker lock(&m_mutex);
        return m_entries.value(idHmac);
    }
    // The number of drops so far: a read that starts now may remember what it read unless its key is dropped
    // before the read is done.
    quint64 drops() const
    {
        QMutexLocker lock(&m_mutex);
        return m_drops;
    }
    void remember(const QString &idHmac, EntryPtr entry, quint64 dropsBeforeRead)
    {
        if (!m_enabled)
            return;
        QMutexLocker lock(&m_mutex);
        if (m_dropped.value(idHmac, m_floor) > dropsBeforeRead)
            return; // the entry may have changed while it was read
        if (m_entries.size() >= kCapacity && !m_entries.contains(idHmac))
            m_entries.erase(m_entries.begin());
        m_entries.insert(idHmac, std::move(entry));
    }
    void drop(const QStringList &idHmacs)
    {
        QMutexLocker lock(&m_mutex);
        ++m_drops;
        for (const QString &idHmac : idHmacs) {
            m_entries.remove(idHmac);
            m_dropped.insert(idHmac, m_drops);
        }
        if (m_dropped.size() > kDropRecords)
            forgetDrops();
    }
    void clear()
    {
        QMutexLocker lock(&m_mutex);
        ++m_drops;
        m_entries.clear();
        forgetDrops();
    }

private:
    static constexpr qsizetype kCapacity = 4096;
    static constexpr qsizetype kDropRecords = 8192;
    // Keys dropped since the floor was set count as dropped at the floor: reads that began before it are not kept.
    void forgetDrops()
    {
        m_dropped.clear();
        m_floor = m_drops;
    }

    const bool m_enabled;
    mutable QMutex m_mutex;
    QHash<QString, EntryPtr> m_entries;
    quint64 m_drops = 0;
    // The drop count at the last drop of each key dropped lately; keys not here were last dropped at m_floor or
    // earlier.
    QHash<QString, quint64> m_dropped;
    quint64 m_floor = 0;
};

TokenStore::TokenStore(Storage *barrier)
    : m_barrier(barrier), m_entries(std::make_unique<EntryCache>(!barrier->sharedWithOtherServers()))
{}

TokenStore::~TokenStore()
{
    // A periodic tidy may still be walking the store; it must not outlive the store.
    QFuture<void> tidying;
    {
        QMutexLocker lock(&m_mutex);
        tidying = m_lastTidy;
    }
    tidying.waitForFinished();
}

namespace {
QString tokenIdFrom(const QByteArray &random)
{
    Q_ASSERT(random.size() == kRandomBytes);
    const QString time =
        QStringLiteral("%1").arg(QDateTime::currentMSecsSinceEpoch(), kTimeDigits, 16, QLatin1Char('0'));
    QByteArray text = random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const QString id = kTokenPrefix + time + QString::fromLatin1(text);
    SecureBytes::wipe(text);
    return id;
}
} // namespace

QString TokenStore::newTokenId()
{
    QByteArray raw = crypto::randomBytesRaw(kRandomBytes);
    const QString id = tokenIdFrom(raw);
    SecureBytes::wipe(raw);
    return id;
}

QString TokenStore::freshIdFor(TokenEntry &entry)
{
    if (!entry.accessor.isEmpty())
        return newTokenId();
    // Each call to the generator costs a lock and a process id check: one draw serves both.
    QByteArray raw = crypto::randomBytesRaw(kRandomBytes + kUuidBytes);
    const QString id = tokenIdFrom(QByteArray::fromRawData(raw.constData(), kRandomBytes));
    entry.accessor = crypto::timeOrderedUuid(raw.sliced(kRandomBytes));
    SecureBytes::wipe(raw);
    return id;
}

QString TokenStore::idHmac(const SecureBytes &key, const QByteArray &id)
{
    // The id's time part leads the HMAC, so that the keys of tokens made one after another sort next to each other:
    // new index entries land on the same few pages instead of one random page each. The time is no secret (a
    // token's lookup shows its creation time); the 256 random bits of the id are never stored.
    return QString::fromLatin1(idTimePart(id) + crypto::hmacSha256(key, id).toHex());
}

QString TokenStore::storageKey(const QString &idHmac)
{
    return kIdPrefix + idHmac;
}

QString TokenStore::accessorKey(const SecureBytes &key, const QString &accessor)
{
    // A domain prefix keeps accessor hashes apart from id hashes made with the same key.
    return kAccessorPrefix + accessorTimePart(accessor) +
           QString::fromLatin1(crypto::hmacSha256(key, QByteArrayLiteral("accessor:") + accessor.toUtf8()).toHex());
}

QString TokenStore::parentLinkKey(const QString &parentHmac, const QString &childHmac)
{
    return kParentPrefix + parentHmac + QLatin1Char('/') + childHmac;
}

void TokenStore::clearCache()
{
    m_entries->clear();
    QMutexLocker lock(&m_mutex);
    m_hmacKey.clear();
}

QFuture<Result<SecureBytes>> TokenStore::hmacKey(bool createIfMissing)
{
    {
        QMutexLocker lock(&m_mutex);
        if (!m_hmacKey.isEmpty())
            return ready(Result<SecureBytes>(m_hmacKey));
    }
    // On the strand, so that two first uses cannot each create a different key.
    return m_strand.run<Result<SecureBytes>>(kSaltKey,
                                             [this, createIfMissing] { return loadHmacKey(createIfMissing); });
}

QFuture<Result<SecureBytes>> TokenStore::loadHmacKey(bool createIfMissing)
{
    {
        QMutexLocker lock(&m_mutex);
        if (!m_hmacKey.isEmpty())
            return ready(Result<SecureBytes>(m_hmacKey));
    }
    return chain(
        m_barrier->get(kSaltKey),
        [this, createIfMissing](Result<std::optional<QByteArray>> got) -> QFuture<Result<SecureBytes>> {
            if (!got)
                return ready(Result<SecureBytes>(got.status()));
            if (got.value().has_value()) {
                SecureBytes key = SecureBytes::fromByteArray(*got.value());
                SecureBytes::wipe(*got.value());
                QMutexLocker lock(&m_mutex);
                m_hmacKey = key;
                return ready(Result<SecureBytes>(key));
            }
            if (!createIfMissing)
                return ready(Result<SecureBytes>(denied()));
            SecureBytes fresh = crypto::randomBytes(32);
            QByteArray bytes = fresh.toByteArray();
            auto stored = m_barrier->put(kSaltKey, bytes);
            SecureBytes::wipe(bytes);
            return stored.then([this, fresh](Status st) -> Result<SecureBytes> {
                if (!st)
                    return st;
                QMutexLocker lock(&m_mutex);
                m_hmacKey = fresh;
                return fresh;
            });
        });
}

QFuture<Result<std::optional<TokenEntry>>> TokenStore::readEntry(const QString &idHmac)
{
    using R = Result<std::optional<TokenEntry>>;
    return chain(m_barrier->get(storageKey(idHmac)), [idHmac](Result<std::optional<QByteArray>> got) -> R {
        if (!got)
            return got.status();
        return decodeEntry(idHmac, got.value());
    });
}

QFuture<Result<TokenStore::EntryPtr>> TokenStore::readRemembered(const QString &idHmac)
{
    using R = Result<EntryPtr>;
    if (EntryPtr hit = m_entries->find(idHmac))
        return ready(R(std::move(hit)));
    const quint64 drops = m_entries->drops();
    return chain(readEntry(idHmac), [this, idHmac, drops](Result<std::optional<TokenEntry>> got) {
        return remember(idHmac, std::move(got), drops);
    });
}

Result<TokenStore::EntryPtr> TokenStore::remember(const QString &idHmac, Result<std::optional<TokenEntry>> read,
                                                  quint64 dropsBeforeRead)
{
    if (!read)
        return read.status();
    if (!read.value())
        return EntryPtr();
    auto entry = std::make_shared<const TokenEntry>(std::move(*read.value()));
    m_entries->remember(idHmac, entry, dropsBeforeRead);
    return EntryPtr(entry);
}

QFuture<Status> TokenStore::writeEntries(const QStringList &idHmacs, const std::function<QFuture<Status>()> &write)
{
    m_entries->drop(idHmacs);
    return chain(write(), [this, idHmacs](Status st) {
        m_entries->drop(idHmacs);
        return st;
    });
}

QFuture<Result<TokenStore::Created>> TokenStore::create(TokenEntry entry, const QString &chosenId)
{
    return create(std::move(entry), chosenId, {});
}

QFuture<Result<TokenStore::Created>> TokenStore::create(TokenEntry entry, const Alongside &alongside)
{
    return create(std::move(entry), {}, alongside);
}

QFuture<Result<TokenStore::Created>> TokenStore::create(TokenEntry entry, const QString &chosenId,
                                                        const Alongside &alongside)
{
    using R = Result<Created>;
    const QString id = chosenId.isEmpty() ? freshIdFor(entry) : chosenId;
    const bool chosen = !chosenId.isEmpty();
    return chain(
        hmacKey(true),
        [this, entry = std::move(entry), id, chosen, alongside](Result<SecureBytes> key) mutable -> QFuture<R> {
            if (!key)
                return ready(R(key.status()));
            const Prepared made = prepare(std::move(entry), id, key.value(), alongside);
            const EntryPtr shared = made.created.entry;
            const auto write = [this, made]() {
                return chain(m_barrier->batch(made.ops), [created = made.created](Status st) -> R {
                    if (!st)
                        return st;
                    return created;
                });
            };
            // A fresh random id is known to no one until this answer, so nothing else can touch its entry: it is
            // written at once. A chosen id must not replace a token that has it already: checked and written on
            // the id's strand.
            if (!chosen)
                return write();
            const QString idHmac = shared->idHmac;
            return m_strand.run<R>(idHmac, [this, shared, write]() -> QFuture<R> {
                return chain(m_barrier->get(storageKey(shared->idHmac)),
                             [write](Result<std::optional<QByteArray>> got) -> QFuture<R> {
                                 if (!got)
                                     return ready(R(got.status()));
                                 if (got.value().has_value())
                                     return ready(R::fail(QStringLiteral("a token with that id already exists"), 400));
                                 return write();
                             });
            });
        });
}

TokenStore::Prepared TokenStore::prepare(TokenEntry entry, const QString &id, const SecureBytes &key,
                                         const Alongside &alongside)
{
    entry.idHmac = idHmac(key, id.toUtf8());
    if (entry.accessor.isEmpty())
        entry.accessor = crypto::timeOrderedUuid();
    if (entry.creationTime == 0)
        entry.creationTime = QDateTime::currentSecsSinceEpoch();
    if (entry.ttl > 0 && entry.expireTime == 0)
        entry.expireTime = entry.creationTime + entry.ttl;
    entry.orphan = entry.parentHmac.isEmpty();
    QList<StorageOp> ops{
        StorageOp::put(storageKey(entry.idHmac), entry.encode()),
        StorageOp::put(accessorKey(key, entry.accessor), compact({{QStringLiteral("accessor"), entry.accessor},
                                                                  {QStringLiteral("id_hmac"), entry.idHmac}})),
    };
    if (!entry.parentHmac.isEmpty())
        ops.append(StorageOp::put(parentLinkKey(entry.parentHmac, entry.idHmac), QByteArray()));
    if (alongside)
        ops.append(alongside(entry));
    return {Created{id, std::make_shared<const TokenEntry>(std::move(entry))}, std::move(ops)};
}

QFuture<Result<TokenStore::Created>> TokenStore::createRoot(const QString &chosenId)
{
    TokenEntry root;
    root.policies = {QStringLiteral("root")};
    root.path = QStringLiteral("auth/token/root");
    root.displayName = QStringLiteral("root");
    root.orphan = true;
    return create(std::move(root), chosenId);
}

QFuture<Status> TokenStore::checkAncestors(const QString &parentHmac, int depth)
{
    if (parentHmac.isEmpty())
        return ready(Status::ok());
    if (depth >= kMaxDepth)
        return ready(denied());
    return chain(readRemembered(parentHmac), [this, depth](Result<EntryPtr> parent) -> QFuture<Status> {
        if (!parent)
            return ready(parent.status());
        if (!parent.value() || parent.value()->isExpired(QDateTime::currentSecsSinceEpoch()))
            return ready(denied());
        return checkAncestors(parent.value()->parentHmac, depth + 1);
    });
}

QFuture<Result<TokenStore::EntryPtr>> TokenStore::loadLive(const QString &idHmac)
{
    return chain(readRemembered(idHmac), [this](Result<EntryPtr> got) { return checkLive(std::move(got)); });
}

QFuture<Result<TokenStore::EntryPtr>> TokenStore::checkLive(Result<EntryPtr> got)
{
    using R = Result<EntryPtr>;
    if (!got)
        return ready(R(got.status()));
    if (!got.value() || got.value()->isExpired(QDateTime::currentSecsSinceEpoch()) || got.value()->isExhausted())
        return ready(R(denied()));
    EntryPtr entry = got.takeValue();
    return chain(checkAncestors(entry->parentHmac, 0), [entry](Status st) -> R {
        if (!st)
            return st;
        return EntryPtr(entry);
    });
}

QFuture<Result<TokenStore::EntryPtr>> TokenStore::lookup(const QByteArray &id)
{
    using R = Result<EntryPtr>;
    if (id.isEmpty() || id.size() > 1024)
        return ready(R(denied()));
    return chain(hmacKey(false), [this, id](Result<SecureBytes> key) -> QFuture<R> {
        if (!key)
            return ready(R(key.status()));
        return loadLive(idHmac(key.value(), id));
    });
}

QFuture<Result<TokenStore::Found>> TokenStore::lookup(const QByteArray &id, const AlsoRead &alsoRead)
{
    using R = Result<Found>;
    if (id.isEmpty() || id.size() > 1024)
        return ready(R(denied()));
    return chain(hmacKey(false), [this, id, alsoRead](Result<SecureBytes> key) -> QFuture<R> {
        if (!key)
            return ready(R(key.status()));
        const QString hmac = idHmac(key.value(), id);
        QStringList keys = alsoRead(hmac);
        const EntryPtr remembered = m_entries->find(hmac);
        if (!remembered)
            keys.prepend(storageKey(hmac));
        const quint64 drops = m_entries->drops();
        QFuture<Result<Storage::Values>> read =
            keys.isEmpty() ? ready(Result<Storage::Values>(Storage::Values())) : m_barrier->getMany(keys);
        return chain(read, [this, hmac, remembered, drops](Result<Storage::Values> got) -> QFuture<R> {
            if (!got)
                return ready(R(got.status()));
            Storage::Values values = got.takeValue();
            Result<EntryPtr> entry(remembered);
            if (!remembered)
                entry = remember(hmac, decodeEntry(hmac, values.takeFirst()), drops);
            return chain(checkLive(std::move(entry)), [values = std::move(values)](Result<EntryPtr> live) -> R {
                if (!live)
                    return live.status();
                return Found{live.takeValue(), values};
            });
        });
    });
}

QFuture<Result<TokenStore::EntryPtr>> TokenStore::lookupByAccessor(const QString &accessor)
{
    using R = Result<EntryPtr>;
    if (accessor.isEmpty() || accessor.size() > 256)
        return ready(R(invalidAccessor()));
    return chain(
        hmacKey(false), [this, accessor](Result<SecureBytes> key) -> QFuture<R> {
            if (!key)
                return ready(R(key.httpStatus() == 403 ? invalidAccessor() : key.status()));
            return chain(
                m_barrier->get(accessorKey(key.value(), accessor)),
                [this, accessor](Result<std::optional<QByteArray>> got) -> QFuture<R> {
                    if (!got)
                        return ready(R(got.status()));
                    if (!got.value())
                        return ready(R(invalidAccessor()));
                    const QJsonObject index = QJsonDocument::fromJson(*got.value()).object();
                    if (!crypto::constantTimeEquals(index.value(QStringLiteral("accessor")).toString().toUtf8(),
                                                    accessor.toUtf8()))
                        return ready(R(invalidAccessor()));
                    return loadLive(index.value(QStringLiteral("id_hmac")).toString()).then([](R entry) -> R {
                        if (!entry && entry.httpStatus() == 403)
                            return invalidAccessor();
                        return entry;
                    });
                });
        });
}

QFuture<Result<TokenStore::Use>> TokenStore::use(const QString &idHmac)
{
    using R = Result<Use>;
    return m_strand.run<R>(idHmac, [this, idHmac]() -> QFuture<R> {
        return chain(
            readRemembered(idHmac), [this, idHmac](Result<EntryPtr> got) -> QFuture<R> {
                if (!got)
                    return ready(R(got.status()));
                if (!got.value() || got.value()->isExpired(QDateTime::currentSecsSinceEpoch()) ||
                    got.value()->isExhausted())
                    return ready(R(denied()));
                TokenEntry entry = *got.value();
                if (entry.numUses == 0)
                    return ready(R(Use{std::make_shared<const TokenEntry>(std::move(entry)), false}));
                const bool last = entry.numUses == 1;
                entry.numUses = last ? TokenEntry::kUsesExhausted : entry.numUses - 1;
                const QByteArray stored = entry.encode();
                auto shared = std::make_shared<const TokenEntry>(std::move(entry));
                return chain(writeEntries({idHmac}, [&] { return m_barrier->put(storageKey(idHmac), stored); }),
                             [shared, last](Status st) -> R {
                                 if (!st)
                                     return st;
                                 return Use{shared, last};
                             });
            });
    });
}

QFuture<Result<TokenStore::EntryPtr>> TokenStore::update(const QString &idHmac, Change change)
{
    using R = Result<EntryPtr>;
    return m_strand.run<R>(idHmac, [this, idHmac, change = std::move(change)]() -> QFuture<R> {
        return chain(
            readRemembered(idHmac), [this, idHmac, change](Result<EntryPtr> got) -> QFuture<R> {
                if (!got)
                    return ready(R(got.status()));
                if (!got.value() || got.value()->isExpired(QDateTime::currentSecsSinceEpoch()) ||
                    got.value()->isExhausted())
                    return ready(R(denied()));
                Result<TokenEntry> changed = change(*got.value());
                if (!changed)
                    return ready(R(changed.status()));
                changed.value().idHmac = idHmac;
                auto shared = std::make_shared<const TokenEntry>(changed.takeValue());
                const QByteArray stored = shared->encode();
                return chain(writeEntries({idHmac}, [&] { return m_barrier->put(storageKey(idHmac), stored); }),
                             [shared](Status st) -> R {
                                 if (!st)
                                     return st;
                                 return EntryPtr(shared);
                             });
            });
    });
}

QFuture<Status> TokenStore::revokeOne(const QString &idHmac)
{
    return m_strand.run<Status>(idHmac, [this, idHmac]() -> QFuture<Status> {
        return chain(readEntry(idHmac), [this, idHmac](Result<std::optional<TokenEntry>> got) -> QFuture<Status> {
            if (!got) {
                // A malformed entry is removed all the same; storage trouble is reported.
                if (got.httpStatus() != 500 || !got.error().startsWith(QLatin1String("malformed")))
                    return ready(got.status());
                return writeEntries({idHmac}, [&] { return m_barrier->remove(storageKey(idHmac)); });
            }
            if (!got.value())
                return ready(Status::ok());
            return removeEntry(*got.value(), {});
        });
    });
}

QList<StorageOp> TokenStore::removalOps(const TokenEntry &entry, const SecureBytes &key)
{
    QList<StorageOp> ops{StorageOp::remove(storageKey(entry.idHmac))};
    if (!entry.accessor.isEmpty())
        ops.append(StorageOp::remove(accessorKey(key, entry.accessor)));
    if (!entry.parentHmac.isEmpty())
        ops.append(StorageOp::remove(parentLinkKey(entry.parentHmac, entry.idHmac)));
    return ops;
}

QFuture<Status> TokenStore::removeEntry(const TokenEntry &entry, const QList<StorageOp> &alongside)
{
    return chain(hmacKey(false), [this, entry, alongside](Result<SecureBytes> key) -> QFuture<Status> {
        if (!key)
            return ready(key.status());
        const QList<StorageOp> ops = removalOps(entry, key.value()) + alongside;
        return writeEntries({entry.idHmac}, [&] { return m_barrier->batch(ops); });
    });
}

QFuture<Status> TokenStore::spend(const QString &idHmac, const SecureBytes &key, const QList<StorageOp> &alongside)
{
    return m_strand.run<Status>(idHmac, [this, idHmac, key, alongside]() -> QFuture<Status> {
        return chain(readRemembered(idHmac), [this, idHmac, key, alongside](Result<EntryPtr> got) -> QFuture<Status> {
            if (!got)
                return ready(got.status());
            const EntryPtr &entry = got.value();
            if (!entry || entry->isExpired(QDateTime::currentSecsSinceEpoch()) || entry->numUses != 1)
                return ready(denied());
            const QList<StorageOp> ops = removalOps(*entry, key) + alongside;
            return writeEntries({idHmac}, [&] { return m_barrier->batch(ops); });
        });
    });
}

QFuture<Status> TokenStore::spendSingleUse(const QString &idHmac, const QList<StorageOp> &alongside)
{
    return chain(hmacKey(false), [this, idHmac, alongside](Result<SecureBytes> key) -> QFuture<Status> {
        if (!key)
            return ready(key.status());
        return spend(idHmac, key.value(), alongside);
    });
}

QFuture<Result<TokenStore::Created>> TokenStore::replaceSingleUse(const QString &idHmac,
                                                                  const QList<StorageOp> &alsoRemove, TokenEntry entry,
                                                                  const Alongside &alongside)
{
    using R = Result<Created>;
    return chain(
        hmacKey(false),
        [this, idHmac, alsoRemove, entry = std::move(entry), alongside](Result<SecureBytes> key) mutable -> QFuture<R> {
            if (!key)
                return ready(R(key.status()));
            const QString id = freshIdFor(entry);
            const Prepared made = prepare(std::move(entry), id, key.value(), alongside);
            return chain(spend(idHmac, key.value(), alsoRemove + made.ops), [created = made.created](Status st) -> R {
                if (!st)
                    return st;
                return created;
            });
        });
}

QFuture<Result<QStringList>> TokenStore::listKeys(const QString &prefix)
{
    return m_barrier->list(prefix).then([](Result<QStringList> listed) -> Result<QStringList> {
        if (!listed)
            return listed;
        QStringList out;
        for (const QString &name : listed.value())
            if (!nonFolder(name).isEmpty())
                out.append(name);
        return out;
    });
}

QFuture<Result<QStringList>> TokenStore::children(const QString &idHmac)
{
    return listKeys(kParentPrefix + idHmac + QLatin1Char('/'));
}

QFuture<Status> TokenStore::revokeChildren(const QString &idHmac)
{
    return chain(
        children(idHmac), [this, idHmac](Result<QStringList> kids) -> QFuture<Status> {
            if (!kids)
                return ready(kids.status());
            return forEachItem(kids.value(), [this, idHmac](const QString &child) {
                // The child's revocation removes its link below this token; the explicit removal covers a link
                // whose child entry was already gone.
                return chain(revoke(child), [this, idHmac, child](Status st) -> QFuture<Status> {
                    if (!st)
                        return ready(st);
                    return m_barrier->remove(parentLinkKey(idHmac, child));
                });
            });
        });
}

QFuture<Status> TokenStore::revoke(const QString &idHmac)
{
    // The token goes first: from then on its whole subtree fails lookup (the ancestor check), and the
    // descendants' entries follow. A second pass catches children created while the first one ran.
    return revokeOne(idHmac)
        .then([this, idHmac](Status st) -> QFuture<Status> {
            if (!st)
                return ready(st);
            return revokeChildren(idHmac);
        })
        .unwrap()
        .then([this, idHmac](Status st) -> QFuture<Status> {
            if (!st)
                return ready(st);
            return revokeChildren(idHmac);
        })
        .unwrap();
}

QFuture<Status> TokenStore::orphanChildren(const QString &idHmac)
{
    return chain(children(idHmac), [this, idHmac](Result<QStringList> kids) -> QFuture<Status> {
        if (!kids)
            return ready(kids.status());
        return forEachItem(kids.value(), [this, idHmac](const QString &child) {
            return m_strand.run<Status>(child, [this, idHmac, child]() -> QFuture<Status> {
                return chain(readEntry(child),
                             [this, idHmac, child](Result<std::optional<TokenEntry>> got) -> QFuture<Status> {
                                 if (!got)
                                     return ready(got.status());
                                 QList<StorageOp> ops{StorageOp::remove(parentLinkKey(idHmac, child))};
                                 if (got.value() && got.value()->parentHmac == idHmac) {
                                     TokenEntry entry = std::move(*got.value());
                                     entry.parentHmac.clear();
                                     entry.orphan = true;
                                     ops.prepend(StorageOp::put(storageKey(child), entry.encode()));
                                 }
                                 return writeEntries({child}, [&] { return m_barrier->batch(ops); });
                             });
            });
        });
    });
}

QFuture<Status> TokenStore::revokeOrphan(const QString &idHmac)
{
    // Children first, so that none of them is ever without a live parent; then the token; then any child
    // created meanwhile.
    return orphanChildren(idHmac)
        .then([this, idHmac](Status st) -> QFuture<Status> {
            if (!st)
                return ready(st);
            return revokeOne(idHmac);
        })
        .unwrap()
        .then([this, idHmac](Status st) -> QFuture<Status> {
            if (!st)
                return ready(st);
            return orphanChildren(idHmac);
        })
        .unwrap();
}

QFuture<Result<QStringList>> TokenStore::accessors()
{
    using R = Result<QStringList>;
    return chain(
        listKeys(kAccessorPrefix), [this](Result<QStringList> keys) -> QFuture<R> {
            if (!keys)
                return ready(keys);
            struct Collected
            {
                QMutex mutex;
                QStringList accessors;
            };
            auto collected = std::make_shared<Collected>();
            return forEachItem(keys.value(),
                               [this, collected](const QString &name) {
                                   return chain(
                                       m_barrier->get(kAccessorPrefix + name),
                                       [collected](Result<std::optional<QByteArray>> got) -> Status {
                                           if (!got)
                                               return got.status();
                                           if (got.value()) {
                                               const QString accessor = QJsonDocument::fromJson(*got.value())
                                                                            .object()
                                                                            .value(QStringLiteral("accessor"))
                                                                            .toString();
                                               QMutexLocker lock(&collected->mutex);
                                               if (!accessor.isEmpty())
                                                   collected->accessors.append(accessor);
                                           }
                                           return Status::ok();
                                       });
                               })
                .then([collected](Status st) -> R {
                    if (!st)
                        return st;
                    QMutexLocker lock(&collected->mutex);
                    QStringList out = collected->accessors;
                    out.sort();
                    return out;
                });
        });
}

namespace {
const QString kTidyStrand = QStringLiteral("\ntidy");
}

bool TokenStore::isTidying() const
{
    return m_strand.isBusy(kTidyStrand);
}

QFuture<Result<TokenStore::TidyReport>> TokenStore::tidy()
{
    using R = Result<TidyReport>;
    QFuture<R> running = m_strand.run<R>(kTidyStrand, [this] { return tidyNow(); });
    QMutexLocker lock(&m_mutex);
    m_lastTidy = running.then(QtFuture::Launch::Sync, [](R) {});
    return running;
}

QFuture<Result<TokenStore::TidyReport>> TokenStore::tidyNow()
{
    using R = Result<TidyReport>;
    struct Counts
    {
        std::atomic<int> expired{0};
        std::atomic<int> invalidParents{0};
        std::atomic<int> danglingAccessors{0};
        std::atomic<int> danglingChildLinks{0};
    };
    auto counts = std::make_shared<Counts>();

    // 1. Expired and used-up tokens, and tokens whose parent entry is gone, are revoked with their subtrees.
    const auto tokens = [this, counts]() {
        return chain(listKeys(kIdPrefix), [this, counts](Result<QStringList> ids) -> QFuture<Status> {
            if (!ids)
                return ready(ids.status());
            return forEachItem(ids.value(), [this, counts](const QString &idHmac) {
                return chain(readEntry(idHmac),
                             [this, counts, idHmac](Result<std::optional<TokenEntry>> got) -> QFuture<Status> {
                                 if (!got) {
                                     qCWarning(lcToken) << "tidy: removing an unreadable token entry:" << got.error();
                                     return revoke(idHmac);
                                 }
                                 if (!got.value())
                                     return ready(Status::ok());
                                 const TokenEntry &entry = *got.value();
                                 if (entry.isExpired(QDateTime::currentSecsSinceEpoch()) || entry.isExhausted()) {
                                     ++counts->expired;
                                     return revoke(idHmac);
                                 }
                                 if (entry.parentHmac.isEmpty())
                                     return ready(Status::ok());
                                 return chain(readEntry(entry.parentHmac),
                                              [this, counts, idHmac](Result<std::optional<TokenEntry>> parent) {
                                                  if (!parent || parent.value())
                                                      return ready(parent.status());
                                                  ++counts->invalidParents;
                                                  return revoke(idHmac);
                                              });
                             });
            });
        });
    };

    // 2. Accessor index entries whose token is gone.
    const auto accessorIndex =
        [this, counts]() {
            return chain(listKeys(kAccessorPrefix), [this, counts](Result<QStringList> names) -> QFuture<Status> {
                if (!names)
                    return ready(names.status());
                return forEachItem(names.value(), [this, counts](const QString &name) {
                    const QString key = kAccessorPrefix + name;
                    return chain(
                        m_barrier->get(key),
                        [this, counts, key](Result<std::optional<QByteArray>> got) -> QFuture<Status> {
                            if (!got || !got.value())
                                return ready(got.status());
                            const QString idHmac = QJsonDocument::fromJson(*got.value())
                                                       .object()
                                                       .value(QStringLiteral("id_hmac"))
                                                       .toString();
                            return chain(m_barrier->get(storageKey(idHmac)),
                                         [this, counts, key](Result<std::optional<QByteArray>> entry) {
                                             if (!entry || entry.value())
                                                 return ready(entry.status());
                                             ++counts->danglingAccessors;
                                             return m_barrier->remove(key);
                                         });
                        });
                });
            });
        };

    // 3. Child links whose child is gone, and children whose parent is gone.
    const auto parentIndex = [this, counts]() {
        return chain(m_barrier->list(kParentPrefix), [this, counts](Result<QStringList> folders) -> QFuture<Status> {
            if (!folders)
                return ready(folders.status());
            QStringList parents;
            for (const QString &f : folders.value())
                if (f.endsWith(QLatin1Char('/')))
                    parents.append(f.chopped(1));
            return forEachItem(parents, [this, counts](const QString &parentHmac) {
                return chain(m_barrier->get(storageKey(parentHmac)),
                             [this, counts, parentHmac](Result<std::optional<QByteArray>> parent) -> QFuture<Status> {
                                 if (!parent)
                                     return ready(parent.status());
                                 const bool parentAlive = parent.value().has_value();
                                 return chain(children(parentHmac), [this, counts, parentHmac,
                                                                     parentAlive](Result<QStringList> kids) {
                                     if (!kids)
                                         return ready(kids.status());
                                     return forEachItem(kids.value(), [this, counts, parentHmac,
                                                                       parentAlive](const QString &child) {
                                         return chain(
                                             m_barrier->get(storageKey(child)),
                                             [this, counts, parentHmac, parentAlive,
                                              child](Result<std::optional<QByteArray>> entry) -> QFuture<Status> {
                                                 if (!entry)
                                                     return ready(entry.status());
                                                 if (entry.value() && !parentAlive) {
                                                     ++counts->invalidParents;
                                                     return chain(revoke(child), [this, parentHmac, child](Status st) {
                                                         return st ? m_barrier->remove(parentLinkKey(parentHmac, child))
                                                                   : ready(st);
                                                     });
                                                 }
                                                 if (entry.value())
                                                     return ready(Status::ok());
                                                 ++counts->danglingChildLinks;
                                                 return m_barrier->remove(parentLinkKey(parentHmac, child));
                                             });
                                     });
                                 });
                             });
            });
        });
    };

    return tokens()
        .then([accessorIndex](Status st) { return st ? accessorIndex() : ready(st); })
        .unwrap()
        .then([parentIndex](Status st) { return st ? parentIndex() : ready(st); })
        .unwrap()
        .then([counts](Status st) -> R {
            if (!st) {
                qCWarning(lcToken) << "tidy stopped:" << st.error();
                return st;
            }
            TidyReport report;
            report.expired = counts->expired;
            report.invalidParents = counts->invalidParents;
            report.danglingAccessors = counts->danglingAccessors;
            report.danglingChildLinks = counts->danglingChildLinks;
            if (report.expired + report.invalidParents + report.danglingAccessors + report.danglingChildLinks > 0)
                qCInfo(lcToken).nospace()
                    << "tidy: revoked " << report.expired << " expired and " << report.invalidParents
                    << " orphaned-by-failure tokens, removed " << report.danglingAccessors << " accessor and "
                    << report.danglingChildLinks << " child index entries";
            return report;
        });
}

QFuture<Result<std::optional<TokenRole>>> TokenStore::role(const QString &name)
{
    using R = Result<std::optional<TokenRole>>;
    return m_barrier->get(kRolePrefix + name).then([](Result<std::optional<QByteArray>> got) -> R {
        if (!got)
            return got.status();
        if (!got.value())
            return std::optional<TokenRole>();
        return std::optional<TokenRole>(TokenRole::fromJson(QJsonDocument::fromJson(*got.value()).object()));
    });
}

QFuture<Status> TokenStore::putRole(const TokenRole &role)
{
    return m_barrier->put(kRolePrefix + role.name, compact(role.toJson()));
}

QFuture<Status> TokenStore::removeRole(const QString &name)
{
    return m_barrier->remove(kRolePrefix + name);
}

QFuture<Result<QStringList>> TokenStore::roleNames()
{
    return listKeys(kRolePrefix);
}

} // namespace gk
