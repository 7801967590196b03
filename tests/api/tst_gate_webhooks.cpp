// Gate webhooks over HTTP: the real Engine on SQLite behind the real HttpServer, and a webhook receiver of the
// test's own on 127.0.0.1:0 (WebhookReceiver, in a thread of its own, so it answers while the test waits on the
// server). alice asks, bob approves or denies (required_approvals 1).

#include "TestServer.h"
#include "UnsealedServer.h"
#include "WebhookReceiver.h"

#include "engine/Engine.h"
#include "engine/notify/WebhookNotifier.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTest>

using namespace gk;
using gk::test::HttpAnswer;
using Receiver = gk::test::WebhookReceiver;

namespace {

const QString kApiAddr = QStringLiteral("https://gatekeeper.example.com:8200/");

QJsonObject dataOf(const HttpAnswer &a)
{
    return a.json().value(QStringLiteral("data")).toObject();
}

QString field(const HttpAnswer &a, const char *name)
{
    return dataOf(a).value(QLatin1String(name)).toString();
}

QJsonObject hook(const QString &url, const char *format = nullptr)
{
    QJsonObject h{{QStringLiteral("url"), url}};
    if (format)
        h.insert(QStringLiteral("format"), QLatin1String(format));
    return h;
}

} // namespace

class TestGateWebhooks final : public QObject
{
    Q_OBJECT

    gk::test::UnsealedServer m_gk{options()};
    Receiver m_receiver;
    QByteArray m_root;
    QByteArray m_alice;
    QByteArray m_bob;
    QString m_aliceName;
    QString m_bobName;
    QList<QByteArray> m_secrets; // every token and grant code of the run: in no webhook body

    static EngineOptions options()
    {
        EngineOptions o;
        o.passwordHashLogN = 10;
        o.apiAddr = kApiAddr;
        o.webhookAttempts = 5;
        o.webhookRetryDelayMs = 100;
        o.webhookTimeoutMs = 5000;
        return o;
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
    QByteArray login(const QString &user, QString *name)
    {
        const HttpAnswer a = call("POST", QByteArray("/v1/auth/userpass/login/") + user.toUtf8(),
                                  {{QStringLiteral("password"), QStringLiteral("pw-") + user}});
        const QJsonObject auth = a.json().value(QStringLiteral("auth")).toObject();
        const QString entity = auth.value(QStringLiteral("entity_id")).toString();
        *name = field(root("GET", QByteArray("/v1/identity/entity/id/") + entity.toUtf8()), "name");
        m_secrets.append(auth.value(QStringLiteral("accessor")).toString().toUtf8());
        return auth.value(QStringLiteral("client_token")).toString().toUtf8();
    }
    HttpAnswer configure(const QJsonObject &settings) { return root("POST", "/v1/auth/gate/config", settings); }
    bool setHooks(const QJsonArray &hooks) { return configure({{QStringLiteral("webhooks"), hooks}}).status == 204; }
    QString ask(const QString &reason)
    {
        const HttpAnswer a = call("POST", "/v1/auth/gate/request", {{QStringLiteral("reason"), reason}}, m_alice);
        return a.status == 200 ? field(a, "request_id") : QString();
    }
    // No webhooks, no open request of alice's (a new request would cancel it: an event of its own), and every
    // delivery done.
    void quiet()
    {
        QVERIFY(setHooks({}));
        call("POST", "/v1/auth/gate/cancel", {}, m_alice);
        QTRY_COMPARE_WITH_TIMEOUT(m_gk.engine().webhooks().pending(), 0, 15000);
    }
    // A metric from sys/metrics in Prometheus form (-1 when it is missing).
    double metric(const char *name)
    {
        const HttpAnswer a = root("GET", "/v1/sys/metrics?format=prometheus");
        for (const QByteArray &line : a.body.split('\n')) {
            if (line.startsWith(QByteArray(name) + ' '))
                return line.mid(qstrlen(name) + 1).toDouble();
        }
        return -1;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_receiver.port() != 0);
        QVERIFY(m_gk.start());
        m_root = m_gk.rootToken();
        m_secrets.append(m_root);
        QVERIFY(m_gk.unseal());
        QCOMPARE(root("POST", "/v1/sys/auth/userpass", {{QStringLiteral("type"), QStringLiteral("userpass")}}).status,
                 204);
        QCOMPARE(root("POST", "/v1/sys/auth/gate", {{QStringLiteral("type"), QStringLiteral("policy-gate")}}).status,
                 204);
        const QString requester = QStringLiteral("path \"auth/gate/request\" { capabilities = [\"create\", "
                                                 "\"update\", \"read\"] }\n"
                                                 "path \"auth/gate/cancel\" { capabilities = [\"update\"] }\n");
        const QString approver = QStringLiteral("path \"auth/gate/request\" { capabilities = [\"list\", \"read\"] }\n"
                                                "path \"auth/gate/approve\" { capabilities = [\"update\"] }\n"
                                                "path \"auth/gate/deny\" { capabilities = [\"update\"] }\n");
        QCOMPARE(root("PUT", "/v1/sys/policy/gate-requester", {{QStringLiteral("policy"), requester}}).status, 204);
        QCOMPARE(root("PUT", "/v1/sys/policy/gate-approver", {{QStringLiteral("policy"), approver}}).status, 204);
        for (const char *user : {"alice", "bob"}) {
            QCOMPARE(root("POST", QByteArray("/v1/auth/userpass/users/") + user,
                          {{QStringLiteral("password"), QStringLiteral("pw-") + QLatin1String(user)},
                           {QStringLiteral("token_policies"),
                            QLatin1String(qstrcmp(user, "alice") == 0 ? "gate-requester" : "gate-approver")}})
                         .status,
                     204);
        }
        m_alice = login(QStringLiteral("alice"), &m_aliceName);
        m_bob = login(QStringLiteral("bob"), &m_bobName);
        QVERIFY(!m_alice.isEmpty() && !m_bob.isEmpty() && !m_aliceName.isEmpty() && !m_bobName.isEmpty());
        m_secrets << m_alice << m_bob;
        QCOMPARE(configure({{QStringLiteral("policies"), QJsonArray{QStringLiteral("gate-requester")}}}).status, 204);
    }

