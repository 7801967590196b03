// Response wrapping over HTTP: the real Engine on SQLite behind the real HttpServer on 127.0.0.1:0. X-Vault-Wrap-TTL
// on token create, KV read and lookup-self; sys/wrapping/unwrap, lookup, wrap and rewrap with good and bad input;
// single use, expiry and tidy; 64 concurrent unwraps of one token; and what the store's files hold.

#include "TestServer.h"

#include "engine/Engine.h"
#include "engine/crypto/Barrier.h"
#include "engine/crypto/SealManager.h"
#include "engine/storage/StorageFactory.h"
#include "engine/wrapping/ResponseWrapper.h"

#include <QDateTime>
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

const QString kInvalid = QStringLiteral("wrapping token is not valid or does not exist");

QStringList strings(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &item : v.toArray())
        out.append(item.toString());
    return out;
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonObject wrapInfo(const HttpAnswer &a)
{
    return a.json().value(QStringLiteral("wrap_info")).toObject();
}

QByteArray wrapToken(const HttpAnswer &a)
{
    return wrapInfo(a).value(QStringLiteral("token")).toString().toUtf8();
}

} // namespace

class TestWrappingApi final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<TestServer> m_server;
    QByteArray m_root;
    QList<QByteArray> m_secrets; // wrapping tokens and wrapped values, to look for in the store's files

    // A request with a JSON body (none when empty), X-Vault-Token (unless token is "-") and X-Vault-Wrap-TTL (when
    // wrapTtl is not empty).
    HttpAnswer call(QByteArrayView method, QByteArrayView target, const QJsonObject &body = {},
                    const QByteArray &wrapTtl = {}, const QByteArray &token = {})
    {
        RawHttpClient::Headers headers;
        const QByteArray t = token.isNull() ? m_root : token;
        if (t != "-")
            headers.append({"X-Vault-Token", t});
        if (!wrapTtl.isNull())
            headers.append({"X-Vault-Wrap-TTL", wrapTtl});
        return m_server->request(method, target, body.isEmpty() ? QByteArray() : compact(body), headers);
    }

    HttpAnswer unwrapInBody(const QByteArray &wrapping)
    {
        return call("POST", "/v1/sys/wrapping/unwrap", {{QStringLiteral("token"), QString::fromUtf8(wrapping)}});
    }

    int accessorCount()
    {
        const HttpAnswer a = call("LIST", "/v1/auth/token/accessors");
        return int(strings(a.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("keys"))).size());
    }

    int storedResponses()
    {
        auto listed = m_engine->seal().barrier()->list(QStringLiteral("sys/wrapping/response/"));
        listed.waitForFinished();
        return listed.result() ? int(listed.result().value().size()) : -1;
    }

    // Checks the Vault envelope of a wrapped answer and returns its token.
    QByteArray checkWrapped(const HttpAnswer &a, qint64 ttl, const QString &creationPath)
    {
        [&] {
            QCOMPARE(a.status, 200);
            const QJsonObject json = a.json();
            QCOMPARE(json.keys(),
                     (QStringList{QStringLiteral("auth"), QStringLiteral("data"), QStringLiteral("lease_duration"),
                                  QStringLiteral("lease_id"), QStringLiteral("renewable"), QStringLiteral("request_id"),
                                  QStringLiteral("warnings"), QStringLiteral("wrap_info")}));
            QVERIFY(json.value(QStringLiteral("data")).isNull());
            QVERIFY(json.value(QStringLiteral("auth")).isNull());
            QVERIFY(json.value(QStringLiteral("warnings")).isNull());
            QCOMPARE(json.value(QStringLiteral("lease_id")).toString(), QString());
            QCOMPARE(json.value(QStringLiteral("lease_duration")).toInt(-1), 0);
            QCOMPARE(json.value(QStringLiteral("renewable")).toBool(true), false);
            QVERIFY(!json.value(QStringLiteral("request_id")).toString().isEmpty());
            const QJsonObject info = wrapInfo(a);
            QVERIFY(info.value(QStringLiteral("token")).toString().startsWith(QStringLiteral("gk.")));
            QVERIFY(!info.value(QStringLiteral("accessor")).toString().isEmpty());
            QCOMPARE(info.value(QStringLiteral("ttl")).toInteger(), ttl);
            QCOMPARE(info.value(QStringLiteral("creation_path")).toString(), creationPath);
            const QDateTime created =
                QDateTime::fromString(info.value(QStringLiteral("creation_time")).toString(), Qt::ISODate);
            QVERIFY(created.isValid());
            QVERIFY(qAbs(created.secsTo(QDateTime::currentDateTimeUtc())) < 30);
        }();
        const QByteArray token = wrapToken(a);
        if (!token.isEmpty())
            m_secrets.append(token);
        return token;
    }

    void expectInvalid(const HttpAnswer &a)
    {
        QCOMPARE(a.status, 400);
        QCOMPARE(a.errors(), QStringList{kInvalid});
    }

    // Sends the same request on n connections at once and counts the answers by status.
    QMap<int, int> concurrently(int n, const QByteArray &request)
    {
        std::vector<std::unique_ptr<RawHttpClient>> clients;
        for (int i = 0; i < n; ++i) {
            clients.push_back(m_server->connect());
            if (!clients.back()->isConnected())
                return {};
        }
        for (const auto &client : clients)
            if (!client->send(request))
                return {};
        QMap<int, int> statuses;
        for (const auto &client : clients) {
            const HttpAnswer answer = client->readAnswer(20000);
            ++statuses[answer.complete ? answer.status : -1];
        }
        return statuses;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto storage = openStorage(QStringLiteral("sqlite:") + m_dir.filePath(QStringLiteral("gk.db")));
        QVERIFY(storage.isOk());
        m_engine = std::make_unique<Engine>(storage.takeValue(), EngineOptions{});
        auto started = m_engine->start();
        started.waitForFinished();
        QVERIFY(started.result().isOk());
        m_server = std::make_unique<TestServer>(m_engine.get());
        QVERIFY(m_server->start());
        HttpAnswer a = m_server->requestJson(
            "PUT", "/v1/sys/init", {{QStringLiteral("secret_shares"), 1}, {QStringLiteral("secret_threshold"), 1}});
        QCOMPARE(a.status, 200);
        m_root = a.json().value(QStringLiteral("root_token")).toString().toUtf8();
        const QJsonValue key = a.json().value(QStringLiteral("keys")).toArray().at(0);
        a = m_server->requestJson("PUT", "/v1/sys/unseal", {{QStringLiteral("key"), key}});
        QCOMPARE(a.json().value(QStringLiteral("sealed")).toBool(true), false);
    }

    void cleanupTestCase()
    {
        m_server.reset();
        m_engine.reset();
    }

    void wrappedTokenCreate()
    {
        HttpAnswer a = call("POST", "/v1/auth/token/create",
                            {{QStringLiteral("policies"), QJsonArray{QStringLiteral("app")}},
                             {QStringLiteral("ttl"), QStringLiteral("1h")}},
                            "60s");
        const QByteArray wrapping = checkWrapped(a, 60, QStringLiteral("auth/token/create"));
        QVERIFY(!wrapping.isEmpty());
        QVERIFY(!a.body.contains("client_token"));
        const QString wrappedAccessor = wrapInfo(a).value(QStringLiteral("wrapped_accessor")).toString();
        QVERIFY(!wrappedAccessor.isEmpty());
        const QString accessor = wrapInfo(a).value(QStringLiteral("accessor")).toString();

        // The wrapping token is a token of the store: single use, orphan, the wrap TTL, its own policy.
        a = call("POST", "/v1/auth/token/lookup-accessor", {{QStringLiteral("accessor"), accessor}});
        QCOMPARE(a.status, 200);
        QJsonObject data = a.json().value(QStringLiteral("data")).toObject();
        QCOMPARE(strings(data.value(QStringLiteral("policies"))), QStringList{QStringLiteral("response-wrapping")});
        QCOMPARE(data.value(QStringLiteral("num_uses")).toInt(), 1);
        QCOMPARE(data.value(QStringLiteral("orphan")).toBool(), true);
        QCOMPARE(data.value(QStringLiteral("creation_ttl")).toInt(), 60);
        QCOMPARE(data.value(QStringLiteral("path")).toString(), QStringLiteral("auth/token/create"));
        // It may do nothing but unwrap, and a refused request does not spend it.
        a = call("GET", "/v1/auth/token/lookup-self", {}, {}, wrapping);
        QCOMPARE(a.status, 403);

        // sys/wrapping/lookup needs no token and spends nothing.
        a = call("POST", "/v1/sys/wrapping/lookup", {{QStringLiteral("token"), QString::fromUtf8(wrapping)}}, {}, "-");
        QCOMPARE(a.status, 200);
        data = a.json().value(QStringLiteral("data")).toObject();
        QCOMPARE(data.value(QStringLiteral("creation_path")).toString(), QStringLiteral("auth/token/create"));
        QCOMPARE(data.value(QStringLiteral("creation_ttl")).toInt(), 60);
        QVERIFY(QDateTime::fromString(data.value(QStringLiteral("creation_time")).toString(), Qt::ISODate).isValid());

        // Unwrap: the original answer, once.
        a = unwrapInBody(wrapping);
        QCOMPARE(a.status, 200);
        const QJsonObject auth = a.json().value(QStringLiteral("auth")).toObject();
        const QByteArray child = auth.value(QStringLiteral("client_token")).toString().toUtf8();
        QVERIFY(child.startsWith("gk."));
        m_secrets.append(child);
        QCOMPARE(auth.value(QStringLiteral("accessor")).toString(), wrappedAccessor);
        QCOMPARE(auth.value(QStringLiteral("lease_duration")).toInt(), 3600);
        QCOMPARE(call("GET", "/v1/auth/token/lookup-self", {}, {}, child).status, 200);

        expectInvalid(unwrapInBody(wrapping));
        expectInvalid(
            call("POST", "/v1/sys/wrapping/lookup", {{QStringLiteral("token"), QString::fromUtf8(wrapping)}}));
        expectInvalid(call("POST", "/v1/sys/wrapping/unwrap", {}, {}, wrapping));
        QCOMPARE(call("POST", "/v1/auth/token/lookup-accessor", {{QStringLiteral("accessor"), accessor}}).status, 400);
    }

    void wrappedKvReadAndLookupSelf()
    {
        QCOMPARE(call("PUT", "/v1/secret/wrapped", {{QStringLiteral("password"), QStringLiteral("hunter2-kv")}}).status,
                 204);
        m_secrets.append("hunter2-kv");
        HttpAnswer a = call("GET", "/v1/secret/wrapped", {}, "2m");
        const QByteArray wrapping = checkWrapped(a, 120, QStringLiteral("secret/wrapped"));
        QVERIFY(!a.body.contains("hunter2-kv"));

        // The wrapping token as the X-Vault-Token itself, no body.
        a = call("POST", "/v1/sys/wrapping/unwrap", {}, {}, wrapping);
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("password")).toString(),
                 QStringLiteral("hunter2-kv"));
        expectInvalid(call("POST", "/v1/sys/wrapping/unwrap", {}, {}, wrapping));

        // Plain seconds; lookup-self of the root token.
        a = call("GET", "/v1/auth/token/lookup-self", {}, "90");
        const QByteArray self = checkWrapped(a, 90, QStringLiteral("auth/token/lookup-self"));
        QVERIFY(!a.body.contains(m_root));
        a = unwrapInBody(self);
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("id")).toString(),
                 QString::fromUtf8(m_root));
        expectInvalid(unwrapInBody(self));

        // An unwrap answer can itself be wrapped.
        a = call("GET", "/v1/secret/wrapped", {}, "1h");
        const QByteArray first = checkWrapped(a, 3600, QStringLiteral("secret/wrapped"));
        a = call("POST", "/v1/sys/wrapping/unwrap", {}, "5m", first);
        const QByteArray second = checkWrapped(a, 300, QStringLiteral("sys/wrapping/unwrap"));
        a = unwrapInBody(second);
        QCOMPARE(a.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("password")).toString(),
                 QStringLiteral("hunter2-kv"));
    }

    void wrapAndRewrap()
    {
        const QJsonObject payload{{QStringLiteral("a"), QStringLiteral("b")}, {QStringLiteral("n"), 3}};
        HttpAnswer a = call("POST", "/v1/sys/wrapping/wrap", payload, "5m");
        const QByteArray old = checkWrapped(a, 300, QStringLiteral("sys/wrapping/wrap"));
        const QString oldAccessor = wrapInfo(a).value(QStringLiteral("accessor")).toString();

        a = call("POST", "/v1/sys/wrapping/rewrap", {{QStringLiteral("token"), QString::fromUtf8(old)}});
        const QByteArray renewed = checkWrapped(a, 300, QStringLiteral("sys/wrapping/wrap"));
        QVERIFY(renewed != old);
        QVERIFY(wrapInfo(a).value(QStringLiteral("accessor")).toString() != oldAccessor);

        expectInvalid(unwrapInBody(old));
        expectInvalid(call("POST", "/v1/sys/wrapping/lookup", {{QStringLiteral("token"), QString::fromUtf8(old)}}));
        expectInvalid(call("POST", "/v1/sys/wrapping/rewrap", {{QStringLiteral("token"), QString::fromUtf8(old)}}));
        a = unwrapInBody(renewed);
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json().value(QStringLiteral("data")).toObject(), payload);
        expectInvalid(unwrapInBody(renewed));
    }

    void badInputChangesNothing()
    {
        const HttpAnswer good =
            call("POST", "/v1/sys/wrapping/wrap", {{QStringLiteral("k"), QStringLiteral("v")}}, "1h");
        const QByteArray wrapping = checkWrapped(good, 3600, QStringLiteral("sys/wrapping/wrap"));
        const int accessors = accessorCount();
        const int stored = storedResponses();
        QVERIFY(stored >= 1);

        const auto expect400 = [](const HttpAnswer &a) {
            QCOMPARE(a.status, 400);
            QVERIFY(!a.errors().isEmpty());
        };
        // Malformed, zero, negative and too long wrap TTLs, on any route.
        for (const QByteArray &ttl : {QByteArray("abc"), QByteArray("0"), QByteArray("0s"), QByteArray("-5s"),
                                      QByteArray("10x"), QByteArray("1.5h"), QByteArray("100000h")}) {
            expect400(call("POST", "/v1/auth/token/create", {{QStringLiteral("policies"), QJsonArray{}}}, ttl));
            expect400(call("GET", "/v1/secret/wrapped", {}, ttl));
            expect400(call("POST", "/v1/sys/wrapping/wrap", {{QStringLiteral("k"), 1}}, ttl));
        }
        // Errors and 204s are not wrapped.
        HttpAnswer a = call("GET", "/v1/secret/missing", {}, "1m");
        QCOMPARE(a.status, 404);
        QVERIFY(!a.json().contains(QStringLiteral("wrap_info")));
        a = call("PUT", "/v1/secret/other", {{QStringLiteral("x"), 1}}, "1m");
        QCOMPARE(a.status, 204);
        QVERIFY(a.body.isEmpty());
        QCOMPARE(call("DELETE", "/v1/secret/other", {}, "1m").status, 204);
        a = call("GET", "/v1/auth/token/lookup-self", {}, "1m", "gk.not-a-token");
        QCOMPARE(a.status, 403);

        // unwrap: wrong types, unknown tokens, no token at all, a token that is no wrapping token, wrong verb.
        expect400(call("POST", "/v1/sys/wrapping/unwrap", {{QStringLiteral("token"), 12}}));
        expect400(call("POST", "/v1/sys/wrapping/unwrap", {{QStringLiteral("token"), QJsonArray{}}}));
        expectInvalid(unwrapInBody("gk.unknown"));
        expectInvalid(unwrapInBody(m_root));
        expectInvalid(call("POST", "/v1/sys/wrapping/unwrap", {}, {}, "gk.unknown"));
        expectInvalid(call("POST", "/v1/sys/wrapping/unwrap", {}, {}, m_root));
        expect400(call("POST", "/v1/sys/wrapping/unwrap", {}, {}, "-"));
        a = call("POST", "/v1/sys/wrapping/unwrap", {{QStringLiteral("token"), QString::fromUtf8(wrapping)}}, {}, "-");
        QCOMPARE(a.status, 403); // the token in the body needs an authenticated caller
        QCOMPARE(a.errors(), QStringList{QStringLiteral("permission denied")});
        a = call("GET", "/v1/sys/wrapping/unwrap");
        QCOMPARE(a.status, 405);
        QVERIFY(!a.errors().isEmpty());
        a = m_server->request("POST", "/v1/sys/wrapping/unwrap", "{not json", {{"X-Vault-Token", m_root}});
        expect400(a);

        // lookup
        expect400(call("POST", "/v1/sys/wrapping/lookup", {}, {}, "-"));
        expect400(call("POST", "/v1/sys/wrapping/lookup", {{QStringLiteral("token"), true}}, {}, "-"));
        expect400(call("POST", "/v1/sys/wrapping/lookup", {{QStringLiteral("token"), QString()}}, {}, "-"));
        expectInvalid(call("POST", "/v1/sys/wrapping/lookup", {{QStringLiteral("token"), QStringLiteral("gk.x")}}));
        expectInvalid(call("POST", "/v1/sys/wrapping/lookup", {{QStringLiteral("token"), QString::fromUtf8(m_root)}}));

        // wrap: the header is required, the body must not be empty, the caller must be authenticated.
        a = call("POST", "/v1/sys/wrapping/wrap", {{QStringLiteral("k"), 1}});
        expect400(a);
        QVERIFY(!a.json().contains(QStringLiteral("wrap_info")));
        expect400(call("POST", "/v1/sys/wrapping/wrap", {}, "1m"));
        QCOMPARE(call("POST", "/v1/sys/wrapping/wrap", {{QStringLiteral("k"), 1}}, "1m", "-").status, 403);

        // rewrap
        expect400(call("POST", "/v1/sys/wrapping/rewrap", {}));
        expect400(call("POST", "/v1/sys/wrapping/rewrap", {{QStringLiteral("token"), 5}}));
        expectInvalid(call("POST", "/v1/sys/wrapping/rewrap", {{QStringLiteral("token"), QStringLiteral("gk.x")}}));
        QCOMPARE(
            call("POST", "/v1/sys/wrapping/rewrap", {{QStringLiteral("token"), QString::fromUtf8(wrapping)}}, {}, "-")
                .status,
            403);

        // The built-in policy cannot be replaced or deleted.
        expect400(call("PUT", "/v1/sys/policy/response-wrapping",
                       {{QStringLiteral("policy"), QStringLiteral("path \"*\" {\n capabilities = [\"sudo\"]\n}")}}));
        expect400(call("DELETE", "/v1/sys/policy/response-wrapping"));

        // Nothing changed: no token made, no answer stored or lost; the wrapping token still unwraps once.
        QCOMPARE(accessorCount(), accessors);
        QCOMPARE(storedResponses(), stored);
        a = unwrapInBody(wrapping);
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("k")).toString(),
                 QStringLiteral("v"));
        QCOMPARE(storedResponses(), stored - 1);
        QCOMPARE(accessorCount(), accessors - 1);
    }

    void expiryAndTidy()
    {
        const HttpAnswer shortLived = call("GET", "/v1/secret/wrapped", {}, "1s");
        const QByteArray expiring = checkWrapped(shortLived, 1, QStringLiteral("secret/wrapped"));
        const QByteArray lasting =
            checkWrapped(call("GET", "/v1/secret/wrapped", {}, "10m"), 600, QStringLiteral("secret/wrapped"));
        const int before = storedResponses();
        QTest::qWait(2200);
        expectInvalid(
            call("POST", "/v1/sys/wrapping/lookup", {{QStringLiteral("token"), QString::fromUtf8(expiring)}}));
        expectInvalid(unwrapInBody(expiring));

        auto tidied = m_engine->wrapping().tidy();
        tidied.waitForFinished();
        QVERIFY(tidied.result().isOk());
        QVERIFY(tidied.result().value() >= 1);
        QCOMPARE(storedResponses(), before - tidied.result().value());
        tidied = m_engine->wrapping().tidy();
        tidied.waitForFinished();
        QCOMPARE(tidied.result().value(), 0);

        const HttpAnswer a = unwrapInBody(lasting);
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("password")).toString(),
                 QStringLiteral("hunter2-kv"));
    }

    void concurrentUnwrapsOfOneToken()
    {
        // The token in the body, 64 callers at once: exactly one gets the answer.
        QByteArray wrapping = checkWrapped(call("POST", "/v1/sys/wrapping/wrap", {{QStringLiteral("race"), 1}}, "5m"),
                                           300, QStringLiteral("sys/wrapping/wrap"));
        QByteArray body = compact({{QStringLiteral("token"), QString::fromUtf8(wrapping)}});
        QMap<int, int> statuses = concurrently(
            64, RawHttpClient::formatRequest("POST", "/v1/sys/wrapping/unwrap", body, {{"X-Vault-Token", m_root}}));
        QCOMPARE(statuses.value(200), 1);
        QCOMPARE(statuses.value(400), 63);

        // The wrapping token as the X-Vault-Token of 64 callers at once.
        wrapping = checkWrapped(call("POST", "/v1/sys/wrapping/wrap", {{QStringLiteral("race"), 2}}, "5m"), 300,
                                QStringLiteral("sys/wrapping/wrap"));
        statuses = concurrently(
            64, RawHttpClient::formatRequest("POST", "/v1/sys/wrapping/unwrap", {}, {{"X-Vault-Token", wrapping}}));
        QCOMPARE(statuses.value(200), 1);
        QCOMPARE(statuses.value(400), 63);

        // Unwraps and rewraps racing: one of them wins.
        wrapping = checkWrapped(call("POST", "/v1/sys/wrapping/wrap", {{QStringLiteral("race"), 3}}, "5m"), 300,
                                QStringLiteral("sys/wrapping/wrap"));
        body = compact({{QStringLiteral("token"), QString::fromUtf8(wrapping)}});
        std::vector<std::unique_ptr<RawHttpClient>> clients;
        for (int i = 0; i < 32; ++i) {
            clients.push_back(m_server->connect());
            QVERIFY(clients.back()->isConnected());
        }
        for (int i = 0; i < 32; ++i)
            QVERIFY(clients.at(i)->send(
                RawHttpClient::formatRequest("POST", i % 2 ? "/v1/sys/wrapping/unwrap" : "/v1/sys/wrapping/rewrap",
                                             body, {{"X-Vault-Token", m_root}})));
        int ok = 0;
        for (const auto &client : clients) {
            const HttpAnswer answer = client->readAnswer(20000);
            QVERIFY(answer.complete);
            if (answer.status == 200)
                ++ok;
            else
                QCOMPARE(answer.errors(), QStringList{kInvalid});
        }
        QCOMPARE(ok, 1);
    }

    void concurrentUsesOfALimitedToken()
    {
        const HttpAnswer a =
            call("POST", "/v1/auth/token/create",
                 {{QStringLiteral("num_uses"), 7}, {QStringLiteral("policies"), QJsonArray{QStringLiteral("app")}}});
        QCOMPARE(a.status, 200);
        const QByteArray id =
            a.json().value(QStringLiteral("auth")).toObject().value(QStringLiteral("client_token")).toString().toUtf8();
        m_secrets.append(id);
        const QMap<int, int> statuses = concurrently(
            64, RawHttpClient::formatRequest("GET", "/v1/auth/token/lookup-self", {}, {{"X-Vault-Token", id}}));
        QCOMPARE(statuses.value(200), 7);
        QCOMPARE(statuses.value(403), 57);
    }

    void storeHoldsNoWrappedSecret()
    {
        m_server.reset();
        m_engine.reset();
        const QStringList files = QDir(m_dir.path()).entryList({QStringLiteral("gk.db*")}, QDir::Files);
        QVERIFY(!files.isEmpty());
        QVERIFY(m_secrets.size() >= 10);
        for (const QString &name : files) {
            QFile f(m_dir.filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray content = f.readAll();
            for (const QByteArray &secret : std::as_const(m_secrets)) {
                QVERIFY2(!content.contains(secret), qPrintable(name));
                QVERIFY2(!content.contains(secret.mid(3)), qPrintable(name));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestWrappingApi)
#include "tst_wrapping_api.moc"
