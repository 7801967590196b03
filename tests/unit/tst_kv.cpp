// The secret mount table (sys/mounts) and the kv version 1 engine, driven through Engine::handle() over the
// in-memory store with the real barrier and seal.

#include "engine/Engine.h"
#include "engine/backends/MountTable.h"
#include "engine/storage/InmemStorage.h"

#include <QJsonArray>
#include <QTest>

using namespace gk;

class TestKv final : public QObject
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

    // Every key and value of the physical store.
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

    QString accessorOf(const QString &listPath, const QString &mount)
    {
        return root(Operation::Read, listPath)
            .json.value(mount)
            .toObject()
            .value(QStringLiteral("accessor"))
            .toString();
    }

    void unseal()
    {
        for (const QJsonValue &k : std::as_const(m_keys))
            call(Operation::Update, QStringLiteral("sys/unseal"), {{QStringLiteral("key"), k}});
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

    void defaultMounts()
    {
        const Response r = root(Operation::Read, QStringLiteral("sys/mounts"));
        QCOMPARE(r.status, 200);
        const QJsonObject data = r.json.value(QStringLiteral("data")).toObject();
        QCOMPARE(data.keys(),
                 (QStringList{QStringLiteral("identity/"), QStringLiteral("secret/"), QStringLiteral("sys/")}));
        const QJsonObject secret = data.value(QStringLiteral("secret/")).toObject();
        QCOMPARE(secret.value(QStringLiteral("type")).toString(), QStringLiteral("kv"));
        QVERIFY(secret.value(QStringLiteral("accessor")).toString().startsWith(QStringLiteral("kv_")));
        QCOMPARE(secret.value(QStringLiteral("options")).toObject().value(QStringLiteral("version")).toString(),
                 QStringLiteral("1"));
        QCOMPARE(secret.value(QStringLiteral("config")).toObject().value(QStringLiteral("default_lease_ttl")).toInt(),
                 0);
        QVERIFY(secret.contains(QStringLiteral("local")));
        QVERIFY(secret.contains(QStringLiteral("seal_wrap")));
        QCOMPARE(r.json.value(QStringLiteral("secret/")), data.value(QStringLiteral("secret/"))); // top-level copies
        QCOMPARE(data.value(QStringLiteral("sys/")).toObject().value(QStringLiteral("type")).toString(),
                 QStringLiteral("system"));
        // Listing needs a token.
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/mounts")).status, 403);
    }

    void roundTripAndList()
    {
        const QString plaintext = QStringLiteral("correct-horse-battery-staple-42");
        Response r = root(Operation::Update, QStringLiteral("secret/app/db"),
                          {{QStringLiteral("password"), plaintext}, {QStringLiteral("ttl"), QStringLiteral("1h")}});
        QCOMPARE(r.status, 204);
        r = root(Operation::Update, QStringLiteral("secret/app/api/key"), {{QStringLiteral("n"), 7}});
        QCOMPARE(r.status, 204);
        r = root(Operation::Update, QStringLiteral("secret/top"),
                 {{QStringLiteral("nested"), QJsonObject{{QStringLiteral("a"), QJsonArray{1, 2}}}}});
        QCOMPARE(r.status, 204);

        r = root(Operation::Read, QStringLiteral("secret/app/db"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("data")).toObject().value(QStringLiteral("password")).toString(),
                 plaintext);
        QCOMPARE(r.json.value(QStringLiteral("lease_duration")).toInt(), 3600);
        QVERIFY(r.json.contains(QStringLiteral("request_id")));
        QCOMPARE(r.json.value(QStringLiteral("renewable")).toBool(), false);
        r = root(Operation::Read, QStringLiteral("secret/top"));
        QCOMPARE(r.json.value(QStringLiteral("lease_duration")).toInt(), 2764800);
        QCOMPARE(r.json.value(QStringLiteral("data")).toObject().value(QStringLiteral("nested")).toObject(),
                 (QJsonObject{{QStringLiteral("a"), QJsonArray{1, 2}}}));

        // An overwrite replaces the whole object.
        QCOMPARE(root(Operation::Update, QStringLiteral("secret/top"), {{QStringLiteral("b"), true}}).status, 204);
        QCOMPARE(root(Operation::Read, QStringLiteral("secret/top")).json.value(QStringLiteral("data")).toObject(),
                 (QJsonObject{{QStringLiteral("b"), true}}));

        r = root(Operation::List, QStringLiteral("secret/"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("data")).toObject().value(QStringLiteral("keys")).toArray(),
                 (QJsonArray{QStringLiteral("app/"), QStringLiteral("top")}));
        r = root(Operation::List, QStringLiteral("secret/app"));
        QCOMPARE(r.json.value(QStringLiteral("data")).toObject().value(QStringLiteral("keys")).toArray(),
                 (QJsonArray{QStringLiteral("api/"), QStringLiteral("db")}));
        r = root(Operation::List, QStringLiteral("secret/app/"));
        QCOMPARE(r.json.value(QStringLiteral("data")).toObject().value(QStringLiteral("keys")).toArray().size(), 2);
        QCOMPARE(root(Operation::List, QStringLiteral("secret/nothing")).status, 404);
        QCOMPARE(root(Operation::Read, QStringLiteral("secret/app")).status, 404);

        // The plaintext never reaches the physical store; the value lives below logical/<uuid>/.
        bool found = false;
        for (const auto &[key, value] : physicalContents()) {
            QVERIFY2(!value.contains(plaintext.toUtf8()), qPrintable(key));
            if (key.startsWith(QStringLiteral("logical/")) && key.endsWith(QStringLiteral("/app/db")))
                found = true;
        }
        QVERIFY(found);

        QCOMPARE(root(Operation::Delete, QStringLiteral("secret/app/db")).status, 204);
        QCOMPARE(root(Operation::Read, QStringLiteral("secret/app/db")).status, 404);
        QCOMPARE(root(Operation::Delete, QStringLiteral("secret/app/db")).status, 204); // again: still fine
        QCOMPARE(root(Operation::Delete, QStringLiteral("secret/app/api/key")).status, 204);
        QCOMPARE(root(Operation::List, QStringLiteral("secret/app")).status, 404);

        // Without a token: 403.
        QCOMPARE(call(Operation::Read, QStringLiteral("secret/top")).status, 403);
    }

    void badInput_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QJsonObject>("body");
        const QJsonObject some{{QStringLiteral("a"), 1}};
        QTest::newRow("empty body") << QStringLiteral("secret/x") << QJsonObject{};
        QTest::newRow("empty segment") << QStringLiteral("secret/a//b") << some;
        QTest::newRow("dot-dot") << QStringLiteral("secret/a/../b") << some;
        QTest::newRow("folder") << QStringLiteral("secret/a/") << some;
        QTest::newRow("mount root") << QStringLiteral("secret/") << some;
        QTest::newRow("bad ttl") << QStringLiteral("secret/x")
                                 << QJsonObject{{QStringLiteral("ttl"), QStringLiteral("soon")}};
    }
    void badInput()
    {
        QFETCH(QString, path);
        QFETCH(QJsonObject, body);
        const Response r = root(Operation::Update, path, body);
        QCOMPARE(r.status, 400);
        QVERIFY(!r.json.value(QStringLiteral("errors")).toArray().isEmpty());
        QCOMPARE(root(Operation::List, QStringLiteral("secret/")).status, 404);
    }

    void enableAndDisableSecretMounts()
    {
        Response r = root(
            Operation::Update, QStringLiteral("sys/mounts/team/kv"),
            {{QStringLiteral("type"), QStringLiteral("kv")},
             {QStringLiteral("description"), QStringLiteral("team secrets")},
             {QStringLiteral("config"), QJsonObject{{QStringLiteral("default_lease_ttl"), QStringLiteral("1h")}}}});
        QCOMPARE(r.status, 204);
        QCOMPARE(
            root(Operation::Update, QStringLiteral("team/kv/x"), {{QStringLiteral("v"), QStringLiteral("1")}}).status,
            204);
        QCOMPARE(root(Operation::Read, QStringLiteral("team/kv/x")).status, 200);
        const QJsonObject entry = root(Operation::Read, QStringLiteral("sys/mounts"))
                                      .json.value(QStringLiteral("data"))
                                      .toObject()
                                      .value(QStringLiteral("team/kv/"))
                                      .toObject();
        QCOMPARE(entry.value(QStringLiteral("description")).toString(), QStringLiteral("team secrets"));
        QCOMPARE(entry.value(QStringLiteral("config")).toObject().value(QStringLiteral("default_lease_ttl")).toInt(),
                 3600);
        const QString uuid = entry.value(QStringLiteral("uuid")).toString();
        QVERIFY(!uuid.isEmpty());
        r = root(Operation::Read, QStringLiteral("sys/mounts/team/kv"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("data")).toObject().value(QStringLiteral("uuid")).toString(), uuid);

        // Survives a seal cycle (the table is in the barrier).
        m_engine->sealNow();
        QCOMPARE(root(Operation::Read, QStringLiteral("team/kv/x")).status, 503);
        unseal();
        QCOMPARE(root(Operation::Read, QStringLiteral("team/kv/x")).status, 200);

        // Disabling unmounts and deletes the data.
        QCOMPARE(root(Operation::Delete, QStringLiteral("sys/mounts/team/kv")).status, 204);
        QCOMPARE(root(Operation::Read, QStringLiteral("team/kv/x")).status, 404);
        for (const auto &[key, value] : physicalContents())
            QVERIFY2(!key.contains(uuid), qPrintable(key));
        QCOMPARE(root(Operation::Delete, QStringLiteral("sys/mounts/team/kv")).status, 204); // gone: still 204

        // Mounted again at the same path: empty.
        QCOMPARE(root(Operation::Update, QStringLiteral("sys/mounts/team/kv"),
                      {{QStringLiteral("type"), QStringLiteral("kv")}})
                     .status,
                 204);
        QCOMPARE(root(Operation::Read, QStringLiteral("team/kv/x")).status, 404);
    }

    void badMountRequests_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QJsonObject>("body");
        const auto kv = [](QJsonObject extra = {}) {
            extra.insert(QStringLiteral("type"), QStringLiteral("kv"));
            return extra;
        };
        QTest::newRow("no type") << QStringLiteral("x") << QJsonObject{};
        QTest::newRow("unknown type") << QStringLiteral("x")
                                      << QJsonObject{{QStringLiteral("type"), QStringLiteral("nope")}};
        QTest::newRow("auth type") << QStringLiteral("x")
                                   << QJsonObject{{QStringLiteral("type"), QStringLiteral("userpass")}};
        QTest::newRow("kv v2") << QStringLiteral("x")
                               << kv({{QStringLiteral("options"),
                                       QJsonObject{{QStringLiteral("version"), QStringLiteral("2")}}}});
        QTest::newRow("in use") << QStringLiteral("secret") << kv();
        QTest::newRow("below a mount") << QStringLiteral("secret/deeper") << kv();
        QTest::newRow("above a mount") << QStringLiteral("sys") << kv();
        QTest::newRow("reserved") << QStringLiteral("cubbyhole") << kv();
        QTest::newRow("auth prefix") << QStringLiteral("auth/x") << kv();
        QTest::newRow("engine route") << QStringLiteral("config") << kv();
        QTest::newRow("bad path") << QStringLiteral("bad path!") << kv();
        QTest::newRow("dot segment") << QStringLiteral("a/./b") << kv();
        QTest::newRow("unknown config") << QStringLiteral("x")
                                        << kv({{QStringLiteral("config"), QJsonObject{{QStringLiteral("x"), 1}}}});
        QTest::newRow("bad ttl") << QStringLiteral("x")
                                 << kv({{QStringLiteral("config"), QJsonObject{{QStringLiteral("default_lease_ttl"),
                                                                                QStringLiteral("forever")}}}});
        QTest::newRow("default above max")
            << QStringLiteral("x")
            << kv({{QStringLiteral("config"), QJsonObject{{QStringLiteral("default_lease_ttl"), QStringLiteral("2h")},
                                                          {QStringLiteral("max_lease_ttl"), QStringLiteral("1h")}}}});
        QTest::newRow("lockout on kv") << QStringLiteral("x")
                                       << kv({{QStringLiteral("config"),
                                               QJsonObject{{QStringLiteral("user_lockout_config"), QJsonObject{}}}}});
        QTest::newRow("description type") << QStringLiteral("x") << kv({{QStringLiteral("description"), 3}});
    }
    void badMountRequests()
    {
        QFETCH(QString, path);
        QFETCH(QJsonObject, body);
        const QJsonObject before =
            root(Operation::Read, QStringLiteral("sys/mounts")).json.value(QStringLiteral("data")).toObject();
        const Response r = root(Operation::Update, QStringLiteral("sys/mounts/") + path, body);
        QCOMPARE(r.status, 400);
        QVERIFY(!r.json.value(QStringLiteral("errors")).toArray().isEmpty());
        QCOMPARE(root(Operation::Read, QStringLiteral("sys/mounts")).json.value(QStringLiteral("data")).toObject(),
                 before);
    }

    void builtinsCannotBeDisabled()
    {
        for (const QString &path : {QStringLiteral("sys"), QStringLiteral("identity")}) {
            const Response r = root(Operation::Delete, QStringLiteral("sys/mounts/") + path);
            QCOMPARE(r.status, 400);
        }
        // The default secret/ mount can be (Vault allows it too).
        const QString accessor = accessorOf(QStringLiteral("sys/mounts"), QStringLiteral("secret/"));
        QVERIFY(!accessor.isEmpty());
        QCOMPARE(root(Operation::Delete, QStringLiteral("sys/mounts/secret")).status, 204);
        QCOMPARE(root(Operation::Read, QStringLiteral("secret/x")).status, 404);
        // ... and it does not come back by itself at the next unseal.
        m_engine->sealNow();
        unseal();
        QVERIFY(accessorOf(QStringLiteral("sys/mounts"), QStringLiteral("secret/")).isEmpty());
    }

    void concurrentEnablesAllLand()
    {
        QList<QFuture<Response>> pending;
        for (int i = 0; i < 8; ++i) {
            Request r;
            r.operation = Operation::Update;
            r.path = QStringLiteral("sys/mounts/kv%1").arg(i);
            r.data = {{QStringLiteral("type"), QStringLiteral("kv")}};
            r.token = m_root;
            pending.append(m_engine->handle(r));
        }
        for (QFuture<Response> &f : pending) {
            f.waitForFinished();
            QCOMPARE(f.result().status, 204);
        }
        m_engine->sealNow();
        unseal();
        const QJsonObject data =
            root(Operation::Read, QStringLiteral("sys/mounts")).json.value(QStringLiteral("data")).toObject();
        for (int i = 0; i < 8; ++i)
            QVERIFY(data.contains(QStringLiteral("kv%1/").arg(i)));
    }
};

QTEST_GUILESS_MAIN(TestKv)
#include "tst_kv.moc"