    void cleanupTestCase() { m_gk.stop(); }

    void configValidation()
    {
        const QString good = m_receiver.url("/json");
        const QJsonObject before = dataOf(root("GET", "/v1/auth/gate/config"));
        QCOMPARE(before.value(QStringLiteral("webhooks")).toArray(), QJsonArray());

        QJsonArray eleven;
        for (int i = 0; i < 11; ++i)
            eleven.append(hook(good + QString::number(i)));
        const QList<QPair<QJsonValue, QString>> bad{
            {QStringLiteral("http://example.com/hook"), QStringLiteral("webhooks")},
            {QJsonObject{{QStringLiteral("url"), good}}, QStringLiteral("webhooks")},
            {eleven, QStringLiteral("webhooks")},
            {QJsonArray{good}, QStringLiteral("webhooks[0]")},
            {QJsonArray{QJsonObject()}, QStringLiteral("webhooks[0].url")},
            {QJsonArray{QJsonObject{{QStringLiteral("url"), 5}}}, QStringLiteral("webhooks[0].url")},
            {QJsonArray{hook(QStringLiteral("ftp://example.com/hook"))}, QStringLiteral("webhooks[0].url")},
            {QJsonArray{hook(QStringLiteral("file:///etc/passwd"))}, QStringLiteral("webhooks[0].url")},
            {QJsonArray{hook(QStringLiteral("/relative/hook"))}, QStringLiteral("webhooks[0].url")},
            {QJsonArray{hook(QStringLiteral("http:///no-host"))}, QStringLiteral("webhooks[0].url")},
            {QJsonArray{hook(QStringLiteral("http://user:pw@example.com/hook"))}, QStringLiteral("webhooks[0].url")},
            {QJsonArray{hook(QStringLiteral("http://example.com/hook#part"))}, QStringLiteral("webhooks[0].url")},
            {QJsonArray{hook(good), hook(QStringLiteral("https://example.com/") + QString(2100, QLatin1Char('a')))},
             QStringLiteral("webhooks[1].url")},
            {QJsonArray{hook(good), hook(good, "slack")}, QStringLiteral("webhooks[1].url")},
            {QJsonArray{hook(good, "xml")}, QStringLiteral("webhooks[0].format")},
            {QJsonArray{QJsonObject{{QStringLiteral("url"), good}, {QStringLiteral("format"), true}}},
             QStringLiteral("webhooks[0].format")},
            {QJsonArray{QJsonObject{{QStringLiteral("url"), good}, {QStringLiteral("secret"), QStringLiteral("s")}}},
             QStringLiteral("webhooks[0]")},
        };
        for (const auto &[value, named] : bad) {
            // With a good field next to it: nothing is applied.
            const HttpAnswer a = configure({{QStringLiteral("webhooks"), value}, {QStringLiteral("token_ttl"), 60}});
            QVERIFY2(a.status == 400, a.body.constData());
            const QString error = a.errors().value(0);
            QVERIFY2(error.startsWith(named + QLatin1Char(' ')) || error.startsWith(named + QLatin1Char(':')),
                     qPrintable(named + QStringLiteral(" / ") + error));
        }
        QCOMPARE(dataOf(root("GET", "/v1/auth/gate/config")), before);

        QVERIFY(setHooks({hook(good), hook(m_receiver.url("/slack"), "slack")}));
        const QJsonArray stored =
            dataOf(root("GET", "/v1/auth/gate/config")).value(QStringLiteral("webhooks")).toArray();
        QCOMPARE(stored, (QJsonArray{hook(good, "json"), hook(m_receiver.url("/slack"), "slack")}));
        // The requester may not read them (the URL may be a secret of its own).
        QCOMPARE(call("GET", "/v1/auth/gate/config", {}, m_alice).status, 403);
        QVERIFY(setHooks({}));
        QCOMPARE(dataOf(root("GET", "/v1/auth/gate/config")).value(QStringLiteral("webhooks")).toArray(), QJsonArray());
    }

