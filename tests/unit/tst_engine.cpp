// The request pipeline, the sys backend and runtime settings, driven through Engine::handle() over the
// in-memory store with the real barrier and seal.

#include "engine/Engine.h"
#include "engine/Metrics.h"
#include "engine/Router.h"
#include "engine/storage/InmemStorage.h"

#include <QJsonArray>
#include <QTest>

using namespace gk;

namespace {

class EchoBackend final : public Backend
{
public:
    QString type() const override { return QStringLiteral("echo"); }
    QList<PathSpec> paths() override
    {
        PathSpec item;
        item.pattern = QStringLiteral("items/([^/]+)");
        item.handlers = {
            {Operation::Read, [](const Request &r) {
                 return QtFuture::makeReadyFuture(Response::ok(
                     {{QStringLiteral("name"), r.captures.value(0)}, {QStringLiteral("mount"), r.mountPoint}}));
             }}};
        item.unauthenticated = true;
        item.allowedWhileSealed = true;
        PathSpec all;
        all.pattern = QStringLiteral(".*");
        all.handlers = {{Operation::List, [](const Request &r) {
                             return QtFuture::makeReadyFuture(Response::ok({{QStringLiteral("path"), r.mountPath}}));
                         }}};
        all.unauthenticated = true;
        all.allowedWhileSealed = true;
        PathSpec literal; // no regular-expression syntax: matched as a string
        literal.pattern = QStringLiteral("self-info/now");
        literal.handlers = all.handlers;
        literal.unauthenticated = true;
        return {literal, item, all};
    }
};

} // namespace

class TestEngine final : public QObject
{
    Q_OBJECT

    std::unique_ptr<Engine> m_engine;
    InmemStorage *m_storage = nullptr;

    Response call(Operation op, const QString &path, const QJsonObject &data = {}, const QByteArray &token = {},
                  QHash<QByteArray, QByteArray> headers = {})
    {
        Request r;
        r.operation = op;
        r.method = op == Operation::Read ? "GET" : "PUT";
        r.path = path;
        r.data = data;
        r.token = token;
        r.headers = std::move(headers);
        QFuture<Response> f = m_engine->handle(r);
        f.waitForFinished();
        return f.result();
    }

    QJsonObject initAndUnseal(int shares, int threshold)
    {
        const Response init =
            call(Operation::Update, QStringLiteral("sys/init"),
                 {{QStringLiteral("secret_shares"), shares}, {QStringLiteral("secret_threshold"), threshold}});
        [&] { QCOMPARE(init.status, 200); }();
        const QJsonArray keys = init.json.value(QStringLiteral("keys")).toArray();
        for (int i = 0; i < threshold; ++i)
            call(Operation::Update, QStringLiteral("sys/unseal"), {{QStringLiteral("key"), keys.at(i)}});
        return init.json;
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
    }

    void cleanup() { m_engine.reset(); }

    void routerPicksLongestPrefix()
    {
        Metrics metrics;
        Router router(&metrics);
        router.mount(QStringLiteral("auth/"), std::make_shared<EchoBackend>());
        router.mount(QStringLiteral("auth/token/"), std::make_shared<EchoBackend>());
        auto m = router.route(QStringLiteral("auth/token/items/abc"));
        QVERIFY(m.has_value());
        QCOMPARE(m->mount->prefix, QStringLiteral("auth/token/"));
        QCOMPARE(m->mountPath, QStringLiteral("items/abc"));
        QVERIFY(m->route);
        QCOMPARE(m->captures, QStringList{QStringLiteral("abc")});
        m = router.route(QStringLiteral("auth/userpass/x"));
        QCOMPARE(m->mount->prefix, QStringLiteral("auth/"));
        QVERIFY(!router.route(QStringLiteral("nothing/here")).has_value());
        // A literal route matches the whole rest of the path, exactly.
        m = router.route(QStringLiteral("auth/token/self-info/now"));
        QCOMPARE(m->route->spec.pattern, QStringLiteral("self-info/now"));
        QVERIFY(m->captures.isEmpty());
        for (const QString &near :
             {QStringLiteral("auth/token/self-info/nowx"), QStringLiteral("auth/token/self-info/no"),
              QStringLiteral("auth/token/xself-info/now")})
            QCOMPARE(router.route(near)->route->spec.pattern, QStringLiteral(".*"));
        QVERIFY(router.unmount(QStringLiteral("auth/token/")));
        QCOMPARE(router.route(QStringLiteral("auth/token/items/abc"))->mount->prefix, QStringLiteral("auth/"));
    }

