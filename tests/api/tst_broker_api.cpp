// The task token broker over HTTP (the real Engine on SQLite behind the real HttpServer on loopback): the grids,
// nodes and static tasks on /v1, the task policies, POST /token with every status code Gatekeeper answers, the
// trusted_subnets check over IPv4, IPv6 and IPv4-mapped peers, the allotment under 64 concurrent calls and across a
// restart, the broker's own seal (unseal methods, /seal's ACL, renewal of its credential), and GET /status.

#include "RawHttpClient.h"
#include "UnsealedServer.h"

#include "engine/Engine.h"
#include "http/HttpServer.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

using namespace gk;
using gk::test::HttpAnswer;
using gk::test::RawHttpClient;
using gk::test::UnsealedServer;

namespace {
QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}
} // namespace

class TestBrokerApi final : public QObject
{
    Q_OBJECT

    std::unique_ptr<UnsealedServer> m_srv;

    HttpAnswer root(QByteArrayView method, QByteArrayView target, const QJsonObject &body = {})
    {
        return m_srv->server().requestJson(method, target, body, m_srv->rootToken());
    }
    HttpAnswer as(const QByteArray &token, QByteArrayView method, QByteArrayView target, const QJsonObject &body = {})
    {
        return m_srv->server().requestJson(method, target, body, token);
    }
    // A root API call as Gatekeeper's clients make it: a JSON body and no Content-Type.
    HttpAnswer bare(QByteArrayView method, QByteArrayView target, const QByteArray &body = {},
                    const RawHttpClient::Headers &headers = {})
    {
        return m_srv->server().request(method, target, body, headers);
    }
    HttpAnswer token(const QJsonObject &body) { return bare("POST", "/token", compact(body)); }
    HttpAnswer tokenFor(const QString &taskId, const QString &role = {}, const QString &grid = {})
    {
        QJsonObject body{{QStringLiteral("task_id"), taskId}};
        if (!role.isEmpty())
            body.insert(QStringLiteral("role"), role);
        if (!grid.isEmpty())
            body.insert(QStringLiteral("scheduler"), grid);
        return token(body);
    }
    HttpAnswer unsealWith(const QJsonObject &body) { return bare("POST", "/unseal", compact(body)); }
    bool unsealBroker(const QByteArray &credential = {})
    {
        const HttpAnswer a = unsealWith({{QStringLiteral("method"), QStringLiteral("token")},
                                         {QStringLiteral("token"), QString::fromUtf8(credential.isEmpty()
                                                                                         ? m_srv->rootToken()
                                                                                         : credential)}});
        return a.status == 200 && a.json().value(QStringLiteral("unsealed")).toBool();
    }
    bool sealBroker() { return root("POST", "/seal").status == 200; }

    // Gatekeeper's standard answer, with an error.
    static bool standardError(const HttpAnswer &a, int status)
    {
        const QJsonObject j = a.json();
        return a.status == status && j.contains(QStringLiteral("unsealed")) && j.contains(QStringLiteral("message")) &&
               !j.value(QStringLiteral("error")).toString().isEmpty() && !j.contains(QStringLiteral("errors"));
    }
    static QString error(const HttpAnswer &a) { return a.json().value(QStringLiteral("error")).toString(); }