    void eventsInBothFormats()
    {
        QVERIFY(setHooks({hook(m_receiver.url("/json")), hook(m_receiver.url("/slack"), "slack")}));

        // approved and claimed; a reason that tries to mention everyone on Slack.
        const QString first = ask(QStringLiteral("deploy <!channel> & fix"));
        QVERIFY(!first.isEmpty());
        QCOMPARE(call("POST", "/v1/auth/gate/approve", {{QStringLiteral("request_id"), first}}, m_bob).status, 200);
        const QString code = field(call("GET", "/v1/auth/gate/request", {}, m_alice), "grant_code");
        QVERIFY(!code.isEmpty());
        const HttpAnswer claimed = call("POST", "/v1/auth/gate/claim", {{QStringLiteral("grant_code"), code}});
        QCOMPARE(claimed.status, 200);
        const QJsonObject auth = claimed.json().value(QStringLiteral("auth")).toObject();
        m_secrets << code.toUtf8() << auth.value(QStringLiteral("client_token")).toString().toUtf8()
                  << auth.value(QStringLiteral("accessor")).toString().toUtf8();
        // denied
        const QString second = ask(QStringLiteral("second try"));
        QCOMPARE(call("POST", "/v1/auth/gate/deny",
                      {{QStringLiteral("request_id"), second}, {QStringLiteral("reason"), QStringLiteral("not now")}},
                      m_bob)
                     .status,
                 200);
        // cancelled
        const QString third = ask(QStringLiteral("third try"));
        QCOMPARE(call("POST", "/v1/auth/gate/cancel", {}, m_alice).status, 200);

        const QList<QPair<QString, QStringList>> expected{
            {first, {QStringLiteral("pending"), QStringLiteral("approved"), QStringLiteral("claimed")}},
            {second, {QStringLiteral("pending"), QStringLiteral("denied")}},
            {third, {QStringLiteral("pending"), QStringLiteral("cancelled")}}};
        QTRY_COMPARE_WITH_TIMEOUT(m_receiver.hits("/json").size(), 7, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(m_receiver.hits("/slack").size(), 7, 10000);

        for (const auto &[id, states] : expected) {
            QString previous;
            for (const QString &state : states) {
                const QString name = QStringLiteral("gate.request.") + state;
                const Receiver::Hit json = m_receiver.find("/json", id, name);
                QVERIFY2(!json.body.isEmpty(), qPrintable(id + QLatin1Char(' ') + name));
                QCOMPARE(json.contentType, QByteArray("application/json"));
                const QJsonObject e = QJsonDocument::fromJson(json.body).object();
                QCOMPARE(e.value(QStringLiteral("event")).toString(), name);
                QCOMPARE(e.value(QStringLiteral("delivery_id")).toString().toUtf8(), json.delivery);
                QCOMPARE(e.value(QStringLiteral("request_id")).toString(), id);
                QCOMPARE(e.value(QStringLiteral("gate")).toString(), QStringLiteral("gate"));
                QCOMPARE(e.value(QStringLiteral("mount_point")).toString(), QStringLiteral("auth/gate/"));
                QCOMPARE(e.value(QStringLiteral("requester")).toString(), m_aliceName);
                QCOMPARE(e.value(QStringLiteral("status")).toString(), state);
                QCOMPARE(e.value(QStringLiteral("previous_status")).toString(), previous);
                QCOMPARE(e.value(QStringLiteral("required_approvals")).toInt(), 1);
                QVERIFY(QDateTime::fromString(e.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs).isValid());
                QCOMPARE(e.value(QStringLiteral("link")).toString(),
                         QStringLiteral("https://gatekeeper.example.com:8200/ui/gates/gate/requests/") + id);
                QVERIFY(!e.contains(QStringLiteral("grant_code")));
                // The same event in Slack's shape.
                const Receiver::Hit slack = m_receiver.find("/slack", id, name);
                QVERIFY2(!slack.body.isEmpty(), qPrintable(id + QLatin1Char(' ') + name));
                QCOMPARE(slack.contentType, QByteArray("application/json"));
                const QJsonObject s = QJsonDocument::fromJson(slack.body).object();
                const QString text = s.value(QStringLiteral("text")).toString();
                QVERIFY2(text.contains(m_aliceName) && text.contains(state) && text.contains(QStringLiteral("`gate`")),
                         qPrintable(text));
                const QJsonArray blocks = s.value(QStringLiteral("blocks")).toArray();
                QVERIFY(blocks.size() >= 2);
                for (const QJsonValue &b : blocks)
                    QVERIFY(!b.toObject().value(QStringLiteral("type")).toString().isEmpty());
                QVERIFY(slack.body.contains(QByteArray("<https://gatekeeper.example.com:8200/ui/gates/gate/requests/") +
                                            id.toUtf8() + '|'));
                previous = state;
            }
        }
        const auto event = [this](const QString &id, const char *state) {
            return QJsonDocument::fromJson(
                       m_receiver.find("/json", id, QStringLiteral("gate.request.") + QLatin1String(state)).body)
                .object();
        };
        QCOMPARE(event(first, "pending").value(QStringLiteral("reason")).toString(),
                 QStringLiteral("deploy <!channel> & fix"));
        QCOMPARE(event(first, "approved").value(QStringLiteral("approvers")).toArray(), QJsonArray{m_bobName});
        QCOMPARE(event(first, "approved").value(QStringLiteral("num_approvals")).toInt(), 1);
        QCOMPARE(event(second, "denied").value(QStringLiteral("denied_by")).toString(), m_bobName);
        QCOMPARE(event(second, "denied").value(QStringLiteral("deny_reason")).toString(), QStringLiteral("not now"));
        // Slack: user text is escaped, so a reason can neither mention anyone nor make links.
        const QByteArray slackPending = m_receiver.find("/slack", first, QStringLiteral("gate.request.pending")).body;
        QVERIFY(slackPending.contains("deploy &lt;!channel&gt; &amp; fix"));
        QVERIFY(!slackPending.contains("<!channel>"));
        QVERIFY(m_receiver.find("/slack", second, QStringLiteral("gate.request.denied")).body.contains("not now"));
        QVERIFY(setHooks({}));
    }

    void retriedUntilDelivered()
    {
        quiet();
        const double deliveries = metric("gatekeeper_gate_webhook_deliveries_total");
        const double failures = metric("gatekeeper_gate_webhook_failures_total");
        const double retries = metric("gatekeeper_gate_webhook_retries_total");
        const double dropped = metric("gatekeeper_gate_webhook_dropped_total");
        QVERIFY(deliveries >= 14 && failures >= 0 && retries >= 0 && dropped >= 0);

        // 500, then 503, then 200: delivered on the third attempt, after 100 ms and then 200 ms.
        m_receiver.script("/flaky", {{500, 0, {}}, {503, 0, {}}});
        QVERIFY(setHooks({hook(m_receiver.url("/flaky"))}));
        const QString id = ask(QStringLiteral("flaky receiver"));
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(m_receiver.hits("/flaky").size(), 3, 10000);
        const QList<Receiver::Hit> hits = m_receiver.hits("/flaky");
        QCOMPARE(hits.at(0).answeredWith, 500);
        QCOMPARE(hits.at(1).answeredWith, 503);
        QCOMPARE(hits.at(2).answeredWith, 200);
        for (const Receiver::Hit &h : hits) {
            QCOMPARE(h.body, hits.first().body); // the same event, the same delivery id
            QCOMPARE(h.delivery, hits.first().delivery);
        }
        // (Qt's coarse timers may fire up to 5 % early.)
        QVERIFY(hits.at(1).atMs - hits.at(0).atMs >= 95);
        QVERIFY(hits.at(2).atMs - hits.at(1).atMs >= 190);
        QTRY_COMPARE_WITH_TIMEOUT(metric("gatekeeper_gate_webhook_deliveries_total"), deliveries + 1, 5000);
        QCOMPARE(metric("gatekeeper_gate_webhook_failures_total"), failures + 2);
        QCOMPARE(metric("gatekeeper_gate_webhook_retries_total"), retries + 2);
        QCOMPARE(metric("gatekeeper_gate_webhook_dropped_total"), dropped);
        QVERIFY(root("GET", "/v1/sys/metrics").body.contains("gatekeeper_gate_webhook_failures_total"));

        // A 4xx is final: not retried, the event is dropped.
        quiet();
        m_receiver.script("/gone", {{410, 0, {}}});
        QVERIFY(setHooks({hook(m_receiver.url("/gone"))}));
        QVERIFY(!ask(QStringLiteral("gone receiver")).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(metric("gatekeeper_gate_webhook_dropped_total"), dropped + 1, 5000);
        QTest::qWait(500); // more than the first retry delay: no second attempt came
        QCOMPARE(m_receiver.hits("/gone").size(), 1);
        QCOMPARE(metric("gatekeeper_gate_webhook_failures_total"), failures + 3);
        QCOMPARE(metric("gatekeeper_gate_webhook_retries_total"), retries + 2);
        QVERIFY(setHooks({}));
    }

    void slowOrDownReceiverDoesNotDelayTheRequest()
    {
        // A receiver that takes 3 s to answer, and one that is down (the port closed: connection refused).
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const QString down = QStringLiteral("http://127.0.0.1:%1/down").arg(closed.serverPort());
        closed.close();
        m_receiver.script("/slow", {{200, 3000, {}}});
        quiet();
        const double deliveries = metric("gatekeeper_gate_webhook_deliveries_total");
        const double dropped = metric("gatekeeper_gate_webhook_dropped_total");
        QVERIFY(setHooks({hook(m_receiver.url("/slow")), hook(down)}));

        QElapsedTimer clock;
        clock.start();
        const QString id = ask(QStringLiteral("receivers are slow today"));
        const qint64 answeredMs = clock.elapsed();
        QVERIFY(!id.isEmpty());
        // Answered before either delivery is done: the slow one waits 3 s for its answer, the other is given up only
        // after four retries (100, 200, 400 and 800 ms apart). Both are still under way (they are queued right after
        // the change is stored, so they may show a moment after the answer).
        QVERIFY2(answeredMs < 1500, qPrintable(QString::number(answeredMs)));
        QTRY_COMPARE_WITH_TIMEOUT(m_gk.engine().webhooks().pending(), 2, 1000);
        qInfo("request answered after %lld ms with the webhook deliveries under way", answeredMs);

        QTRY_COMPARE_WITH_TIMEOUT(m_gk.engine().webhooks().pending(), 0, 15000);
        QCOMPARE(metric("gatekeeper_gate_webhook_deliveries_total"), deliveries + 1);
        QCOMPARE(metric("gatekeeper_gate_webhook_dropped_total"), dropped + 1);
        QVERIFY(!m_receiver.find("/slow", id, QStringLiteral("gate.request.pending")).body.isEmpty());
        quiet();
    }

    void expiryIsSent()
    {
        quiet();
        QCOMPARE(configure({{QStringLiteral("request_ttl"), 1}}).status, 204);
        QVERIFY(setHooks({hook(m_receiver.url("/json"))}));
        const QString id = ask(QStringLiteral("short-lived"));
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(field(call("GET", "/v1/auth/gate/request", {}, m_alice), "status"),
                                  QStringLiteral("expired"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!m_receiver.find("/json", id, QStringLiteral("gate.request.expired")).body.isEmpty(),
                                 10000);
        const QJsonObject e =
            QJsonDocument::fromJson(m_receiver.find("/json", id, QStringLiteral("gate.request.expired")).body).object();
        QCOMPARE(e.value(QStringLiteral("previous_status")).toString(), QStringLiteral("pending"));
        QCOMPARE(e.value(QStringLiteral("reason")).toString(), QStringLiteral("short-lived"));
        QCOMPARE(configure({{QStringLiteral("request_ttl"), 3600}}).status, 204);
        quiet();
    }

    void noSecretInAnyPayload()
    {
        const QList<Receiver::Hit> all = m_receiver.hits();
        QVERIFY(all.size() >= 18);
        QVERIFY(m_secrets.size() >= 7);
        for (const QByteArray &secret : std::as_const(m_secrets)) {
            QVERIFY(!secret.isEmpty());
            for (const Receiver::Hit &h : all) {
                QVERIFY2(!h.body.contains(secret), h.body.constData());
                QVERIFY(!h.delivery.contains(secret));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestGateWebhooks)
#include "tst_gate_webhooks.moc"
