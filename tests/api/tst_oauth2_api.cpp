// Kontena's OAuth2 endpoints over HTTP (the real Engine, in memory, behind the real HttpServer on 127.0.0.1:0):
// password and refresh grants as forms and JSON, the caller's token list, reading and revoking, bad input,
// concurrent refreshes of one refresh token.

#include "TestServer.h"

#include "engine/Engine.h"
#include "engine/storage/Storage.h"
#include "engine/storage/StorageFactory.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QUrlQuery>

#include <vector>

using namespace gk;
using gk::test::HttpAnswer;
using gk::test::RawHttpClient;
using gk::test::TestServer;

class TestOAuth2Api final : public QObject
{
    Q_OBJECT

    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<TestServer> m_server;
    QByteArray m_root;

    HttpAnswer call(QByteArrayView method, QByteArrayView target, const QJsonObject &body = {},
                    const QByteArray &token = {})
    {
        return m_server->requestJson(method, target, body, token);
    }
    HttpAnswer root(QByteArrayView method, QByteArrayView target, const QJsonObject &body = {})
    {
        return call(method, target, body, m_root);
    }
    HttpAnswer form(const QList<QPair<QString, QString>> &fields)
    {
        QUrlQuery q;
        q.setQueryItems(fields);
        return m_server->request("POST", "/oauth2/token", q.toString(QUrl::FullyEncoded).toUtf8(),
                                 {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}});
    }
    HttpAnswer passwordLogin(const QString &user, const QString &password)
    {
        return call("POST", "/oauth2/token",
                    {{QStringLiteral("grant_type"), QStringLiteral("password")},
                     {QStringLiteral("username"), user},
                     {QStringLiteral("password"), password}});
    }
    HttpAnswer refresh(const QString &refreshToken)
    {
        return call("POST", "/oauth2/token",
                    {{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                     {QStringLiteral("refresh_token"), refreshToken}});
    }
    static QString field(const HttpAnswer &a, const char *name)
    {
        return a.json().value(QLatin1String(name)).toString();
    }
    static QByteArray bearer(const HttpAnswer &a) { return field(a, "access_token").toUtf8(); }
    HttpAnswer tokens(const QByteArray &token) { return call("GET", "/oauth2/tokens", {}, token); }
    static QStringList ids(const HttpAnswer &list)
    {
        QStringList out;
        for (const QJsonValue &t : list.json().value(QStringLiteral("access_tokens")).toArray())
            out.append(t.toObject().value(QStringLiteral("id")).toString());
        out.sort();
        return out;
    }
    // An answer is a 4xx with Gatekeeper's errors list and the OAuth2 error code.
    static bool refused(const HttpAnswer &a, int status, const QString &code = {})
    {
        const QJsonArray errors = a.json().value(QStringLiteral("errors")).toArray();
        if (a.status != status || errors.isEmpty())
            return false;
        return code.isEmpty() || a.json().value(QStringLiteral("error")).toString() == code;
    }
    void createUser(const QString &name, const QString &password)
    {
        QCOMPARE(root("POST", QStringLiteral("/v1/auth/userpass/users/%1").arg(name).toUtf8(),
                      {{QStringLiteral("password"), password}, {QStringLiteral("token_policies"), QStringLiteral("ops")},
                       {QStringLiteral("token_ttl"), QStringLiteral("1h")}})
                     .status,
                 204);
    }

private slots:
    void initTestCase()
    {
        auto storage = openStorage(QStringLiteral("inmem:"));
        QVERIFY(storage);
        EngineOptions options;
        options.passwordHashLogN = 10;
        m_engine = std::make_unique<Engine>(storage.takeValue(), options);
        auto started = m_engine->start();
        started.waitForFinished();
        QVERIFY(started.result());
        auto dev = m_engine->initDev();
        dev.waitForFinished();
        QVERIFY(dev.result());
        m_root = dev.result().value().rootToken.toUtf8();
        m_server = std::make_unique<TestServer>(m_engine.get());
        QVERIFY(m_server->start());
        QCOMPARE(root("POST", "/v1/sys/auth/userpass", {{QStringLiteral("type"), QStringLiteral("userpass")}}).status,
                 204);
        createUser(QStringLiteral("alice"), QStringLiteral("alice-secret-pw"));
        createUser(QStringLiteral("bob"), QStringLiteral("bob-secret-pw"));
    }

    void cleanupTestCase()
    {
        m_server.reset();
        m_engine.reset();
    }

    void passwordGrantAsFormAndJson()
    {
        HttpAnswer a = form({{QStringLiteral("grant_type"), QStringLiteral("password")},
                             {QStringLiteral("username"), QStringLiteral("alice")},
                             {QStringLiteral("password"), QStringLiteral("alice-secret-pw")}});
        QCOMPARE(a.status, 200);
        QCOMPARE(field(a, "token_type"), QStringLiteral("bearer"));
        QVERIFY(field(a, "access_token").startsWith(QLatin1String("gk.")));
        QVERIFY(field(a, "refresh_token").startsWith(QLatin1String("gkr.")));
        QVERIFY(field(a, "refresh_token") != field(a, "access_token"));
        QCOMPARE(a.json().value(QStringLiteral("expires_in")).toInteger(), 3600);
        QCOMPARE(a.json().value(QStringLiteral("user")).toObject().value(QStringLiteral("name")).toString(),
                 QStringLiteral("alice"));

        // The access token is a token of the store: it works as a bearer token on /v1.
        HttpAnswer self = m_server->request("GET", "/v1/auth/token/lookup-self", {},
                                            {{"Authorization", "Bearer " + bearer(a)}});
        QCOMPARE(self.status, 200);
        const QJsonObject data = self.json().value(QStringLiteral("data")).toObject();
        QCOMPARE(data.value(QStringLiteral("meta")).toObject().value(QStringLiteral("username")).toString(),
                 QStringLiteral("alice"));
        QVERIFY(data.value(QStringLiteral("policies")).toArray().contains(QStringLiteral("ops")));

        a = passwordLogin(QStringLiteral("alice"), QStringLiteral("alice-secret-pw"));
        QCOMPARE(a.status, 200);
        QCOMPARE(call("GET", "/v1/auth/token/lookup-self", {}, bearer(a)).status, 200);
    }

    void badInput()
    {
        const QString pw = QStringLiteral("alice-secret-pw");
        QVERIFY(refused(call("POST", "/oauth2/token", {}), 400, QStringLiteral("invalid_request")));
        QVERIFY(refused(call("POST", "/oauth2/token", {{QStringLiteral("grant_type"), 7}}), 400,
                        QStringLiteral("invalid_request")));
        QVERIFY(refused(call("POST", "/oauth2/token", {{QStringLiteral("grant_type"), QStringLiteral("client_credentials")}}),
                        400, QStringLiteral("unsupported_grant_type")));
        QVERIFY(refused(passwordLogin(QStringLiteral("alice"), QStringLiteral("wrong")), 400,
                        QStringLiteral("invalid_grant")));
        QVERIFY(refused(passwordLogin(QStringLiteral("nobody"), pw), 400, QStringLiteral("invalid_grant")));
        QVERIFY(refused(passwordLogin(QString(), pw), 400, QStringLiteral("invalid_request")));
        QVERIFY(refused(passwordLogin(QStringLiteral("a/b"), pw), 400, QStringLiteral("invalid_request")));
        QVERIFY(refused(passwordLogin(QString(200, QLatin1Char('a')), pw), 400, QStringLiteral("invalid_request")));
        QVERIFY(refused(passwordLogin(QStringLiteral("alice"), QString()), 400, QStringLiteral("invalid_request")));
        QVERIFY(refused(call("POST", "/oauth2/token",
                             {{QStringLiteral("grant_type"), QStringLiteral("password")},
                              {QStringLiteral("username"), QStringLiteral("alice")},
                              {QStringLiteral("password"), 12345}}),
                        400, QStringLiteral("invalid_request")));
        QVERIFY(refused(call("POST", "/oauth2/token",
                             {{QStringLiteral("grant_type"), QStringLiteral("password")},
                              {QStringLiteral("username"), QStringLiteral("alice")},
                              {QStringLiteral("password"), pw},
                              {QStringLiteral("mount"), QStringLiteral("nothing-here")}}),
                        400, QStringLiteral("invalid_request")));
        QVERIFY(refused(call("POST", "/oauth2/token",
                             {{QStringLiteral("grant_type"), QStringLiteral("password")},
                              {QStringLiteral("username"), QStringLiteral("alice")},
                              {QStringLiteral("password"), pw},
                              {QStringLiteral("mount"), QStringLiteral("token")}}),
                        400, QStringLiteral("invalid_request")));
        QVERIFY(refused(refresh(QString()), 400, QStringLiteral("invalid_request")));
        QVERIFY(refused(refresh(QStringLiteral("gkr.not-a-real-refresh-token")), 400, QStringLiteral("invalid_grant")));
        // A body that is neither a form nor JSON.
        QCOMPARE(m_server->request("POST", "/oauth2/token", "grant_type=password").status, 400);
        // Unknown routes and methods.
        QVERIFY(refused(tokens({}), 403));
        QVERIFY(refused(call("GET", "/oauth2/tokens/not-an-id", {}, m_root), 404));
        QVERIFY(refused(call("GET", "/oauth2/token", {}, m_root), 405));
        QVERIFY(refused(call("PUT", "/oauth2/tokens", {}, m_root), 405));
        QVERIFY(refused(call("GET", "/oauth2/tokens/00000000000000000000000000000000", {}, m_root), 404));
    }

    void refreshRotatesBothTokens()
    {
        const HttpAnswer first = passwordLogin(QStringLiteral("bob"), QStringLiteral("bob-secret-pw"));
        QCOMPARE(first.status, 200);
        const HttpAnswer second = refresh(field(first, "refresh_token"));
        QCOMPARE(second.status, 200);
        QCOMPARE(field(second, "id"), field(first, "id"));
        QVERIFY(bearer(second) != bearer(first));
        QVERIFY(field(second, "refresh_token") != field(first, "refresh_token"));
        // The old access token is revoked, the new one works, the old refresh token is spent.
        QCOMPARE(call("GET", "/v1/auth/token/lookup-self", {}, bearer(first)).status, 403);
        QCOMPARE(call("GET", "/v1/auth/token/lookup-self", {}, bearer(second)).status, 200);
        QVERIFY(refused(refresh(field(first, "refresh_token")), 400, QStringLiteral("invalid_grant")));
        // The refresh token from the refresh works once too; as a form.
        const HttpAnswer third = form({{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                                       {QStringLiteral("refresh_token"), field(second, "refresh_token")}});
        QCOMPARE(third.status, 200);
        QCOMPARE(call("GET", "/v1/auth/token/lookup-self", {}, bearer(third)).status, 200);

        // The listing shows the current pair's last four characters.
        const HttpAnswer list = tokens(bearer(third));
        QCOMPARE(list.status, 200);
        bool seen = false;
        for (const QJsonValue &v : list.json().value(QStringLiteral("access_tokens")).toArray()) {
            const QJsonObject t = v.toObject();
            if (t.value(QStringLiteral("id")).toString() != field(third, "id"))
                continue;
            seen = true;
            QCOMPARE(t.value(QStringLiteral("access_token_last_four")).toString(), field(third, "access_token").right(4));
            QCOMPARE(t.value(QStringLiteral("refresh_token_last_four")).toString(),
                     field(third, "refresh_token").right(4));
            QCOMPARE(t.value(QStringLiteral("token_type")).toString(), QStringLiteral("bearer"));
            QVERIFY(t.value(QStringLiteral("expires_in")).toInteger() > 3500);
            QVERIFY(!t.contains(QStringLiteral("access_token")));
            QVERIFY(!t.contains(QStringLiteral("refresh_token")));
        }
        QVERIFY(seen);
    }

    void listReadAndDeleteAreTheCallersOwn()
    {
        const HttpAnswer a1 = passwordLogin(QStringLiteral("alice"), QStringLiteral("alice-secret-pw"));
        const HttpAnswer a2 = passwordLogin(QStringLiteral("alice"), QStringLiteral("alice-secret-pw"));
        const HttpAnswer b1 = passwordLogin(QStringLiteral("bob"), QStringLiteral("bob-secret-pw"));
        QCOMPARE(a1.status, 200);
        QCOMPARE(a2.status, 200);
        QCOMPARE(b1.status, 200);

        const QStringList alices = ids(tokens(bearer(a1)));
        QVERIFY(alices.contains(field(a1, "id")));
        QVERIFY(alices.contains(field(a2, "id")));
        QVERIFY(!alices.contains(field(b1, "id")));
        QCOMPARE(ids(tokens(bearer(a2))), alices);
        QVERIFY(ids(tokens(bearer(b1))).contains(field(b1, "id")));
        QVERIFY(!ids(tokens(bearer(b1))).contains(field(a1, "id")));
        // A token that no login made owns none.
        const HttpAnswer rootList = tokens(m_root);
        QCOMPARE(rootList.status, 200);
        QVERIFY(ids(rootList).isEmpty());

        const QByteArray a2Path = "/oauth2/tokens/" + field(a2, "id").toUtf8();
        HttpAnswer one = call("GET", a2Path, {}, bearer(a1));
        QCOMPARE(one.status, 200);
        QCOMPARE(one.json().value(QStringLiteral("access_token_last_four")).toString(), bearer(a2).right(4));
        // Another user's token is not found, and stays.
        QVERIFY(refused(call("GET", a2Path, {}, bearer(b1)), 404));
        QVERIFY(refused(call("DELETE", a2Path, {}, bearer(b1)), 404));
        QCOMPARE(call("GET", "/v1/auth/token/lookup-self", {}, bearer(a2)).status, 200);

        // Deleting revokes the access token and the refresh token.
        QCOMPARE(call("DELETE", a2Path, {}, bearer(a1)).status, 204);
        QCOMPARE(call("GET", "/v1/auth/token/lookup-self", {}, bearer(a2)).status, 403);
        QVERIFY(refused(refresh(field(a2, "refresh_token")), 400, QStringLiteral("invalid_grant")));
        QVERIFY(refused(call("GET", a2Path, {}, bearer(a1)), 404));
        QVERIFY(!ids(tokens(bearer(a1))).contains(field(a2, "id")));
        QCOMPARE(call("GET", "/v1/auth/token/lookup-self", {}, bearer(a1)).status, 200);
    }

    void concurrentRefreshesOfOneTokenYieldOnePair()
    {
        const HttpAnswer login = passwordLogin(QStringLiteral("alice"), QStringLiteral("alice-secret-pw"));
        QCOMPARE(login.status, 200);
        const QJsonObject body{{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                               {QStringLiteral("refresh_token"), field(login, "refresh_token")}};
        const QByteArray json = QJsonDocument(body).toJson(QJsonDocument::Compact);
        const QByteArray request = RawHttpClient::formatRequest("POST", "/oauth2/token", json);
        std::vector<std::unique_ptr<RawHttpClient>> clients;
        for (int i = 0; i < 16; ++i) {
            clients.push_back(m_server->connect());
            QVERIFY(clients.back()->isConnected());
        }
        for (const auto &client : clients)
            QVERIFY(client->send(request));
        int ok = 0;
        int invalid = 0;
        QByteArray winner;
        for (const auto &client : clients) {
            const HttpAnswer answer = client->readAnswer(10000);
            QVERIFY(answer.complete);
            if (answer.status == 200) {
                ++ok;
                winner = bearer(answer);
            } else if (refused(answer, 400, QStringLiteral("invalid_grant"))) {
                ++invalid;
            }
        }
        QCOMPARE(ok, 1);
        QCOMPARE(invalid, 15);
        QCOMPARE(call("GET", "/v1/auth/token/lookup-self", {}, winner).status, 200);
        QCOMPARE(call("GET", "/v1/auth/token/lookup-self", {}, bearer(login)).status, 403);
    }

    void refreshFollowsTheUser()
    {
        createUser(QStringLiteral("carol"), QStringLiteral("carol-secret-pw"));
        const HttpAnswer login = passwordLogin(QStringLiteral("carol"), QStringLiteral("carol-secret-pw"));
        QCOMPARE(login.status, 200);
        // New token settings reach the refreshed token.
        QCOMPARE(root("POST", "/v1/auth/userpass/users/carol",
                      {{QStringLiteral("token_policies"), QStringLiteral("ops,audit")}})
                     .status,
                 204);
        const HttpAnswer refreshed = refresh(field(login, "refresh_token"));
        QCOMPARE(refreshed.status, 200);
        const HttpAnswer self = call("GET", "/v1/auth/token/lookup-self", {}, bearer(refreshed));
        QVERIFY(self.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("policies")).toArray().contains(
            QStringLiteral("audit")));
        // A deleted user cannot refresh.
        QCOMPARE(root("DELETE", "/v1/auth/userpass/users/carol").status, 204);
        QVERIFY(refused(refresh(field(refreshed, "refresh_token")), 400, QStringLiteral("invalid_grant")));
    }

    void lockoutAnswers429()
    {
        createUser(QStringLiteral("dave"), QStringLiteral("dave-secret-pw"));
        for (int i = 0; i < 5; ++i)
            QVERIFY(refused(passwordLogin(QStringLiteral("dave"), QStringLiteral("wrong")), 400,
                            QStringLiteral("invalid_grant")));
        QVERIFY(refused(passwordLogin(QStringLiteral("dave"), QStringLiteral("dave-secret-pw")), 429));
    }

    void sealedIs503()
    {
        QCOMPARE(root("PUT", "/v1/sys/seal").status, 204);
        QVERIFY(refused(passwordLogin(QStringLiteral("alice"), QStringLiteral("alice-secret-pw")), 503));
        QVERIFY(refused(tokens(m_root), 503));
    }
};

QTEST_GUILESS_MAIN(TestOAuth2Api)
#include "tst_oauth2_api.moc"