    void makeRole(const QString &name, const QStringList &policies, int numUses = 0)
    {
        QJsonObject body{{QStringLiteral("allowed_policies"), QJsonArray::fromStringList(policies)},
                         {QStringLiteral("token_ttl"), QStringLiteral("1h")}};
        if (numUses > 0)
            body.insert(QStringLiteral("token_num_uses"), numUses);
        const HttpAnswer a = root("POST", QStringLiteral("/v1/auth/token/roles/%1").arg(name).toUtf8(), body);
        QVERIFY2(a.status == 204 || a.status == 200, a.body.constData());
    }
    void makeGrid(const QString &name, const QJsonObject &extra = {})
    {
        QJsonObject body = extra;
        body.insert(QStringLiteral("name"), name);
        if (!body.contains(QStringLiteral("scheduler")))
            body.insert(QStringLiteral("scheduler"), QJsonObject{{QStringLiteral("type"), QStringLiteral("static")}});
        const HttpAnswer a = root("POST", "/v1/grids", body);
        QVERIFY2(a.status == 200, a.body.constData());
    }
    void registerTask(const QString &grid, const QString &id, const QString &name, const QJsonObject &extra = {})
    {
        QJsonObject body = extra;
        body.insert(QStringLiteral("name"), name);
        if (!body.contains(QStringLiteral("host")))
            body.insert(QStringLiteral("host"), QStringLiteral("127.0.0.1"));
        const HttpAnswer a = root("PUT", QStringLiteral("/v1/grids/%1/tasks/%2").arg(grid, id).toUtf8(), body);
        QVERIFY2(a.status == 200, a.body.constData());
    }
    void setPolicies(const QJsonObject &policies, bool reload = true)
    {
        QCOMPARE(root("PUT", "/v1/gatekeeper/policies", policies).status, 204);
        if (reload)
            QCOMPARE(bare("POST", "/policies/reload").status, 200);
    }
    static QJsonObject policy(const QStringList &roles, int numUses = 0)
    {
        QJsonObject p{{QStringLiteral("roles"), QJsonArray::fromStringList(roles)}};
        if (numUses > 0)
            p.insert(QStringLiteral("num_uses"), numUses);
        return p;
    }
    // Unwraps a /token answer's token as the seed example does; the unwrapped auth block.
    QJsonObject unwrap(const HttpAnswer &tokenAnswer)
    {
        const QByteArray wrapped = tokenAnswer.json().value(QStringLiteral("token")).toString().toUtf8();
        const HttpAnswer a = bare("POST", "/v1/sys/wrapping/unwrap", {}, {{"X-Vault-Token", wrapped}});
        return a.status == 200 ? a.json().value(QStringLiteral("auth")).toObject() : QJsonObject();
    }
    QByteArray childToken(const QStringList &policies, const QString &ttl = QStringLiteral("1h"))
    {
        const HttpAnswer a = root("POST", "/v1/auth/token/create",
                                  {{QStringLiteral("policies"), QJsonArray::fromStringList(policies)},
                                   {QStringLiteral("ttl"), ttl}});
        return a.json().value(QStringLiteral("auth")).toObject().value(QStringLiteral("client_token")).toString().toUtf8();
    }
    bool tokenIsLive(const QByteArray &t) { return as(t, "GET", "/v1/auth/token/lookup-self").status == 200; }

private slots:
    void initTestCase()
    {
        EngineOptions options;
        options.passwordHashLogN = 10;
        m_srv = std::make_unique<UnsealedServer>(options);
        QVERIFY(m_srv->start());
        QVERIFY(m_srv->unseal());
        makeRole(QStringLiteral("web"), {QStringLiteral("default")});
        makeRole(QStringLiteral("db"), {QStringLiteral("default")});
        makeRole(QStringLiteral("billing-db"), {QStringLiteral("default")});
        makeGrid(QStringLiteral("default"));
        // A policy for a broker credential that is not root: it may create task tokens and renew itself.
        QCOMPARE(root("PUT", "/v1/sys/policy/broker",
                      {{QStringLiteral("policy"),
                        QStringLiteral("path \"auth/token/create/*\" { capabilities = [\"update\"] }\n"
                                       "path \"auth/token/renew-self\" { capabilities = [\"update\"] }")}})
                     .status,
                 204);
    }

    void cleanupTestCase() { m_srv.reset(); }

    void sealedBrokerAnswers503()
    {
        registerTask(QStringLiteral("default"), QStringLiteral("sealed-1"), QStringLiteral("web"));
        setPolicies({{QStringLiteral("default:*"), policy({QStringLiteral("web")})}}, false);
        const HttpAnswer t = tokenFor(QStringLiteral("sealed-1"));
        QVERIFY2(standardError(t, 503), t.body.constData());
        QCOMPARE(t.json().value(QStringLiteral("unsealed")).toBool(true), false);
        const HttpAnswer s = bare("GET", "/status");
        QCOMPARE(s.status, 503);
        QCOMPARE(s.json().value(QStringLiteral("unsealed")).toBool(true), false);
        QVERIFY(standardError(bare("POST", "/policies/reload"), 503));
    }