    void uninitialisedServer()
    {
        Response r = call(Operation::Read, QStringLiteral("sys/seal-status"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("initialized")).toBool(), false);
        QCOMPARE(r.json.value(QStringLiteral("sealed")).toBool(), true);
        QCOMPARE(r.json.value(QStringLiteral("type")).toString(), QStringLiteral("shamir"));
        r = call(Operation::Read, QStringLiteral("sys/health"));
        QCOMPARE(r.status, 501);
        QVERIFY(r.json.value(QStringLiteral("errors")).isArray());
        r = call(Operation::Read, QStringLiteral("sys/health"),
                 {{QStringLiteral("uninitcode"), QStringLiteral("200")}});
        QCOMPARE(r.status, 200);
        r = call(Operation::Read, QStringLiteral("sys/init"));
        QCOMPARE(r.json.value(QStringLiteral("initialized")).toBool(), false);
    }

    void sealedMeans503()
    {
        for (const QString &path : {QStringLiteral("sys/metrics"), QStringLiteral("config"),
                                    QStringLiteral("sys/ha-status"), QStringLiteral("no/such/path")}) {
            const Response r = call(Operation::Read, path);
            QCOMPARE(r.status, 503);
            QCOMPARE(r.json.value(QStringLiteral("errors")).toArray().size(), 1);
        }
    }

    void initUnsealSealCycle()
    {
        const QJsonObject init = initAndUnseal(5, 3);
        QCOMPARE(init.value(QStringLiteral("keys")).toArray().size(), 5);
        QCOMPARE(init.value(QStringLiteral("keys_base64")).toArray().size(), 5);
        const QByteArray root = init.value(QStringLiteral("root_token")).toString().toUtf8();
        QVERIFY(root.startsWith("gk."));
        QVERIFY(root.size() >= 3 + 43);

        Response r = call(Operation::Read, QStringLiteral("sys/seal-status"));
        QCOMPARE(r.json.value(QStringLiteral("sealed")).toBool(), false);
        QCOMPARE(r.json.value(QStringLiteral("t")).toInt(), 3);
        QCOMPARE(r.json.value(QStringLiteral("n")).toInt(), 5);
        QVERIFY(!r.json.value(QStringLiteral("cluster_id")).toString().isEmpty());
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/health")).status, 200);

        // A second init is refused.
        r = call(Operation::Update, QStringLiteral("sys/init"),
                 {{QStringLiteral("secret_shares"), 1}, {QStringLiteral("secret_threshold"), 1}});
        QCOMPARE(r.status, 400);

        // Seal needs a token with sudo.
        QCOMPARE(call(Operation::Update, QStringLiteral("sys/seal")).status, 403);
        QCOMPARE(call(Operation::Update, QStringLiteral("sys/seal"), {}, "gk.not-a-token").status, 403);
        QCOMPARE(call(Operation::Update, QStringLiteral("sys/seal"), {}, root).status, 204);
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/health")).status, 503);
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/health"), {{QStringLiteral("sealedcode"), 299}}).status,
                 299);

