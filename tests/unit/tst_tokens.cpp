// The token store (auth/token/...): creation rules, lookups, the parent/child tree, revocation, accessors,
// TTLs and renewal, use counts under concurrency, roles and tidy — driven through Engine::handle() over the
// in-memory store with the real barrier, seal and ACL policies.

#include "engine/Engine.h"
#include "engine/RuntimeConfig.h"
#include "engine/crypto/Crypto.h"
#include "engine/crypto/SealManager.h"
#include "engine/storage/InmemStorage.h"
#include "engine/storage/Storage.h"
#include "engine/token/KeyedStrand.h"
#include "engine/token/TokenStore.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPromise>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace gk;

namespace {

const QString kCreator = QStringLiteral("path \"auth/token/*\" {\n"
                                        "    capabilities = [\"create\", \"read\", \"update\", \"delete\", \"list\"]\n"
                                        "}\n");

QJsonObject auth(const Response &r)
{
    return r.json.value(QStringLiteral("auth")).toObject();
}

QJsonObject data(const Response &r)
{
    return r.json.value(QStringLiteral("data")).toObject();
}

QStringList strings(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &item : v.toArray())
        out.append(item.toString());
    return out;
}

QString firstError(const Response &r)
{
    return r.json.value(QStringLiteral("errors")).toArray().at(0).toString();
}

// In-memory storage that can hold back the answers of reads (released on demand), counts its trips (a get() or a
// getMany() each) and its batches, can fail its batches, and can say that other servers write it too.
class HeldReadsStore final : public Storage
{
public:
    std::atomic<bool> holdReads{false};
    std::atomic<int> trips{0};
    std::atomic<int> batches{0};
    std::atomic<bool> failBatches{false};
    bool shared = false;

    QString type() const override { return m_store.type(); }
    QFuture<Result<Values>> getMany(const QStringList &keys) override
    {
        ++trips;
        return m_store.getMany(keys);
    }
    QFuture<Result<std::optional<QByteArray>>> get(const QString &key) override
    {
        ++trips;
        if (!holdReads)
            return m_store.get(key);
        auto got = m_store.get(key);
        got.waitForFinished();
        QMutexLocker lock(&m_mutex);
        auto promise = std::make_shared<QPromise<Result<std::optional<QByteArray>>>>();
        promise->start();
        m_held.append({promise, got.result()});
        return promise->future();
    }
    QFuture<Status> put(const QString &key, const QByteArray &value) override { return m_store.put(key, value); }
    QFuture<Status> remove(const QString &key) override { return m_store.remove(key); }
    QFuture<Result<QStringList>> list(const QString &prefix) override { return m_store.list(prefix); }
    QFuture<Status> batch(const QList<StorageOp> &ops) override
    {
        ++batches;
        if (failBatches)
            return QtFuture::makeReadyFuture(Status::fail(QStringLiteral("disk full")));
        return m_store.batch(ops);
    }
    bool sharedWithOtherServers() const override { return shared; }

    int heldCount()
    {
        QMutexLocker lock(&m_mutex);
        return int(m_held.size());
    }
    // Answers the held reads with what they read when they were made.
    void release()
    {
        QList<Held> held;
        {
            QMutexLocker lock(&m_mutex);
            held.swap(m_held);
        }
        for (Held &h : held) {
            h.promise->addResult(h.result);
            h.promise->finish();
        }
    }

private:
    struct Held
    {
        std::shared_ptr<QPromise<Result<std::optional<QByteArray>>>> promise;
        Result<std::optional<QByteArray>> result;
    };
    InmemStorage m_store;
    QMutex m_mutex;
    QList<Held> m_held;
};

template <typename T> T awaited(QFuture<T> future)
{
    future.waitForFinished();
    return future.result();
}

TokenStore::Created createdToken(TokenStore &store)
{
    return awaited(store.create(TokenEntry())).value();
}

// Looks up id with the store's read held back while meanwhile() runs; *answer is what that lookup answered.
void lookupAcross(HeldReadsStore &held, TokenStore &store, const QString &id, const std::function<void()> &meanwhile,
                  Result<TokenStore::EntryPtr> *answer)
{
    held.holdReads = true;
    auto early = store.lookup(id.toUtf8());
    QTRY_COMPARE(held.heldCount(), 1);
    held.holdReads = false;
    meanwhile();
    held.release();
    *answer = awaited(early);
}

} // namespace

class TestTokens final : public QObject
{
    Q_OBJECT

    std::unique_ptr<Engine> m_engine;
    InmemStorage *m_storage = nullptr;
    QByteArray m_root;

    Response call(Operation op, const QString &path, const QJsonObject &body = {}, const QByteArray &token = {})
    {
        Request r;
        r.operation = op;
        r.method = op == Operation::Read     ? "GET"
                   : op == Operation::List   ? "LIST"
                   : op == Operation::Delete ? "DELETE"
                                             : "POST";
        r.path = path;
        r.data = body;
        r.token = token.isNull() ? m_root : token;
        QFuture<Response> f = m_engine->handle(r);
        f.waitForFinished();
        return f.result();
    }
    Response post(const QString &path, const QJsonObject &body = {}, const QByteArray &token = {})
    {
        return call(Operation::Update, path, body, token);
    }

    // Creates a token through the API and returns its id (empty on failure).
    QByteArray create(const QJsonObject &body, const QByteArray &as = {},
                      const QString &path = QStringLiteral("create"))
    {
        const Response r = post(QStringLiteral("auth/token/") + path, body, as);
        if (r.status != 200)
            qWarning() << "create failed:" << r.status << r.json;
        return auth(r).value(QStringLiteral("client_token")).toString().toUtf8();
    }

    int lookupStatus(const QByteArray &id)
    {
        return post(QStringLiteral("auth/token/lookup"), {{QStringLiteral("token"), QString::fromUtf8(id)}}).status;
    }

    void putPolicy(const QString &name, const QString &text)
    {
        const Response r =
            call(Operation::Update, QStringLiteral("sys/policy/") + name, {{QStringLiteral("policy"), text}});
        QCOMPARE(r.status, 204);
    }

    // Keys below prefix in the barrier (decrypted view), recursively.
    QStringList barrierKeys(const QString &prefix)
    {
        QStringList out;
        QStringList pending{prefix};
        while (!pending.isEmpty()) {
            const QString p = pending.takeFirst();
            auto listed = m_engine->seal().barrier()->list(p);
            listed.waitForFinished();
            const QStringList children = listed.result().value();
            for (const QString &child : children) {
                if (child.endsWith(QLatin1Char('/')))
                    pending.append(p + child);
                else
                    out.append(p + child);
            }
        }
        return out;
    }

    QByteArray barrierValue(const QString &key)
    {
        auto got = m_engine->seal().barrier()->get(key);
        got.waitForFinished();
        return got.result().value().value_or(QByteArray());
    }

private slots:
    void init()
    {
        auto storage = std::make_unique<InmemStorage>();
        m_storage = storage.get();
        m_engine = std::make_unique<Engine>(std::move(storage), EngineOptions{});
        auto started = m_engine->start();
        started.waitForFinished();
        QVERIFY(started.result().isOk());
        auto dev = m_engine->initDev();
        dev.waitForFinished();
        QVERIFY(dev.result().isOk());
        m_root = dev.result().value().rootToken.toUtf8();
    }

    void cleanup() { m_engine.reset(); }

    void createAndLookup()
    {
        Response r = post(QStringLiteral("auth/token/create"),
                          {{QStringLiteral("policies"), QJsonArray{QStringLiteral("Team-A"), QStringLiteral("ops")}},
                           {QStringLiteral("meta"), QJsonObject{{QStringLiteral("user"), QStringLiteral("ada")}}},
                           {QStringLiteral("ttl"), QStringLiteral("1h")},
                           {QStringLiteral("display_name"), QStringLiteral("ci bot")},
                           {QStringLiteral("id"), QJsonValue::Null}});
        QCOMPARE(r.status, 200);
        // Vault's envelope: no data, the token under auth.
        for (const char *key :
             {"request_id", "lease_id", "renewable", "lease_duration", "data", "wrap_info", "warnings", "auth"})
            QVERIFY2(r.json.contains(QLatin1String(key)), key);
        QVERIFY(r.json.value(QStringLiteral("data")).isNull());
        const QJsonObject a = auth(r);
        const QString id = a.value(QStringLiteral("client_token")).toString();
        QVERIFY(id.startsWith(QStringLiteral("gk.")));
        const QString accessor = a.value(QStringLiteral("accessor")).toString();
        QCOMPARE(accessor.size(), 36); // a UUID
        const QStringList policies{QStringLiteral("default"), QStringLiteral("ops"), QStringLiteral("team-a")};
        QCOMPARE(strings(a.value(QStringLiteral("policies"))), policies);
        QCOMPARE(strings(a.value(QStringLiteral("token_policies"))), policies);
        QCOMPARE(a.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("user")).toString(),
                 QStringLiteral("ada"));
        QCOMPARE(a.value(QStringLiteral("lease_duration")).toInt(), 3600);
        QCOMPARE(a.value(QStringLiteral("renewable")).toBool(), true);
        QCOMPARE(a.value(QStringLiteral("orphan")).toBool(), false);
        QCOMPARE(a.value(QStringLiteral("token_type")).toString(), QStringLiteral("service"));
        QVERIFY(a.contains(QStringLiteral("entity_id")));