    void unsealMethods()
    {
        HttpAnswer a = bare("POST", "/unseal", "{not json");
        QVERIFY2(standardError(a, 400), a.body.constData());
        a = unsealWith({{QStringLiteral("method"), QStringLiteral("aws")}, {QStringLiteral("aws_role"), "r"}});
        QVERIFY2(standardError(a, 422), a.body.constData());
        QVERIFY2(error(a).contains(QStringLiteral("offline")), a.body.constData());
        a = unsealWith({{QStringLiteral("method"), QStringLiteral("magic")}});
        QVERIFY(standardError(a, 422));
        a = unsealWith({{QStringLiteral("method"), QStringLiteral("token")}, {QStringLiteral("token"), "gk.nope"}});
        QVERIFY2(standardError(a, 401), a.body.constData());
        a = unsealWith({{QStringLiteral("method"), QStringLiteral("token-wrapped")}, {QStringLiteral("token"), "gk.nope"}});
        QVERIFY2(standardError(a, 401), a.body.constData());

        // token-wrapped: a wrapped token creation answer, unwrapped by the broker; it works once.
        const HttpAnswer wrapped = m_srv->server().request(
            "POST", "/v1/auth/token/create", compact({{QStringLiteral("policies"), QJsonArray{"broker"}}}),
            {{"X-Vault-Token", m_srv->rootToken()}, {"X-Vault-Wrap-TTL", "60s"}});
        const QString wrapToken =
            wrapped.json().value(QStringLiteral("wrap_info")).toObject().value(QStringLiteral("token")).toString();
        QVERIFY2(!wrapToken.isEmpty(), wrapped.body.constData());
        a = unsealWith({{QStringLiteral("method"), QStringLiteral("token-wrapped")}, {QStringLiteral("token"), wrapToken}});
        QVERIFY2(a.status == 200 && a.json().value(QStringLiteral("unsealed")).toBool(), a.body.constData());
        QVERIFY(sealBroker());
        a = unsealWith({{QStringLiteral("method"), QStringLiteral("token-wrapped")}, {QStringLiteral("token"), wrapToken}});
        QVERIFY2(standardError(a, 401), a.body.constData());

        // approle.
        QCOMPARE(root("POST", "/v1/sys/auth/approle", {{QStringLiteral("type"), QStringLiteral("approle")}}).status, 204);
        QCOMPARE(root("POST", "/v1/auth/approle/role/gatekeeper", {{QStringLiteral("token_policies"), "broker"}}).status,
                 204);
        const QString roleId = root("GET", "/v1/auth/approle/role/gatekeeper/role-id")
                                   .json()
                                   .value(QStringLiteral("data"))
                                   .toObject()
                                   .value(QStringLiteral("role_id"))
                                   .toString();
        const QString secretId = root("POST", "/v1/auth/approle/role/gatekeeper/secret-id")
                                     .json()
                                     .value(QStringLiteral("data"))
                                     .toObject()
                                     .value(QStringLiteral("secret_id"))
                                     .toString();
        QVERIFY(!roleId.isEmpty() && !secretId.isEmpty());
        a = unsealWith({{QStringLiteral("method"), QStringLiteral("approle")},
                        {QStringLiteral("role_id"), roleId},
                        {QStringLiteral("secret_id"), QStringLiteral("wrong")}});
        QVERIFY2(standardError(a, 401), a.body.constData());
        a = unsealWith({{QStringLiteral("method"), QStringLiteral("approle")},
                        {QStringLiteral("role_id"), roleId},
                        {QStringLiteral("secret_id"), secretId}});
        QVERIFY2(a.status == 200 && a.json().value(QStringLiteral("unsealed")).toBool(), a.body.constData());
        // Unsealing an unsealed broker changes nothing.
        a = unsealWith({{QStringLiteral("method"), QStringLiteral("token")}, {QStringLiteral("token"), "gk.nope"}});
        QCOMPARE(a.status, 200);
        QVERIFY(sealBroker());
        QVERIFY(unsealBroker());
    }

    void sealNeedsUpdateOnGatekeeperSeal()
    {
        QVERIFY(unsealBroker());
        QCOMPARE(root("PUT", "/v1/sys/policy/sealer",
                      {{QStringLiteral("policy"), QStringLiteral("path \"gatekeeper/seal\" { capabilities = [\"update\"] }")}})
                     .status,
                 204);
        HttpAnswer a = bare("POST", "/seal");
        QVERIFY2(standardError(a, 403), a.body.constData());
        a = as(childToken({QStringLiteral("default")}), "POST", "/seal");
        QVERIFY2(standardError(a, 403), a.body.constData());
        QCOMPARE(bare("GET", "/status").status, 200);
        a = as(childToken({QStringLiteral("sealer")}), "POST", "/seal");
        QVERIFY2(a.status == 200 && !a.json().value(QStringLiteral("unsealed")).toBool(true), a.body.constData());
        QCOMPARE(bare("GET", "/status").status, 503);
        QVERIFY(unsealBroker());
    }