        // Unseal again with other shares, base64 this time, with progress and nonce.
        const QJsonArray b64 = init.value(QStringLiteral("keys_base64")).toArray();
        r = call(Operation::Update, QStringLiteral("sys/unseal"), {{QStringLiteral("key"), b64.at(4)}});
        QCOMPARE(r.json.value(QStringLiteral("progress")).toInt(), 1);
        const QString nonce = r.json.value(QStringLiteral("nonce")).toString();
        QVERIFY(!nonce.isEmpty());
        r = call(Operation::Update, QStringLiteral("sys/unseal"), {{QStringLiteral("reset"), true}});
        QCOMPARE(r.json.value(QStringLiteral("progress")).toInt(), 0);
        for (int i : {4, 2, 0})
            r = call(Operation::Update, QStringLiteral("sys/unseal"), {{QStringLiteral("key"), b64.at(i)}});
        QCOMPARE(r.json.value(QStringLiteral("sealed")).toBool(), false);
        // The root token still works after the seal cycle.
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/ha-status"), {}, root).status, 200);
    }

    void unsealInputErrors()
    {
        initAndUnseal(3, 2);
        QVERIFY(call(Operation::Update, QStringLiteral("sys/seal"), {}, "x").status == 403);
        Response r = call(Operation::Update, QStringLiteral("sys/unseal"), {});
        QCOMPARE(r.status, 400); // no key, no reset
        m_engine->sealNow();
        r = call(Operation::Update, QStringLiteral("sys/unseal"), {});
        QCOMPARE(r.status, 400);
        r = call(Operation::Update, QStringLiteral("sys/unseal"),
                 {{QStringLiteral("key"), QStringLiteral("zz-not-a-key")}});
        QCOMPARE(r.status, 400);
        r = call(Operation::Update, QStringLiteral("sys/unseal"), {{QStringLiteral("key"), 42}});
        QCOMPARE(r.status, 400);
        QCOMPARE(
            call(Operation::Read, QStringLiteral("sys/seal-status")).json.value(QStringLiteral("progress")).toInt(), 0);
    }

    void initInputErrors_data()
    {
        QTest::addColumn<QJsonObject>("body");
        QTest::newRow("missing") << QJsonObject{};
        QTest::newRow("threshold above shares")
            << QJsonObject{{QStringLiteral("secret_shares"), 2}, {QStringLiteral("secret_threshold"), 3}};
        QTest::newRow("zero") << QJsonObject{{QStringLiteral("secret_shares"), 0},
                                             {QStringLiteral("secret_threshold"), 0}};
        QTest::newRow("too many") << QJsonObject{{QStringLiteral("secret_shares"), 256},
                                                 {QStringLiteral("secret_threshold"), 2}};
        QTest::newRow("pgp") << QJsonObject{{QStringLiteral("secret_shares"), 1},
                                            {QStringLiteral("secret_threshold"), 1},
                                            {QStringLiteral("pgp_keys"), QJsonArray{QStringLiteral("k")}}};
    }
    void initInputErrors()
    {
        QFETCH(QJsonObject, body);
        const Response r = call(Operation::Update, QStringLiteral("sys/init"), body);
        QCOMPARE(r.status, 400);
        QVERIFY(!r.json.value(QStringLiteral("errors")).toArray().isEmpty());
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/init")).json.value(QStringLiteral("initialized")).toBool(),
                 false);
    }

    void secretsNeverReachStorage()
    {
        const QJsonObject init = initAndUnseal(3, 2);
        const QByteArray root = init.value(QStringLiteral("root_token")).toString().toUtf8();
        QList<QByteArray> secrets{root, root.mid(3)};
        for (const QJsonValue &k : init.value(QStringLiteral("keys")).toArray()) {
            const QByteArray hex = k.toString().toLatin1();
            secrets << hex << QByteArray::fromHex(hex) << QByteArray::fromHex(hex).left(32);
        }
        // Walk every key in the physical store.
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
                const QByteArray bytes = *value.result().value();
                ++seen;
                for (const QByteArray &secret : secrets) {
                    QVERIFY2(!bytes.contains(secret), qPrintable(prefix + child));
                    QVERIFY2(!(prefix + child).toUtf8().contains(secret), qPrintable(prefix + child));
                }
            }
        }
        QVERIFY(seen >= 4);
    }

    void wireConventions()
    {
        const QByteArray root = initAndUnseal(1, 1).value(QStringLiteral("root_token")).toString().toUtf8();
        Response r = call(Operation::Read, QStringLiteral("sys/health"), {}, {}, {{"x-vault-namespace", "team-a/"}});
        QCOMPARE(r.status, 400);
        r = call(Operation::Read, QStringLiteral("sys/health"), {}, {}, {{"x-vault-namespace", "root/"}});
        QCOMPARE(r.status, 200);
        r = call(Operation::Read, QStringLiteral("no/such/mount"), {}, root);
        QCOMPARE(r.status, 404);
        QVERIFY(!r.json.value(QStringLiteral("errors")).toArray().isEmpty());
        r = call(Operation::Read, QStringLiteral("sys/no-such-route"), {}, root);
        QCOMPARE(r.status, 404);
        r = call(Operation::Delete, QStringLiteral("sys/seal"), {}, root);
        QCOMPARE(r.status, 405);
        bool hasAllow = false;
        for (const auto &[name, value] : r.headers)
            if (name == "Allow") {
                hasAllow = true;
                QCOMPARE(value, QByteArray("POST, PUT"));
            }
        QVERIFY(hasAllow);
        r = call(Operation::Help, QStringLiteral("sys/health"));
        QCOMPARE(r.status, 200);
        QVERIFY(r.json.value(QStringLiteral("help")).toString().contains(QStringLiteral("standbyok")));

        m_engine->mount(Api::V1, QStringLiteral("echo/"), std::make_shared<EchoBackend>());
        r = call(Operation::Read, QStringLiteral("echo/items/x1"));
        QCOMPARE(r.json.value(QStringLiteral("name")).toString(), QStringLiteral("x1"));
        QCOMPARE(r.json.value(QStringLiteral("mount")).toString(), QStringLiteral("echo/"));
        r = call(Operation::List, QStringLiteral("echo/a/b"));
        QCOMPARE(r.json.value(QStringLiteral("path")).toString(), QStringLiteral("a/b"));
    }

    void metricsAndLeader()
    {
        const QByteArray root = initAndUnseal(1, 1).value(QStringLiteral("root_token")).toString().toUtf8();
        call(Operation::Read, QStringLiteral("sys/health"));
        Response r = call(Operation::Read, QStringLiteral("sys/metrics"),
                          {{QStringLiteral("format"), QStringLiteral("prometheus")}}, root);
        QCOMPARE(r.status, 200);
        QVERIFY(r.contentType.startsWith("text/plain"));
        QVERIFY(r.raw.contains("gatekeeper_http_requests_total{route=\"sys/health\",code=\"2xx\"}"));
        QVERIFY(r.raw.contains("gatekeeper_http_request_duration_seconds_bucket{route=\"sys/health\",le=\"+Inf\"}"));
        QVERIFY(r.raw.contains("gatekeeper_core_unsealed 1"));
        r = call(Operation::Read, QStringLiteral("sys/metrics"), {}, root);
        QVERIFY(r.json.value(QStringLiteral("Gauges")).isArray());
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/metrics")).status, 403);
        r = call(Operation::Read, QStringLiteral("sys/leader"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("ha_enabled")).toBool(), false);
    }

    void runtimeConfig()
    {
        const QByteArray root = initAndUnseal(1, 1).value(QStringLiteral("root_token")).toString().toUtf8();
        Response r = call(Operation::Read, QStringLiteral("config"), {}, root);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("log.level")).toString(), QStringLiteral("info"));
        QCOMPARE(r.json.value(QStringLiteral("cluster.name")).toString(), QStringLiteral("gatekeeper"));

        r = call(Operation::Patch, QStringLiteral("config"), {{QStringLiteral("cluster.name"), QStringLiteral("prod")}},
                 root);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("cluster.name")).toString(), QStringLiteral("prod"));
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/seal-status")).json.value(QStringLiteral("cluster_name")),
                 QJsonValue(QStringLiteral("prod")));

        // Unknown keys and wrong types change nothing.
        r = call(Operation::Patch, QStringLiteral("config"),
                 {{QStringLiteral("cluster.name"), QStringLiteral("x")}, {QStringLiteral("no.such.key"), 1}}, root);
        QCOMPARE(r.status, 400);
        QVERIFY(
            r.json.value(QStringLiteral("errors")).toArray().at(0).toString().contains(QStringLiteral("no.such.key")));
        r = call(Operation::Patch, QStringLiteral("config"), {{QStringLiteral("metrics.unauthenticated"), 3}}, root);
        QCOMPARE(r.status, 400);
        r = call(Operation::Patch, QStringLiteral("config"), {{QStringLiteral("log.level"), QStringLiteral("loud")}},
                 root);
        QCOMPARE(r.status, 400);
        QCOMPARE(call(Operation::Read, QStringLiteral("config"), {}, root).json.value(QStringLiteral("cluster.name")),
                 QJsonValue(QStringLiteral("prod")));

        // A setting takes effect: metrics without a token.
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/metrics")).status, 403);
        r = call(Operation::Patch, QStringLiteral("config"), {{QStringLiteral("metrics.unauthenticated"), true}}, root);
        QCOMPARE(r.status, 200);
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/metrics")).status, 200);

        // PUT replaces: keys left out return to their default.
        r = call(Operation::Update, QStringLiteral("config"), {{QStringLiteral("log.level"), QStringLiteral("debug")}},
                 root);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("cluster.name")).toString(), QStringLiteral("gatekeeper"));
        QCOMPARE(r.json.value(QStringLiteral("metrics.unauthenticated")).toBool(), false);
        QCOMPARE(r.json.value(QStringLiteral("log.level")).toString(), QStringLiteral("debug"));

        // Settings live in the barrier and survive a seal cycle.
        r = call(Operation::Read, QStringLiteral("config/schema"), {}, root);
        QVERIFY(r.json.contains(QStringLiteral("log.level")));
        call(Operation::Update, QStringLiteral("config"), {{QStringLiteral("log.level"), QStringLiteral("warning")}},
             root);
        m_engine->sealNow();
        QCOMPARE(call(Operation::Read, QStringLiteral("config"), {}, root).status, 503);
    }
};

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
