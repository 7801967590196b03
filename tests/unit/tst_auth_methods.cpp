// The auth mount table (sys/auth), userpass, approle and identity entities, driven through Engine::handle() over the
// in-memory store with the real barrier and seal. Password hashing runs with N = 2^10 here (EngineOptions).

#include "engine/Engine.h"
#include "engine/backends/KeyedSequencer.h"
#include "engine/backends/MountTable.h"
#include "engine/backends/UserpassBackend.h"
#include "engine/storage/InmemStorage.h"
#include "engine/token/TokenStore.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QSet>
#include <QTest>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

using namespace gk;

class TestAuthMethods final : public QObject
{
    Q_OBJECT

    std::unique_ptr<Engine> m_engine;
    InmemStorage *m_storage = nullptr;
    QByteArray m_root;
    QJsonArray m_keys;

    Response call(Operation op, const QString &path, const QJsonObject &data = {}, const QByteArray &token = {})
    {
        Request r;
        r.operation = op;
        r.method = op == Operation::Read ? "GET" : "PUT";
        r.path = path;
        r.data = data;
        r.token = token;
        QFuture<Response> f = m_engine->handle(r);
        f.waitForFinished();
        return f.result();
    }
    Response root(Operation op, const QString &path, const QJsonObject &data = {})
    {
        return call(op, path, data, m_root);
    }
    static QJsonObject data(const Response &r) { return r.json.value(QStringLiteral("data")).toObject(); }
    static QJsonObject auth(const Response &r) { return r.json.value(QStringLiteral("auth")).toObject(); }

    Response userpassLogin(const QString &mount, const QString &user, const QString &password)
    {
        return call(Operation::Update, QStringLiteral("auth/%1/login/%2").arg(mount, user),
                    {{QStringLiteral("password"), password}});
    }
    Response approleLogin(const QString &roleId, const QString &secretId,
                          const QString &mount = QStringLiteral("approle"))
    {
        return call(Operation::Update, QStringLiteral("auth/%1/login").arg(mount),
                    {{QStringLiteral("role_id"), roleId}, {QStringLiteral("secret_id"), secretId}});
    }

    void enable(const QString &path, const QString &type, const QJsonObject &config = {})
    {
        QJsonObject body{{QStringLiteral("type"), type}};
        if (!config.isEmpty())
            body.insert(QStringLiteral("config"), config);
        const Response r = root(Operation::Update, QStringLiteral("sys/auth/") + path, body);
        QCOMPARE(r.status, 204);
    }

    QList<QPair<QString, QByteArray>> physicalContents()
    {
        QList<QPair<QString, QByteArray>> out;
        QStringList pending{QString()};
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
                out.append({prefix + child, *value.result().value()});
            }
        }
        return out;
    }

    std::shared_ptr<const TokenEntry> lookupToken(const QString &id)
    {
        auto f = m_engine->tokens().lookup(id.toUtf8());
        f.waitForFinished();
        return f.result() ? f.result().value() : nullptr;
    }

    void unseal()
    {
        for (const QJsonValue &k : std::as_const(m_keys))
            call(Operation::Update, QStringLiteral("sys/unseal"), {{QStringLiteral("key"), k}});
    }

    // A role "web" with a secret id; returns {role_id, secret_id}.
    QPair<QString, QString> approleWithSecret(const QJsonObject &role = {}, const QJsonObject &secret = {})
    {
        QJsonObject body = role;
        if (!body.contains(QStringLiteral("token_policies")))
            body.insert(QStringLiteral("token_policies"), QStringLiteral("web"));
        Response r = root(Operation::Update, QStringLiteral("auth/approle/role/web"), body);
        if (r.status != 204)
            return {};
        const QString roleId = data(root(Operation::Read, QStringLiteral("auth/approle/role/web/role-id")))
                                   .value(QStringLiteral("role_id"))
                                   .toString();
        r = root(Operation::Update, QStringLiteral("auth/approle/role/web/secret-id"), secret);
        return {roleId, data(r).value(QStringLiteral("secret_id")).toString()};
    }

