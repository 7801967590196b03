// Policy gates (GatePlane's access requests) over HTTP: the real Engine on SQLite behind the real HttpServer on
// 127.0.0.1:0. Three userpass users: alice asks, bob and carol approve (required_approvals 2).

#include "TestServer.h"
#include "UnsealedServer.h"

#include "engine/Engine.h"
#include "engine/audit/AuditChain.h"
#include "engine/storage/Storage.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QTest>
#include <QUuid>

#include <vector>

using namespace gk;
using gk::test::HttpAnswer;
using gk::test::RawHttpClient;
using gk::test::TestServer;

namespace {

QJsonObject dataOf(const HttpAnswer &a)
{
    return a.json().value(QStringLiteral("data")).toObject();
}

QString field(const HttpAnswer &a, const char *name)
{
    return dataOf(a).value(QLatin1String(name)).toString();
}

bool isUuid(const QString &s)
{
    return s.size() == 36 && !QUuid::fromString(s).isNull();
}

} // namespace

class TestGateApi final : public QObject
{
    Q_OBJECT

    gk::test::UnsealedServer m_gk{gateOptions()};
    QByteArray m_root;
    QByteArray m_alice;
    QByteArray m_bob;
    QByteArray m_carol;
    QString m_aliceEntity;
    QString m_aliceName;
    QString m_bobName;

    static EngineOptions gateOptions()
    {
        EngineOptions options;
        options.passwordHashLogN = 10;
        options.tidyIntervalMs = 200; // the sweep runs with the engine's tidy
        return options;
    }

    HttpAnswer call(QByteArrayView method, QByteArrayView target, const QJsonObject &body = {},
                    const QByteArray &token = {})
    {
        return m_gk.server().requestJson(method, target, body, token);
    }
    HttpAnswer root(QByteArrayView method, QByteArrayView target, const QJsonObject &body = {})
    {
        return call(method, target, body, m_root);
    }

    // Logs a userpass user in: the token, and the entity id through *entity.
    QByteArray login(const QString &user, QString *entity = nullptr)
    {
        const HttpAnswer a = call("POST", QByteArray("/v1/auth/userpass/login/") + user.toUtf8(),
                                  {{QStringLiteral("password"), QStringLiteral("pw-") + user}});
        const QJsonObject auth = a.json().value(QStringLiteral("auth")).toObject();
        if (entity)
            *entity = auth.value(QStringLiteral("entity_id")).toString();
        return auth.value(QStringLiteral("client_token")).toString().toUtf8();
    }

    QString entityName(const QString &entityId)
    {
        return field(root("GET", QByteArray("/v1/identity/entity/id/") + entityId.toUtf8()), "name");
    }

    HttpAnswer ask(const QString &reason, const QByteArray &token)
    {
        return call("POST", "/v1/auth/gate/request", {{QStringLiteral("reason"), reason}}, token);
    }
    HttpAnswer approve(const QString &id, const QByteArray &token)
    {
        return call("POST", "/v1/auth/gate/approve", {{QStringLiteral("request_id"), id}}, token);
    }
    HttpAnswer claim(const QString &code)
    {
        return call("POST", "/v1/auth/gate/claim", {{QStringLiteral("grant_code"), code}});
    }
    bool configure(const QJsonObject &settings) { return root("POST", "/v1/auth/gate/config", settings).status == 204; }

    // The LIST entry of one request (empty when it is not listed).
    QJsonObject listed(const QString &id, const QByteArray &token)
    {
        const QJsonArray info = dataOf(call("LIST", "/v1/auth/gate/request", {}, token))
                                    .value(QStringLiteral("key_info"))
                                    .toArray();
        for (const QJsonValue &v : info) {
            if (v.toObject().value(QStringLiteral("request_id")).toString() == id)
                return v.toObject();
        }
        return {};
    }

    // A new request by alice, approved by bob and carol: its id and grant code.
    QPair<QString, QString> approvedRequest()
    {
        const QString id = field(ask(QStringLiteral("deploy"), m_alice), "request_id");
        approve(id, m_bob);
        approve(id, m_carol);
        return {id, field(call("GET", "/v1/auth/gate/request", {}, m_alice), "grant_code")};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_gk.start());
        m_root = m_gk.rootToken();
        QVERIFY(m_gk.unseal());

