// Nomad's ACL token API over HTTP: bootstrap once, create, read, update and delete by accessor, self, prefix listing,
// blocking queries with X-Nomad-Index, management-only access, and bad input.

#include "UnsealedServer.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QTest>

using namespace gk;
using gk::test::HttpAnswer;
using gk::test::RawHttpClient;

class TestNomadAclApi final : public QObject
{
    Q_OBJECT

    gk::test::UnsealedServer m_fixture;
    gk::test::TestServer *m_server = nullptr;
    QByteArray m_root;       // from sys/init
    QByteArray m_management; // from acl/bootstrap

    // A request with X-Nomad-Token (none when token is empty).
    HttpAnswer nomad(QByteArrayView method, QByteArrayView target, const QJsonObject &body = {},
                     const QByteArray &token = {})
    {
        RawHttpClient::Headers headers;
        if (!token.isEmpty())
            headers.append({"X-Nomad-Token", token});
        const QByteArray bytes = body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
        return m_server->request(method, target, bytes, headers);
    }

    HttpAnswer manage(QByteArrayView method, QByteArrayView target, const QJsonObject &body = {})
    {
        return nomad(method, target, body, m_management);
    }

    QJsonArray listTokens(const QByteArray &query = {})
    {
        const HttpAnswer a = manage("GET", QByteArray("/v1/acl/tokens") + query);
        return a.status == 200 ? a.jsonDocument().array() : QJsonArray();
    }

    static QStringList accessors(const QJsonArray &stubs)
    {
        QStringList out;
        for (const QJsonValue &s : stubs)
            out.append(s.toObject().value(QStringLiteral("AccessorID")).toString());
        return out;
    }

