// sys/ routes and runtime settings over HTTP: the real Engine on SQLite behind the real HttpServer on 127.0.0.1:0.

#include "TestServer.h"

#include "engine/Engine.h"
#include "engine/storage/Storage.h"
#include "engine/storage/StorageFactory.h"

#include <QDir>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace gk;
using gk::test::HttpAnswer;
using gk::test::TestServer;

class TestSysApi final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<TestServer> m_server;

    bool startServer()
    {
        m_server.reset();
        m_engine.reset();
        auto storage = openStorage(QStringLiteral("sqlite:") + m_dir.filePath(QStringLiteral("gk.db")));
        if (!storage)
            return false;
        m_engine = std::make_unique<Engine>(storage.takeValue(), EngineOptions{});
        auto started = m_engine->start();
        started.waitForFinished();
        if (!started.result())
            return false;
        m_server = std::make_unique<TestServer>(m_engine.get());
        return m_server->start();
    }

    HttpAnswer call(QByteArrayView method, QByteArrayView target, const QJsonObject &body = {},
                    const QByteArray &token = {})
    {
        return m_server->requestJson(method, target, body, token);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(startServer());
    }

    void cleanupTestCase()
    {
        m_server.reset();
        m_engine.reset();
    }

    void wholeSealLifecycleAcrossRestart()
    {
        HttpAnswer a = call("GET", "/v1/sys/init");
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json().value(QStringLiteral("initialized")).toBool(), false);
        QCOMPARE(call("GET", "/v1/sys/health").status, 501);

        a = call("PUT", "/v1/sys/init",
                 {{QStringLiteral("secret_shares"), 5}, {QStringLiteral("secret_threshold"), 3}});
        QCOMPARE(a.status, 200);
        QVERIFY(a.header("Content-Type").startsWith("application/json"));
        const QJsonArray keys = a.json().value(QStringLiteral("keys")).toArray();
        const QByteArray root = a.json().value(QStringLiteral("root_token")).toString().toUtf8();
        QCOMPARE(keys.size(), 5);

        // Sealed: every route but the seal routes answers 503 with errors.
        a = call("GET", "/v1/sys/metrics", {}, root);
        QCOMPARE(a.status, 503);
        QCOMPARE(a.errors(), QStringList{QStringLiteral("Vault is sealed")});
        QCOMPARE(call("GET", "/v1/config", {}, root).status, 503);
        QCOMPARE(call("LIST", "/v1/sys/anything", {}, root).status, 503);

        for (int i : {0, 3, 4}) {
            a = call("PUT", "/v1/sys/unseal", {{QStringLiteral("key"), keys.at(i)}});
            QCOMPARE(a.status, 200);
        }
        QCOMPARE(a.json().value(QStringLiteral("sealed")).toBool(), false);
        QCOMPARE(call("GET", "/v1/sys/health").status, 200);

        a = call("PATCH", "/v1/config", {{QStringLiteral("cluster.name"), QStringLiteral("blue")}}, root);
        QCOMPARE(a.status, 200);
        QCOMPARE(call("POST", "/v1/sys/seal", {}, root).status, 204);

        // Restart on the same file: still initialised, sealed, and the settings come back after unseal.
        QVERIFY(startServer());
        a = call("GET", "/v1/sys/seal-status");
        QCOMPARE(a.json().value(QStringLiteral("initialized")).toBool(), true);
        QCOMPARE(a.json().value(QStringLiteral("sealed")).toBool(), true);
        for (int i : {1, 2, 4})
            a = call("POST", "/v1/sys/unseal", {{QStringLiteral("key"), keys.at(i)}});
        QCOMPARE(a.json().value(QStringLiteral("sealed")).toBool(), false);
        QCOMPARE(a.json().value(QStringLiteral("cluster_name")).toString(), QStringLiteral("blue"));
        a = call("GET", "/v1/config", {}, root);
        QCOMPARE(a.json().value(QStringLiteral("cluster.name")).toString(), QStringLiteral("blue"));

        // Conventions on the real routes.
        a = m_server->request("HEAD", "/v1/sys/health");
        QCOMPARE(a.status, 200);
        QVERIFY(a.body.isEmpty());
        a = call("GET", "/v1/sys/seal-status?help=1");
        QVERIFY(a.json().value(QStringLiteral("help")).toString().contains(QStringLiteral("seal state")));
        a = call("DELETE", "/v1/sys/seal", {}, root);
        QCOMPARE(a.status, 405);
        QVERIFY(a.header("Allow").contains("PUT"));
        QVERIFY(!a.errors().isEmpty());
        a = call("GET", "/v1/nope", {}, root);
        QCOMPARE(a.status, 404);
        QVERIFY(!a.errors().isEmpty());
        a = m_server->request("GET", "/v1/sys/health", {}, {{"X-Vault-Namespace", "ns1/"}});
        QCOMPARE(a.status, 400);
        a = m_server->request("GET", "/v1/sys/ha-status", {}, {{"Authorization", "Bearer " + root}});
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json().value(QStringLiteral("nodes")).toArray().size(), 1);
        a = m_server->request("GET", "/v1/sys/ha-status", {}, {{"X-Nomad-Token", root}});
        QCOMPARE(a.status, 200);
        a = call("GET", "/v1/sys/ha-status", {}, "gk.wrong");
        QCOMPARE(a.status, 403);
        QCOMPARE(a.errors(), QStringList{QStringLiteral("permission denied")});

        a = call("GET", "/v1/sys/metrics?format=prometheus", {}, root);
        QCOMPARE(a.status, 200);
        QVERIFY(a.header("Content-Type").startsWith("text/plain"));
        QVERIFY(a.body.contains("gatekeeper_http_requests_total{route=\"sys/unseal\",code=\"2xx\"}"));
        QVERIFY(a.body.contains("gatekeeper_core_unsealed 1"));

        a = call("POST", "/v1/sys/rotate", {}, root);
        QCOMPARE(a.status, 204);
        a = call("GET", "/v1/sys/key-status", {}, root);
        QCOMPARE(a.json().value(QStringLiteral("term")).toInt(), 2);
        a = call("GET", "/v1/config", {}, root); // written under term 1, still readable
        QCOMPARE(a.json().value(QStringLiteral("cluster.name")).toString(), QStringLiteral("blue"));

        // The store's files hold neither the root token nor any key share.
        m_server.reset();
        m_engine.reset();
        QList<QByteArray> secrets{root, root.mid(3)};
        for (const QJsonValue &k : keys)
            secrets << k.toString().toLatin1() << QByteArray::fromHex(k.toString().toLatin1());
        const QStringList files = QDir(m_dir.path()).entryList({QStringLiteral("gk.db*")}, QDir::Files);
        QVERIFY(!files.isEmpty());
        for (const QString &name : files) {
            QFile f(m_dir.filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray bytes = f.readAll();
            for (const QByteArray &s : secrets)
                QVERIFY2(!bytes.contains(s), qPrintable(name));
        }
    }
};

QTEST_GUILESS_MAIN(TestSysApi)
#include "tst_sys_api.moc"