        QCOMPARE(root("POST", "/v1/sys/auth/userpass", {{QStringLiteral("type"), QStringLiteral("userpass")}}).status,
                 204);
        QCOMPARE(root("POST", "/v1/sys/auth/gate", {{QStringLiteral("type"), QStringLiteral("policy-gate")}}).status,
                 204);
        // Any number of gates.
        QCOMPARE(root("POST", "/v1/sys/auth/gate2", {{QStringLiteral("type"), QStringLiteral("policy-gate")}}).status,
                 204);
        QCOMPARE(dataOf(root("GET", "/v1/sys/auth"))
                     .value(QStringLiteral("gate/"))
                     .toObject()
                     .value(QStringLiteral("type"))
                     .toString(),
                 QStringLiteral("policy-gate"));

        const QString requester = QStringLiteral("path \"auth/gate/request\" { capabilities = [\"create\", "
                                                 "\"update\", \"read\"] }\n"
                                                 "path \"auth/gate/cancel\" { capabilities = [\"update\"] }\n");
        const QString approver = QStringLiteral("path \"auth/gate/request\" { capabilities = [\"list\", \"read\"] }\n"
                                                "path \"auth/gate/approve\" { capabilities = [\"update\"] }\n"
                                                "path \"auth/gate/deny\" { capabilities = [\"update\"] }\n");
        const QString prod = QStringLiteral("path \"secret/prod/*\" { capabilities = [\"read\"] }\n");
        QCOMPARE(root("PUT", "/v1/sys/policy/gate-requester", {{QStringLiteral("policy"), requester}}).status, 204);
        QCOMPARE(root("PUT", "/v1/sys/policy/gate-approver", {{QStringLiteral("policy"), approver}}).status, 204);
        QCOMPARE(root("PUT", "/v1/sys/policy/prod-admin", {{QStringLiteral("policy"), prod}}).status, 204);
        const QPair<const char *, const char *> users[] = {
            {"alice", "gate-requester"}, {"bob", "gate-approver,gate-requester"}, {"carol", "gate-approver"}};
        for (const auto &[user, policies] : users) {
            QCOMPARE(root("POST", QByteArray("/v1/auth/userpass/users/") + user,
                          {{QStringLiteral("password"), QStringLiteral("pw-") + QLatin1String(user)},
                           {QStringLiteral("token_policies"), QLatin1String(policies)}})
                         .status,
                     204);
        }
        m_alice = login(QStringLiteral("alice"), &m_aliceEntity);
        QString bobEntity;
        m_bob = login(QStringLiteral("bob"), &bobEntity);
        m_carol = login(QStringLiteral("carol"));
        QVERIFY(!m_alice.isEmpty() && !m_bob.isEmpty() && !m_carol.isEmpty() && !m_aliceEntity.isEmpty());
        m_aliceName = entityName(m_aliceEntity);
        m_bobName = entityName(bobEntity);
        QVERIFY(!m_aliceName.isEmpty() && !m_bobName.isEmpty());

