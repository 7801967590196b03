// The token store over HTTP: the real Engine on SQLite behind the real HttpServer on 127.0.0.1:0, with the
// bodies Vault clients send (hvac's nulls included), LIST verbs, concurrent uses and a restart.

#include "TestServer.h"

#include "engine/Engine.h"
#include "engine/storage/Storage.h"
#include "engine/storage/StorageFactory.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace gk;
using gk::test::HttpAnswer;
using gk::test::RawHttpClient;
using gk::test::TestServer;

namespace {

QStringList strings(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &item : v.toArray())
        out.append(item.toString());
    return out;
}

} // namespace

class TestTokenApi final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<TestServer> m_server;
    QByteArray m_root;
    QJsonArray m_keys;
    QList<QByteArray> m_ids; // every token id handed out, to look for in the store's files

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
        return m_server->requestJson(method, target, body, token.isNull() ? m_root : token);
    }

    QByteArray created(const HttpAnswer &a)
    {
        const QByteArray id =
            a.json().value(QStringLiteral("auth")).toObject().value(QStringLiteral("client_token")).toString().toUtf8();
        if (!id.isEmpty())
            m_ids.append(id);
        return id;
    }

    void unseal()
    {
        for (const QJsonValue &key : std::as_const(m_keys))
            m_server->requestJson("PUT", "/v1/sys/unseal", {{QStringLiteral("key"), key}});
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(startServer());
        const HttpAnswer a = m_server->requestJson(
            "PUT", "/v1/sys/init", {{QStringLiteral("secret_shares"), 1}, {QStringLiteral("secret_threshold"), 1}});
        QCOMPARE(a.status, 200);
        m_keys = a.json().value(QStringLiteral("keys")).toArray();
        m_root = a.json().value(QStringLiteral("root_token")).toString().toUtf8();
        m_ids.append(m_root);
        unseal();
    }

    void cleanupTestCase()
    {
        m_server.reset();
        m_engine.reset();
    }

    void createLookupAsVaultClientsDo()
    {
        // What hvac's create_token() sends: every optional field, null when not set.
        HttpAnswer a = call("POST", "/v1/auth/token/create",
                            {{QStringLiteral("id"), QJsonValue::Null},
                             {QStringLiteral("policies"), QJsonArray{QStringLiteral("app")}},
                             {QStringLiteral("meta"), QJsonValue::Null},
                             {QStringLiteral("no_parent"), false},
                             {QStringLiteral("display_name"), QJsonValue::Null},
                             {QStringLiteral("num_uses"), QJsonValue::Null},
                             {QStringLiteral("no_default_policy"), false},
                             {QStringLiteral("renewable"), QJsonValue::Null},
                             {QStringLiteral("ttl"), QStringLiteral("30m")},
                             {QStringLiteral("explicit_max_ttl"), QJsonValue::Null}});
        QCOMPARE(a.status, 200);
        QVERIFY(a.header("Content-Type").startsWith("application/json"));
        const QJsonObject auth = a.json().value(QStringLiteral("auth")).toObject();
        const QByteArray id = created(a);
        QVERIFY(id.startsWith("gk."));
        QCOMPARE(auth.value(QStringLiteral("lease_duration")).toInt(), 1800);
        QCOMPARE(strings(auth.value(QStringLiteral("policies"))),
                 (QStringList{QStringLiteral("app"), QStringLiteral("default")}));
        QVERIFY(auth.value(QStringLiteral("metadata")).isNull());
        QVERIFY(a.json().value(QStringLiteral("data")).isNull());
        QVERIFY(a.json().contains(QStringLiteral("wrap_info")));

        // lookup-self with the token in each of the accepted headers.
        a = call("GET", "/v1/auth/token/lookup-self", {}, id);
        QCOMPARE(a.status, 200);
        QJsonObject data = a.json().value(QStringLiteral("data")).toObject();
        QCOMPARE(data.value(QStringLiteral("id")).toString(), QString::fromUtf8(id));
        QCOMPARE(data.value(QStringLiteral("creation_ttl")).toInt(), 1800);
        a = m_server->request("GET", "/v1/auth/token/lookup-self", {}, {{"Authorization", "Bearer " + id}});
        QCOMPARE(a.status, 200);
        const QString accessor = data.value(QStringLiteral("accessor")).toString();

        a = call("POST", "/v1/auth/token/lookup", {{QStringLiteral("token"), QString::fromUtf8(id)}});
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("accessor")).toString(),
                 accessor);
        a = call("PUT", "/v1/auth/token/lookup-accessor", {{QStringLiteral("accessor"), accessor}});
        QCOMPARE(a.status, 200);
        QVERIFY(!a.json().value(QStringLiteral("data")).toObject().contains(QStringLiteral("id")));
        QVERIFY(!a.body.contains(id.mid(3)));

        // LIST verb and ?list=true.
        a = call("LIST", "/v1/auth/token/accessors");
        QCOMPARE(a.status, 200);
        QVERIFY(strings(a.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("keys")))
                    .contains(accessor));
        a = call("GET", "/v1/auth/token/accessors?list=true");
        QCOMPARE(a.status, 200);
        a = call("LIST", "/v1/auth/token/accessors", {}, id);
        QCOMPARE(a.status, 403);
        QCOMPARE(a.errors(), QStringList{QStringLiteral("permission denied")});

        // Errors in Vault's shape.
        a = call("POST", "/v1/auth/token/create", {{QStringLiteral("ttl"), QStringLiteral("forever")}});
        QCOMPARE(a.status, 400);
        QVERIFY(!a.errors().isEmpty());
        a = m_server->request("POST", "/v1/auth/token/create", "{not json", {{"X-Vault-Token", m_root}});
        QCOMPARE(a.status, 400);
        QVERIFY(!a.errors().isEmpty());
        a = call("POST", "/v1/auth/token/lookup", {{QStringLiteral("token"), QStringLiteral("gk.unknown")}});
        QCOMPARE(a.status, 403);
        QCOMPARE(a.errors(), QStringList{QStringLiteral("bad token")});

        a = call("POST", "/v1/auth/token/revoke-self", {}, id);
        QCOMPARE(a.status, 204);
        QCOMPARE(call("GET", "/v1/auth/token/lookup-self", {}, id).status, 403);
    }

    void concurrentUsesOverHttp()
    {
        const HttpAnswer a =
            call("POST", "/v1/auth/token/create",
                 {{QStringLiteral("num_uses"), 5}, {QStringLiteral("policies"), QJsonArray{QStringLiteral("app")}}});
        QCOMPARE(a.status, 200);
        const QByteArray id = created(a);
        // 16 connections, 16 requests in flight at once.
        std::vector<std::unique_ptr<RawHttpClient>> clients;
        for (int i = 0; i < 16; ++i) {
            clients.push_back(m_server->connect());
            QVERIFY(clients.back()->isConnected());
        }
        const QByteArray request =
            RawHttpClient::formatRequest("GET", "/v1/auth/token/lookup-self", {}, {{"X-Vault-Token", id}});
        for (const auto &client : clients)
            QVERIFY(client->send(request));
        int ok = 0;
        int denied = 0;
        for (const auto &client : clients) {
            const HttpAnswer answer = client->readAnswer();
            QVERIFY(answer.complete);
            if (answer.status == 200)
                ++ok;
            else if (answer.status == 403)
                ++denied;
        }
        QCOMPARE(ok, 5);
        QCOMPARE(denied, 11);
        QTRY_COMPARE_WITH_TIMEOUT(
            call("POST", "/v1/auth/token/lookup", {{QStringLiteral("token"), QString::fromUtf8(id)}}).status, 403,
            5000);
    }

    void treeRolesAndRestart()
    {
        HttpAnswer a = call("PUT", "/v1/sys/policy/creator",
                            {{QStringLiteral("policy"), QStringLiteral("path \"auth/token/*\" {\n  capabilities = "
                                                                       "[\"create\", \"read\", \"update\"]\n}\n")}});
        QCOMPARE(a.status, 204);
        a = call("POST", "/v1/auth/token/roles/worker",
                 {{QStringLiteral("allowed_policies"), QJsonArray{QStringLiteral("jobs")}},
                  {QStringLiteral("token_ttl"), QStringLiteral("5m")},
                  {QStringLiteral("orphan"), true},
                  {QStringLiteral("token_num_uses"), 2}});
        QCOMPARE(a.status, 204);
        a = call("GET", "/v1/auth/token/roles?list=true");
        QCOMPARE(strings(a.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("keys"))),
                 QStringList{QStringLiteral("worker")});

        const QByteArray parent = created(call("POST", "/v1/auth/token/create",
                                               {{QStringLiteral("policies"), QJsonArray{QStringLiteral("creator")}}}));
        const QByteArray child = created(call("POST", "/v1/auth/token/create", {}, parent));
        a = call("POST", "/v1/auth/token/create/worker", {}, parent);
        QCOMPARE(a.status, 200);
        const QByteArray roleToken = created(a);
        QCOMPARE(a.json().value(QStringLiteral("auth")).toObject().value(QStringLiteral("num_uses")).toInt(), 2);
        QCOMPARE(a.json().value(QStringLiteral("auth")).toObject().value(QStringLiteral("lease_duration")).toInt(),
                 300);
        a = call("POST", "/v1/auth/token/create/worker",
                 {{QStringLiteral("policies"), QJsonArray{QStringLiteral("creator")}}}, parent);
        QCOMPARE(a.status, 400);
        QVERIFY(!child.isEmpty());

        // Everything survives a restart: tokens, the tree, the accessor index, roles.
        QVERIFY(startServer());
        unseal();
        QCOMPARE(call("GET", "/v1/auth/token/lookup-self", {}, child).status, 200);
        QCOMPARE(call("GET", "/v1/auth/token/roles/worker").status, 200);
        a = call("GET", "/v1/auth/token/lookup-self", {}, parent);
        const QString parentAccessor =
            a.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("accessor")).toString();
        QCOMPARE(call("POST", "/v1/auth/token/revoke-accessor", {{QStringLiteral("accessor"), parentAccessor}}).status,
                 204);
        QCOMPARE(call("GET", "/v1/auth/token/lookup-self", {}, child).status, 403);
        QCOMPARE(call("GET", "/v1/auth/token/lookup-self", {}, roleToken).status, 200); // an orphan, by its role
        a = call("POST", "/v1/auth/token/tidy");
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("expired_tokens")).toInt(), 0);
    }

    void storeFilesHoldNoTokenIds()
    {
        m_server.reset();
        m_engine.reset();
        const QStringList files = QDir(m_dir.path()).entryList({QStringLiteral("gk.db*")}, QDir::Files);
        QVERIFY(!files.isEmpty());
        QVERIFY(m_ids.size() >= 6);
        for (const QString &name : files) {
            QFile f(m_dir.filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray bytes = f.readAll();
            for (const QByteArray &id : std::as_const(m_ids)) {
                QVERIFY2(!bytes.contains(id), qPrintable(name));
                QVERIFY2(!bytes.contains(id.mid(3)), qPrintable(name));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestTokenApi)
#include "tst_token_api.moc"
