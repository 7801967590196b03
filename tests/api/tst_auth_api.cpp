// Mount tables, userpass, approle, identity and kv over HTTP: the real Engine on SQLite behind the real HttpServer on
// 127.0.0.1:0, across a restart on the same file.

#include "TestServer.h"

#include "engine/Engine.h"
#include "engine/storage/Storage.h"
#include "engine/storage/StorageFactory.h"

#include <QDir>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <vector>

using namespace gk;
using gk::test::HttpAnswer;
using gk::test::TestServer;

class TestAuthApi final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<TestServer> m_server;
    QJsonArray m_keys;
    QByteArray m_root;

    bool startServer()
    {
        m_server.reset();
        m_engine.reset();
        auto storage = openStorage(QStringLiteral("sqlite:") + m_dir.filePath(QStringLiteral("gk.db")));
        if (!storage)
            return false;
        EngineOptions options;
        options.passwordHashLogN = 10;
        m_engine = std::make_unique<Engine>(storage.takeValue(), options);
        auto started = m_engine->start();
        started.waitForFinished();
        if (!started.result())
            return false;
        m_server = std::make_unique<TestServer>(m_engine.get());
        return m_server->start();
    }

    bool unseal()
    {
        HttpAnswer a;
        for (const QJsonValue &k : std::as_const(m_keys))
            a = call("PUT", "/v1/sys/unseal", {{QStringLiteral("key"), k}});
        return a.status == 200 && !a.json().value(QStringLiteral("sealed")).toBool(true);
    }

    HttpAnswer call(QByteArrayView method, QByteArrayView target, const QJsonObject &body = {},
                    const QByteArray &token = {})
    {
        return m_server->requestJson(method, target, body, token);
    }
    HttpAnswer root(QByteArrayView method, QByteArrayView target, const QJsonObject &body = {})
    {
        return call(method, target, body, m_root);
    }
    static QJsonObject data(const HttpAnswer &a) { return a.json().value(QStringLiteral("data")).toObject(); }
    static QJsonObject auth(const HttpAnswer &a) { return a.json().value(QStringLiteral("auth")).toObject(); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(startServer());
        const HttpAnswer a = call("PUT", "/v1/sys/init",
                                  {{QStringLiteral("secret_shares"), 1}, {QStringLiteral("secret_threshold"), 1}});
        QCOMPARE(a.status, 200);
        m_keys = a.json().value(QStringLiteral("keys")).toArray();
        m_root = a.json().value(QStringLiteral("root_token")).toString().toUtf8();
        QVERIFY(unseal());
    }

    void cleanupTestCase()
    {
        m_server.reset();
        m_engine.reset();
    }

    void mountsLoginsAndKvAcrossRestart()
    {
        const QString password = QStringLiteral("alice-Pa55word-over-http");
        const QString kvPlain = QStringLiteral("kv-plaintext-value-0123456789");

        // Mount the auth methods.
        QCOMPARE(root("POST", "/v1/sys/auth/userpass", {{QStringLiteral("type"), QStringLiteral("userpass")}}).status,
                 204);
        QCOMPARE(root("POST", "/v1/sys/auth/approle",
                      {{QStringLiteral("type"), QStringLiteral("approle")},
                       {QStringLiteral("description"), QStringLiteral("machines")}})
                     .status,
                 204);
        HttpAnswer a = root("GET", "/v1/sys/auth");
        QCOMPARE(a.status, 200);
        QVERIFY(a.header("Content-Type").startsWith("application/json"));
        const QJsonObject mounts = data(a);
        QCOMPARE(mounts.keys(),
                 (QStringList{QStringLiteral("approle/"), QStringLiteral("token/"), QStringLiteral("userpass/")}));
        QCOMPARE(a.json().value(QStringLiteral("approle/")).toObject().value(QStringLiteral("description")).toString(),
                 QStringLiteral("machines"));
        const QString userpassAccessor =
            mounts.value(QStringLiteral("userpass/")).toObject().value(QStringLiteral("accessor")).toString();
        QVERIFY(!userpassAccessor.isEmpty());
        a = root("GET", "/v1/sys/mounts");
        QVERIFY(data(a).contains(QStringLiteral("secret/")));

        // A policy for the users' tokens (enforced by the pipeline).
        QCOMPARE(root("PUT", "/v1/sys/policy/reader",
                      {{QStringLiteral("policy"),
                        QStringLiteral("path \"secret/*\" { capabilities = [\"read\", \"list\"] }")}})
                     .status,
                 204);

        // userpass.
        QCOMPARE(root("POST", "/v1/auth/userpass/users/alice",
                      {{QStringLiteral("password"), password},
                       {QStringLiteral("token_policies"), QJsonArray{QStringLiteral("reader")}}})
                     .status,
                 204);
        a = root("LIST", "/v1/auth/userpass/users");
        QCOMPARE(data(a).value(QStringLiteral("keys")).toArray(), (QJsonArray{QStringLiteral("alice")}));
        a = root("GET", "/v1/auth/userpass/users?list=true");
        QCOMPARE(data(a).value(QStringLiteral("keys")).toArray(), (QJsonArray{QStringLiteral("alice")}));
        a = root("GET", "/v1/auth/userpass/users/alice");
        QCOMPARE(a.status, 200);
        QVERIFY(!a.body.contains("password"));

        a = call("POST", "/v1/auth/userpass/login/alice", {{QStringLiteral("password"), password}});
        QCOMPARE(a.status, 200);
        const QByteArray aliceToken = auth(a).value(QStringLiteral("client_token")).toString().toUtf8();
        const QString entityId = auth(a).value(QStringLiteral("entity_id")).toString();
        QVERIFY(!aliceToken.isEmpty() && !entityId.isEmpty());
        QCOMPARE(auth(a).value(QStringLiteral("policies")).toArray(),
                 (QJsonArray{QStringLiteral("default"), QStringLiteral("reader")}));
        a = call("POST", "/v1/auth/userpass/login/alice", {{QStringLiteral("password"), QStringLiteral("nope")}});
        QCOMPARE(a.status, 400);
        QCOMPARE(a.errors(), QStringList{QStringLiteral("invalid username or password")});

        // kv, written by root and read with alice's token.
        QCOMPARE(root("PUT", "/v1/secret/app/config", {{QStringLiteral("value"), kvPlain}}).status, 204);
        a = call("GET", "/v1/secret/app/config", {}, aliceToken);
        QCOMPARE(a.status, 200);
        QCOMPARE(data(a).value(QStringLiteral("value")).toString(), kvPlain);
        QCOMPARE(a.json().value(QStringLiteral("lease_duration")).toInt(), 2764800);
        a = call("LIST", "/v1/secret/app", {}, aliceToken);
        QCOMPARE(data(a).value(QStringLiteral("keys")).toArray(), (QJsonArray{QStringLiteral("config")}));
        QCOMPARE(call("PUT", "/v1/secret/app/config", {{QStringLiteral("x"), 1}}, aliceToken).status, 403);
        QCOMPARE(call("GET", "/v1/sys/auth", {}, aliceToken).status, 403);
        QCOMPARE(root("LIST", "/v1/secret/empty").status, 404);

        // approle.
        QCOMPARE(
            root("POST", "/v1/auth/approle/role/ci", {{QStringLiteral("token_policies"), QStringLiteral("reader")}})
                .status,
            204);
        const QString roleId =
            data(root("GET", "/v1/auth/approle/role/ci/role-id")).value(QStringLiteral("role_id")).toString();
        a = root("POST", "/v1/auth/approle/role/ci/secret-id");
        QCOMPARE(a.status, 200);
        const QString secretId = data(a).value(QStringLiteral("secret_id")).toString();
        a = call("POST", "/v1/auth/approle/login",
                 {{QStringLiteral("role_id"), roleId}, {QStringLiteral("secret_id"), secretId}});
        QCOMPARE(a.status, 200);
        const QString ciEntity = auth(a).value(QStringLiteral("entity_id")).toString();
        QVERIFY(!ciEntity.isEmpty() && ciEntity != entityId);
        QCOMPARE(auth(a).value(QStringLiteral("metadata")).toObject().value(QStringLiteral("role_name")).toString(),
                 QStringLiteral("ci"));

        // Identity.
        a = root("GET", QByteArray("/v1/identity/entity/id/") + entityId.toUtf8());
        QCOMPARE(a.status, 200);
        QCOMPARE(data(a)
                     .value(QStringLiteral("aliases"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QStringLiteral("mount_accessor"))
                     .toString(),
                 userpassAccessor);
        a = root("LIST", "/v1/identity/entity/id");
        QCOMPARE(data(a).value(QStringLiteral("keys")).toArray().size(), 2);

        // Restart on the same file: the mounts, users, roles, secrets and entities are all back after unseal.
        QVERIFY(startServer());
        QCOMPARE(call("POST", "/v1/auth/userpass/login/alice", {{QStringLiteral("password"), password}}).status, 503);
        QVERIFY(unseal());
        a = root("GET", "/v1/sys/auth");
        QCOMPARE(data(a), mounts);
        a = call("POST", "/v1/auth/userpass/login/alice", {{QStringLiteral("password"), password}});
        QCOMPARE(a.status, 200);
        QCOMPARE(auth(a).value(QStringLiteral("entity_id")).toString(), entityId);
        QCOMPARE(call("GET", "/v1/secret/app/config", {}, aliceToken).status, 200);
        a = call("POST", "/v1/auth/approle/login",
                 {{QStringLiteral("role_id"), roleId}, {QStringLiteral("secret_id"), secretId}});
        QCOMPARE(a.status, 200);
        QCOMPARE(auth(a).value(QStringLiteral("entity_id")).toString(), ciEntity);

        // Disabling approle over HTTP deletes its data; the store's files hold none of the secrets.
        QCOMPARE(root("DELETE", "/v1/sys/auth/approle").status, 204);
        QCOMPARE(call("POST", "/v1/auth/approle/login",
                      {{QStringLiteral("role_id"), roleId}, {QStringLiteral("secret_id"), secretId}})
                     .status,
                 404);
        m_server.reset();
        m_engine.reset();
        const QList<QByteArray> secrets{password.toUtf8(), kvPlain.toUtf8(), secretId.toUtf8(), aliceToken,
                                        aliceToken.mid(3)};
        const QStringList files = QDir(m_dir.path()).entryList({QStringLiteral("gk.db*")}, QDir::Files);
        QVERIFY(!files.isEmpty());
        for (const QString &name : files) {
            QFile f(m_dir.filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray bytes = f.readAll();
            for (const QByteArray &s : secrets)
                QVERIFY2(!bytes.contains(s), qPrintable(name + QStringLiteral(": ") + QString::fromUtf8(s)));
        }
        QVERIFY(startServer());
        QVERIFY(unseal());
    }

    void enablingAuthMethodsNeedsSudo()
    {
        // As in Vault, sys/auth/* is a root path: a policy without sudo cannot mount or unmount auth methods.
        QCOMPARE(root("POST", "/v1/sys/auth/people", {{QStringLiteral("type"), QStringLiteral("userpass")}}).status,
                 204);
        QCOMPARE(root("PUT", "/v1/sys/policy/mounter",
                      {{QStringLiteral("policy"),
                        QStringLiteral("path \"sys/auth/*\" { capabilities = [\"create\", \"update\", \"delete\"] }\n"
                                       "path \"sys/auth\" { capabilities = [\"read\"] }")}})
                     .status,
                 204);
        QCOMPARE(root("PUT", "/v1/sys/policy/mounter-sudo",
                      {{QStringLiteral("policy"),
                        QStringLiteral("path \"sys/auth/*\" { capabilities = [\"update\", \"delete\", \"sudo\"] }")}})
                     .status,
                 204);
        const auto tokenFor = [&](const QString &user, const QString &policy) {
            root("POST", QByteArray("/v1/auth/people/users/") + user.toUtf8(),
                 {{QStringLiteral("password"), QStringLiteral("pw")}, {QStringLiteral("token_policies"), policy}});
            const HttpAnswer a = call("POST", QByteArray("/v1/auth/people/login/") + user.toUtf8(),
                                      {{QStringLiteral("password"), QStringLiteral("pw")}});
            return auth(a).value(QStringLiteral("client_token")).toString().toUtf8();
        };
        const QByteArray plain = tokenFor(QStringLiteral("plain"), QStringLiteral("mounter"));
        const QByteArray sudo = tokenFor(QStringLiteral("sudo"), QStringLiteral("mounter-sudo"));
        QVERIFY(!plain.isEmpty() && !sudo.isEmpty());
        QCOMPARE(call("GET", "/v1/sys/auth", {}, plain).status, 200);
        QCOMPARE(
            call("POST", "/v1/sys/auth/extra", {{QStringLiteral("type"), QStringLiteral("approle")}}, plain).status,
            403);
        QCOMPARE(call("POST", "/v1/sys/auth/extra", {{QStringLiteral("type"), QStringLiteral("approle")}}, sudo).status,
                 204);
        QCOMPARE(call("DELETE", "/v1/sys/auth/extra", {}, plain).status, 403);
        QCOMPARE(call("DELETE", "/v1/sys/auth/extra", {}, sudo).status, 204);
        QCOMPARE(root("DELETE", "/v1/sys/auth/people").status, 204);
    }

    void badInputOverHttp()
    {
        HttpAnswer a = root("POST", "/v1/sys/auth/x", {{QStringLiteral("type"), QStringLiteral("nope")}});
        QCOMPARE(a.status, 400);
        QVERIFY(!a.errors().isEmpty());
        a = root("DELETE", "/v1/sys/auth/token");
        QCOMPARE(a.status, 400);
        QVERIFY(!a.errors().isEmpty());
        a = root("POST", "/v1/sys/auth/userpass", {{QStringLiteral("type"), QStringLiteral("userpass")}});
        QCOMPARE(a.status, 400); // still mounted from the test before
        a = m_server->request("POST", "/v1/auth/userpass/login/alice", "{not json");
        QCOMPARE(a.status, 400);
        a = call("POST", "/v1/auth/userpass/login/alice");
        QCOMPARE(a.status, 400);
        a = root("DELETE", "/v1/sys/auth/userpass");
        QCOMPARE(a.status, 204);
        a = call("POST", "/v1/auth/userpass/login/alice", {{QStringLiteral("password"), QStringLiteral("x")}});
        QCOMPARE(a.status, 404);
        QVERIFY(!a.errors().isEmpty());
    }

    // 64 wrong passwords for one name at once: exactly the threshold (5) of them are checked, the rest are 429,
    // and then the right password is locked out too.
    void lockoutCountsExactlyUnderConcurrency()
    {
        QCOMPARE(root("POST", "/v1/sys/auth/crowd", {{QStringLiteral("type"), QStringLiteral("userpass")}}).status, 204);
        QCOMPARE(root("POST", "/v1/auth/crowd/users/mallory", {{QStringLiteral("password"), QStringLiteral("right")}})
                     .status,
                 204);
        const QByteArray request = gk::test::RawHttpClient::formatRequest("POST", "/v1/auth/crowd/login/mallory",
                                                                          "{\"password\": \"wrong\"}");
        std::vector<std::unique_ptr<gk::test::RawHttpClient>> clients;
        for (int i = 0; i < 64; ++i) {
            clients.push_back(m_server->connect());
            QVERIFY(clients.back()->isConnected());
        }
        for (const auto &client : clients)
            QVERIFY(client->send(request));
        int checked = 0;
        int locked = 0;
        for (const auto &client : clients) {
            const HttpAnswer answer = client->readAnswer(20000);
            QVERIFY(answer.complete);
            QVERIFY(!answer.errors().isEmpty());
            if (answer.status == 400)
                ++checked;
            else if (answer.status == 429)
                ++locked;
        }
        QCOMPARE(checked, 5);
        QCOMPARE(locked, 59);
        QCOMPARE(call("POST", "/v1/auth/crowd/login/mallory", {{QStringLiteral("password"), QStringLiteral("right")}})
                     .status,
                 429);
        QCOMPARE(root("DELETE", "/v1/sys/auth/crowd").status, 204);
    }
};

QTEST_GUILESS_MAIN(TestAuthApi)
#include "tst_auth_api.moc"