private slots:
    void init()
    {
        auto storage = std::make_unique<InmemStorage>();
        m_storage = storage.get();
        EngineOptions options;
        options.passwordHashLogN = 10;
        m_engine = std::make_unique<Engine>(std::move(storage), options);
        auto started = m_engine->start();
        started.waitForFinished();
        QVERIFY(started.result().isOk());
        const Response init = call(Operation::Update, QStringLiteral("sys/init"),
                                   {{QStringLiteral("secret_shares"), 1}, {QStringLiteral("secret_threshold"), 1}});
        QCOMPARE(init.status, 200);
        m_keys = init.json.value(QStringLiteral("keys")).toArray();
        m_root = init.json.value(QStringLiteral("root_token")).toString().toUtf8();
        unseal();
    }

    void cleanup() { m_engine.reset(); }

    // ---- building blocks ----

    void scryptKnownAnswer()
    {
        // RFC 7914, section 12: P = "password", S = "NaCl", N = 1024, r = 8, p = 16, dkLen = 64.
        const QByteArray expected =
            QByteArray::fromHex("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
                                "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
        const QByteArray derived =
            UserpassBackend::scrypt(SecureBytes::fromByteArray("password"), "NaCl", 1024, 8, 16, 64);
        QCOMPARE(derived.toHex(), expected.toHex());
    }

    void passwordHashes()
    {
        const SecureBytes pw = SecureBytes::fromByteArray("s3cret");
        const UserpassBackend::PasswordHash h = UserpassBackend::hashPassword(pw, 10);
        QCOMPARE(h.salt.size(), 16);
        QCOMPARE(h.hash.size(), 32);
        QVERIFY(UserpassBackend::verifyPassword(pw, h));
        QVERIFY(!UserpassBackend::verifyPassword(SecureBytes::fromByteArray("s3cret!"), h));
        QVERIFY(UserpassBackend::hashPassword(pw, 10).salt != h.salt);
        const auto back = UserpassBackend::PasswordHash::fromJson(h.toJson());
        QVERIFY(back.has_value());
        QVERIFY(UserpassBackend::verifyPassword(pw, *back));
        QCOMPARE(h.toJson().value(QStringLiteral("log_n")).toInt(), 10);
        QCOMPARE(h.toJson().value(QStringLiteral("r")).toInt(), 8);
        QCOMPARE(h.toJson().value(QStringLiteral("p")).toInt(), 1);
        QJsonObject huge = h.toJson();
        huge.insert(QStringLiteral("log_n"), 40);
        QVERIFY(!UserpassBackend::PasswordHash::fromJson(huge).has_value());
        huge.insert(QStringLiteral("algorithm"), QStringLiteral("md5"));
        QVERIFY(!UserpassBackend::PasswordHash::fromJson(huge).has_value());
        // The production cost is 2^15.
        QCOMPARE(UserpassBackend::PasswordHash().logN, 15);
    }

    void sequencerRunsOneAtATimePerKey()
    {
        KeyedSequencer seq;
        QThreadPool pool;
        pool.setMaxThreadCount(8);
        std::atomic<int> running{0};
        std::atomic<int> maxRunning{0};
        std::atomic<int> otherKeyStarted{0};
        QList<QFuture<int>> results;
        for (int i = 0; i < 16; ++i) {
            results.append(seq.run<int>(
                QStringLiteral("k"),
                [&, i]() {
                    const int now = ++running;
                    maxRunning = std::max(maxRunning.load(), now);
                    return QtConcurrent::run(&pool, [&, i]() {
                        QThread::msleep(2);
                        --running;
                        return i;
                    });
                },
                -1));
        }
        auto other = seq.run<int>(
            QStringLiteral("other"),
            [&]() {
                ++otherKeyStarted;
                return QtFuture::makeReadyFuture(99);
            },
            -1);
        QCOMPARE(otherKeyStarted.load(), 1); // a different key does not wait
        other.waitForFinished();
        for (int i = 0; i < results.size(); ++i) {
            results[i].waitForFinished();
            QCOMPARE(results[i].result(), i);
        }
        QCOMPARE(maxRunning.load(), 1);
        QTRY_COMPARE(seq.busyKeys(), 0);
    }

    // ---- the auth mount table ----

    void tokenMountIsBuiltIn()
    {
        Response r = root(Operation::Read, QStringLiteral("sys/auth"));
        QCOMPARE(r.status, 200);
        const QJsonObject token = data(r).value(QStringLiteral("token/")).toObject();
        QCOMPARE(token.value(QStringLiteral("type")).toString(), QStringLiteral("token"));
        QVERIFY(token.value(QStringLiteral("accessor")).toString().startsWith(QStringLiteral("auth_token_")));
        QCOMPARE(r.json.value(QStringLiteral("token/")), data(r).value(QStringLiteral("token/")));
        QCOMPARE(root(Operation::Delete, QStringLiteral("sys/auth/token")).status, 400);
        QCOMPARE(root(Operation::Update, QStringLiteral("sys/auth/token"),
                      {{QStringLiteral("type"), QStringLiteral("userpass")}})
                     .status,
                 400);
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/auth")).status, 403);
    }

    void enableListDisable()
    {
        Response r =
            root(Operation::Update, QStringLiteral("sys/auth/userpass"),
                 {{QStringLiteral("type"), QStringLiteral("userpass")},
                  {QStringLiteral("description"), QStringLiteral("people")},
                  {QStringLiteral("config"), QJsonObject{{QStringLiteral("max_lease_ttl"), QStringLiteral("2h")}}}});
        QCOMPARE(r.status, 204);
        enable(QStringLiteral("machines/approle"), QStringLiteral("approle"));
        r = root(Operation::Read, QStringLiteral("sys/auth"));
        const QJsonObject list = data(r);
        QCOMPARE(list.keys(), (QStringList{QStringLiteral("machines/approle/"), QStringLiteral("token/"),
                                           QStringLiteral("userpass/")}));
        const QJsonObject up = list.value(QStringLiteral("userpass/")).toObject();
        QCOMPARE(up.value(QStringLiteral("type")).toString(), QStringLiteral("userpass"));
        QCOMPARE(up.value(QStringLiteral("description")).toString(), QStringLiteral("people"));
        QVERIFY(up.value(QStringLiteral("accessor")).toString().startsWith(QStringLiteral("auth_userpass_")));
        QCOMPARE(up.value(QStringLiteral("config")).toObject().value(QStringLiteral("max_lease_ttl")).toInt(), 7200);
        QCOMPARE(up.value(QStringLiteral("local")).toBool(), false);
        QCOMPARE(up.value(QStringLiteral("seal_wrap")).toBool(), false);
        QVERIFY(up.contains(QStringLiteral("options")));
        QCOMPARE(root(Operation::Read, QStringLiteral("sys/auth/userpass")).json.value(QStringLiteral("accessor")),
                 up.value(QStringLiteral("accessor")));

        // The routes exist now; the nested mount too.
        QCOMPARE(root(Operation::List, QStringLiteral("auth/userpass/users")).status, 404); // none yet
        QCOMPARE(root(Operation::List, QStringLiteral("auth/machines/approle/role")).status, 404);

        // Survives a seal cycle, with the same accessors.
        m_engine->sealNow();
        QCOMPARE(root(Operation::Read, QStringLiteral("sys/auth")).status, 503);
        unseal();
        QCOMPARE(data(root(Operation::Read, QStringLiteral("sys/auth"))), list);

        QCOMPARE(root(Operation::Delete, QStringLiteral("sys/auth/machines/approle")).status, 204);
        QCOMPARE(root(Operation::List, QStringLiteral("auth/machines/approle/role")).status, 404);
        QCOMPARE(root(Operation::Update, QStringLiteral("auth/machines/approle/role/x"), {}).status, 404);
        QVERIFY(!data(root(Operation::Read, QStringLiteral("sys/auth"))).contains(QStringLiteral("machines/approle/")));
        QCOMPARE(root(Operation::Delete, QStringLiteral("sys/auth/never-there")).status, 204);
    }

    void badAuthRequests_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QJsonObject>("body");
        const auto up = [](QJsonObject extra = {}) {
            extra.insert(QStringLiteral("type"), QStringLiteral("userpass"));
            return extra;
        };
        const auto lock = [&](QJsonObject l) {
            return up({{QStringLiteral("config"), QJsonObject{{QStringLiteral("user_lockout_config"), l}}}});
        };
        QTest::newRow("no type") << QStringLiteral("x") << QJsonObject{};
        QTest::newRow("unknown type") << QStringLiteral("x")
                                      << QJsonObject{{QStringLiteral("type"), QStringLiteral("ldap")}};
        QTest::newRow("secret type") << QStringLiteral("x")
                                     << QJsonObject{{QStringLiteral("type"), QStringLiteral("kv")}};
        QTest::newRow("token type") << QStringLiteral("x")
                                    << QJsonObject{{QStringLiteral("type"), QStringLiteral("token")}};
        QTest::newRow("taken") << QStringLiteral("token") << up();
        QTest::newRow("below token") << QStringLiteral("token/more") << up();
        QTest::newRow("bad path") << QStringLiteral("a b") << up();
        QTest::newRow("dot-dot") << QStringLiteral("a/../b") << up();
        QTest::newRow("too long") << QString(200, QLatin1Char('a')) << up();
        QTest::newRow("config not object") << QStringLiteral("x") << up({{QStringLiteral("config"), 5}});
        QTest::newRow("unknown config") << QStringLiteral("x")
                                        << up({{QStringLiteral("config"), QJsonObject{{QStringLiteral("zz"), 1}}}});
        QTest::newRow("lockout threshold 0") << QStringLiteral("x") << lock({{QStringLiteral("lockout_threshold"), 0}});
        QTest::newRow("lockout duration")
            << QStringLiteral("x") << lock({{QStringLiteral("lockout_duration"), QStringLiteral("x")}});
        QTest::newRow("lockout unknown") << QStringLiteral("x") << lock({{QStringLiteral("lockout_zz"), 1}});
        QTest::newRow("lockout on approle")
            << QStringLiteral("x")
            << QJsonObject{
                   {QStringLiteral("type"), QStringLiteral("approle")},
                   {QStringLiteral("config"), QJsonObject{{QStringLiteral("user_lockout_config"), QJsonObject{}}}}};
        QTest::newRow("batch tokens") << QStringLiteral("x")
                                      << up({{QStringLiteral("config"),
                                              QJsonObject{{QStringLiteral("token_type"), QStringLiteral("batch")}}}});
        QTest::newRow("local not bool") << QStringLiteral("x")
                                        << up({{QStringLiteral("local"), QStringLiteral("maybe")}});
    }
    void badAuthRequests()
    {
        QFETCH(QString, path);
        QFETCH(QJsonObject, body);
        const QJsonObject before = data(root(Operation::Read, QStringLiteral("sys/auth")));
        const Response r = root(Operation::Update, QStringLiteral("sys/auth/") + path, body);
        QCOMPARE(r.status, 400);
        QVERIFY(!r.json.value(QStringLiteral("errors")).toArray().isEmpty());
        QCOMPARE(data(root(Operation::Read, QStringLiteral("sys/auth"))), before);
    }

    // ---- userpass ----

    void userpassUsers()
    {
        enable(QStringLiteral("userpass"), QStringLiteral("userpass"));
        Response r = root(Operation::Update, QStringLiteral("auth/userpass/users/Alice"),
                          {{QStringLiteral("password"), QStringLiteral("pw-alice")},
                           {QStringLiteral("token_policies"), QStringLiteral("ops, Dev")},
                           {QStringLiteral("token_ttl"), QStringLiteral("1h")},
                           {QStringLiteral("token_max_ttl"), 7200}});
        QCOMPARE(r.status, 204);
        r = root(Operation::Read, QStringLiteral("auth/userpass/users/alice"));
        QCOMPARE(r.status, 200);
        QJsonObject user = data(r);
        QVERIFY(!user.contains(QStringLiteral("password")));
        QVERIFY(!user.contains(QStringLiteral("password_hash")));
        QCOMPARE(user.value(QStringLiteral("token_policies")).toArray(),
                 (QJsonArray{QStringLiteral("dev"), QStringLiteral("ops")}));
        QCOMPARE(user.value(QStringLiteral("policies")).toArray(),
                 user.value(QStringLiteral("token_policies")).toArray());
        QCOMPARE(user.value(QStringLiteral("token_ttl")).toInt(), 3600);
        QCOMPARE(user.value(QStringLiteral("token_max_ttl")).toInt(), 7200);

        // An update without a password keeps the password and the fields it does not name; "policies" works too.
        QCOMPARE(root(Operation::Update, QStringLiteral("auth/userpass/users/alice"),
                      {{QStringLiteral("policies"), QJsonArray{QStringLiteral("dev")}}})
                     .status,
                 204);
        user = data(root(Operation::Read, QStringLiteral("auth/userpass/users/alice")));
        QCOMPARE(user.value(QStringLiteral("token_policies")).toArray(), (QJsonArray{QStringLiteral("dev")}));
        QCOMPARE(user.value(QStringLiteral("token_ttl")).toInt(), 3600);
        QCOMPARE(userpassLogin(QStringLiteral("userpass"), QStringLiteral("alice"), QStringLiteral("pw-alice")).status,
                 200);

        QCOMPARE(root(Operation::Update, QStringLiteral("auth/userpass/users/bob"),
                      {{QStringLiteral("password"), QStringLiteral("b")}})
                     .status,
                 204);
        r = root(Operation::List, QStringLiteral("auth/userpass/users"));
        QCOMPARE(data(r).value(QStringLiteral("keys")).toArray(),
                 (QJsonArray{QStringLiteral("alice"), QStringLiteral("bob")}));

        // Password change, then policies change.
        QCOMPARE(root(Operation::Update, QStringLiteral("auth/userpass/users/bob/password"),
                      {{QStringLiteral("password"), QStringLiteral("b2")}})
                     .status,
                 204);
        QCOMPARE(userpassLogin(QStringLiteral("userpass"), QStringLiteral("bob"), QStringLiteral("b")).status, 400);
        QCOMPARE(userpassLogin(QStringLiteral("userpass"), QStringLiteral("bob"), QStringLiteral("b2")).status, 200);
        QCOMPARE(root(Operation::Update, QStringLiteral("auth/userpass/users/bob/policies"),
                      {{QStringLiteral("token_policies"), QStringLiteral("x,y")}})
                     .status,
                 204);
        QCOMPARE(data(root(Operation::Read, QStringLiteral("auth/userpass/users/bob")))
                     .value(QStringLiteral("token_policies"))
                     .toArray()
                     .size(),
                 2);
        QCOMPARE(root(Operation::Update, QStringLiteral("auth/userpass/users/nobody/password"),
                      {{QStringLiteral("password"), QStringLiteral("x")}})
                     .status,
                 404);

        QCOMPARE(root(Operation::Delete, QStringLiteral("auth/userpass/users/bob")).status, 204);
        QCOMPARE(root(Operation::Read, QStringLiteral("auth/userpass/users/bob")).status, 404);
        QCOMPARE(userpassLogin(QStringLiteral("userpass"), QStringLiteral("bob"), QStringLiteral("b2")).status, 400);
        QCOMPARE(root(Operation::Delete, QStringLiteral("auth/userpass/users/bob")).status, 204);

        // Managing users needs a token; logging in does not.
        QCOMPARE(call(Operation::List, QStringLiteral("auth/userpass/users")).status, 403);
    }

    void userpassBadInput_data()
    {
        QTest::addColumn<QString>("user");
        QTest::addColumn<QJsonObject>("body");
        QTest::newRow("create without password") << QStringLiteral("carol") << QJsonObject{};
        QTest::newRow("empty password") << QStringLiteral("carol")
                                        << QJsonObject{{QStringLiteral("password"), QString()}};
        QTest::newRow("password not a string")
            << QStringLiteral("carol") << QJsonObject{{QStringLiteral("password"), 5}};
        QTest::newRow("bad name") << QStringLiteral("a b")
                                  << QJsonObject{{QStringLiteral("password"), QStringLiteral("x")}};
        QTest::newRow("root policy") << QStringLiteral("carol")
                                     << QJsonObject{{QStringLiteral("password"), QStringLiteral("x")},
                                                    {QStringLiteral("token_policies"), QStringLiteral("root")}};
        QTest::newRow("bad ttl") << QStringLiteral("carol")
                                 << QJsonObject{{QStringLiteral("password"), QStringLiteral("x")},
                                                {QStringLiteral("token_ttl"), QStringLiteral("later")}};
        QTest::newRow("ttl above max") << QStringLiteral("carol")
                                       << QJsonObject{{QStringLiteral("password"), QStringLiteral("x")},
                                                      {QStringLiteral("token_ttl"), QStringLiteral("2h")},
                                                      {QStringLiteral("token_max_ttl"), QStringLiteral("1h")}};
        QTest::newRow("bound cidrs") << QStringLiteral("carol")
                                     << QJsonObject{
                                            {QStringLiteral("password"), QStringLiteral("x")},
                                            {QStringLiteral("token_bound_cidrs"), QStringLiteral("10.0.0.0/8")}};
        QTest::newRow("policies type") << QStringLiteral("carol")
                                       << QJsonObject{{QStringLiteral("password"), QStringLiteral("x")},
                                                      {QStringLiteral("token_policies"), 3}};
    }
    void userpassBadInput()
    {
        enable(QStringLiteral("userpass"), QStringLiteral("userpass"));
        QFETCH(QString, user);
        QFETCH(QJsonObject, body);
        const Response r = root(Operation::Update, QStringLiteral("auth/userpass/users/") + user, body);
        QCOMPARE(r.status, 400);
        QVERIFY(!r.json.value(QStringLiteral("errors")).toArray().isEmpty());
        QCOMPARE(root(Operation::List, QStringLiteral("auth/userpass/users")).status, 404);
    }

    void userpassLoginAndEntity()
    {
        enable(QStringLiteral("userpass"), QStringLiteral("userpass"));
        root(Operation::Update, QStringLiteral("auth/userpass/users/alice"),
             {{QStringLiteral("password"), QStringLiteral("pw-alice")},
              {QStringLiteral("token_policies"), QJsonArray{QStringLiteral("dev")}},
              {QStringLiteral("token_ttl"), QStringLiteral("30m")}});

        Response r = userpassLogin(QStringLiteral("userpass"), QStringLiteral("Alice"), QStringLiteral("pw-alice"));
        QCOMPARE(r.status, 200);
        QJsonObject a = auth(r);
        const QString token = a.value(QStringLiteral("client_token")).toString();
        QVERIFY(token.startsWith(QStringLiteral("gk.")));
        QCOMPARE(a.value(QStringLiteral("policies")).toArray(),
                 (QJsonArray{QStringLiteral("default"), QStringLiteral("dev")}));
        QCOMPARE(a.value(QStringLiteral("token_policies")).toArray(), a.value(QStringLiteral("policies")).toArray());
        QCOMPARE(a.value(QStringLiteral("metadata")).toObject(),
                 (QJsonObject{{QStringLiteral("username"), QStringLiteral("alice")}}));
        QCOMPARE(a.value(QStringLiteral("lease_duration")).toInt(), 1800);
        QCOMPARE(a.value(QStringLiteral("renewable")).toBool(), true);
        QVERIFY(!a.value(QStringLiteral("accessor")).toString().isEmpty());
        const QString entityId = a.value(QStringLiteral("entity_id")).toString();
        QVERIFY(!entityId.isEmpty());
        QVERIFY(r.json.value(QStringLiteral("data")).isNull());

        const auto entry = lookupToken(token);
        QVERIFY(entry);
        QCOMPARE(entry->entityId, entityId);
        QCOMPARE(entry->displayName, QStringLiteral("userpass-alice"));
        QCOMPARE(entry->path, QStringLiteral("auth/userpass/login/Alice"));
        QCOMPARE(entry->meta.value(QStringLiteral("username")), QStringLiteral("alice"));
        QCOMPARE(entry->ttl, 1800);
        QCOMPARE(entry->policies, (QStringList{QStringLiteral("default"), QStringLiteral("dev")}));
        QVERIFY(!entry->isRoot());

        // The second login reuses the entity.
        r = userpassLogin(QStringLiteral("userpass"), QStringLiteral("alice"), QStringLiteral("pw-alice"));
        QCOMPARE(auth(r).value(QStringLiteral("entity_id")).toString(), entityId);
        QVERIFY(auth(r).value(QStringLiteral("client_token")).toString() != token);

        // The entity, as Vault shows it.
        r = root(Operation::Read, QStringLiteral("identity/entity/id/") + entityId);
        QCOMPARE(r.status, 200);
        const QJsonObject entity = data(r);
        QCOMPARE(entity.value(QStringLiteral("id")).toString(), entityId);
        QVERIFY(entity.value(QStringLiteral("name")).toString().startsWith(QStringLiteral("entity_")));
        QVERIFY(entity.value(QStringLiteral("policies")).isArray());
        QVERIFY(entity.value(QStringLiteral("creation_time")).toString().endsWith(QLatin1Char('Z')));
        QVERIFY(entity.contains(QStringLiteral("last_update_time")));
        const QJsonArray aliases = entity.value(QStringLiteral("aliases")).toArray();
        QCOMPARE(aliases.size(), 1);
        const QJsonObject alias = aliases.at(0).toObject();
        QCOMPARE(alias.value(QStringLiteral("name")).toString(), QStringLiteral("alice"));
        QCOMPARE(alias.value(QStringLiteral("mount_type")).toString(), QStringLiteral("userpass"));
        QCOMPARE(alias.value(QStringLiteral("mount_accessor")).toString(),
                 data(root(Operation::Read, QStringLiteral("sys/auth")))
                     .value(QStringLiteral("userpass/"))
                     .toObject()
                     .value(QStringLiteral("accessor"))
                     .toString());
        QVERIFY(!alias.value(QStringLiteral("id")).toString().isEmpty());
        QCOMPARE(root(Operation::Read, QStringLiteral("identity/entity/id/no-such-id")).status, 404);

        // Failed logins: the same answer for a wrong password and an unknown user.
        r = userpassLogin(QStringLiteral("userpass"), QStringLiteral("alice"), QStringLiteral("wrong"));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json.value(QStringLiteral("errors")).toArray(),
                 (QJsonArray{QStringLiteral("invalid username or password")}));
        r = userpassLogin(QStringLiteral("userpass"), QStringLiteral("mallory"), QStringLiteral("wrong"));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json.value(QStringLiteral("errors")).toArray(),
                 (QJsonArray{QStringLiteral("invalid username or password")}));
        r = userpassLogin(QStringLiteral("userpass"), QStringLiteral("not a name"), QStringLiteral("wrong"));
        QCOMPARE(r.status, 400);
        QCOMPARE(call(Operation::Update, QStringLiteral("auth/userpass/login/alice")).status, 400); // no password

        // A second user gets a second entity; the list has both.
        root(Operation::Update, QStringLiteral("auth/userpass/users/bob"),
             {{QStringLiteral("password"), QStringLiteral("b")}});
        const QString bobEntity =
            auth(userpassLogin(QStringLiteral("userpass"), QStringLiteral("bob"), QStringLiteral("b")))
                .value(QStringLiteral("entity_id"))
                .toString();
        QVERIFY(!bobEntity.isEmpty() && bobEntity != entityId);
        r = root(Operation::List, QStringLiteral("identity/entity/id"));
        QCOMPARE(r.status, 200);
        const QJsonArray keys = data(r).value(QStringLiteral("keys")).toArray();
        QCOMPARE(keys.size(), 2);
        QVERIFY(keys.contains(entityId) && keys.contains(bobEntity));
        QCOMPARE(data(r)
                     .value(QStringLiteral("key_info"))
                     .toObject()
                     .value(entityId)
                     .toObject()
                     .value(QStringLiteral("name")),
                 entity.value(QStringLiteral("name")));

        // Disabling the mount drops its aliases and data; the entities stay (as in Vault).
        const QString uuid = data(root(Operation::Read, QStringLiteral("sys/auth")))
                                 .value(QStringLiteral("userpass/"))
                                 .toObject()
                                 .value(QStringLiteral("uuid"))
                                 .toString();
        QCOMPARE(root(Operation::Delete, QStringLiteral("sys/auth/userpass")).status, 204);
        r = root(Operation::Read, QStringLiteral("identity/entity/id/") + entityId);
        QCOMPARE(r.status, 200);
        QVERIFY(data(r).value(QStringLiteral("aliases")).toArray().isEmpty());
        for (const auto &[key, value] : physicalContents())
            QVERIFY2(!key.contains(uuid), qPrintable(key));
        enable(QStringLiteral("userpass"), QStringLiteral("userpass"));
        QCOMPARE(userpassLogin(QStringLiteral("userpass"), QStringLiteral("alice"), QStringLiteral("pw-alice")).status,
                 400);
    }

    void concurrentFirstLoginsMakeOneEntity()
    {
        enable(QStringLiteral("userpass"), QStringLiteral("userpass"));
        root(Operation::Update, QStringLiteral("auth/userpass/users/carol"),
             {{QStringLiteral("password"), QStringLiteral("c")}});
        QThreadPool pool;
        pool.setMaxThreadCount(4);
        QList<QFuture<Response>> logins;
        for (int i = 0; i < 4; ++i)
            logins.append(QtConcurrent::run(&pool, [this] {
                return userpassLogin(QStringLiteral("userpass"), QStringLiteral("carol"), QStringLiteral("c"));
            }));
        QSet<QString> entities;
        for (QFuture<Response> &f : logins) {
            f.waitForFinished();
            QCOMPARE(f.result().status, 200);
            entities.insert(auth(f.result()).value(QStringLiteral("entity_id")).toString());
        }
        QCOMPARE(entities.size(), 1);
        QCOMPARE(data(root(Operation::List, QStringLiteral("identity/entity/id")))
                     .value(QStringLiteral("keys"))
                     .toArray()
                     .size(),
                 1);
    }

    void lockoutWithDefaults()
    {
        QCOMPARE(UserpassBackend::kLockoutThreshold, 5);
        QCOMPARE(UserpassBackend::kLockoutDurationSecs, 15 * 60);
        enable(QStringLiteral("userpass"), QStringLiteral("userpass"));
        root(Operation::Update, QStringLiteral("auth/userpass/users/dave"),
             {{QStringLiteral("password"), QStringLiteral("d")}});
        for (int i = 0; i < 5; ++i)
            QCOMPARE(userpassLogin(QStringLiteral("userpass"), QStringLiteral("dave"), QStringLiteral("x")).status,
                     400);
        const Response r = userpassLogin(QStringLiteral("userpass"), QStringLiteral("dave"), QStringLiteral("d"));
        QCOMPARE(r.status, 429);
        QVERIFY(!r.json.value(QStringLiteral("errors")).toArray().isEmpty());
        // Another user on the same mount is not affected; a success resets the count.
        root(Operation::Update, QStringLiteral("auth/userpass/users/erin"),
             {{QStringLiteral("password"), QStringLiteral("e")}});
        for (int i = 0; i < 4; ++i)
            QCOMPARE(userpassLogin(QStringLiteral("userpass"), QStringLiteral("erin"), QStringLiteral("x")).status,
                     400);
        QCOMPARE(userpassLogin(QStringLiteral("userpass"), QStringLiteral("erin"), QStringLiteral("e")).status, 200);
        for (int i = 0; i < 4; ++i)
            QCOMPARE(userpassLogin(QStringLiteral("userpass"), QStringLiteral("erin"), QStringLiteral("x")).status,
                     400);
        QCOMPARE(userpassLogin(QStringLiteral("userpass"), QStringLiteral("erin"), QStringLiteral("e")).status, 200);
    }

    void lockoutFromMountConfig()
    {
        enable(QStringLiteral("quick"), QStringLiteral("userpass"),
               {{QStringLiteral("user_lockout_config"),
                 QJsonObject{{QStringLiteral("lockout_threshold"), QStringLiteral("2")},
                             {QStringLiteral("lockout_duration"), QStringLiteral("1s")},
                             {QStringLiteral("lockout_counter_reset"), 60}}}});
        const QJsonObject shown = data(root(Operation::Read, QStringLiteral("sys/auth")))
                                      .value(QStringLiteral("quick/"))
                                      .toObject()
                                      .value(QStringLiteral("config"))
                                      .toObject()
                                      .value(QStringLiteral("user_lockout_config"))
                                      .toObject();
        QCOMPARE(shown.value(QStringLiteral("lockout_threshold")).toInt(), 2);
        QCOMPARE(shown.value(QStringLiteral("lockout_duration")).toInt(), 1);
        root(Operation::Update, QStringLiteral("auth/quick/users/frank"),
             {{QStringLiteral("password"), QStringLiteral("f")}});
        QCOMPARE(userpassLogin(QStringLiteral("quick"), QStringLiteral("frank"), QStringLiteral("x")).status, 400);
        QCOMPARE(userpassLogin(QStringLiteral("quick"), QStringLiteral("frank"), QStringLiteral("x")).status, 400);
        QCOMPARE(userpassLogin(QStringLiteral("quick"), QStringLiteral("frank"), QStringLiteral("f")).status, 429);
        QTRY_COMPARE_WITH_TIMEOUT(
            userpassLogin(QStringLiteral("quick"), QStringLiteral("frank"), QStringLiteral("f")).status, 200, 5000);
        // Unknown names lock out the same way, so that a lockout does not tell which names exist.
        QCOMPARE(userpassLogin(QStringLiteral("quick"), QStringLiteral("ghost"), QStringLiteral("x")).status, 400);
        QCOMPARE(userpassLogin(QStringLiteral("quick"), QStringLiteral("ghost"), QStringLiteral("x")).status, 400);
        QCOMPARE(userpassLogin(QStringLiteral("quick"), QStringLiteral("ghost"), QStringLiteral("x")).status, 429);

        enable(QStringLiteral("open"), QStringLiteral("userpass"),
               {{QStringLiteral("user_lockout_config"), QJsonObject{{QStringLiteral("lockout_disable"), true}}}});
        root(Operation::Update, QStringLiteral("auth/open/users/gina"),
             {{QStringLiteral("password"), QStringLiteral("g")}});
        for (int i = 0; i < 7; ++i)
            QCOMPARE(userpassLogin(QStringLiteral("open"), QStringLiteral("gina"), QStringLiteral("x")).status, 400);
        QCOMPARE(userpassLogin(QStringLiteral("open"), QStringLiteral("gina"), QStringLiteral("g")).status, 200);
    }

    void unknownUserCostsAHash()
    {
        // Production cost for this one: an unknown user's login must not answer much faster than a known one's.
        auto storage = std::make_unique<InmemStorage>();
        m_storage = storage.get();
        m_engine = std::make_unique<Engine>(std::move(storage), EngineOptions{});
        m_engine->start().waitForFinished();
        const Response init = call(Operation::Update, QStringLiteral("sys/init"),
                                   {{QStringLiteral("secret_shares"), 1}, {QStringLiteral("secret_threshold"), 1}});
        m_keys = init.json.value(QStringLiteral("keys")).toArray();
        m_root = init.json.value(QStringLiteral("root_token")).toString().toUtf8();
        unseal();
        enable(QStringLiteral("userpass"), QStringLiteral("userpass"));
        root(Operation::Update, QStringLiteral("auth/userpass/users/hal"),
             {{QStringLiteral("password"), QStringLiteral("h")}});
        bool found = false;
        for (const auto &[key, value] : physicalContents())
            found = found || key.endsWith(QStringLiteral("/users/hal"));
        QVERIFY(found);
        QElapsedTimer known;
        known.start();
        QCOMPARE(userpassLogin(QStringLiteral("userpass"), QStringLiteral("hal"), QStringLiteral("x")).status, 400);
        const qint64 knownMs = known.elapsed();
        QElapsedTimer unknown;
        unknown.start();
        QCOMPARE(userpassLogin(QStringLiteral("userpass"), QStringLiteral("ivy"), QStringLiteral("x")).status, 400);
        const qint64 unknownMs = unknown.elapsed();
        qDebug() << "wrong password" << knownMs << "ms, unknown user" << unknownMs << "ms";
        QVERIFY2(unknownMs * 3 >= knownMs, qPrintable(QStringLiteral("%1 vs %2 ms").arg(unknownMs).arg(knownMs)));
    }

    // ---- approle ----

    void approleRolesAndLogin()
    {
        enable(QStringLiteral("approle"), QStringLiteral("approle"));
        Response r = root(Operation::Update, QStringLiteral("auth/approle/role/Web"),
                          {{QStringLiteral("token_policies"), QStringLiteral("web,metrics")},
                           {QStringLiteral("token_ttl"), QStringLiteral("10m")},
                           {QStringLiteral("token_num_uses"), 3},
                           {QStringLiteral("secret_id_ttl"), QStringLiteral("1h")}});
        QCOMPARE(r.status, 204);
        r = root(Operation::Read, QStringLiteral("auth/approle/role/web"));
        QCOMPARE(r.status, 200);
        QCOMPARE(data(r).value(QStringLiteral("token_policies")).toArray(),
                 (QJsonArray{QStringLiteral("metrics"), QStringLiteral("web")}));
        QCOMPARE(data(r).value(QStringLiteral("secret_id_ttl")).toInt(), 3600);
        QCOMPARE(data(r).value(QStringLiteral("bind_secret_id")).toBool(), true);
        QCOMPARE(data(r).value(QStringLiteral("token_num_uses")).toInt(), 3);
        QCOMPARE(
            data(root(Operation::List, QStringLiteral("auth/approle/role"))).value(QStringLiteral("keys")).toArray(),
            (QJsonArray{QStringLiteral("web")}));

        const QString roleId = data(root(Operation::Read, QStringLiteral("auth/approle/role/web/role-id")))
                                   .value(QStringLiteral("role_id"))
                                   .toString();
        QVERIFY(!roleId.isEmpty());
        r = root(Operation::Update, QStringLiteral("auth/approle/role/web/secret-id"),
                 {{QStringLiteral("metadata"), QStringLiteral("{\"host\": \"web-1\"}")}});
        QCOMPARE(r.status, 200);
        const QString secretId = data(r).value(QStringLiteral("secret_id")).toString();
        const QString accessor = data(r).value(QStringLiteral("secret_id_accessor")).toString();
        QVERIFY(!secretId.isEmpty() && !accessor.isEmpty());
        QCOMPARE(data(r).value(QStringLiteral("secret_id_ttl")).toInt(), 3600);
        QCOMPARE(data(r).value(QStringLiteral("secret_id_num_uses")).toInt(), 0);

        r = approleLogin(roleId, secretId);
        QCOMPARE(r.status, 200);
        const QJsonObject a = auth(r);
        QCOMPARE(a.value(QStringLiteral("policies")).toArray(),
                 (QJsonArray{QStringLiteral("default"), QStringLiteral("metrics"), QStringLiteral("web")}));
        QCOMPARE(a.value(QStringLiteral("metadata")).toObject(),
                 (QJsonObject{{QStringLiteral("role_name"), QStringLiteral("web")},
                              {QStringLiteral("host"), QStringLiteral("web-1")}}));
        QCOMPARE(a.value(QStringLiteral("lease_duration")).toInt(), 600);
        QCOMPARE(a.value(QStringLiteral("num_uses")).toInt(), 3);
        const QString entityId = a.value(QStringLiteral("entity_id")).toString();
        QVERIFY(!entityId.isEmpty());
        const auto entry = lookupToken(a.value(QStringLiteral("client_token")).toString());
        QVERIFY(entry);
        QCOMPARE(entry->displayName, QStringLiteral("approle"));
        QCOMPARE(entry->entityId, entityId);
        QCOMPARE(entry->numUses, 3);
        // Same role, same entity; the alias is the role name.
        QCOMPARE(auth(approleLogin(roleId, secretId)).value(QStringLiteral("entity_id")).toString(), entityId);
        const QJsonObject alias = data(root(Operation::Read, QStringLiteral("identity/entity/id/") + entityId))
                                      .value(QStringLiteral("aliases"))
                                      .toArray()
                                      .at(0)
                                      .toObject();
        QCOMPARE(alias.value(QStringLiteral("name")).toString(), QStringLiteral("web"));
        QCOMPARE(alias.value(QStringLiteral("mount_type")).toString(), QStringLiteral("approle"));

        // Wrong and missing credentials.
        QCOMPARE(approleLogin(roleId, QStringLiteral("not-the-secret")).status, 400);
        QCOMPARE(approleLogin(QStringLiteral("not-the-role"), secretId).status, 400);
        QCOMPARE(
            call(Operation::Update, QStringLiteral("auth/approle/login"), {{QStringLiteral("role_id"), roleId}}).status,
            400);
        QCOMPARE(call(Operation::Update, QStringLiteral("auth/approle/login"), {}).status, 400);

        // Accessors: list, lookup, destroy.
        r = root(Operation::List, QStringLiteral("auth/approle/role/web/secret-id"));
        QCOMPARE(data(r).value(QStringLiteral("keys")).toArray(), (QJsonArray{accessor}));
        r = root(Operation::Update, QStringLiteral("auth/approle/role/web/secret-id-accessor/lookup"),
                 {{QStringLiteral("secret_id_accessor"), accessor}});
        QCOMPARE(r.status, 200);
        QCOMPARE(data(r).value(QStringLiteral("metadata")).toObject().value(QStringLiteral("host")).toString(),
                 QStringLiteral("web-1"));
        QVERIFY(!data(r).contains(QStringLiteral("secret_id")));
        r = root(Operation::Update, QStringLiteral("auth/approle/role/web/secret-id/lookup"),
                 {{QStringLiteral("secret_id"), secretId}});
        QCOMPARE(data(r).value(QStringLiteral("secret_id_accessor")).toString(), accessor);
        QCOMPARE(root(Operation::Update, QStringLiteral("auth/approle/role/web/secret-id-accessor/destroy"),
                      {{QStringLiteral("secret_id_accessor"), accessor}})
                     .status,
                 204);
        QCOMPARE(approleLogin(roleId, secretId).status, 400);
        QCOMPARE(root(Operation::List, QStringLiteral("auth/approle/role/web/secret-id")).status, 404);

        // A custom role id replaces the old one; a custom secret id works once made, and cannot be made twice.
        QCOMPARE(root(Operation::Update, QStringLiteral("auth/approle/role/web/role-id"),
                      {{QStringLiteral("role_id"), QStringLiteral("web-role")}})
                     .status,
                 204);
        QCOMPARE(data(root(Operation::Read, QStringLiteral("auth/approle/role/web/role-id")))
                     .value(QStringLiteral("role_id"))
                     .toString(),
                 QStringLiteral("web-role"));
        QCOMPARE(root(Operation::Update, QStringLiteral("auth/approle/role/web/custom-secret-id"),
                      {{QStringLiteral("secret_id"), QStringLiteral("my-custom-secret")}})
                     .status,
                 200);
        QCOMPARE(root(Operation::Update, QStringLiteral("auth/approle/role/web/custom-secret-id"),
                      {{QStringLiteral("secret_id"), QStringLiteral("my-custom-secret")}})
                     .status,
                 400);
        QCOMPARE(approleLogin(roleId, QStringLiteral("my-custom-secret")).status, 400);
        QCOMPARE(approleLogin(QStringLiteral("web-role"), QStringLiteral("my-custom-secret")).status, 200);
        QCOMPARE(root(Operation::Update, QStringLiteral("auth/approle/role/web/secret-id/destroy"),
                      {{QStringLiteral("secret_id"), QStringLiteral("my-custom-secret")}})
                     .status,
                 204);
        QCOMPARE(approleLogin(QStringLiteral("web-role"), QStringLiteral("my-custom-secret")).status, 400);

        // Another role cannot take the same role id.
        QCOMPARE(root(Operation::Update, QStringLiteral("auth/approle/role/db"),
                      {{QStringLiteral("role_id"), QStringLiteral("web-role")}})
                     .status,
                 400);
        QCOMPARE(root(Operation::Read, QStringLiteral("auth/approle/role/db")).status, 404);

        // Deleting the role deletes its secret ids and role id.
        const QString again = data(root(Operation::Update, QStringLiteral("auth/approle/role/web/secret-id"), {}))
                                  .value(QStringLiteral("secret_id"))
                                  .toString();
        QCOMPARE(root(Operation::Delete, QStringLiteral("auth/approle/role/web")).status, 204);
        QCOMPARE(approleLogin(QStringLiteral("web-role"), again).status, 400);
        QCOMPARE(root(Operation::Read, QStringLiteral("auth/approle/role/web/role-id")).status, 404);
        for (const auto &[key, value] : physicalContents()) {
            QVERIFY2(!key.contains(QStringLiteral("/secret-id/web/")), qPrintable(key));
            QVERIFY2(!key.contains(QStringLiteral("/accessor/web/")), qPrintable(key));
        }
    }

    void approleBadInput_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QJsonObject>("body");
        QTest::newRow("unbound role") << QStringLiteral("role/r")
                                      << QJsonObject{{QStringLiteral("bind_secret_id"), false}};
        QTest::newRow("bound cidrs") << QStringLiteral("role/r")
                                     << QJsonObject{{QStringLiteral("secret_id_bound_cidrs"),
                                                     QJsonArray{QStringLiteral("10.0.0.0/8")}}};
        QTest::newRow("bad uses") << QStringLiteral("role/r")
                                  << QJsonObject{{QStringLiteral("secret_id_num_uses"), -1}};
        QTest::newRow("bad ttl") << QStringLiteral("role/r")
                                 << QJsonObject{{QStringLiteral("secret_id_ttl"), QStringLiteral("1y")}};
        QTest::newRow("root policy") << QStringLiteral("role/r")
                                     << QJsonObject{{QStringLiteral("token_policies"), QStringLiteral("root")}};
        QTest::newRow("period") << QStringLiteral("role/r")
                                << QJsonObject{{QStringLiteral("token_period"), QStringLiteral("1h")}};
        QTest::newRow("bad name") << QStringLiteral("role/-x") << QJsonObject{};
        QTest::newRow("empty role id") << QStringLiteral("role/r")
                                       << QJsonObject{{QStringLiteral("role_id"), QString()}};
    }
    void approleBadInput()
    {
        enable(QStringLiteral("approle"), QStringLiteral("approle"));
        QFETCH(QString, path);
        QFETCH(QJsonObject, body);
        const Response r = root(Operation::Update, QStringLiteral("auth/approle/") + path, body);
        QCOMPARE(r.status, 400);
        QVERIFY(!r.json.value(QStringLiteral("errors")).toArray().isEmpty());
        QCOMPARE(root(Operation::List, QStringLiteral("auth/approle/role")).status, 404);
    }

    void approleSecretIdLimits()
    {
        enable(QStringLiteral("approle"), QStringLiteral("approle"));
        root(Operation::Update, QStringLiteral("auth/approle/role/capped"),
             {{QStringLiteral("secret_id_num_uses"), 3}, {QStringLiteral("secret_id_ttl"), 600}});
        const auto secret = [&](const QJsonObject &body) {
            return root(Operation::Update, QStringLiteral("auth/approle/role/capped/secret-id"), body);
        };
        QCOMPARE(secret({{QStringLiteral("num_uses"), 4}}).status, 400);
        QCOMPARE(secret({{QStringLiteral("ttl"), 601}}).status, 400);
        QCOMPARE(secret({{QStringLiteral("metadata"), QStringLiteral("not json")}}).status, 400);
        QCOMPARE(secret({{QStringLiteral("metadata"), QJsonObject{{QStringLiteral("n"), 1}}}}).status, 400);
        QCOMPARE(secret({{QStringLiteral("cidr_list"), QStringLiteral("10.0.0.0/8")}}).status, 400);
        const Response r = secret({{QStringLiteral("num_uses"), 2}, {QStringLiteral("ttl"), QStringLiteral("5m")}});
        QCOMPARE(r.status, 200);
        QCOMPARE(data(r).value(QStringLiteral("secret_id_num_uses")).toInt(), 2);
        QCOMPARE(data(r).value(QStringLiteral("secret_id_ttl")).toInt(), 300);
        QCOMPARE(root(Operation::Update, QStringLiteral("auth/approle/role/none/secret-id"), {}).status, 404);
    }

    void approleNumUses()
    {
        enable(QStringLiteral("approle"), QStringLiteral("approle"));
        const auto [roleId, secretId] = approleWithSecret({{QStringLiteral("secret_id_num_uses"), 2}});
        QVERIFY(!secretId.isEmpty());
        QCOMPARE(approleLogin(roleId, secretId).status, 200);
        const Response left = root(Operation::Update, QStringLiteral("auth/approle/role/web/secret-id/lookup"),
                                   {{QStringLiteral("secret_id"), secretId}});
        QCOMPARE(data(left).value(QStringLiteral("secret_id_num_uses")).toInt(), 1);
        QCOMPARE(approleLogin(roleId, secretId).status, 200);
        const Response r = approleLogin(roleId, secretId);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json.value(QStringLiteral("errors")).toArray(), (QJsonArray{QStringLiteral("invalid secret id")}));

        // Concurrent logins with one use left: exactly one gets a token.
        for (int round = 0; round < 3; ++round) {
            const QString once = data(root(Operation::Update, QStringLiteral("auth/approle/role/web/secret-id"),
                                           {{QStringLiteral("num_uses"), 1}}))
                                     .value(QStringLiteral("secret_id"))
                                     .toString();
            QThreadPool pool;
            pool.setMaxThreadCount(8);
            QList<QFuture<Response>> logins;
            for (int i = 0; i < 8; ++i)
                logins.append(
                    QtConcurrent::run(&pool, [this, roleId = roleId, once] { return approleLogin(roleId, once); }));
            int ok = 0;
            for (QFuture<Response> &f : logins) {
                f.waitForFinished();
                const int status = f.result().status;
                QVERIFY(status == 200 || status == 400);
                ok += status == 200 ? 1 : 0;
            }
            QCOMPARE(ok, 1);
        }
    }

    void approleSecretIdTtl()
    {
        enable(QStringLiteral("approle"), QStringLiteral("approle"));
        const auto [roleId, secretId] = approleWithSecret({}, {{QStringLiteral("ttl"), QStringLiteral("1s")}});
        QVERIFY(!secretId.isEmpty());
        QCOMPARE(approleLogin(roleId, secretId).status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(approleLogin(roleId, secretId).status, 400, 5000);
        // The expired secret id is gone from storage too.
        QCOMPARE(root(Operation::Update, QStringLiteral("auth/approle/role/web/secret-id/lookup"),
                      {{QStringLiteral("secret_id"), secretId}})
                     .status,
                 404);
    }

    void secretsNeverReachStorage()
    {
        enable(QStringLiteral("userpass"), QStringLiteral("userpass"));
        enable(QStringLiteral("approle"), QStringLiteral("approle"));
        const QString password = QStringLiteral("Pa55-word-that-must-not-leak");
        root(Operation::Update, QStringLiteral("auth/userpass/users/jo"), {{QStringLiteral("password"), password}});
        const QString token = auth(userpassLogin(QStringLiteral("userpass"), QStringLiteral("jo"), password))
                                  .value(QStringLiteral("client_token"))
                                  .toString();
        const auto [roleId, secretId] = approleWithSecret();
        const QString approleToken =
            auth(approleLogin(roleId, secretId)).value(QStringLiteral("client_token")).toString();
        QVERIFY(!token.isEmpty() && !approleToken.isEmpty());
        QList<QByteArray> secrets{password.toUtf8(), secretId.toUtf8(), roleId.toUtf8(), token.toUtf8(),
                                  approleToken.toUtf8()};
        int seen = 0;
        for (const auto &[key, value] : physicalContents()) {
            ++seen;
            for (const QByteArray &s : secrets) {
                QVERIFY2(!value.contains(s), qPrintable(key));
                QVERIFY2(!key.toUtf8().contains(s), qPrintable(key));
            }
        }
        QVERIFY(seen > 5);
    }

    void sealedMeans503()
    {
        enable(QStringLiteral("userpass"), QStringLiteral("userpass"));
        root(Operation::Update, QStringLiteral("auth/userpass/users/kim"),
             {{QStringLiteral("password"), QStringLiteral("k")}});
        m_engine->sealNow();
        QCOMPARE(userpassLogin(QStringLiteral("userpass"), QStringLiteral("kim"), QStringLiteral("k")).status, 503);
        QCOMPARE(call(Operation::Update, QStringLiteral("auth/approle/login"), {}).status, 503);
        QCOMPARE(call(Operation::Read, QStringLiteral("identity/entity/id/x")).status, 503);
        unseal();
        QCOMPARE(userpassLogin(QStringLiteral("userpass"), QStringLiteral("kim"), QStringLiteral("k")).status, 200);
    }
};

QTEST_GUILESS_MAIN(TestAuthMethods)
#include "tst_auth_methods.moc"