    QJsonObject createClient(const QString &name, const QStringList &policies)
    {
        const HttpAnswer a = manage("POST", "/v1/acl/token",
                                    {{QStringLiteral("Name"), name},
                                     {QStringLiteral("Type"), QStringLiteral("client")},
                                     {QStringLiteral("Policies"), QJsonArray::fromStringList(policies)}});
        return a.status == 200 ? a.json() : QJsonObject();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_fixture.start());
        m_server = &m_fixture.server();
        m_root = m_fixture.rootToken();
        // Sealed: 503 before anything else.
        QCOMPARE(nomad("POST", "/v1/acl/bootstrap").status, 503);
        QVERIFY(m_fixture.unseal());
    }

    void cleanupTestCase() { m_fixture.stop(); }

    void bootstrapOnce()
    {
        const HttpAnswer a = nomad("POST", "/v1/acl/bootstrap");
        QCOMPARE(a.status, 200);
        const QJsonObject token = a.json();
        m_management = token.value(QStringLiteral("SecretID")).toString().toUtf8();
        QVERIFY(m_management.startsWith("gk."));
        QCOMPARE(token.value(QStringLiteral("Type")).toString(), QStringLiteral("management"));
        QCOMPARE(token.value(QStringLiteral("Name")).toString(), QStringLiteral("Bootstrap Token"));
        QVERIFY(token.value(QStringLiteral("Policies")).isNull());
        QCOMPARE(token.value(QStringLiteral("Global")).toBool(), true);
        QVERIFY(token.value(QStringLiteral("CreateIndex")).toInteger() > 0);
        QCOMPARE(token.value(QStringLiteral("ModifyIndex")).toInteger(),
                 token.value(QStringLiteral("CreateIndex")).toInteger());
        QVERIFY(token.value(QStringLiteral("CreateTime")).toString().endsWith(QLatin1Char('Z')));
        const QString accessor = token.value(QStringLiteral("AccessorID")).toString();
        QCOMPARE(accessor.size(), 36);

        // Only once, whoever asks.
        HttpAnswer again = nomad("POST", "/v1/acl/bootstrap");
        QCOMPARE(again.status, 400);
        QVERIFY(!again.errors().isEmpty());
        QCOMPARE(nomad("POST", "/v1/acl/bootstrap", {}, m_root).status, 400);

        // The same token store: the Vault API sees it as a root token.
        const HttpAnswer lookup = m_server->requestJson("POST", "/v1/auth/token/lookup-accessor",
                                                        {{QStringLiteral("accessor"), accessor}}, m_root);
        QCOMPARE(lookup.status, 200);
        QCOMPARE(lookup.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("policies")).toArray(),
                 QJsonArray{QStringLiteral("root")});
    }

    void concurrentBootstrapGivesOneToken()
    {
        // A fresh server: four clients ask at the same moment; exactly one gets the token.
        gk::test::UnsealedServer fresh;
        QVERIFY(fresh.start());
        QVERIFY(fresh.unseal());
        std::vector<std::unique_ptr<RawHttpClient>> clients;
        for (int i = 0; i < 4; ++i) {
            clients.push_back(fresh.server().connect());
            QVERIFY(clients.back()->isConnected());
        }
        for (const auto &client : clients)
            QVERIFY(client->send(RawHttpClient::formatRequest("POST", "/v1/acl/bootstrap")));
        int granted = 0;
        int refused = 0;
        for (const auto &client : clients) {
            const HttpAnswer a = client->readAnswer(5000);
            QVERIFY(a.complete);
            if (a.status == 200)
                ++granted;
            else if (a.status == 400)
                ++refused;
        }
        QCOMPARE(granted, 1);
        QCOMPARE(refused, 3);
        QCOMPARE(fresh.server().request("POST", "/v1/acl/bootstrap").status, 400);
    }

    void selfForAnyValidToken()
    {
        HttpAnswer a = nomad("GET", "/v1/acl/token/self", {}, m_management);
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json().value(QStringLiteral("SecretID")).toString().toUtf8(), m_management);
        QCOMPARE(a.json().value(QStringLiteral("Type")).toString(), QStringLiteral("management"));
        QVERIFY(a.hasHeader("X-Nomad-Index"));

        const QJsonObject client = createClient(QStringLiteral("reader"), {QStringLiteral("readonly")});
        const QByteArray secret = client.value(QStringLiteral("SecretID")).toString().toUtf8();
        QVERIFY(!secret.isEmpty());
        a = nomad("GET", "/v1/acl/token/self", {}, secret);
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json().value(QStringLiteral("AccessorID")), client.value(QStringLiteral("AccessorID")));
        QCOMPARE(a.json().value(QStringLiteral("Name")).toString(), QStringLiteral("reader"));
        // X-Vault-Token works as well.
        QCOMPARE(m_server->requestJson("GET", "/v1/acl/token/self", {}, secret).status, 200);

        a = nomad("GET", "/v1/acl/token/self", {}, "gk.not-a-token");
        QCOMPARE(a.status, 403);
        QVERIFY(!a.errors().isEmpty());
        QCOMPARE(nomad("GET", "/v1/acl/token/self").status, 403);
    }

    void createAndRead()
    {
        const HttpAnswer a = manage("POST", "/v1/acl/token",
                                    {{QStringLiteral("Name"), QStringLiteral("Readonly token")},
                                     {QStringLiteral("Type"), QStringLiteral("client")},
                                     {QStringLiteral("Policies"), QJsonArray{QStringLiteral("readonly"),
                                                                             QStringLiteral("Ops")}},
                                     {QStringLiteral("Global"), false}});
        QCOMPARE(a.status, 200);
        const QJsonObject created = a.json();
        const QString accessor = created.value(QStringLiteral("AccessorID")).toString();
        QVERIFY(created.value(QStringLiteral("SecretID")).toString().startsWith(QLatin1String("gk.")));
        QCOMPARE(created.value(QStringLiteral("Policies")).toArray(),
                 (QJsonArray{QStringLiteral("ops"), QStringLiteral("readonly")}));
        QCOMPARE(created.value(QStringLiteral("Type")).toString(), QStringLiteral("client"));
        QCOMPARE(created.value(QStringLiteral("Global")).toBool(true), false);

        const HttpAnswer read = manage("GET", QByteArray("/v1/acl/token/") + accessor.toUtf8());
        QCOMPARE(read.status, 200);
        QVERIFY(!read.json().contains(QStringLiteral("SecretID")));
        QVERIFY(!read.body.contains(created.value(QStringLiteral("SecretID")).toString().toUtf8()));
        for (const QString &field : {QStringLiteral("AccessorID"), QStringLiteral("Name"), QStringLiteral("Type"),
                                     QStringLiteral("Policies"), QStringLiteral("Global"), QStringLiteral("CreateTime"),
                                     QStringLiteral("CreateIndex"), QStringLiteral("ModifyIndex")})
            QCOMPARE(read.json().value(field), created.value(field));

        // Also a token of the Vault token store, with exactly those policies.
        const HttpAnswer lookup = m_server->requestJson("POST", "/v1/auth/token/lookup-accessor",
                                                        {{QStringLiteral("accessor"), accessor}}, m_root);
        QCOMPARE(lookup.status, 200);
        QCOMPARE(lookup.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("policies")).toArray(),
                 (QJsonArray{QStringLiteral("ops"), QStringLiteral("readonly")}));
    }

    void badCreateInput_data()
    {
        QTest::addColumn<QJsonObject>("body");
        const QJsonValue client = QStringLiteral("client");
        QTest::newRow("client without policies")
            << QJsonObject{{QStringLiteral("Type"), client}, {QStringLiteral("Name"), QStringLiteral("x")}};
        QTest::newRow("client with empty policies")
            << QJsonObject{{QStringLiteral("Type"), client}, {QStringLiteral("Policies"), QJsonArray()}};
        QTest::newRow("management with policies")
            << QJsonObject{{QStringLiteral("Type"), QStringLiteral("management")},
                           {QStringLiteral("Policies"), QJsonArray{QStringLiteral("a")}}};
        QTest::newRow("no type") << QJsonObject{{QStringLiteral("Policies"), QJsonArray{QStringLiteral("a")}}};
        QTest::newRow("unknown type") << QJsonObject{{QStringLiteral("Type"), QStringLiteral("admin")},
                                                     {QStringLiteral("Policies"), QJsonArray{QStringLiteral("a")}}};
        QTest::newRow("policies not a list")
            << QJsonObject{{QStringLiteral("Type"), client}, {QStringLiteral("Policies"), QStringLiteral("a")}};
        QTest::newRow("policy not a string")
            << QJsonObject{{QStringLiteral("Type"), client}, {QStringLiteral("Policies"), QJsonArray{1}}};
        QTest::newRow("root by name")
            << QJsonObject{{QStringLiteral("Type"), client}, {QStringLiteral("Policies"), QJsonArray{QStringLiteral("root")}}};
        QTest::newRow("name not a string") << QJsonObject{{QStringLiteral("Type"), client},
                                                          {QStringLiteral("Policies"), QJsonArray{QStringLiteral("a")}},
                                                          {QStringLiteral("Name"), 5}};
        QTest::newRow("global not a bool") << QJsonObject{{QStringLiteral("Type"), client},
                                                          {QStringLiteral("Policies"), QJsonArray{QStringLiteral("a")}},
                                                          {QStringLiteral("Global"), QStringLiteral("yes")}};
        QTest::newRow("chosen secret") << QJsonObject{{QStringLiteral("Type"), client},
                                                      {QStringLiteral("Policies"), QJsonArray{QStringLiteral("a")}},
                                                      {QStringLiteral("SecretID"), QStringLiteral("mine")}};
    }

    void badCreateInput()
    {
        QFETCH(QJsonObject, body);
        const int before = listTokens().size();
        const HttpAnswer a = manage("POST", "/v1/acl/token", body);
        QCOMPARE(a.status, 400);
        QVERIFY(!a.errors().isEmpty());
        QCOMPARE(listTokens().size(), before);
    }

    void malformedJson()
    {
        const HttpAnswer a = m_server->request("POST", "/v1/acl/token", "{\"Type\": ", {{"X-Nomad-Token", m_management}});
        QCOMPARE(a.status, 400);
        QVERIFY(!a.errors().isEmpty());
    }

    void listWithPrefix()
    {
        const QJsonObject one = createClient(QStringLiteral("one"), {QStringLiteral("a")});
        const QString accessor = one.value(QStringLiteral("AccessorID")).toString();
        HttpAnswer a = manage("GET", "/v1/acl/tokens");
        QCOMPARE(a.status, 200);
        QVERIFY(a.header("Content-Type").startsWith("application/json"));
        QVERIFY(a.hasHeader("X-Nomad-Index"));
        QVERIFY(a.hasHeader("X-Gatekeeper-Index"));
        const QJsonArray all = a.jsonDocument().array();
        QVERIFY(all.size() >= 3);
        QVERIFY(accessors(all).contains(accessor));
        for (const QJsonValue &stub : all)
            QVERIFY(!stub.toObject().contains(QStringLiteral("SecretID")));
        QVERIFY(!a.body.contains(m_management));
        QStringList sorted = accessors(all);
        sorted.sort();
        QCOMPARE(accessors(all), sorted);

        // Accessors lead with their creation time (version 7 UUIDs): a prefix that reaches into the random part.
        const QByteArray prefix = accessor.left(28).toUtf8();
        const QStringList matching = accessors(listTokens("?prefix=" + prefix));
        QVERIFY(matching.contains(accessor));
        for (const QString &m : matching)
            QVERIFY(m.startsWith(QString::fromUtf8(prefix)));
        QVERIFY(matching.size() < all.size());
        QCOMPARE(accessors(listTokens("?prefix=" + accessor.toUtf8())), QStringList{accessor});

        a = manage("GET", "/v1/acl/tokens?prefix=zz");
        QCOMPARE(a.status, 400);
        QVERIFY(!a.errors().isEmpty());
        a = manage("GET", "/v1/acl/tokens?index=x");
        QCOMPARE(a.status, 400);
        a = manage("GET", "/v1/acl/tokens?index=1&wait=later");
        QCOMPARE(a.status, 400);
    }

    void blockingQueryOnTokens()
    {
        const HttpAnswer first = manage("GET", "/v1/acl/tokens");
        const QByteArray index = first.header("X-Nomad-Index");
        QVERIFY(!index.isEmpty());
        std::unique_ptr<RawHttpClient> waiter = m_server->connect();
        QVERIFY(waiter->send(RawHttpClient::formatRequest("GET", "/v1/acl/tokens?index=" + index + "&wait=20s", {},
                                                          {{"X-Nomad-Token", m_management}})));
        QVERIFY(!waiter->readAnswer(300).complete);
        const QJsonObject made = createClient(QStringLiteral("late"), {QStringLiteral("a")});
        QElapsedTimer timer;
        timer.start();
        const HttpAnswer woken = waiter->readAnswer(5000);
        QVERIFY(woken.complete);
        QVERIFY2(timer.elapsed() < 100, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(woken.status, 200);
        QVERIFY(woken.header("X-Nomad-Index").toULongLong() > index.toULongLong());
        QVERIFY(accessors(woken.jsonDocument().array()).contains(made.value(QStringLiteral("AccessorID")).toString()));

        // Nothing changes: the wait runs out and the index is the same.
        const QByteArray now = manage("GET", "/v1/acl/tokens").header("X-Nomad-Index");
        timer.restart();
        const HttpAnswer idle = manage("GET", "/v1/acl/tokens?index=" + now + "&wait=500ms");
        QCOMPARE(idle.status, 200);
        QVERIFY(timer.elapsed() >= 450);
        QCOMPARE(idle.header("X-Nomad-Index"), now);
    }

    void updateByAccessor()
    {
        const QJsonObject made = createClient(QStringLiteral("before"), {QStringLiteral("a")});
        const QByteArray path = "/v1/acl/token/" + made.value(QStringLiteral("AccessorID")).toString().toUtf8();
        const QByteArray secret = made.value(QStringLiteral("SecretID")).toString().toUtf8();
        HttpAnswer a = manage("POST", path,
                              {{QStringLiteral("AccessorID"), made.value(QStringLiteral("AccessorID"))},
                               {QStringLiteral("Name"), QStringLiteral("after")},
                               {QStringLiteral("Type"), QStringLiteral("client")},
                               {QStringLiteral("Policies"), QJsonArray{QStringLiteral("c"), QStringLiteral("b")}}});
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json().value(QStringLiteral("Name")).toString(), QStringLiteral("after"));
        QCOMPARE(a.json().value(QStringLiteral("Policies")).toArray(),
                 (QJsonArray{QStringLiteral("b"), QStringLiteral("c")}));
        QVERIFY(a.json().value(QStringLiteral("ModifyIndex")).toInteger() >
                made.value(QStringLiteral("ModifyIndex")).toInteger());
        QCOMPARE(a.json().value(QStringLiteral("CreateIndex")), made.value(QStringLiteral("CreateIndex")));
        // The secret is unchanged and now holds the new policies.
        a = nomad("GET", "/v1/acl/token/self", {}, secret);
        QCOMPARE(a.json().value(QStringLiteral("Name")).toString(), QStringLiteral("after"));

        // Management and back.
        a = manage("POST", path, {{QStringLiteral("Type"), QStringLiteral("management")}, {QStringLiteral("Policies"), QJsonValue::Null}});
        QCOMPARE(a.status, 200);
        QVERIFY(a.json().value(QStringLiteral("Policies")).isNull());
        QCOMPARE(a.json().value(QStringLiteral("Type")).toString(), QStringLiteral("management"));
        a = manage("POST", path, {{QStringLiteral("Type"), QStringLiteral("client")}});
        QCOMPARE(a.status, 400); // a client token without policies

        // Bad input changes nothing.
        QCOMPARE(manage("POST", path, {{QStringLiteral("AccessorID"), QStringLiteral("other")}}).status, 400);
        QCOMPARE(manage("POST", path, {{QStringLiteral("Global"), true}}).status, 400);
        QCOMPARE(manage("POST", path, {{QStringLiteral("Type"), QStringLiteral("root")}}).status, 400);
        a = manage("GET", path);
        QCOMPARE(a.json().value(QStringLiteral("Type")).toString(), QStringLiteral("management"));
        QCOMPARE(a.json().value(QStringLiteral("Name")).toString(), QStringLiteral("after"));

        a = manage("POST", "/v1/acl/token/00000000-0000-0000-0000-000000000000",
                   {{QStringLiteral("Type"), QStringLiteral("management")}});
        QCOMPARE(a.status, 404);
        QVERIFY(!a.errors().isEmpty());
    }

    void deleteByAccessor()
    {
        const QJsonObject made = createClient(QStringLiteral("gone"), {QStringLiteral("a")});
        const QString accessor = made.value(QStringLiteral("AccessorID")).toString();
        const QByteArray path = "/v1/acl/token/" + accessor.toUtf8();
        const QByteArray secret = made.value(QStringLiteral("SecretID")).toString().toUtf8();
        QCOMPARE(nomad("GET", "/v1/acl/token/self", {}, secret).status, 200);
        QCOMPARE(manage("DELETE", path).status, 204);
        HttpAnswer a = manage("GET", path);
        QCOMPARE(a.status, 404);
        QVERIFY(!a.errors().isEmpty());
        QCOMPARE(nomad("GET", "/v1/acl/token/self", {}, secret).status, 403);
        QVERIFY(!accessors(listTokens()).contains(accessor));
        QCOMPARE(manage("DELETE", path).status, 404);
        QCOMPARE(manage("GET", "/v1/acl/token/not-an-accessor").status, 404);
    }

    void managementOnly()
    {
        const QJsonObject client = createClient(QStringLiteral("plain"), {QStringLiteral("default")});
        const QByteArray secret = client.value(QStringLiteral("SecretID")).toString().toUtf8();
        const QByteArray path = "/v1/acl/token/" + client.value(QStringLiteral("AccessorID")).toString().toUtf8();
        for (const auto &[method, target] : QList<QPair<QByteArray, QByteArray>>{
                 {"GET", "/v1/acl/tokens"}, {"POST", "/v1/acl/token"}, {"GET", path}, {"POST", path}, {"DELETE", path}}) {
            const HttpAnswer a = nomad(method, target,
                                       {{QStringLiteral("Type"), QStringLiteral("management")}}, secret);
            QVERIFY2(a.status == 403, method + " " + target);
            QVERIFY(!a.errors().isEmpty());
            QCOMPARE(nomad(method, target, {{QStringLiteral("Type"), QStringLiteral("management")}}).status, 403);
        }
        QCOMPARE(nomad("GET", "/v1/acl/token/self", {}, secret).status, 200);
        // The token from sys/init is a management token too.
        QCOMPARE(nomad("GET", "/v1/acl/tokens", {}, m_root).status, 200);
    }

    void changesAreEvents()
    {
        const QByteArray index = manage("GET", "/v1/acl/tokens").header("X-Gatekeeper-Index");
        const QJsonObject made = createClient(QStringLiteral("evented"), {QStringLiteral("a")});
        const HttpAnswer a = nomad("GET", "/v1/sys/events?index=" + index, {}, m_root);
        QCOMPARE(a.status, 200);
        const QJsonArray events = a.json().value(QStringLiteral("events")).toArray();
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.first().toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("acl"));
        QCOMPARE(events.first().toObject().value(QStringLiteral("path")).toString(), QStringLiteral("/v1/acl/token"));
        QVERIFY(!a.body.contains(made.value(QStringLiteral("SecretID")).toString().toUtf8()));
    }
};

QTEST_GUILESS_MAIN(TestNomadAclApi)
#include "tst_nomad_acl_api.moc"