        QVERIFY(configure({{QStringLiteral("policies"), QJsonArray{QStringLiteral("prod-admin")}},
                           {QStringLiteral("required_approvals"), 2},
                           {QStringLiteral("token_ttl"), QStringLiteral("10m")}}));
    }

    void cleanupTestCase() { m_gk.stop(); }

    void configReadAndValidation()
    {
        HttpAnswer a = root("GET", "/v1/auth/gate/config");
        QCOMPARE(a.status, 200);
        const QJsonObject before = dataOf(a);
        QCOMPARE(before.value(QStringLiteral("policies")).toArray(), QJsonArray{QStringLiteral("prod-admin")});
        QCOMPARE(before.value(QStringLiteral("token_ttl")).toInt(), 600);
        QCOMPARE(before.value(QStringLiteral("required_approvals")).toInt(), 2);
        QCOMPARE(before.value(QStringLiteral("approval_ttl")).toInt(), 3600);
        QCOMPARE(before.value(QStringLiteral("request_ttl")).toInt(), 3600);
        QCOMPARE(before.value(QStringLiteral("require_reason")).toBool(true), false);
        QCOMPARE(before.value(QStringLiteral("delete_after")).toInt(), 86400);

        const QList<QJsonObject> bad{
            {{QStringLiteral("required_approvals"), 0}},
            {{QStringLiteral("required_approvals"), -1}},
            {{QStringLiteral("required_approvals"), QStringLiteral("two")}},
            {{QStringLiteral("required_approvals"), 1.5}},
            {{QStringLiteral("token_ttl"), QStringLiteral("soon")}},
            {{QStringLiteral("token_ttl"), 0}},
            {{QStringLiteral("approval_ttl"), QJsonArray{1}}},
            {{QStringLiteral("request_ttl"), true}},
            {{QStringLiteral("delete_after"), QStringLiteral("-5")}},
            {{QStringLiteral("require_reason"), QStringLiteral("maybe")}},
            {{QStringLiteral("policies"), QJsonArray{QStringLiteral("root")}}},
            {{QStringLiteral("policies"), 5}},
            {{QStringLiteral("policies"), QJsonArray{QStringLiteral("bad name!")}}},
            {{QStringLiteral("colour"), QStringLiteral("blue")}},
            // One good field with one bad: nothing is applied.
            {{QStringLiteral("token_ttl"), 60}, {QStringLiteral("required_approvals"), 0}},
        };
        for (const QJsonObject &body : bad) {
            a = root("POST", "/v1/auth/gate/config", body);
            QVERIFY2(a.status == 400, a.body.constData());
            QVERIFY(!a.errors().isEmpty());
        }
        QCOMPARE(dataOf(root("GET", "/v1/auth/gate/config")), before);
        // Plain ACL: the requester may not configure or read the gate's settings.
        QCOMPARE(call("POST", "/v1/auth/gate/config", {{QStringLiteral("token_ttl"), 60}}, m_alice).status, 403);
        QCOMPARE(call("GET", "/v1/auth/gate/config", {}, m_alice).status, 403);
        // The other gate has its own settings.
        QCOMPARE(dataOf(root("GET", "/v1/auth/gate2/config")).value(QStringLiteral("required_approvals")).toInt(), 1);
    }

    void fullFlow()
    {
        // A request; control characters are stripped from the reason.
        HttpAnswer a = ask(QStringLiteral("Emergency fix\u0007 (ticket 123)\n"), m_alice);
        QCOMPARE(a.status, 200);
        const QString first = field(a, "request_id");
        QVERIFY(isUuid(first));
        QVERIFY(first != m_aliceEntity);
        QCOMPARE(field(a, "status"), QStringLiteral("pending"));
        QCOMPARE(field(a, "reason"), QStringLiteral("Emergency fix (ticket 123)"));
        QCOMPARE(dataOf(a).value(QStringLiteral("overwrite")).toBool(true), false);
        QVERIFY(!field(a, "iat").isEmpty() && !field(a, "exp").isEmpty());

        // One open request per entity: a new one overwrites.
        a = ask(QStringLiteral("Emergency fix (ticket 124)"), m_alice);
        QCOMPARE(a.status, 200);
        QCOMPARE(dataOf(a).value(QStringLiteral("overwrite")).toBool(false), true);
        const QString id = field(a, "request_id");
        QVERIFY(isUuid(id) && id != first);
        QCOMPARE(listed(first, m_bob).value(QStringLiteral("status")).toString(), QStringLiteral("cancelled"));

        a = call("GET", "/v1/auth/gate/request", {}, m_alice);
        QCOMPARE(a.status, 200);
        QCOMPARE(field(a, "request_id"), id);
        QCOMPARE(field(a, "status"), QStringLiteral("pending"));
        QCOMPARE(field(a, "grant_code"), QString());

        // Rights are ACL capabilities: the requester cannot review, an approver-only user cannot ask.
        QCOMPARE(call("LIST", "/v1/auth/gate/request", {}, m_alice).status, 403);
        QCOMPARE(ask(QStringLiteral("x"), m_carol).status, 403);
        QCOMPARE(approve(id, m_alice).status, 403);

        QJsonObject item = listed(id, m_bob);
        QCOMPARE(item.value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
        QCOMPARE(item.value(QStringLiteral("requester")).toString(), m_aliceName);
        QCOMPARE(item.value(QStringLiteral("reason")).toString(), QStringLiteral("Emergency fix (ticket 124)"));
        QCOMPARE(item.value(QStringLiteral("num_approvals")).toInt(), 0);
        QCOMPARE(item.value(QStringLiteral("remaining_approvals")).toInt(), 2);
        QCOMPARE(item.value(QStringLiteral("have_approved")).toBool(true), false);
        QVERIFY(item.contains(QStringLiteral("iat")) && item.contains(QStringLiteral("exp")));

        // bob approves; his second approval does not count.
        a = approve(id, m_bob);
        QCOMPARE(a.status, 200);
        QCOMPARE(dataOf(a).value(QStringLiteral("access_approved")).toBool(true), false);
        QVERIFY(field(a, "approval_id").startsWith(id));
        a = approve(id, m_bob);
        QCOMPARE(a.status, 400);
        QVERIFY(!a.errors().isEmpty());
        item = listed(id, m_bob);
        QCOMPARE(item.value(QStringLiteral("num_approvals")).toInt(), 1);
        QCOMPARE(item.value(QStringLiteral("remaining_approvals")).toInt(), 1);
        QCOMPARE(item.value(QStringLiteral("have_approved")).toBool(false), true);
        QCOMPARE(item.value(QStringLiteral("approvers")).toArray(), QJsonArray{m_bobName});
        QCOMPARE(listed(id, m_carol).value(QStringLiteral("have_approved")).toBool(true), false);
        QCOMPARE(field(call("GET", "/v1/auth/gate/request", {}, m_alice), "grant_code"), QString());

        // carol's approval completes it.
        a = approve(id, m_carol);
        QCOMPARE(a.status, 200);
        QCOMPARE(dataOf(a).value(QStringLiteral("access_approved")).toBool(false), true);
        QCOMPARE(field(a, "message"), QStringLiteral("access approved"));
        QCOMPARE(approve(id, m_carol).status, 400);
        a = call("GET", "/v1/auth/gate/request", {}, m_alice);
        QCOMPARE(field(a, "status"), QStringLiteral("approved"));
        const QString code = field(a, "grant_code");
        QVERIFY(isUuid(code));
        QCOMPARE(QUuid::fromString(code).version(), QUuid::Random);
        // The same code on every read by the requester, and nobody else's GET shows it.
        QCOMPARE(field(call("GET", "/v1/auth/gate/request", {}, m_alice), "grant_code"), code);
        QVERIFY(!call("LIST", "/v1/auth/gate/request", {}, m_bob).body.contains(code.toUtf8()));
        QCOMPARE(call("GET", "/v1/auth/gate/request", {}, m_carol).status, 404);

        // A config change after approval does not change the approved request.
        QVERIFY(configure({{QStringLiteral("policies"), QJsonArray{QStringLiteral("other")}},
                           {QStringLiteral("token_ttl"), 60}}));

        // Claim: unauthenticated, once.
        a = claim(code);
        QCOMPARE(a.status, 200);
        const QJsonObject auth = a.json().value(QStringLiteral("auth")).toObject();
        const QByteArray granted = auth.value(QStringLiteral("client_token")).toString().toUtf8();
        QVERIFY(!granted.isEmpty());
        QCOMPARE(auth.value(QStringLiteral("policies")).toArray(),
                 (QJsonArray{QStringLiteral("default"), QStringLiteral("prod-admin")}));
        QCOMPARE(auth.value(QStringLiteral("lease_duration")).toInt(), 600);
        QCOMPARE(auth.value(QStringLiteral("entity_id")).toString(), m_aliceEntity);
        QCOMPARE(auth.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("grantedBy")).toString(),
                 QStringLiteral("policy-gate"));
        QCOMPARE(claim(code).status, 403);

        // Each transition is in the live index, without the reason or the grant code.
        const HttpAnswer events = root("GET", "/v1/sys/events?index=0");
        QCOMPARE(events.status, 200);
        QStringList kinds;
        for (const QJsonValue &e : events.json().value(QStringLiteral("events")).toArray()) {
            const QJsonObject event = e.toObject();
            if (event.value(QStringLiteral("path")).toString() == QStringLiteral("auth/gate/request/") + id)
                kinds.append(event.value(QStringLiteral("kind")).toString());
        }
        QCOMPARE(kinds, (QStringList{QStringLiteral("gate.request.pending"), QStringLiteral("gate.request.approved"),
                                     QStringLiteral("gate.request.claimed")}));
        QVERIFY(!events.body.contains(code.toUtf8()));
        QVERIFY(!events.body.contains("ticket 124"));
        a = call("GET", "/v1/auth/token/lookup-self", {}, granted);
        QCOMPARE(a.status, 200);
        QCOMPARE(dataOf(a).value(QStringLiteral("entity_id")).toString(), m_aliceEntity);
        QCOMPARE(field(call("GET", "/v1/auth/gate/request", {}, m_alice), "status"), QStringLiteral("claimed"));
        QCOMPARE(field(call("GET", "/v1/auth/gate/request", {}, m_alice), "grant_code"), QString());

        QVERIFY(configure({{QStringLiteral("policies"), QJsonArray{QStringLiteral("prod-admin")}},
                           {QStringLiteral("token_ttl"), 600}}));
    }

    void blockingListWakesOnNewRequest()
    {
        // An approver's LIST with ?index=N&wait=30s holds its answer until the next change, and a new request wakes
        // it: its answer (with the new request) comes within 100 ms of the request's own answer. Both are measured
        // from the moment the request was sent, so time the request spends queued counts for neither.
        const HttpAnswer before = call("LIST", "/v1/auth/gate/request", {}, m_bob);
        QCOMPARE(before.status, 200);
        const QByteArray index = before.header("X-Gatekeeper-Index");
        QVERIFY(index.toULongLong() > 0);
        const std::unique_ptr<RawHttpClient> watcher = m_gk.server().connect();
        const std::unique_ptr<RawHttpClient> writer = m_gk.server().connect();
        QVERIFY(watcher->isConnected() && writer->isConnected());
        QVERIFY(watcher->send(RawHttpClient::formatRequest(
            "LIST", QByteArray("/v1/auth/gate/request?index=") + index + "&wait=30s", {}, {{"X-Vault-Token", m_bob}})));
        QVERIFY(!watcher->readAnswer(300).complete); // nothing changed yet: it waits

        const QByteArray body =
            QJsonDocument(QJsonObject{{QStringLiteral("reason"), QStringLiteral("wake the approvers")}})
                .toJson(QJsonDocument::Compact);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(writer->send(RawHttpClient::formatRequest(
            "POST", "/v1/auth/gate/request", body, {{"X-Vault-Token", m_alice}, {"Content-Type", "application/json"}})));
        const HttpAnswer written = writer->readAnswer(5000);
        const qint64 writtenMs = clock.elapsed();
        const HttpAnswer woken = watcher->readAnswer(5000);
        const qint64 wokenMs = clock.elapsed();
        QCOMPARE(written.status, 200);
        QCOMPARE(woken.status, 200);
        const QString id = field(written, "request_id");
        QVERIFY(isUuid(id));
        QVERIFY(woken.header("X-Gatekeeper-Index").toULongLong() > index.toULongLong());
        QVERIFY(dataOf(woken).value(QStringLiteral("keys")).toArray().contains(id));
        qInfo("request answered after %lld ms, the blocked LIST after %lld ms", writtenMs, wokenMs);
        QVERIFY2(wokenMs - writtenMs < 100, qPrintable(QStringLiteral("%1 ms").arg(wokenMs - writtenMs)));
    }

    void denyAndCancel()
    {
        QString id = field(ask(QStringLiteral("look at logs"), m_alice), "request_id");
        QVERIFY(isUuid(id));
        // The requester cannot deny their own request; the approver can.
        QCOMPARE(call("POST", "/v1/auth/gate/deny", {{QStringLiteral("request_id"), id}}, m_alice).status, 403);
        HttpAnswer a = call("POST", "/v1/auth/gate/deny",
                            {{QStringLiteral("request_id"), id}, {QStringLiteral("reason"), QStringLiteral("no ticket")}},
                            m_carol);
        QCOMPARE(a.status, 200);
        QCOMPARE(field(a, "status"), QStringLiteral("denied"));
        a = call("GET", "/v1/auth/gate/request", {}, m_alice);
        QCOMPARE(field(a, "status"), QStringLiteral("denied"));
        QCOMPARE(field(a, "deny_reason"), QStringLiteral("no ticket"));
        QCOMPARE(approve(id, m_bob).status, 400);
        QCOMPARE(call("POST", "/v1/auth/gate/cancel", {}, m_alice).status, 400);

        // A request after a denied one is not an overwrite; the requester cancels it.
        a = ask(QStringLiteral("again"), m_alice);
        QCOMPARE(dataOf(a).value(QStringLiteral("overwrite")).toBool(true), false);
        id = field(a, "request_id");
        QCOMPARE(call("POST", "/v1/auth/gate/cancel", {}, m_carol).status, 403); // no cancel capability
        QCOMPARE(call("POST", "/v1/auth/gate/cancel", {{QStringLiteral("request_id"), id}}, m_bob).status, 404);
        a = call("POST", "/v1/auth/gate/cancel", {{QStringLiteral("request_id"), id}}, m_alice);
        QCOMPARE(a.status, 200);
        QCOMPARE(field(a, "status"), QStringLiteral("cancelled"));
        QCOMPARE(call("POST", "/v1/auth/gate/cancel", {}, m_alice).status, 400);
        QCOMPARE(approve(id, m_bob).status, 400);
        QCOMPARE(listed(id, m_carol).value(QStringLiteral("status")).toString(), QStringLiteral("cancelled"));
    }

    void expiry()
    {
        // A pending request expires after request_ttl.
        QVERIFY(configure({{QStringLiteral("request_ttl"), 1}, {QStringLiteral("approval_ttl"), 1}}));
        QString id = field(ask(QStringLiteral("short"), m_alice), "request_id");
        QTRY_COMPARE_WITH_TIMEOUT(field(call("GET", "/v1/auth/gate/request", {}, m_alice), "status"),
                                  QStringLiteral("expired"), 10000);
        QCOMPARE(approve(id, m_bob).status, 400);
        QCOMPARE(listed(id, m_bob).value(QStringLiteral("status")).toString(), QStringLiteral("expired"));

        // An approved request expires after approval_ttl, and its code with it.
        QVERIFY(configure({{QStringLiteral("request_ttl"), 60}}));
        const auto [approvedId, code] = approvedRequest();
        QVERIFY(isUuid(code));
        QTRY_COMPARE_WITH_TIMEOUT(listed(approvedId, m_bob).value(QStringLiteral("status")).toString(),
                                  QStringLiteral("expired"), 10000);
        QCOMPARE(claim(code).status, 403);
        QCOMPARE(field(call("GET", "/v1/auth/gate/request", {}, m_alice), "grant_code"), QString());
        QVERIFY(configure({{QStringLiteral("request_ttl"), 3600}, {QStringLiteral("approval_ttl"), 3600}}));
    }

    void parallelClaims()
    {
        const auto [id, code] = approvedRequest();
        QVERIFY(isUuid(code));
        std::vector<std::unique_ptr<RawHttpClient>> clients;
        for (int i = 0; i < 64; ++i) {
            clients.push_back(m_gk.server().connect());
            QVERIFY(clients.back()->isConnected());
        }
        const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("grant_code"), code}}).toJson();
        const QByteArray request = RawHttpClient::formatRequest("POST", "/v1/auth/gate/claim", body,
                                                                {{"Content-Type", "application/json"}});
        for (const auto &client : clients)
            QVERIFY(client->send(request));
        int ok = 0;
        int denied = 0;
        for (const auto &client : clients) {
            const HttpAnswer answer = client->readAnswer(20000);
            QVERIFY(answer.complete);
            if (answer.status == 200)
                ++ok;
            else if (answer.status == 403)
                ++denied;
        }
        QCOMPARE(ok, 1);
        QCOMPARE(denied, 63);
        QCOMPARE(listed(id, m_bob).value(QStringLiteral("status")).toString(), QStringLiteral("claimed"));
    }

    void restartInTheMiddle()
    {
        const QString id = field(ask(QStringLiteral("across a restart"), m_alice), "request_id");
        QCOMPARE(approve(id, m_bob).status, 200);

        QVERIFY(m_gk.reopen());
        QCOMPARE(call("GET", "/v1/auth/gate/request", {}, m_alice).status, 503);
        QVERIFY(m_gk.unseal());
        QJsonObject item = listed(id, m_carol);
        QCOMPARE(item.value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
        QCOMPARE(item.value(QStringLiteral("num_approvals")).toInt(), 1);
        QCOMPARE(approve(id, m_bob).status, 400); // still counted once
        QCOMPARE(approve(id, m_carol).status, 200);
        const QString code = field(call("GET", "/v1/auth/gate/request", {}, m_alice), "grant_code");
        QVERIFY(isUuid(code));

        // And once more between approval and claim: the code survives, and still works once.
        QVERIFY(m_gk.restart());
        QCOMPARE(field(call("GET", "/v1/auth/gate/request", {}, m_alice), "grant_code"), code);
        QCOMPARE(claim(code).status, 200);
        QCOMPARE(claim(code).status, 403);
        QCOMPARE(dataOf(root("GET", "/v1/auth/gate/config")).value(QStringLiteral("required_approvals")).toInt(), 2);

        // The store holds the code only as an HMAC.
        m_gk.stop();
        const QStringList files = QDir(m_gk.storageDir()).entryList({QStringLiteral("gk.db*")}, QDir::Files);
        QVERIFY(!files.isEmpty());
        for (const QString &name : files) {
            QFile f(QDir(m_gk.storageDir()).filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray bytes = f.readAll();
            QVERIFY(!bytes.contains(code.toUtf8()));
            QVERIFY(!bytes.contains(QByteArray("across a restart")));
        }
        QVERIFY(m_gk.restart());
    }

    void requireReason()
    {
        QVERIFY(configure({{QStringLiteral("require_reason"), true}}));
        QCOMPARE(call("POST", "/v1/auth/gate/request", {}, m_alice).status, 400);
        QCOMPARE(ask(QString(), m_alice).status, 400);
        QCOMPARE(ask(QStringLiteral("\u0001\u0002 \n"), m_alice).status, 400); // nothing left once stripped
        // GatePlane's later name for the field.
        HttpAnswer a = call("POST", "/v1/auth/gate/request",
                            {{QStringLiteral("justification"), QStringLiteral("audit prep")}}, m_alice);
        QCOMPARE(a.status, 200);
        QCOMPARE(field(a, "reason"), QStringLiteral("audit prep"));
        QVERIFY(configure({{QStringLiteral("require_reason"), false}}));
        a = call("POST", "/v1/auth/gate/request", {}, m_alice);
        QCOMPARE(a.status, 200);
        QCOMPARE(field(a, "reason"), QString());
    }

    void listQueryEqualsListVerb()
    {
        const HttpAnswer listVerb = call("LIST", "/v1/auth/gate/request", {}, m_bob);
        const HttpAnswer listQuery = call("GET", "/v1/auth/gate/request?list=true", {}, m_bob);
        QCOMPARE(listVerb.status, 200);
        QCOMPARE(listQuery.status, 200);
        QCOMPARE(dataOf(listQuery), dataOf(listVerb));
        const QJsonArray keys = dataOf(listVerb).value(QStringLiteral("keys")).toArray();
        QCOMPARE(dataOf(listVerb).value(QStringLiteral("key_info")).toArray().size(), keys.size());
        QVERIFY(keys.size() >= 8);
        // An empty gate answers 404, as Vault's empty lists do.
        QCOMPARE(root("LIST", "/v1/auth/gate2/request").status, 404);
    }

    void badInputChangesNothing()
    {
        HttpAnswer a = ask(QStringLiteral("baseline"), m_alice);
        QCOMPARE(a.status, 200);
        const QString id = field(a, "request_id");
        const QJsonObject before = dataOf(call("GET", "/v1/auth/gate/request", {}, m_alice));
        const QString missing = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString oversize(2000, QLatin1Char('x'));

        struct Case
        {
            const char *path;
            QJsonObject body;
            QByteArray token;
            int status;
        };
        const QList<Case> cases{
            {"request", {{QStringLiteral("reason"), 5}}, m_alice, 400},
            {"request", {{QStringLiteral("reason"), QJsonArray{QStringLiteral("a")}}}, m_alice, 400},
            {"request", {{QStringLiteral("reason"), oversize}}, m_alice, 400},
            {"request", {{QStringLiteral("justification"), oversize}}, m_alice, 400},
            {"request", {{QStringLiteral("reason"), QStringLiteral("a")}, {QStringLiteral("justification"), QStringLiteral("b")}},
             m_alice, 400},
            {"request", {{QStringLiteral("reason"), QStringLiteral("a")}, {QStringLiteral("extra"), 1}}, m_alice, 400},
            {"request", {{QStringLiteral("reason"), QStringLiteral("root has no entity")}}, m_root, 403},
            {"request", {{QStringLiteral("reason"), QStringLiteral("no token")}}, {}, 403},
            {"approve", {}, m_bob, 400},
            {"approve", {{QStringLiteral("request_id"), 123}}, m_bob, 400},
            {"approve", {{QStringLiteral("request_id"), QStringLiteral("not-a-uuid")}}, m_bob, 400},
            {"approve", {{QStringLiteral("request_id"), missing}}, m_bob, 404},
            {"approve", {{QStringLiteral("request_id"), id}, {QStringLiteral("x"), true}}, m_bob, 400},
            {"deny", {}, m_bob, 400},
            {"deny", {{QStringLiteral("request_id"), false}}, m_bob, 400},
            {"deny", {{QStringLiteral("request_id"), missing}}, m_bob, 404},
            {"deny", {{QStringLiteral("request_id"), id}, {QStringLiteral("reason"), oversize}}, m_bob, 400},
            {"deny", {{QStringLiteral("request_id"), id}, {QStringLiteral("reason"), 7}}, m_bob, 400},
            {"cancel", {{QStringLiteral("request_id"), 5}}, m_alice, 400},
            {"cancel", {{QStringLiteral("request_id"), missing}}, m_alice, 404},
            {"cancel", {{QStringLiteral("request_id"), id}, {QStringLiteral("why"), 1}}, m_alice, 400},
            {"claim", {}, {}, 400},
            {"claim", {{QStringLiteral("grant_code"), 5}}, {}, 400},
            {"claim", {{QStringLiteral("grant_code"), QStringLiteral("garbage")}}, {}, 403},
            {"claim", {{QStringLiteral("grant_code"), missing}}, {}, 403},
            {"claim", {{QStringLiteral("grant_code"), id}}, {}, 403},
        };
        for (const Case &c : cases) {
            a = call("POST", QByteArray("/v1/auth/gate/") + c.path, c.body, c.token);
            QVERIFY2(a.status == c.status, (QByteArray(c.path) + ": " + a.body).constData());
            QVERIFY(!a.errors().isEmpty());
        }
        // Not JSON at all.
        a = m_gk.server().request("POST", "/v1/auth/gate/approve", "{nope", {{"X-Vault-Token", m_bob}});
        QCOMPARE(a.status, 400);
        QCOMPARE(dataOf(call("GET", "/v1/auth/gate/request", {}, m_alice)), before);
        const QJsonObject item = listed(id, m_bob);
        QCOMPARE(item.value(QStringLiteral("num_approvals")).toInt(), 0);
        QCOMPARE(item.value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
    }

    void sweepExpiryIsAudited()
    {
        // An expiry made by the background sweep (no request touches the request) has an audit line of its own,
        // as every transition has: ids and states only, never the reason.
        const QString log = QDir(m_gk.storageDir()).filePath(QStringLiteral("gate-audit.log"));
        QCOMPARE(root("PUT", "/v1/sys/audit/gate-file",
                      {{QStringLiteral("type"), QStringLiteral("file")},
                       {QStringLiteral("options"), QJsonObject{{QStringLiteral("file_path"), log}}}})
                     .status,
                 204);
        QVERIFY(configure({{QStringLiteral("request_ttl"), 1}}));
        const QString id = field(ask(QStringLiteral("nobody looks"), m_alice), "request_id");
        QVERIFY(isUuid(id));
        const auto transitions = [&log, &id] {
            QStringList states;
            QFile f(log);
            if (!f.open(QIODevice::ReadOnly))
                return states;
            for (const QByteArray &line : f.readAll().split('\n')) {
                const QJsonObject entry = QJsonDocument::fromJson(line).object();
                const QJsonObject event = entry.value(QStringLiteral("event")).toObject();
                if (entry.value(QStringLiteral("type")).toString() == QLatin1String("event") &&
                    event.value(QStringLiteral("path")).toString() == QStringLiteral("auth/gate/request/") + id)
                    states.append(event.value(QStringLiteral("kind")).toString());
            }
            return states;
        };
        // Only the file is read meanwhile: the expiry can come from the sweep alone.
        QTRY_COMPARE_WITH_TIMEOUT(transitions(),
                                  (QStringList{QStringLiteral("gate.request.pending"),
                                               QStringLiteral("gate.request.expired")}),
                                  15000);
        QFile f(log);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(!text.contains("nobody looks"));
        QVERIFY(text.contains("\"previous_status\":\"pending\""));
        QVERIFY(audit::verifyFile(log).intact());
        QCOMPARE(root("DELETE", "/v1/sys/audit/gate-file").status, 204);
        QVERIFY(configure({{QStringLiteral("request_ttl"), 3600}}));
    }

    void sweepExpiresAndDeletes()
    {
        // The background sweep (the engine's tidy timer, every 200 ms here) expires a request nobody reads and
        // removes it once delete_after has passed; only the sweep removes requests.
        QVERIFY(configure({{QStringLiteral("request_ttl"), 1}, {QStringLiteral("delete_after"), 1}}));
        const QString id = field(ask(QStringLiteral("left alone"), m_alice), "request_id");
        QVERIFY(isUuid(id));
        QTRY_VERIFY_WITH_TIMEOUT(listed(id, m_bob).isEmpty(), 15000);
        QCOMPARE(call("GET", "/v1/auth/gate/request", {}, m_alice).status, 404);
        // Everything older is gone too.
        QTRY_COMPARE_WITH_TIMEOUT(call("LIST", "/v1/auth/gate/request", {}, m_bob).status, 404, 15000);
    }
};

QTEST_GUILESS_MAIN(TestGateApi)
#include "tst_gate_api.moc"