        // lookup (by the root token) shows the id; every field of Vault's answer is there.
        r = post(QStringLiteral("auth/token/lookup"), {{QStringLiteral("token"), id}});
        QCOMPARE(r.status, 200);
        QJsonObject d = data(r);
        for (const char *key : {"accessor", "creation_time", "creation_ttl", "display_name", "entity_id", "expire_time",
                                "explicit_max_ttl", "id", "issue_time", "meta", "num_uses", "orphan", "path",
                                "policies", "renewable", "ttl", "type"})
            QVERIFY2(d.contains(QLatin1String(key)), key);
        QCOMPARE(d.value(QStringLiteral("id")).toString(), id);
        QCOMPARE(d.value(QStringLiteral("accessor")).toString(), accessor);
        QCOMPARE(d.value(QStringLiteral("creation_ttl")).toInt(), 3600);
        QVERIFY(d.value(QStringLiteral("ttl")).toInt() > 3590);
        QCOMPARE(d.value(QStringLiteral("display_name")).toString(), QStringLiteral("token-ci-bot"));
        QCOMPARE(d.value(QStringLiteral("path")).toString(), QStringLiteral("auth/token/create"));
        const QDateTime expire = QDateTime::fromString(d.value(QStringLiteral("expire_time")).toString(), Qt::ISODate);
        QVERIFY(expire.isValid());
        QVERIFY(qAbs(expire.toSecsSinceEpoch() - QDateTime::currentSecsSinceEpoch() - 3600) <= 2);
        QVERIFY(d.value(QStringLiteral("expire_time")).toString().endsWith(QLatin1Char('Z')));

        // lookup-self, with the token's own default policy.
        r = call(Operation::Read, QStringLiteral("auth/token/lookup-self"), {}, id.toUtf8());
        QCOMPARE(r.status, 200);
        QCOMPARE(data(r).value(QStringLiteral("id")).toString(), id);
        QCOMPARE(strings(data(r).value(QStringLiteral("policies"))), policies);
        // The default policy does not allow looking up other tokens.
        QCOMPARE(post(QStringLiteral("auth/token/lookup"), {{QStringLiteral("token"), QString::fromUtf8(m_root)}},
                      id.toUtf8())
                     .status,
                 403);

        // lookup-accessor never shows the id.
        r = post(QStringLiteral("auth/token/lookup-accessor"), {{QStringLiteral("accessor"), accessor}});
        QCOMPARE(r.status, 200);
        d = data(r);
        QVERIFY(!d.contains(QStringLiteral("id")));
        QCOMPARE(d.value(QStringLiteral("accessor")).toString(), accessor);
        QVERIFY(!QJsonDocument(r.json).toJson().contains(id.toUtf8()));
        QVERIFY(!QJsonDocument(r.json).toJson().contains(id.mid(3).toUtf8()));
        r = post(QStringLiteral("auth/token/lookup-accessor"), {{QStringLiteral("accessor"), QStringLiteral("nope")}});
        QCOMPARE(r.status, 400);