    void tokenIsWrappedAndUnwraps()
    {
        registerTask(QStringLiteral("default"), QStringLiteral("web-1"), QStringLiteral("web"));
        setPolicies({{QStringLiteral("default:*"), policy({QStringLiteral("web")}, 1)}});
        const HttpAnswer a = tokenFor(QStringLiteral("web-1"));
        QVERIFY2(a.status == 200, a.body.constData());
        QCOMPARE(a.json().value(QStringLiteral("vault_addr")).toString(),
                 m_srv->engine().apiAddr().endsWith(u'/') ? m_srv->engine().apiAddr() : m_srv->engine().apiAddr() + u'/');
        QVERIFY(a.json().value(QStringLiteral("vault_addr")).toString().endsWith(u'/'));
        QCOMPARE(a.json().value(QStringLiteral("ttl")).toString(), QStringLiteral("1m0s"));
        const QJsonObject auth = unwrap(a);
        QVERIFY2(!auth.isEmpty(), "the wrapped token does not unwrap");
        QCOMPARE(auth.value(QStringLiteral("policies")).toArray(), QJsonArray{"default"});
        QCOMPARE(auth.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("task_id")).toString(),
                 QStringLiteral("web-1"));
        QVERIFY(tokenIsLive(auth.value(QStringLiteral("client_token")).toString().toUtf8()));
        // The allotment (1) is used up.
        QVERIFY(standardError(tokenFor(QStringLiteral("web-1")), 429));
        // The wrapping token works once.
        const HttpAnswer again = bare("POST", "/v1/sys/wrapping/unwrap", {},
                                      {{"X-Vault-Token", a.json().value(QStringLiteral("token")).toString().toUtf8()}});
        QCOMPARE(again.status, 400);
    }

    void refusals()
    {
        setPolicies({{QStringLiteral("default:*"), policy({QStringLiteral("web")}, 5)}});
        // Unknown task, unknown grid, no task id.
        QVERIFY(standardError(tokenFor(QStringLiteral("nobody")), 401));
        QVERIFY(standardError(tokenFor(QStringLiteral("web-1"), {}, QStringLiteral("nogrid")), 401));
        QVERIFY(standardError(token({{QStringLiteral("role"), QStringLiteral("web")}}), 400));
        QVERIFY(standardError(bare("POST", "/token", "{broken"), 400));
        // Another host.
        registerTask(QStringLiteral("default"), QStringLiteral("far-1"), QStringLiteral("web"),
                     {{QStringLiteral("host"), QStringLiteral("10.9.8.7")}});
        QVERIFY(standardError(tokenFor(QStringLiteral("far-1")), 401));
        // ... which is fine with host_check off.
        makeGrid(QStringLiteral("nohostcheck"), {{QStringLiteral("host_check"), false}});
        registerTask(QStringLiteral("nohostcheck"), QStringLiteral("far-2"), QStringLiteral("web"),
                     {{QStringLiteral("host"), QStringLiteral("10.9.8.7")}});
        setPolicies({{QStringLiteral("default:*"), policy({QStringLiteral("web")}, 5)},
                     {QStringLiteral("nohostcheck:*"), policy({QStringLiteral("web")}, 5)}});
        HttpAnswer a = tokenFor(QStringLiteral("far-2"), {}, QStringLiteral("nohostcheck"));
        QVERIFY2(a.status == 200, a.body.constData());
        // Started longer ago than task_grace (2m by default).
        const qint64 old = QDateTime::currentSecsSinceEpoch() - 121;
        registerTask(QStringLiteral("default"), QStringLiteral("old-1"), QStringLiteral("web"),
                     {{QStringLiteral("started_at"), old}});
        a = tokenFor(QStringLiteral("old-1"));
        QVERIFY2(standardError(a, 403), a.body.constData());
        // Within a longer grace.
        QCOMPARE(root("PUT", "/v1/grids/default", {{QStringLiteral("task_grace"), QStringLiteral("5m")}}).status, 200);
        QCOMPARE(tokenFor(QStringLiteral("old-1")).status, 200);
        QCOMPARE(root("PUT", "/v1/grids/default", {{QStringLiteral("task_grace"), QStringLiteral("2m")}}).status, 200);
        // A role the policy does not allow.
        registerTask(QStringLiteral("default"), QStringLiteral("web-2"), QStringLiteral("web"));
        QVERIFY(standardError(tokenFor(QStringLiteral("web-2"), QStringLiteral("db")), 403));
        // No policy for the task at all.
        setPolicies({{QStringLiteral("default:other"), policy({QStringLiteral("web")})}});
        QVERIFY(standardError(tokenFor(QStringLiteral("web-2")), 403));
        // A deleted task is unknown.
        QCOMPARE(root("DELETE", "/v1/grids/default/tasks/web-2").status, 204);
        QVERIFY(standardError(tokenFor(QStringLiteral("web-2")), 401));
    }

    void serverFaults()
    {
        const qint64 failedBefore = bare("GET", "/status").json()["stats"].toObject()["failed"].toInteger();
        // The policy names a role that does not exist: the server's configuration, a 500, and no use counted.
        registerTask(QStringLiteral("default"), QStringLiteral("cfg-1"), QStringLiteral("cfg"));
        setPolicies({{QStringLiteral("default:cfg"), policy({QStringLiteral("missing-role")}, 1)}});
        QVERIFY(standardError(tokenFor(QStringLiteral("cfg-1")), 500));
        // A scheduler with no adapter in this build.
        makeGrid(QStringLiteral("nomadgrid"), {{QStringLiteral("scheduler"),
                                                QJsonObject{{QStringLiteral("type"), QStringLiteral("nomad")},
                                                            {QStringLiteral("address"), QStringLiteral("http://127.0.0.1:9")}}}});
        QVERIFY(standardError(tokenFor(QStringLiteral("alloc-1"), {}, QStringLiteral("nomadgrid")), 500));
        const qint64 failedAfter = bare("GET", "/status").json()["stats"].toObject()["failed"].toInteger();
        QCOMPARE(failedAfter, failedBefore + 2);
        // Once the role exists the one use is still there.
        makeRole(QStringLiteral("missing-role"), {QStringLiteral("default")});
        QCOMPARE(tokenFor(QStringLiteral("cfg-1")).status, 200);
        QVERIFY(standardError(tokenFor(QStringLiteral("cfg-1")), 429));
    }

    void nameRolesAndMerging()
    {
        registerTask(QStringLiteral("default"), QStringLiteral("bill-1"), QStringLiteral("billing"),
                     {{QStringLiteral("group"), QStringLiteral("payments")}});
        setPolicies({{QStringLiteral("default:*"), policy({QStringLiteral("web")}, 3)},
                     {QStringLiteral("default:payments:bill*"), policy({QStringLiteral("{{name}}-db")})}});
        // The longest key's first role is the default.
        HttpAnswer a = tokenFor(QStringLiteral("bill-1"));
        QVERIFY2(a.status == 200, a.body.constData());
        QCOMPARE(unwrap(a).value(QStringLiteral("metadata")).toObject().value(QStringLiteral("task_name")).toString(),
                 QStringLiteral("billing"));
        // Roles merge: the shorter key's role is allowed too; num_uses (3) comes from the longest key that sets it.
        QCOMPARE(tokenFor(QStringLiteral("bill-1"), QStringLiteral("web")).status, 200);
        QCOMPARE(tokenFor(QStringLiteral("bill-1"), QStringLiteral("billing-db")).status, 200);
        QCOMPARE(tokenFor(QStringLiteral("bill-1"), QStringLiteral("billing-db")).status, 200);
        QVERIFY(standardError(tokenFor(QStringLiteral("bill-1"), QStringLiteral("billing-db")), 429));
        QVERIFY(standardError(tokenFor(QStringLiteral("bill-1"), QStringLiteral("other-db")), 403));
        QVERIFY(standardError(tokenFor(QStringLiteral("bill-1"), QStringLiteral("db")), 403));
    }

    void policiesAreValidatedAndApplyOnReload()
    {
        HttpAnswer a = root("PUT", "/v1/gatekeeper/policies",
                            {{QStringLiteral("default:*"), policy({QStringLiteral("web")})},
                             {QStringLiteral("default:*:x"), policy({QStringLiteral("web")})}});
        QCOMPARE(a.status, 400);
        QVERIFY2(a.errors().value(0).contains(QStringLiteral("\"default:*:x\"")), a.body.constData());
        setPolicies({{QStringLiteral("default:other"), policy({QStringLiteral("web")})}});
        const QJsonObject written{{QStringLiteral("default:reload"), policy({QStringLiteral("web")}, 1)}};
        QCOMPARE(root("PUT", "/v1/gatekeeper/policies", written).status, 204);
        QCOMPARE(root("GET", "/v1/gatekeeper/policies").json(), written);
        registerTask(QStringLiteral("default"), QStringLiteral("reload-1"), QStringLiteral("reload"));
        // Written, not yet applied: the policies in force have no key for this task.
        QVERIFY(standardError(tokenFor(QStringLiteral("reload-1")), 403));
        a = bare("POST", "/policies/reload");
        QVERIFY2(a.status == 200 && a.json().value(QStringLiteral("unsealed")).toBool(), a.body.constData());
        QCOMPARE(tokenFor(QStringLiteral("reload-1")).status, 200);
    }

    void trustedSubnets()
    {
        registerTask(QStringLiteral("default"), QStringLiteral("net-1"), QStringLiteral("net"));
        setPolicies({{QStringLiteral("default:net"), policy({QStringLiteral("web")}, 10)},
                     {QStringLiteral("v6:net"), policy({QStringLiteral("web")}, 10)}});
        QCOMPARE(root("PUT", "/v1/grids/default", {{QStringLiteral("trusted_subnets"), QJsonArray{"10.0.0.0/8"}}}).status,
                 200);
        QVERIFY(standardError(tokenFor(QStringLiteral("net-1")), 401));
        QCOMPARE(root("PUT", "/v1/grids/default",
                      {{QStringLiteral("trusted_subnets"), QJsonArray{"10.0.0.0/8", "127.0.0.0/8"}}})
                     .status,
                 200);
        QCOMPARE(tokenFor(QStringLiteral("net-1")).status, 200);
        QCOMPARE(root("PUT", "/v1/grids/default", {{QStringLiteral("trusted_subnets"), QJsonArray{"x/8"}}}).status, 400);

        // A dual-stack listener: IPv6 peers, and IPv4 peers that arrive as IPv4-mapped addresses.
        HttpServerOptions options;
        options.address = QHostAddress(QHostAddress::Any);
        HttpServer dual(&m_srv->engine(), options);
        QVERIFY(dual.listen());
        const auto call = [&](const QString &host, const QString &taskId, const QString &grid) {
            RawHttpClient client;
            if (!client.connectTo(dual.port(), host))
                return HttpAnswer();
            return client.request("POST", "/token",
                                  compact({{QStringLiteral("task_id"), taskId}, {QStringLiteral("scheduler"), grid}}));
        };
        // The mapped peer ::ffff:127.0.0.1 is compared as 127.0.0.1: inside 127.0.0.0/8, and the task's host.
        HttpAnswer a = call(QStringLiteral("127.0.0.1"), QStringLiteral("net-1"), QStringLiteral("default"));
        QVERIFY2(a.status == 200, a.body.constData());
        QCOMPARE(root("PUT", "/v1/grids/default", {{QStringLiteral("trusted_subnets"), QJsonArray{"10.0.0.0/8"}}}).status,
                 200);
        QVERIFY(standardError(call(QStringLiteral("127.0.0.1"), QStringLiteral("net-1"), QStringLiteral("default")), 401));
        QCOMPARE(root("PUT", "/v1/grids/default", {{QStringLiteral("trusted_subnets"), QJsonArray()}}).status, 200);

        // IPv6: a grid that trusts ::1 only, with a task on host ::1.
        makeGrid(QStringLiteral("v6"), {{QStringLiteral("trusted_subnets"), QJsonArray{"::1/128"}}});
        registerTask(QStringLiteral("v6"), QStringLiteral("net-6"), QStringLiteral("net"),
                     {{QStringLiteral("host"), QStringLiteral("::1")}});
        a = call(QStringLiteral("::1"), QStringLiteral("net-6"), QStringLiteral("v6"));
        QVERIFY2(a.status == 200, a.body.constData());
        // From 127.0.0.1 (outside ::1/128) it is refused.
        QVERIFY(standardError(call(QStringLiteral("127.0.0.1"), QStringLiteral("net-6"), QStringLiteral("v6")), 401));
        // A grid trusting fd00::/8 refuses ::1.
        QCOMPARE(root("PUT", "/v1/grids/v6", {{QStringLiteral("trusted_subnets"), QJsonArray{"fd00::/8"}}}).status, 200);
        QVERIFY(standardError(call(QStringLiteral("::1"), QStringLiteral("net-6"), QStringLiteral("v6")), 401));
        // Trusted, but the host check still compares ::1 with the task's host.
        QCOMPARE(root("PUT", "/v1/grids/v6", {{QStringLiteral("trusted_subnets"), QJsonArray{"::/0"}}}).status, 200);
        registerTask(QStringLiteral("v6"), QStringLiteral("net-7"), QStringLiteral("net"),
                     {{QStringLiteral("host"), QStringLiteral("fd00::7")}});
        QVERIFY(standardError(call(QStringLiteral("::1"), QStringLiteral("net-7"), QStringLiteral("v6")), 401));
    }

    void concurrentCallsForTheLastUse()
    {
        registerTask(QStringLiteral("default"), QStringLiteral("race-1"), QStringLiteral("race"));
        setPolicies({{QStringLiteral("default:race"), policy({QStringLiteral("web")}, 2)}});
        QCOMPARE(tokenFor(QStringLiteral("race-1")).status, 200); // one use left
        constexpr int kClients = 64;
        std::vector<std::unique_ptr<RawHttpClient>> clients;
        for (int i = 0; i < kClients; ++i) {
            clients.push_back(m_srv->server().connect());
            QVERIFY(clients.back()->isConnected());
        }
        const QByteArray request =
            RawHttpClient::formatRequest("POST", "/token", compact({{QStringLiteral("task_id"), QStringLiteral("race-1")}}));
        for (auto &c : clients)
            QVERIFY(c->send(request));
        int ok = 0;
        int tooMany = 0;
        for (auto &c : clients) {
            const HttpAnswer a = c->readAnswer(20000);
            QVERIFY(a.complete);
            ok += a.status == 200;
            tooMany += a.status == 429;
        }
        QCOMPARE(ok, 1);
        QCOMPARE(tooMany, kClients - 1);
    }

    void revokingTheCredentialRevokesTaskTokens()
    {
        QVERIFY(sealBroker());
        const QByteArray credential = childToken({QStringLiteral("broker")});
        QVERIFY(unsealBroker(credential));
        registerTask(QStringLiteral("default"), QStringLiteral("child-1"), QStringLiteral("child"));
        setPolicies({{QStringLiteral("default:child"), policy({QStringLiteral("web")}, 5)}});
        const QByteArray taskToken =
            unwrap(tokenFor(QStringLiteral("child-1"))).value(QStringLiteral("client_token")).toString().toUtf8();
        QVERIFY(tokenIsLive(taskToken));
        QCOMPARE(as(credential, "POST", "/v1/auth/token/revoke-self").status, 204);
        QVERIFY(!tokenIsLive(taskToken));
        // The next call finds the credential gone: a server fault, and the broker seals itself.
        QVERIFY(standardError(tokenFor(QStringLiteral("child-1")), 500));
        QCOMPARE(bare("GET", "/status").status, 503);
        QVERIFY(unsealBroker());
    }

    void credentialIsRenewedAndSealsWhenRenewalFails()
    {
        QVERIFY(sealBroker());
        const QByteArray credential = childToken({QStringLiteral("broker")}, QStringLiteral("3s"));
        const QString accessor =
            as(credential, "GET", "/v1/auth/token/lookup-self").json()["data"].toObject()["accessor"].toString();
        QVERIFY(unsealBroker(credential));
        const auto renewedAt = [&] {
            return root("POST", "/v1/auth/token/lookup-accessor", {{QStringLiteral("accessor"), accessor}})
                .json()["data"]
                .toObject()["last_renewal_time"]
                .toInteger();
        };
        QCOMPARE(renewedAt(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(renewedAt() > 0, 10000);
        QCOMPARE(bare("GET", "/status").status, 200);
        // Revoked: the next renewal fails and the broker seals itself.
        QCOMPARE(root("POST", "/v1/auth/token/revoke-accessor", {{QStringLiteral("accessor"), accessor}}).status, 204);
        QTRY_COMPARE_WITH_TIMEOUT(bare("GET", "/status").status, 503, 10000);
        QVERIFY(unsealBroker());
    }

    void allotmentSurvivesRestart()
    {
        registerTask(QStringLiteral("default"), QStringLiteral("restart-1"), QStringLiteral("restart"));
        setPolicies({{QStringLiteral("default:restart"), policy({QStringLiteral("web")}, 2)}});
        QCOMPARE(tokenFor(QStringLiteral("restart-1")).status, 200);
        QVERIFY(m_srv->restart());
        // A restarted server's broker is sealed until it is given a credential again.
        QVERIFY(standardError(tokenFor(QStringLiteral("restart-1")), 503));
        QVERIFY(unsealBroker());
        QCOMPARE(tokenFor(QStringLiteral("restart-1")).status, 200);
        QVERIFY(standardError(tokenFor(QStringLiteral("restart-1")), 429));
    }

    void sealingTheBarrierSealsTheBroker()
    {
        QCOMPARE(bare("GET", "/status").status, 200);
        QCOMPARE(root("PUT", "/v1/sys/seal").status, 204);
        QVERIFY(standardError(tokenFor(QStringLiteral("restart-1")), 503));
        QCOMPARE(bare("GET", "/status").status, 503);
        QVERIFY(m_srv->unseal());
        // The credential was forgotten with the keyring.
        QCOMPARE(bare("GET", "/status").status, 503);
        QVERIFY(unsealBroker());
    }

    void statusAndMetrics()
    {
        const HttpAnswer a = bare("GET", "/status");
        QCOMPARE(a.status, 200);
        const QJsonObject s = a.json();
        for (const char *field : {"id", "uptime", "unsealed", "started", "version", "peers", "stats"})
            QVERIFY2(s.contains(QLatin1String(field)), field);
        QVERIFY(s.value(QStringLiteral("peers")).isArray());
        const QJsonObject stats = s.value(QStringLiteral("stats")).toObject();
        const qint64 requests = stats.value(QStringLiteral("requests")).toInteger();
        QVERIFY(requests > 0);
        QCOMPARE(stats.value(QStringLiteral("successful")).toInteger() + stats.value(QStringLiteral("denied")).toInteger() +
                     stats.value(QStringLiteral("failed")).toInteger(),
                 requests);
        const HttpAnswer m = m_srv->server().request("GET", "/v1/sys/metrics?format=prometheus", {},
                                                     {{"X-Vault-Token", m_srv->rootToken()}});
        QCOMPARE(m.status, 200);
        QVERIFY2(m.body.contains("gatekeeper_broker_requests " + QByteArray::number(requests)), m.body.constData());
        QVERIFY(m.body.contains("gatekeeper_broker_denied "));
        QVERIFY(m.body.contains("gatekeeper_broker_failed "));
        QVERIFY(m.body.contains("gatekeeper_broker_successful "));
    }

    void gridsAndNodes()
    {
        // Validation and conflicts.
        QCOMPARE(root("POST", "/v1/grids", {{QStringLiteral("name"), QStringLiteral("default")},
                                            {QStringLiteral("scheduler"), QJsonObject{{QStringLiteral("type"), "static"}}}})
                     .status,
                 400);
        QCOMPARE(root("POST", "/v1/grids", {{QStringLiteral("name"), QStringLiteral("bad")},
                                            {QStringLiteral("scheduler"), QJsonObject{{QStringLiteral("type"), "swarm"}}}})
                     .status,
                 400);
        QCOMPARE(root("POST", "/v1/grids", {{QStringLiteral("name"), QStringLiteral("Bad Name")},
                                            {QStringLiteral("scheduler"), QJsonObject{{QStringLiteral("type"), "static"}}}})
                     .status,
                 400);
        // The scheduler token is never answered.
        makeGrid(QStringLiteral("k8s"),
                 {{QStringLiteral("scheduler"), QJsonObject{{QStringLiteral("type"), QStringLiteral("kubernetes")},
                                                            {QStringLiteral("address"), QStringLiteral("https://k8s:6443")},
                                                            {QStringLiteral("token"), QStringLiteral("sched-secret-1")}}}});
        HttpAnswer a = root("GET", "/v1/grids/k8s");
        QCOMPARE(a.status, 200);
        QVERIFY(!a.body.contains("sched-secret-1"));
        QCOMPARE(a.json()["scheduler"].toObject()["token"].toString(), QStringLiteral("<redacted>"));
        QCOMPARE(a.json()["task_grace"].toInteger(), 120);
        QCOMPARE(a.json()["host_check"].toBool(), true);
        a = root("GET", "/v1/grids");
        QVERIFY(!a.body.contains("sched-secret-1"));
        QVERIFY(a.json()["grids"].toArray().size() >= 3);
        // Static tasks belong to static grids only.
        QCOMPARE(root("PUT", "/v1/grids/k8s/tasks/x", {{QStringLiteral("host"), "127.0.0.1"}, {QStringLiteral("name"), "x"}})
                     .status,
                 400);
        QCOMPARE(root("PUT", "/v1/grids/default/tasks/x", {{QStringLiteral("host"), "not-an-ip"}, {QStringLiteral("name"), "x"}})
                     .status,
                 400);
        QCOMPARE(root("PUT", "/v1/grids/nogrid/tasks/x", {{QStringLiteral("host"), "127.0.0.1"}, {QStringLiteral("name"), "x"}})
                     .status,
                 404);

        // Nodes: the hosts of the static tasks, and registrations with labels.
        makeGrid(QStringLiteral("nodes"));
        registerTask(QStringLiteral("nodes"), QStringLiteral("n-1"), QStringLiteral("a"),
                     {{QStringLiteral("host"), QStringLiteral("10.0.0.1")}});
        registerTask(QStringLiteral("nodes"), QStringLiteral("n-2"), QStringLiteral("b"),
                     {{QStringLiteral("host"), QStringLiteral("10.0.0.1")}});
        a = root("GET", "/v1/grids/nodes/nodes");
        QCOMPARE(a.status, 200);
        QJsonArray nodes = a.json()["nodes"].toArray();
        QCOMPARE(nodes.size(), 1);
        QCOMPARE(nodes.first()["id"].toString(), QStringLiteral("nodes/10.0.0.1"));
        QCOMPARE(nodes.first()["tasks"].toInt(), 2);
        a = root("PUT", "/v1/nodes/nodes/10.0.0.1", {{QStringLiteral("labels"), QJsonArray{"az=a", "type=big"}}});
        QCOMPARE(a.status, 200);
        QCOMPARE(root("PUT", "/v1/nodes/nodes/spare", {{QStringLiteral("labels"), QJsonArray{"az=b"}}}).status, 200);
        a = root("GET", "/v1/nodes/nodes/10.0.0.1");
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json()["labels"].toArray(), (QJsonArray{"az=a", "type=big"}));
        QCOMPARE(root("GET", "/v1/grids/nodes/nodes").json()["nodes"].toArray().size(), 2);
        QCOMPARE(root("DELETE", "/v1/nodes/nodes/spare").status, 204);
        QCOMPARE(root("GET", "/v1/nodes/nodes/spare").status, 404);
        QCOMPARE(root("PUT", "/v1/nodes/nogrid/x", {{QStringLiteral("labels"), QJsonArray{"a=b"}}}).status, 404);
        QCOMPARE(root("GET", "/v1/grids/nodes/tasks").json()["tasks"].toArray().size(), 2);

        // Deleting a grid removes its tasks.
        QCOMPARE(root("DELETE", "/v1/grids/nodes").status, 204);
        QCOMPARE(root("GET", "/v1/grids/nodes").status, 404);
        makeGrid(QStringLiteral("nodes"));
        QCOMPARE(root("GET", "/v1/grids/nodes/tasks/n-1").status, 404);
    }

    void gridRoutesGoThroughTheAcl()
    {
        const QByteArray plain = childToken({QStringLiteral("default")});
        QCOMPARE(as(plain, "GET", "/v1/grids").status, 403);
        QCOMPARE(as(plain, "POST", "/v1/grids/default/tasks/sneaky", {{QStringLiteral("host"), "127.0.0.1"},
                                                                       {QStringLiteral("name"), "x"}})
                     .status,
                 403);
        QCOMPARE(as(plain, "PUT", "/v1/gatekeeper/policies", {}).status, 403);
        QCOMPARE(root("PUT", "/v1/sys/policy/gridreader",
                      {{QStringLiteral("policy"), QStringLiteral("path \"grids\" { capabilities = [\"read\"] }")}})
                     .status,
                 204);
        QCOMPARE(as(childToken({QStringLiteral("gridreader")}), "GET", "/v1/grids").status, 200);
    }

    void schedulerTokenIsHashedInTheAuditTrail()
    {
        QTemporaryDir dir;
        const QString log = dir.filePath(QStringLiteral("audit.log"));
        QCOMPARE(root("PUT", "/v1/sys/audit/file", {{QStringLiteral("type"), QStringLiteral("file")},
                                                    {QStringLiteral("options"), QJsonObject{{QStringLiteral("file_path"), log}}}})
                     .status,
                 204);
        makeGrid(QStringLiteral("audited"),
                 {{QStringLiteral("scheduler"), QJsonObject{{QStringLiteral("type"), QStringLiteral("nomad")},
                                                            {QStringLiteral("address"), QStringLiteral("http://n:4646")},
                                                            {QStringLiteral("token"), QStringLiteral("sched-secret-2")}}}});
        QCOMPARE(root("DELETE", "/v1/sys/audit/file").status, 204);
        QFile file(log);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray content = file.readAll();
        QVERIFY(content.contains("v1/grids") || content.contains("grids"));
        QVERIFY(!content.contains("sched-secret-2"));
    }
};

QTEST_GUILESS_MAIN(TestBrokerApi)
#include "tst_broker_api.moc"