        // Unknown tokens.
        r = post(QStringLiteral("auth/token/lookup"), {{QStringLiteral("token"), QStringLiteral("gk.nope")}});
        QCOMPARE(r.status, 403);
        QCOMPARE(firstError(r), QStringLiteral("bad token"));
    }

    void rootTokensNeverExpire()
    {
        // Root creating a token without policies gives a root token, without expiry.
        Response r = post(QStringLiteral("auth/token/create"), {});
        QCOMPARE(r.status, 200);
        QCOMPARE(strings(auth(r).value(QStringLiteral("policies"))), QStringList{QStringLiteral("root")});
        QCOMPARE(auth(r).value(QStringLiteral("lease_duration")).toInt(), 0);
        const QByteArray id = auth(r).value(QStringLiteral("client_token")).toString().toUtf8();
        r = call(Operation::Read, QStringLiteral("auth/token/lookup-self"), {}, id);
        QVERIFY(data(r).value(QStringLiteral("expire_time")).isNull());
        QCOMPARE(data(r).value(QStringLiteral("ttl")).toInt(), 0);
        // The initial root token likewise.
        r = call(Operation::Read, QStringLiteral("auth/token/lookup-self"));
        QCOMPARE(r.status, 200);
        QVERIFY(data(r).value(QStringLiteral("expire_time")).isNull());
        QCOMPARE(data(r).value(QStringLiteral("orphan")).toBool(), true);
        QCOMPARE(data(r).value(QStringLiteral("path")).toString(), QStringLiteral("auth/token/root"));
        // A chosen id (root only), once.
        r = post(QStringLiteral("auth/token/create"), {{QStringLiteral("id"), QStringLiteral("my-custom-token")},
                                                       {QStringLiteral("policies"), QJsonArray{QStringLiteral("a")}}});
        QCOMPARE(r.status, 200);
        QCOMPARE(auth(r).value(QStringLiteral("client_token")).toString(), QStringLiteral("my-custom-token"));
        QCOMPARE(call(Operation::Read, QStringLiteral("auth/token/lookup-self"), {}, "my-custom-token").status, 200);
        r = post(QStringLiteral("auth/token/create"), {{QStringLiteral("id"), QStringLiteral("my-custom-token")}});
        QCOMPARE(r.status, 400);
    }

    void childTreeAndCascadingRevoke()
    {
        putPolicy(QStringLiteral("creator"), kCreator);
        const QByteArray a =
            create({{QStringLiteral("policies"), QJsonArray{QStringLiteral("creator"), QStringLiteral("p1")}}});
        QVERIFY(!a.isEmpty());
        // A child gets at most its parent's policies (default is always allowed).
        const QByteArray b = create({{QStringLiteral("policies"), QJsonArray{QStringLiteral("creator")}}}, a);
        QVERIFY(!b.isEmpty());
        Response r = post(QStringLiteral("auth/token/create"),
                          {{QStringLiteral("policies"), QJsonArray{QStringLiteral("p9")}}}, a);
        QCOMPARE(r.status, 400);
        QVERIFY(firstError(r).contains(QStringLiteral("subset")));
        r = post(QStringLiteral("auth/token/create"),
                 {{QStringLiteral("policies"), QJsonArray{QStringLiteral("root")}}}, a);
        QCOMPARE(r.status, 400);
        // Without policies, a child inherits its parent's.
        r = post(QStringLiteral("auth/token/create"), {}, b);
        QCOMPARE(r.status, 200);
        QCOMPARE(strings(auth(r).value(QStringLiteral("policies"))),
                 (QStringList{QStringLiteral("creator"), QStringLiteral("default")}));
        const QByteArray c = auth(r).value(QStringLiteral("client_token")).toString().toUtf8();
        const QByteArray d = create({}, c);
        QVERIFY(!d.isEmpty());
        const QByteArray sibling = create({}, a);

        r = post(QStringLiteral("auth/token/lookup"), {{QStringLiteral("token"), QString::fromUtf8(c)}});
        QCOMPARE(data(r).value(QStringLiteral("orphan")).toBool(), false);
        // One link per child: root->a, a->b, b->c, c->d, a->sibling.
        QCOMPARE(barrierKeys(QStringLiteral("sys/token/parent/")).size(), 5);

        // Revoking b revokes c and d; a and the sibling stay.
        const int before = barrierKeys(QStringLiteral("sys/token/id/")).size();
        QCOMPARE(post(QStringLiteral("auth/token/revoke"), {{QStringLiteral("token"), QString::fromUtf8(b)}}).status,
                 204);
        for (const QByteArray &gone : {b, c, d})
            QCOMPARE(lookupStatus(gone), 403);
        QCOMPARE(lookupStatus(a), 200);
        QCOMPARE(lookupStatus(sibling), 200);
        QCOMPARE(barrierKeys(QStringLiteral("sys/token/id/")).size(), before - 3);
        QCOMPARE(barrierKeys(QStringLiteral("sys/token/parent/")).size(), 2);
        QCOMPARE(barrierKeys(QStringLiteral("sys/token/accessor/")).size(), before - 3);

        // revoke-self takes the subtree too.
        QCOMPARE(post(QStringLiteral("auth/token/revoke-self"), {}, a).status, 204);
        QCOMPARE(lookupStatus(a), 403);
        QCOMPARE(lookupStatus(sibling), 403);
        QVERIFY(barrierKeys(QStringLiteral("sys/token/parent/")).isEmpty());
        // Revoking what is gone is fine.
        QCOMPARE(post(QStringLiteral("auth/token/revoke"), {{QStringLiteral("token"), QString::fromUtf8(a)}}).status,
                 204);
    }

    void revokedParentInvalidatesSubtreeAtOnce()
    {
        const QByteArray a = create({{QStringLiteral("policies"), QJsonArray{QStringLiteral("p")}}});
        const QByteArray b = create({{QStringLiteral("policies"), QJsonArray{QStringLiteral("p")}}}, {});
        Q_UNUSED(b)
        putPolicy(QStringLiteral("creator"), kCreator);
        const QByteArray parent = create({{QStringLiteral("policies"), QJsonArray{QStringLiteral("creator")}}});
        const QByteArray child = create({}, parent);
        const QByteArray grandchild = create({}, child);
        QCOMPARE(lookupStatus(grandchild), 200);
        // The parent's entry vanishes behind the store's back (an interrupted revocation): the descendants are
        // refused at once, and tidy removes them.
        auto parentEntry = m_engine->tokens().lookup(parent);
        parentEntry.waitForFinished();
        const QString parentHmac = parentEntry.result().value()->idHmac;
        auto removed = m_engine->seal().barrier()->remove(QStringLiteral("sys/token/id/") + parentHmac);
        removed.waitForFinished();
        m_engine->tokens().clearCache(); // what a restart after the interruption does
        QCOMPARE(lookupStatus(child), 403);
        QCOMPARE(lookupStatus(grandchild), 403);
        QCOMPARE(call(Operation::Read, QStringLiteral("auth/token/lookup-self"), {}, grandchild).status, 403);
        const Response r = post(QStringLiteral("auth/token/tidy"));
        QCOMPARE(r.status, 200);
        QVERIFY(data(r).value(QStringLiteral("invalid_parent_tokens")).toInt() >= 1);
        QCOMPARE(data(r).value(QStringLiteral("dangling_accessors")).toInt(), 1); // the parent's
        QCOMPARE(barrierKeys(QStringLiteral("sys/token/parent/")).size(), 2);     // root->a, root->b
        QCOMPARE(barrierKeys(QStringLiteral("sys/token/id/")).size(), 3);         // root, a, b
        QCOMPARE(barrierKeys(QStringLiteral("sys/token/accessor/")).size(), 3);
        QCOMPARE(lookupStatus(a), 200);
    }

    void orphansAndRevokeOrphan()
    {
        putPolicy(QStringLiteral("creator"), kCreator);
        const QByteArray a = create({{QStringLiteral("policies"), QJsonArray{QStringLiteral("creator")}}});
        // no_parent needs root or sudo; create-orphan does not.
        Response r = post(QStringLiteral("auth/token/create"), {{QStringLiteral("no_parent"), true}}, a);
        QCOMPARE(r.status, 400);
        QVERIFY(firstError(r).contains(QStringLiteral("orphan")));
        r = post(QStringLiteral("auth/token/create-orphan"), {}, a);
        QCOMPARE(r.status, 200);
        QCOMPARE(auth(r).value(QStringLiteral("orphan")).toBool(), true);
        const QByteArray orphan = auth(r).value(QStringLiteral("client_token")).toString().toUtf8();
        r = post(QStringLiteral("auth/token/create"), {{QStringLiteral("no_parent"), true}});
        QCOMPARE(auth(r).value(QStringLiteral("orphan")).toBool(), true);

        const QByteArray b = create({}, a);
        const QByteArray c = create({}, b);
        // revoke-orphan needs sudo.
        r = post(QStringLiteral("auth/token/revoke-orphan"), {{QStringLiteral("token"), QString::fromUtf8(a)}}, a);
        QCOMPARE(r.status, 403);
        QCOMPARE(
            post(QStringLiteral("auth/token/revoke-orphan"), {{QStringLiteral("token"), QString::fromUtf8(a)}}).status,
            204);
        QCOMPARE(lookupStatus(a), 403);
        QCOMPARE(lookupStatus(orphan), 200); // never was a child
        r = post(QStringLiteral("auth/token/lookup"), {{QStringLiteral("token"), QString::fromUtf8(b)}});
        QCOMPARE(r.status, 200);
        QCOMPARE(data(r).value(QStringLiteral("orphan")).toBool(), true);
        r = post(QStringLiteral("auth/token/lookup"), {{QStringLiteral("token"), QString::fromUtf8(c)}});
        QCOMPARE(r.status, 200);
        QCOMPARE(data(r).value(QStringLiteral("orphan")).toBool(), false);
        // b is now a root of its own tree: revoking it still takes c.
        QCOMPARE(post(QStringLiteral("auth/token/revoke"), {{QStringLiteral("token"), QString::fromUtf8(b)}}).status,
                 204);
        QCOMPARE(lookupStatus(c), 403);
        QVERIFY(barrierKeys(QStringLiteral("sys/token/parent/")).isEmpty());
    }

    void accessors()
    {
        putPolicy(QStringLiteral("creator"), kCreator);
        const QByteArray a = create({{QStringLiteral("policies"), QJsonArray{QStringLiteral("creator")}}});
        Response r = post(QStringLiteral("auth/token/create"), {}, a);
        const QString childAccessor = auth(r).value(QStringLiteral("accessor")).toString();
        const QByteArray child = auth(r).value(QStringLiteral("client_token")).toString().toUtf8();

        r = call(Operation::List, QStringLiteral("auth/token/accessors"));
        QCOMPARE(r.status, 200);
        const QStringList keys = strings(data(r).value(QStringLiteral("keys")));
        QCOMPARE(keys.size(), 3);
        QVERIFY(keys.contains(childAccessor));
        QVERIFY(std::is_sorted(keys.cbegin(), keys.cend()));
        // Needs sudo.
        QCOMPARE(call(Operation::List, QStringLiteral("auth/token/accessors"), {}, a).status, 403);

        // revoke-accessor takes the token (and its children).
        QCOMPARE(
            post(QStringLiteral("auth/token/revoke-accessor"), {{QStringLiteral("accessor"), childAccessor}}).status,
            204);
        QCOMPARE(lookupStatus(child), 403);
        QCOMPARE(
            post(QStringLiteral("auth/token/lookup-accessor"), {{QStringLiteral("accessor"), childAccessor}}).status,
            400);
        QCOMPARE(
            post(QStringLiteral("auth/token/revoke-accessor"), {{QStringLiteral("accessor"), childAccessor}}).status,
            400);
        r = call(Operation::List, QStringLiteral("auth/token/accessors"));
        QCOMPARE(strings(data(r).value(QStringLiteral("keys"))).size(), 2);
    }

    void ttlExpiryAndTidy()
    {
        putPolicy(QStringLiteral("creator"), kCreator);
        const QByteArray parent = create({{QStringLiteral("policies"), QJsonArray{QStringLiteral("creator")}}});
        const QByteArray shortLived = create({{QStringLiteral("ttl"), QStringLiteral("2s")}}, parent);
        const QByteArray grandchild = create({{QStringLiteral("ttl"), QStringLiteral("1h")}}, shortLived);
        QVERIFY(!grandchild.isEmpty());
        QCOMPARE(call(Operation::Read, QStringLiteral("auth/token/lookup-self"), {}, shortLived).status, 200);
        const int ids = barrierKeys(QStringLiteral("sys/token/id/")).size();
        const int accessors = barrierKeys(QStringLiteral("sys/token/accessor/")).size();

        // Expiry is checked on every use; the entry stays until tidy. A child of an expired token is refused too.
        QTRY_COMPARE_WITH_TIMEOUT(
            call(Operation::Read, QStringLiteral("auth/token/lookup-self"), {}, shortLived).status, 403, 4000);
        QCOMPARE(lookupStatus(grandchild), 403);
        QCOMPARE(barrierKeys(QStringLiteral("sys/token/id/")).size(), ids);

        const Response r = post(QStringLiteral("auth/token/tidy"));
        QCOMPARE(r.status, 200);
        QCOMPARE(data(r).value(QStringLiteral("expired_tokens")).toInt(), 1);
        QCOMPARE(barrierKeys(QStringLiteral("sys/token/id/")).size(), ids - 2);
        QCOMPARE(barrierKeys(QStringLiteral("sys/token/accessor/")).size(), accessors - 2);
        QCOMPARE(barrierKeys(QStringLiteral("sys/token/parent/")).size(), 1); // root->parent
        QCOMPARE(lookupStatus(parent), 200);
        // tidy needs sudo.
        QCOMPARE(post(QStringLiteral("auth/token/tidy"), {}, parent).status, 403);
        // A second tidy finds nothing.
        QCOMPARE(data(post(QStringLiteral("auth/token/tidy"))).value(QStringLiteral("expired_tokens")).toInt(), 0);
    }

    void renewAndMaxTtl()
    {
        Response r =
            post(QStringLiteral("auth/token/create"), {{QStringLiteral("ttl"), 60},
                                                       {QStringLiteral("explicit_max_ttl"), QStringLiteral("2m")},
                                                       {QStringLiteral("policies"), QJsonArray{QStringLiteral("a")}}});
        QCOMPARE(auth(r).value(QStringLiteral("lease_duration")).toInt(), 60);
        const QString id = auth(r).value(QStringLiteral("client_token")).toString();

        // An increment past the explicit max is capped, with a warning.
        r = post(QStringLiteral("auth/token/renew"),
                 {{QStringLiteral("token"), id}, {QStringLiteral("increment"), QStringLiteral("1h")}});
        QCOMPARE(r.status, 200);
        QCOMPARE(auth(r).value(QStringLiteral("client_token")).toString(), id);
        QVERIFY(auth(r).value(QStringLiteral("lease_duration")).toInt() <= 120);
        QVERIFY(auth(r).value(QStringLiteral("lease_duration")).toInt() >= 118);
        QVERIFY(!r.json.value(QStringLiteral("warnings")).toArray().isEmpty());
        r = post(QStringLiteral("auth/token/lookup"), {{QStringLiteral("token"), id}});
        QVERIFY(data(r).value(QStringLiteral("ttl")).toInt() <= 120);
        QCOMPARE(data(r).value(QStringLiteral("explicit_max_ttl")).toInt(), 120);
        QVERIFY(data(r).contains(QStringLiteral("last_renewal_time")));
        // Without an increment: the original TTL again. renew-self with the default policy.
        r = post(QStringLiteral("auth/token/renew-self"), {{QStringLiteral("increment"), QJsonValue::Null}},
                 id.toUtf8());
        QCOMPARE(r.status, 200);
        QCOMPARE(auth(r).value(QStringLiteral("lease_duration")).toInt(), 60);
        r = post(QStringLiteral("auth/token/renew-self"), {{QStringLiteral("increment"), 30}}, id.toUtf8());
        QCOMPARE(auth(r).value(QStringLiteral("lease_duration")).toInt(), 30);

        // Not renewable: 400.
        r = post(QStringLiteral("auth/token/create"),
                 {{QStringLiteral("renewable"), false}, {QStringLiteral("ttl"), 60}});
        const QString fixed = auth(r).value(QStringLiteral("client_token")).toString();
        QCOMPARE(auth(r).value(QStringLiteral("renewable")).toBool(), false);
        r = post(QStringLiteral("auth/token/renew"), {{QStringLiteral("token"), fixed}});
        QCOMPARE(r.status, 400);
        QVERIFY(firstError(r).contains(QStringLiteral("not renewable")));
        QCOMPARE(
            post(QStringLiteral("auth/token/renew"), {{QStringLiteral("token"), QStringLiteral("gk.none")}}).status,
            400);
        QCOMPARE(post(QStringLiteral("auth/token/renew"), {}).status, 400);

        // renew-accessor: no client_token in the answer.
        r = post(QStringLiteral("auth/token/lookup"), {{QStringLiteral("token"), id}});
        r = post(QStringLiteral("auth/token/renew-accessor"),
                 {{QStringLiteral("accessor"), data(r).value(QStringLiteral("accessor"))},
                  {QStringLiteral("increment"), 45}});
        QCOMPARE(r.status, 200);
        QCOMPARE(auth(r).value(QStringLiteral("client_token")).toString(), QString());
        QCOMPARE(auth(r).value(QStringLiteral("lease_duration")).toInt(), 45);

        // The runtime settings: default and max TTL.
        r = call(
            Operation::Patch, QStringLiteral("config"),
            {{QStringLiteral("token.default_ttl"), QStringLiteral("10m")}, {QStringLiteral("token.max_ttl"), 900}});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("token.max_ttl")).toString(), QStringLiteral("15m0s"));
        r = post(QStringLiteral("auth/token/create"), {{QStringLiteral("policies"), QJsonArray{QStringLiteral("a")}}});
        QCOMPARE(auth(r).value(QStringLiteral("lease_duration")).toInt(), 600);
        const QString defaulted = auth(r).value(QStringLiteral("client_token")).toString();
        r = post(QStringLiteral("auth/token/create"), {{QStringLiteral("ttl"), QStringLiteral("1h")},
                                                       {QStringLiteral("policies"), QJsonArray{QStringLiteral("a")}}});
        QCOMPARE(auth(r).value(QStringLiteral("lease_duration")).toInt(), 900);
        QVERIFY(!r.json.value(QStringLiteral("warnings")).toArray().isEmpty());
        // Renewal never goes past the max TTL counted from creation.
        r = post(QStringLiteral("auth/token/renew"),
                 {{QStringLiteral("token"), defaulted}, {QStringLiteral("increment"), QStringLiteral("2h")}});
        QVERIFY(auth(r).value(QStringLiteral("lease_duration")).toInt() <= 900);
        QVERIFY(auth(r).value(QStringLiteral("lease_duration")).toInt() >= 898);
        // Bad settings are refused.
        QCOMPARE(call(Operation::Patch, QStringLiteral("config"),
                      {{QStringLiteral("token.max_ttl"), QStringLiteral("soon")}})
                     .status,
                 400);

        // Periodic tokens (root or sudo): every renewal gives the period, whatever the max TTL.
        r = post(QStringLiteral("auth/token/create"), {{QStringLiteral("period"), QStringLiteral("20m")},
                                                       {QStringLiteral("policies"), QJsonArray{QStringLiteral("a")}}});
        QCOMPARE(auth(r).value(QStringLiteral("lease_duration")).toInt(), 1200);
        const QString periodic = auth(r).value(QStringLiteral("client_token")).toString();
        r = post(QStringLiteral("auth/token/renew"),
                 {{QStringLiteral("token"), periodic}, {QStringLiteral("increment"), 5}});
        QCOMPARE(auth(r).value(QStringLiteral("lease_duration")).toInt(), 1200);
        QCOMPARE(data(post(QStringLiteral("auth/token/lookup"), {{QStringLiteral("token"), periodic}}))
                     .value(QStringLiteral("period"))
                     .toInt(),
                 1200);
    }

    void numUsesExhaustion()
    {
        Response r =
            post(QStringLiteral("auth/token/create"),
                 {{QStringLiteral("num_uses"), 3}, {QStringLiteral("policies"), QJsonArray{QStringLiteral("a")}}});
        QCOMPARE(auth(r).value(QStringLiteral("num_uses")).toInt(), 3);
        const QByteArray id = auth(r).value(QStringLiteral("client_token")).toString().toUtf8();
        // A lookup by another token is not a use.
        QCOMPARE(data(post(QStringLiteral("auth/token/lookup"), {{QStringLiteral("token"), QString::fromUtf8(id)}}))
                     .value(QStringLiteral("num_uses"))
                     .toInt(),
                 3);
        // A denied request is not a use either.
        QCOMPARE(call(Operation::List, QStringLiteral("auth/token/accessors"), {}, id).status, 403);
        for (int left : {2, 1, 0}) {
            r = call(Operation::Read, QStringLiteral("auth/token/lookup-self"), {}, id);
            QCOMPARE(r.status, 200);
            QCOMPARE(data(r).value(QStringLiteral("num_uses")).toInt(), left);
        }
        QCOMPARE(call(Operation::Read, QStringLiteral("auth/token/lookup-self"), {}, id).status, 403);
        QCOMPARE(lookupStatus(id), 403);
        // Revoked, not just refused: the entry is gone.
        const int before = barrierKeys(QStringLiteral("sys/token/id/")).size();
        QCOMPARE(before, 1); // the root token
        // A limited-use token cannot create tokens.
        putPolicy(QStringLiteral("creator"), kCreator);
        const QByteArray limited = create(
            {{QStringLiteral("num_uses"), 2}, {QStringLiteral("policies"), QJsonArray{QStringLiteral("creator")}}});
        r = post(QStringLiteral("auth/token/create"), {}, limited);
        QCOMPARE(r.status, 400);
        // Not even with its very last use.
        const QByteArray once = create(
            {{QStringLiteral("num_uses"), 1}, {QStringLiteral("policies"), QJsonArray{QStringLiteral("creator")}}});
        r = post(QStringLiteral("auth/token/create-orphan"), {}, once);
        QCOMPARE(r.status, 400);
        QCOMPARE(lookupStatus(once), 403);
        QCOMPARE(post(QStringLiteral("auth/token/create"), {{QStringLiteral("num_uses"), -1}}).status, 400);
    }

    void numUsesConcurrent_data()
    {
        QTest::addColumn<int>("uses");
        QTest::addColumn<int>("callers");
        QTest::newRow("5 of 16") << 5 << 16;
        QTest::newRow("1 of 8") << 1 << 8;
        QTest::newRow("15 of 16") << 15 << 16;
    }
    void numUsesConcurrent()
    {
        QFETCH(int, uses);
        QFETCH(int, callers);
        const Response created =
            post(QStringLiteral("auth/token/create"),
                 {{QStringLiteral("num_uses"), uses}, {QStringLiteral("policies"), QJsonArray{QStringLiteral("a")}}});
        const QByteArray id = auth(created).value(QStringLiteral("client_token")).toString().toUtf8();
        std::atomic<int> ok{0};
        std::atomic<int> denied{0};
        std::atomic<bool> go{false};
        std::vector<std::thread> threads;
        for (int i = 0; i < callers; ++i) {
            threads.emplace_back([&] {
                while (!go.load())
                    std::this_thread::yield();
                Request r;
                r.operation = Operation::Read;
                r.method = "GET";
                r.path = QStringLiteral("auth/token/lookup-self");
                r.token = id;
                QFuture<Response> f = m_engine->handle(r);
                f.waitForFinished();
                (f.result().status == 200 ? ok : denied)++;
            });
        }
        go = true;
        for (std::thread &t : threads)
            t.join();
        QCOMPARE(ok.load(), uses);
        QCOMPARE(denied.load(), callers - uses);
        QCOMPARE(lookupStatus(id), 403);
        QCOMPARE(m_engine->tokens().lookup(id).result().httpStatus(), 403);
        QCOMPARE(barrierKeys(QStringLiteral("sys/token/id/")).size(), 1);
    }

    void roles()
    {
        putPolicy(QStringLiteral("creator"), kCreator);
        QCOMPARE(call(Operation::List, QStringLiteral("auth/token/roles")).status, 404);
        Response r = post(QStringLiteral("auth/token/roles/Deploy"),
                          {{QStringLiteral("allowed_policies"), QStringLiteral("p1, p2")},
                           {QStringLiteral("disallowed_policies"), QJsonArray{QStringLiteral("p3")}},
                           {QStringLiteral("orphan"), true},
                           {QStringLiteral("token_ttl"), QStringLiteral("10m")},
                           {QStringLiteral("token_max_ttl"), QStringLiteral("20m")},
                           {QStringLiteral("token_num_uses"), 4},
                           {QStringLiteral("path_suffix"), QStringLiteral("v1")}});
        QCOMPARE(r.status, 204);
        r = call(Operation::Read, QStringLiteral("auth/token/roles/deploy"));
        QCOMPARE(r.status, 200);
        QJsonObject role = data(r);
        QCOMPARE(strings(role.value(QStringLiteral("allowed_policies"))),
                 (QStringList{QStringLiteral("p1"), QStringLiteral("p2")}));
        QCOMPARE(role.value(QStringLiteral("token_ttl")).toInt(), 600);
        QCOMPARE(role.value(QStringLiteral("token_num_uses")).toInt(), 4);
        QCOMPARE(role.value(QStringLiteral("orphan")).toBool(), true);
        QCOMPARE(role.value(QStringLiteral("renewable")).toBool(), true);
        QCOMPARE(role.value(QStringLiteral("name")).toString(), QStringLiteral("deploy"));
        r = call(Operation::List, QStringLiteral("auth/token/roles"));
        QCOMPARE(strings(data(r).value(QStringLiteral("keys"))), QStringList{QStringLiteral("deploy")});

        // A caller with neither p1 nor p2 creates through the role: the role's policies, TTL, uses, orphan.
        const QByteArray caller = create({{QStringLiteral("policies"), QJsonArray{QStringLiteral("creator")}}});
        r = post(QStringLiteral("auth/token/create/deploy"), {}, caller);
        QCOMPARE(r.status, 200);
        QJsonObject a = auth(r);
        QCOMPARE(strings(a.value(QStringLiteral("policies"))),
                 (QStringList{QStringLiteral("default"), QStringLiteral("p1"), QStringLiteral("p2")}));
        QCOMPARE(a.value(QStringLiteral("lease_duration")).toInt(), 600);
        QCOMPARE(a.value(QStringLiteral("num_uses")).toInt(), 4);
        QCOMPARE(a.value(QStringLiteral("orphan")).toBool(), true);
        r = post(QStringLiteral("auth/token/lookup"),
                 {{QStringLiteral("token"), a.value(QStringLiteral("client_token"))}});
        QCOMPARE(data(r).value(QStringLiteral("path")).toString(), QStringLiteral("auth/token/create/deploy/v1"));
        QCOMPARE(data(r).value(QStringLiteral("role")).toString(), QStringLiteral("deploy"));
        // Asking for a subset, for more uses than the role allows, a longer TTL than its max.
        r = post(QStringLiteral("auth/token/create/deploy"),
                 {{QStringLiteral("policies"), QJsonArray{QStringLiteral("p2")}},
                  {QStringLiteral("num_uses"), 10},
                  {QStringLiteral("ttl"), QStringLiteral("1h")}},
                 caller);
        QCOMPARE(r.status, 200);
        a = auth(r);
        QCOMPARE(strings(a.value(QStringLiteral("policies"))),
                 (QStringList{QStringLiteral("default"), QStringLiteral("p2")}));
        QCOMPARE(a.value(QStringLiteral("num_uses")).toInt(), 4);
        QCOMPARE(a.value(QStringLiteral("lease_duration")).toInt(), 1200);
        // allowed_policies is enforced; disallowed ones are refused.
        r = post(QStringLiteral("auth/token/create/deploy"),
                 {{QStringLiteral("policies"), QJsonArray{QStringLiteral("creator")}}}, caller);
        QCOMPARE(r.status, 400);
        QVERIFY(firstError(r).contains(QStringLiteral("allowed_policies")));
        r = post(QStringLiteral("auth/token/create/deploy"),
                 {{QStringLiteral("policies"), QJsonArray{QStringLiteral("p3")}}}, caller);
        QCOMPARE(r.status, 400);
        QCOMPARE(post(QStringLiteral("auth/token/create/nope"), {}, caller).status, 400);

        // Update keeps what is not given; a role without allowed_policies keeps the parent-subset rule.
        r = post(QStringLiteral("auth/token/roles/deploy"),
                 {{QStringLiteral("renewable"), false}, {QStringLiteral("orphan"), false}});
        QCOMPARE(r.status, 204);
        role = data(call(Operation::Read, QStringLiteral("auth/token/roles/deploy")));
        QCOMPARE(role.value(QStringLiteral("token_num_uses")).toInt(), 4);
        QCOMPARE(role.value(QStringLiteral("renewable")).toBool(), false);
        r = post(QStringLiteral("auth/token/create/deploy"), {}, caller);
        QCOMPARE(auth(r).value(QStringLiteral("renewable")).toBool(), false);
        QCOMPARE(auth(r).value(QStringLiteral("orphan")).toBool(), false);
        QCOMPARE(post(QStringLiteral("auth/token/roles/plain"), {{QStringLiteral("token_ttl"), 30}}).status, 204);
        r = post(QStringLiteral("auth/token/create/plain"), {}, caller);
        QCOMPARE(r.status, 200);
        QCOMPARE(auth(r).value(QStringLiteral("lease_duration")).toInt(), 30);
        QCOMPARE(strings(auth(r).value(QStringLiteral("policies"))),
                 (QStringList{QStringLiteral("creator"), QStringLiteral("default")}));
        QCOMPARE(post(QStringLiteral("auth/token/create/plain"),
                      {{QStringLiteral("policies"), QJsonArray{QStringLiteral("p1")}}}, caller)
                     .status,
                 400);

        // Bad roles.
        QCOMPARE(post(QStringLiteral("auth/token/roles/bad"), {{QStringLiteral("token_ttl"), QStringLiteral("2h")},
                                                               {QStringLiteral("token_max_ttl"), QStringLiteral("1h")}})
                     .status,
                 400);
        QCOMPARE(post(QStringLiteral("auth/token/roles/bad"),
                      {{QStringLiteral("allowed_policies"), QJsonArray{QStringLiteral("root")}}})
                     .status,
                 400);
        QCOMPARE(post(QStringLiteral("auth/token/roles/bad"), {{QStringLiteral("token_num_uses"), -2}}).status, 400);
        QCOMPARE(post(QStringLiteral("auth/token/roles/-bad"), {}).status, 400);
        QCOMPARE(call(Operation::Read, QStringLiteral("auth/token/roles/bad")).status, 404);

        QCOMPARE(call(Operation::Delete, QStringLiteral("auth/token/roles/deploy")).status, 204);
        QCOMPARE(call(Operation::Read, QStringLiteral("auth/token/roles/deploy")).status, 404);
        QCOMPARE(strings(data(call(Operation::List, QStringLiteral("auth/token/roles"))).value(QStringLiteral("keys"))),
                 QStringList{QStringLiteral("plain")});
    }

    void badInput_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QJsonObject>("body");
        QTest::newRow("policies not a list") << "create" << QJsonObject{{QStringLiteral("policies"), 5}};
        QTest::newRow("policy name") << "create"
                                     << QJsonObject{{QStringLiteral("policies"), QJsonArray{QStringLiteral("a b")}}};
        QTest::newRow("ttl") << "create" << QJsonObject{{QStringLiteral("ttl"), QStringLiteral("soon")}};
        QTest::newRow("negative ttl") << "create" << QJsonObject{{QStringLiteral("ttl"), -5}};
        QTest::newRow("num_uses") << "create" << QJsonObject{{QStringLiteral("num_uses"), QStringLiteral("many")}};
        QTest::newRow("meta") << "create"
                              << QJsonObject{{QStringLiteral("meta"), QJsonObject{{QStringLiteral("n"), 1}}}};
        QTest::newRow("renewable") << "create" << QJsonObject{{QStringLiteral("renewable"), QStringLiteral("perhaps")}};
        QTest::newRow("batch") << "create" << QJsonObject{{QStringLiteral("type"), QStringLiteral("batch")}};
        QTest::newRow("id") << "create" << QJsonObject{{QStringLiteral("id"), QStringLiteral("has space")}};
        QTest::newRow("entity_alias") << "create" << QJsonObject{{QStringLiteral("entity_alias"), QStringLiteral("x")}};
        QTest::newRow("lookup-accessor") << "lookup-accessor" << QJsonObject{};
        QTest::newRow("revoke") << "revoke" << QJsonObject{};
        QTest::newRow("revoke token type") << "revoke" << QJsonObject{{QStringLiteral("token"), 5}};
        QTest::newRow("renew increment") << "renew-self"
                                         << QJsonObject{{QStringLiteral("increment"), QStringLiteral("x")}};
        QTest::newRow("role ttl") << "roles/r" << QJsonObject{{QStringLiteral("token_ttl"), true}};
        QTest::newRow("role aliases") << "roles/r"
                                      << QJsonObject{{QStringLiteral("allowed_entity_aliases"),
                                                      QJsonArray{QStringLiteral("a")}}};
    }
    void badInput()
    {
        QFETCH(QString, path);
        QFETCH(QJsonObject, body);
        const Response r = post(QStringLiteral("auth/token/") + path, body);
        QCOMPARE(r.status, 400);
        QVERIFY(!firstError(r).isEmpty());
    }

    void routesAndHelp()
    {
        QCOMPARE(call(Operation::Read, QStringLiteral("auth/token/create")).status, 405);
        QCOMPARE(call(Operation::Read, QStringLiteral("auth/token/nothing")).status, 404);
        QCOMPARE(post(QStringLiteral("auth/token/create"), {}, "gk.wrong").status, 403);
        Response r = call(Operation::Help, QStringLiteral("auth/token/create"));
        QVERIFY(r.json.value(QStringLiteral("help")).toString().contains(QStringLiteral("policies")));
        // Sealed: 503.
        m_engine->sealNow();
        QCOMPARE(call(Operation::Read, QStringLiteral("auth/token/lookup-self")).status, 503);
    }

    void secretsNeverReachStorage()
    {
        putPolicy(QStringLiteral("creator"), kCreator);
        QCOMPARE(post(QStringLiteral("auth/token/roles/r"),
                      {{QStringLiteral("allowed_policies"), QJsonArray{QStringLiteral("p")}}})
                     .status,
                 204);
        QList<QByteArray> ids{m_root};
        ids << create(
            {{QStringLiteral("policies"), QJsonArray{QStringLiteral("creator")}}, {QStringLiteral("num_uses"), 0}});
        ids << create({}, ids.last()) << create({}, ids.last(), QStringLiteral("create-orphan"))
            << create({}, ids.at(1), QStringLiteral("create/r"))
            << create({{QStringLiteral("id"), QStringLiteral("chosen-secret-id-123")}})
            << create({{QStringLiteral("num_uses"), 5}});
        call(Operation::Read, QStringLiteral("auth/token/lookup-self"), {}, ids.last()); // a use rewrites the entry
        post(QStringLiteral("auth/token/renew-self"), {}, ids.at(2));
        for (const QByteArray &id : std::as_const(ids))
            QVERIFY(!id.isEmpty());

        const auto check = [&](const QString &key, const QByteArray &value) {
            for (const QByteArray &id : std::as_const(ids)) {
                const QByteArray secret = id.startsWith("gk.") ? id.mid(3) : id;
                QVERIFY2(!value.contains(secret), qPrintable(key));
                QVERIFY2(!key.toUtf8().contains(secret), qPrintable(key));
            }
        };
        // The physical store (encrypted) and the barrier's decrypted view alike.
        QStringList pending{QString()};
        int seen = 0;
        while (!pending.isEmpty()) {
            const QString prefix = pending.takeFirst();
            auto listed = m_storage->list(prefix);
            listed.waitForFinished();
            const QStringList children = listed.result().value();
            for (const QString &child : children) {
                if (child.endsWith(QLatin1Char('/'))) {
                    pending.append(prefix + child);
                    continue;
                }
                auto value = m_storage->get(prefix + child);
                value.waitForFinished();
                check(prefix + child, *value.result().value());
                ++seen;
            }
        }
        QVERIFY(seen > 10);
        for (const QString &key : barrierKeys(QStringLiteral("sys/")))
            check(key, barrierValue(key));
        QVERIFY(barrierKeys(QStringLiteral("sys/token/id/")).size() >= 7);
    }

    // New ids lead with their creation time and accessors are version 7 UUIDs, so the keys of tokens made one after
    // another sort in creation order; lookups by id and by accessor find them.
    void keysFollowCreationOrder()
    {
        InmemStorage storage;
        TokenStore store(&storage);
        const QRegularExpression idForm(QStringLiteral("^gk\\.[0-9a-f]{12}[A-Za-z0-9_-]{43}$"));
        QStringList ids;
        QStringList idHmacs;
        QStringList accessors;
        for (int i = 0; i < 4; ++i) {
            if (i > 0)
                QTest::qWait(3); // a later millisecond
            auto created = store.create(TokenEntry());
            created.waitForFinished();
            QVERIFY(created.result().isOk());
            const TokenStore::Created c = created.result().value();
            QVERIFY2(idForm.match(c.id).hasMatch(), qPrintable(c.id));
            const qint64 ms = c.id.mid(3, 12).toLongLong(nullptr, 16);
            QVERIFY(qAbs(ms - QDateTime::currentMSecsSinceEpoch()) < 60000);
            QVERIFY(c.entry->idHmac.startsWith(c.id.mid(3, 12)));
            QCOMPARE(c.entry->idHmac.size(), 12 + 64);
            QCOMPARE(c.entry->accessor.at(14), QLatin1Char('7'));
            ids.append(c.id);
            idHmacs.append(c.entry->idHmac);
            accessors.append(c.entry->accessor);
        }
        QStringList sorted = ids;
        sorted.sort();
        QCOMPARE(ids, sorted);
        sorted = accessors;
        sorted.sort();
        QCOMPARE(accessors, sorted);

        auto idKeys = storage.list(QStringLiteral("sys/token/id/"));
        idKeys.waitForFinished();
        QCOMPARE(idKeys.result().value(), idHmacs);
        auto accessorKeys = storage.list(QStringLiteral("sys/token/accessor/"));
        accessorKeys.waitForFinished();
        QCOMPARE(accessorKeys.result().value().size(), accessors.size());
        for (int i = 0; i < accessors.size(); ++i) {
            const QString time = accessors.at(i).left(8) + accessors.at(i).mid(9, 4);
            QVERIFY(accessorKeys.result().value().at(i).startsWith(time));
        }

        for (int i = 0; i < ids.size(); ++i) {
            auto byId = store.lookup(ids.at(i).toUtf8());
            byId.waitForFinished();
            QVERIFY(byId.result().isOk());
            QCOMPARE(byId.result().value()->accessor, accessors.at(i));
            auto byAccessor = store.lookupByAccessor(accessors.at(i));
            byAccessor.waitForFinished();
            QVERIFY(byAccessor.result().isOk());
            QCOMPARE(byAccessor.result().value()->idHmac, idHmacs.at(i));
        }
        // The time part is bound to the rest of the id: another time with the same random part is no token.
        QString moved = ids.first();
        moved[14] = moved.at(14) == QLatin1Char('0') ? QLatin1Char('1') : QLatin1Char('0');
        auto wrong = store.lookup(moved.toUtf8());
        wrong.waitForFinished();
        QCOMPARE(wrong.result().httpStatus(), 403);
    }

    // A new token's id and accessor come from one draw of the generator: they must not share random bytes, and an
    // accessor the caller set is kept.
    void idAndAccessorDrawsAreSeparate()
    {
        InmemStorage storage;
        TokenStore store(&storage);
        QSet<QByteArray> accessorTails;
        for (int i = 0; i < 32; ++i) {
            auto created = store.create(TokenEntry());
            created.waitForFinished();
            QVERIFY(created.result().isOk());
            const TokenStore::Created c = created.result().value();
            const QByteArray random = QByteArray::fromBase64(c.id.mid(15).toLatin1(), QByteArray::Base64UrlEncoding);
            QCOMPARE(random.size(), 32);
            // The accessor's last 6 bytes are random throughout (the time, version and variant come before).
            const QByteArray tail = QByteArray::fromHex(c.entry->accessor.right(12).toLatin1());
            QCOMPARE(tail.size(), 6);
            QVERIFY2(!random.contains(tail), qPrintable(c.entry->accessor));
            accessorTails.insert(tail);
        }
        QCOMPARE(accessorTails.size(), 32);

        TokenEntry preset;
        preset.accessor = QStringLiteral("0a0b0c0d-0e0f-4000-8000-000000000001");
        auto created = store.create(preset);
        created.waitForFinished();
        QVERIFY(created.result().isOk());
        QCOMPARE(created.result().value().entry->accessor, preset.accessor);
        QVERIFY(created.result().value().id.startsWith(QStringLiteral("gk.")));
    }

    // Ids without a time part (chosen ones, and those made before ids carried it) and version 4 accessors keep
    // keys made of the HMAC alone, and are found as before.
    void idsWithoutTimePart()
    {
        InmemStorage storage;
        TokenStore store(&storage);
        const QString oldForm = QStringLiteral("gk.") + QString(43, QLatin1Char('A'));
        const QString upperHex = QStringLiteral("gk.00000000ABCD") + QString(43, QLatin1Char('b'));
        const QStringList chosenIds{oldForm, upperHex, QStringLiteral("dev-root")};
        for (const QString &chosen : chosenIds) {
            TokenEntry entry;
            entry.accessor = crypto::randomUuid();
            auto created = store.create(entry, chosen);
            created.waitForFinished();
            QVERIFY(created.result().isOk());
            const TokenStore::EntryPtr made = created.result().value().entry;
            QCOMPARE(made->idHmac.size(), 64);
            auto byId = store.lookup(chosen.toUtf8());
            byId.waitForFinished();
            QVERIFY(byId.result().isOk());
            QCOMPARE(byId.result().value()->idHmac, made->idHmac);
            auto byAccessor = store.lookupByAccessor(entry.accessor);
            byAccessor.waitForFinished();
            QVERIFY(byAccessor.result().isOk());
            QCOMPARE(byAccessor.result().value()->idHmac, made->idHmac);
        }
        auto accessorKeys = storage.list(QStringLiteral("sys/token/accessor/"));
        accessorKeys.waitForFinished();
        const QStringList keys = accessorKeys.result().value();
        QCOMPARE(keys.size(), chosenIds.size());
        for (const QString &key : keys)
            QCOMPARE(key.size(), 64);
    }

    // Entries that were looked up are kept decoded in memory; every change made through the store is seen by the
    // next lookup, also while lookups of the same token run beside it.
    void rememberedEntriesFollowChanges()
    {
        InmemStorage storage;
        TokenStore store(&storage);
        const auto lookup = [&](const QString &id) {
            auto f = store.lookup(id.toUtf8());
            f.waitForFinished();
            return f.result();
        };
        TokenEntry parentEntry;
        parentEntry.ttl = 3600;
        auto madeParent = store.create(parentEntry);
        madeParent.waitForFinished();
        const TokenStore::Created parent = madeParent.result().value();
        TokenEntry childEntry;
        childEntry.parentHmac = parent.entry->idHmac;
        auto madeChild = store.create(childEntry);
        madeChild.waitForFinished();
        const TokenStore::Created child = madeChild.result().value();
        QVERIFY(lookup(child.id).isOk()); // both remembered now
        QVERIFY(lookup(parent.id).isOk());

        // A renewal is seen at once.
        auto renewed = store.update(parent.entry->idHmac, [](TokenEntry e) -> Result<TokenEntry> {
            e.expireTime += 60;
            return e;
        });
        renewed.waitForFinished();
        QVERIFY(renewed.result().isOk());
        QCOMPARE(lookup(parent.id).value()->expireTime, parent.entry->expireTime + 60);

        // Revoking the parent refuses both at once, although both were remembered.
        auto revoked = store.revoke(parent.entry->idHmac);
        revoked.waitForFinished();
        QVERIFY(revoked.result().isOk());
        QCOMPARE(lookup(parent.id).httpStatus(), 403);
        QCOMPARE(lookup(child.id).httpStatus(), 403);

        // A lookup whose read began before a revocation and ends after it may still succeed (it began first), but
        // what it read is not remembered: the next lookup is refused.
        HeldReadsStore held;
        TokenStore heldStore(&held);
        const TokenStore::Created c = createdToken(heldStore);
        Result<TokenStore::EntryPtr> early;
        lookupAcross(
            held, heldStore, c.id, [&] { QVERIFY(awaited(heldStore.revoke(c.entry->idHmac)).isOk()); }, &early);
        QVERIFY(early.isOk());
        QCOMPARE(awaited(heldStore.lookup(c.id.toUtf8())).httpStatus(), 403);
    }

    // The stored form gives back every field, reads the JSON that earlier versions stored, and refuses anything
    // cut short, padded or otherwise malformed.
    void entryEncoding()
    {
        TokenEntry e;
        e.idHmac = QStringLiteral("0194f3a2b1c0") + QString(64, QLatin1Char('a'));
        e.accessor = QStringLiteral("0194f3a2-b1c0-7abc-8def-0123456789ab");
        e.policies = {QStringLiteral("default"), QStringLiteral("ops-\u00e9\u6f22")};
        e.parentHmac = QString(64, QLatin1Char('b'));
        e.path = QStringLiteral("auth/token/create/ops");
        e.displayName = QStringLiteral("token-d\u00e9mo");
        e.entityId = QStringLiteral("e-1");
        e.role = QStringLiteral("ops");
        e.meta = {{QStringLiteral("team"), QStringLiteral("blue")}, {QStringLiteral("empty"), QString()}};
        e.creationTime = 1'700'000'000;
        e.ttl = 3600;
        e.explicitMaxTtl = 7200;
        e.period = 60;
        e.expireTime = 1'700'003'600;
        e.lastRenewalTime = 1'700'000'100;
        e.numUses = TokenEntry::kUsesExhausted;
        e.renewable = true;
        e.orphan = false;
        e.type = QStringLiteral("batch");
        const auto same = [](const TokenEntry &a, const TokenEntry &b) {
            return a.idHmac == b.idHmac && a.accessor == b.accessor && a.policies == b.policies &&
                   a.parentHmac == b.parentHmac && a.path == b.path && a.displayName == b.displayName &&
                   a.entityId == b.entityId && a.role == b.role && a.meta == b.meta &&
                   a.creationTime == b.creationTime && a.ttl == b.ttl && a.explicitMaxTtl == b.explicitMaxTtl &&
                   a.period == b.period && a.expireTime == b.expireTime && a.lastRenewalTime == b.lastRenewalTime &&
                   a.numUses == b.numUses && a.renewable == b.renewable && a.orphan == b.orphan && a.type == b.type;
        };
        const QByteArray stored = e.encode();
        QCOMPARE(stored.at(0), '\x01');
        const std::optional<TokenEntry> back = TokenEntry::decode(stored);
        QVERIFY(back && same(*back, e));
        TokenEntry plain;
        plain.numUses = 3;
        plain.orphan = true;
        const std::optional<TokenEntry> plainBack = TokenEntry::decode(plain.encode());
        QVERIFY(plainBack && same(*plainBack, plain));

        // An entry as earlier versions stored it.
        const QByteArray json = R"({"id_hmac":"h1","accessor":"a1","policies":["default","ops"],"parent":"p1",)"
                                R"("path":"auth/token/create","display_name":"token","entity_id":"","role":"",)"
                                R"("meta":{"k":"v"},"creation_time":1700000000,"ttl":60,"explicit_max_ttl":0,)"
                                R"("period":0,"expire_time":1700000060,"last_renewal_time":0,"num_uses":2,)"
                                R"("renewable":true,"orphan":false,"type":"service"})";
        const std::optional<TokenEntry> old = TokenEntry::decode(json);
        QVERIFY(old);
        QCOMPARE(old->idHmac, QStringLiteral("h1"));
        QCOMPARE(old->policies, (QStringList{QStringLiteral("default"), QStringLiteral("ops")}));
        QCOMPARE(old->parentHmac, QStringLiteral("p1"));
        QCOMPARE(old->meta.value(QStringLiteral("k")), QStringLiteral("v"));
        QCOMPARE(old->expireTime, 1'700'000'060);
        QCOMPARE(old->numUses, 2);
        QVERIFY(old->renewable && !old->orphan);

        // Every shortened form, the form with a byte more, another format byte, and a count beyond the data.
        for (qsizetype n = 0; n < stored.size(); ++n)
            QVERIFY2(!TokenEntry::decode(stored.left(n)), qPrintable(QString::number(n)));
        QVERIFY(!TokenEntry::decode(stored + '\0'));
        QByteArray otherFormat = stored;
        otherFormat[0] = '\x02';
        QVERIFY(!TokenEntry::decode(otherFormat));
        QByteArray hugeCount = stored;
        const qsizetype policyCount = 1 + 4 + e.idHmac.size() + 4 + e.accessor.size();
        hugeCount[policyCount] = char(0xff);
        hugeCount[policyCount + 3] = char(0x7f);
        QVERIFY(!TokenEntry::decode(hugeCount));
        QVERIFY(!TokenEntry::decode("{not json"));
    }

    // A read is kept when other tokens changed while it ran: only changes of its own entry make it doubtful.
    void readsOverlappingOtherChangesAreRemembered()
    {
        HeldReadsStore held;
        TokenStore store(&held);
        const TokenStore::Created a = createdToken(store);
        const TokenStore::Created b = createdToken(store);
        Result<TokenStore::EntryPtr> early;
        lookupAcross(
            held, store, a.id, [&] { QVERIFY(awaited(store.revoke(b.entry->idHmac)).isOk()); }, &early);
        QVERIFY(early.isOk());
        const int trips = held.trips;
        QVERIFY(awaited(store.lookup(a.id.toUtf8())).isOk());
        QCOMPARE(held.trips.load(), trips); // answered from memory
        QCOMPARE(awaited(store.lookup(b.id.toUtf8())).httpStatus(), 403);
    }

    // The record of which keys were dropped lately is bounded; once it is emptied, a read that began before is not
    // kept, whichever key it read.
    void prunedDropRecordsStillGuardReads()
    {
        HeldReadsStore held;
        TokenStore store(&held);
        const TokenStore::Created t = createdToken(store);
        QList<QFuture<Result<TokenStore::Created>>> others;
        for (int i = 0; i < 8200; ++i)
            others.append(store.create(TokenEntry()));
        Result<TokenStore::EntryPtr> early;
        lookupAcross(
            held, store, t.id,
            [&] {
                QVERIFY(awaited(store.revoke(t.entry->idHmac)).isOk());
                // Enough drops of other keys to empty the record, t's drop included.
                QList<QFuture<Status>> revoked;
                for (auto &other : others)
                    revoked.append(store.revoke(awaited(other).value().entry->idHmac));
                for (auto &r : revoked)
                    QVERIFY(awaited(r).isOk());
            },
            &early);
        QVERIFY(early.isOk()); // it began before the revocation
        QCOMPARE(awaited(store.lookup(t.id.toUtf8())).httpStatus(), 403);
    }

    // replaceSingleUse() spends the old token and stores the new one in one write: a failed write changes nothing,
    // and only an unspent single-use token can be replaced, once.
    void replaceSingleUseIsOneWrite()
    {
        HeldReadsStore storage;
        TokenStore store(&storage);
        TokenEntry single;
        single.numUses = 1;
        const TokenStore::Created old = awaited(store.create(single)).value();
        QVERIFY(awaited(storage.put(QStringLiteral("extra/old"), "x")).isOk());
        const QList<StorageOp> removeOld{StorageOp::remove(QStringLiteral("extra/old"))};
        const TokenStore::Alongside moved = [](const TokenEntry &e) {
            return QList<StorageOp>{StorageOp::put(QStringLiteral("extra/") + e.idHmac, "moved")};
        };
        const auto replace = [&](const QString &idHmac) {
            return awaited(store.replaceSingleUse(idHmac, removeOld, single, moved));
        };

        storage.failBatches = true;
        QCOMPARE(replace(old.entry->idHmac).httpStatus(), 500);
        storage.failBatches = false;
        QVERIFY(awaited(store.lookup(old.id.toUtf8())).isOk());
        QCOMPARE(awaited(storage.list(QStringLiteral("extra/"))).value(), QStringList{QStringLiteral("old")});

        const int batches = storage.batches;
        const Result<TokenStore::Created> made = replace(old.entry->idHmac);
        QVERIFY2(made.isOk(), qPrintable(made.error()));
        QCOMPARE(storage.batches.load(), batches + 1);
        QCOMPARE(awaited(store.lookup(old.id.toUtf8())).httpStatus(), 403);
        const Result<TokenStore::EntryPtr> fresh = awaited(store.lookup(made.value().id.toUtf8()));
        QVERIFY(fresh.isOk());
        QCOMPARE(fresh.value()->numUses, 1);
        QCOMPARE(awaited(storage.list(QStringLiteral("extra/"))).value(), QStringList{made.value().entry->idHmac});

        QCOMPARE(replace(old.entry->idHmac).httpStatus(), 403);
        const TokenStore::Created unlimited = createdToken(store);
        QCOMPARE(replace(unlimited.entry->idHmac).httpStatus(), 403);
        QVERIFY(awaited(store.lookup(unlimited.id.toUtf8())).isOk());
    }

    // lookup(id, alsoRead) reads the entry and the other keys in one trip, and only the other keys once the entry
    // is remembered; it refuses what lookup(id) refuses.
    void lookupReadsAlongsideInOneTrip()
    {
        HeldReadsStore storage;
        TokenStore store(&storage);
        const TokenStore::Created t = createdToken(store);
        storage.put(QStringLiteral("extra/") + t.entry->idHmac, "x").waitForFinished();
        const TokenStore::AlsoRead also = [](const QString &idHmac) {
            return QStringList{QStringLiteral("extra/") + idHmac, QStringLiteral("extra/none")};
        };
        const auto find = [&](const QString &id, const TokenStore::AlsoRead &alsoRead) {
            return awaited(store.lookup(id.toUtf8(), alsoRead));
        };

        int trips = storage.trips;
        const Result<TokenStore::Found> first = find(t.id, also);
        QVERIFY2(first.isOk(), qPrintable(first.error()));
        QCOMPARE(first.value().entry->idHmac, t.entry->idHmac);
        QCOMPARE(first.value().alongside, (Storage::Values{QByteArray("x"), std::nullopt}));
        QCOMPARE(storage.trips.load(), trips + 1);

        trips = storage.trips;
        QVERIFY(find(t.id, also).isOk());
        QCOMPARE(storage.trips.load(), trips + 1);
        const Result<TokenStore::Found> bare = find(t.id, [](const QString &) { return QStringList(); });
        QVERIFY(bare.isOk());
        QVERIFY(bare.value().alongside.isEmpty());
        QCOMPARE(storage.trips.load(), trips + 1);

        QCOMPARE(find(TokenStore::newTokenId(), also).httpStatus(), 403);
        QVERIFY(awaited(store.revoke(t.entry->idHmac)).isOk());
        QCOMPARE(find(t.id, also).httpStatus(), 403);
    }

    // On a store that other servers write too, nothing is remembered: a removal made elsewhere is seen at once.
    void sharedStoreIsNotRemembered()
    {
        HeldReadsStore storage;
        storage.shared = true;
        TokenStore store(&storage);
        auto made = store.create(TokenEntry());
        made.waitForFinished();
        const TokenStore::Created c = made.result().value();
        auto first = store.lookup(c.id.toUtf8());
        first.waitForFinished();
        QVERIFY(first.result().isOk());
        auto removed = storage.remove(QStringLiteral("sys/token/id/") + c.entry->idHmac); // by another server
        removed.waitForFinished();
        auto second = store.lookup(c.id.toUtf8());
        second.waitForFinished();
        QCOMPARE(second.result().httpStatus(), 403);
    }

    void strandRunsTasksInOrderPerKey()
    {
        KeyedStrand strand;
        QList<int> order;
        QMutex orderMutex;
        auto first = std::make_shared<QPromise<Status>>();
        first->start();
        auto a = strand.run<Status>(QStringLiteral("k"), [&, first] {
            QMutexLocker lock(&orderMutex);
            order.append(1);
            return first->future();
        });
        auto b = strand.run<Status>(QStringLiteral("k"), [&] {
            QMutexLocker lock(&orderMutex);
            order.append(2);
            return QtFuture::makeReadyFuture(Status::ok());
        });
        auto other = strand.run<Status>(QStringLiteral("other"), [&] {
            QMutexLocker lock(&orderMutex);
            order.append(3);
            return QtFuture::makeReadyFuture(Status::ok());
        });
        QVERIFY(other.isFinished());
        QVERIFY(!b.isFinished()); // waits for a
        QCOMPARE(order, (QList<int>{1, 3}));
        QCOMPARE(strand.activeKeys(), 1);
        first->addResult(Status::ok());
        first->finish();
        QVERIFY(a.isFinished());
        QVERIFY(b.isFinished());
        QCOMPARE(order, (QList<int>{1, 3, 2}));
        QCOMPARE(strand.activeKeys(), 0);
    }
};

QTEST_GUILESS_MAIN(TestTokens)
#include "tst_tokens.moc"
