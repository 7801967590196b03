// Webhook targets, event bodies and the notifier on their own: no engine, a receiver of the test's own on
// 127.0.0.1:0.

#include "WebhookReceiver.h"

#include "engine/Metrics.h"
#include "engine/notify/Webhook.h"
#include "engine/notify/WebhookEvent.h"
#include "engine/notify/WebhookNotifier.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QMutexLocker>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace gk;
using gk::test::WebhookReceiver;

namespace {

// Every log message while a test runs (the notifier logs from its own thread).
QMutex logMutex;
QStringList logLines;
QtMessageHandler previousHandler = nullptr;

void captureLog(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&logMutex);
        logLines.append(message);
    }
    previousHandler(type, context, message);
}

WebhookEvent sampleEvent()
{
    WebhookEvent e;
    e.deliveryId = QStringLiteral("3f2c0b6e-0d7a-4a53-9d0e-1f6f0c2b9a11");
    e.gate = QStringLiteral("gate");
    e.mountPoint = QStringLiteral("auth/gate/");
    e.requestId = QStringLiteral("0b8e3c1a-52f4-4e0c-8d55-7c1d2a9e6f00");
    e.requester = QStringLiteral("alice");
    e.reason = QStringLiteral("deploy");
    e.status = QStringLiteral("pending");
    e.timeMs = 1'800'000'000'000;
    e.iatMs = e.timeMs;
    e.expMs = e.timeMs + 3'600'000;
    e.requiredApprovals = 2;
    return e;
}

Webhook hookTo(const QString &url, Webhook::Format format = Webhook::Format::Json)
{
    Webhook h;
    h.url = QUrl(url);
    h.format = format;
    return h;
}

} // namespace

class TestWebhooks final : public QObject
{
    Q_OBJECT

private slots:
    void parseAcceptsAndNormalises()
    {
        const Result<QList<Webhook>> empty = Webhook::parseList(QJsonArray(), QStringLiteral("webhooks"));
        QVERIFY(empty && empty.value().isEmpty());
        const QJsonArray given{
            QJsonObject{{QStringLiteral("url"), QStringLiteral("  https://hooks.example.com/a?b=c  ")}},
            QJsonObject{{QStringLiteral("url"), QStringLiteral("HTTP://10.0.0.5:8080/hook")},
                        {QStringLiteral("format"), QStringLiteral("slack")}},
            QJsonObject{{QStringLiteral("url"), QStringLiteral("http://[::1]:9000/x")},
                        {QStringLiteral("format"), QJsonValue()}}};
        const Result<QList<Webhook>> hooks = Webhook::parseList(given, QStringLiteral("webhooks"));
        QVERIFY2(hooks, qPrintable(hooks.error()));
        QCOMPARE(hooks.value().size(), 3);
        QCOMPARE(hooks.value().at(0).url.toString(), QStringLiteral("https://hooks.example.com/a?b=c"));
        QCOMPARE(hooks.value().at(0).format, Webhook::Format::Json);
        QCOMPARE(hooks.value().at(1).format, Webhook::Format::Slack);
        QCOMPARE(hooks.value().at(1).url.scheme(), QStringLiteral("http"));
        QCOMPARE(hooks.value().at(2).url.host(), QStringLiteral("::1"));
        // Stored and read back unchanged; logs see only scheme and host.
        QCOMPARE(Webhook::fromJsonList(Webhook::toJsonList(hooks.value())).size(), 3);
        QCOMPARE(Webhook::toJsonList(Webhook::fromJsonList(Webhook::toJsonList(hooks.value()))),
                 Webhook::toJsonList(hooks.value()));
        QCOMPARE(hooks.value().at(0).display(), QStringLiteral("https://hooks.example.com"));
    }

    void consoleLink()
    {
        const QString id = QStringLiteral("0b8e3c1a-52f4-4e0c-8d55-7c1d2a9e6f00");
        QCOMPARE(WebhookEvent::consoleLink(QStringLiteral("https://gk.example.com:8200/"), QStringLiteral("gate/"), id),
                 QStringLiteral("https://gk.example.com:8200/ui/gates/gate/requests/") + id);
        QCOMPARE(WebhookEvent::consoleLink(QStringLiteral("http://127.0.0.1:8200"), QStringLiteral("team/prod"), id),
                 QStringLiteral("http://127.0.0.1:8200/ui/gates/team/prod/requests/") + id);
        QCOMPARE(WebhookEvent::consoleLink(QString(), QStringLiteral("gate"), id), QString());
    }

    void bodies()
    {
        WebhookEvent e = sampleEvent();
        QJsonObject json = QJsonDocument::fromJson(e.body(Webhook::Format::Json)).object();
        QCOMPARE(json.value(QStringLiteral("event")).toString(), QStringLiteral("gate.request.pending"));
        QCOMPARE(json.value(QStringLiteral("time")).toString(), QStringLiteral("2027-01-15T08:00:00.000Z"));
        QCOMPARE(json.value(QStringLiteral("previous_status")).toString(), QString());
        // Optional fields only when they have a value.
        QVERIFY(!json.contains(QStringLiteral("link")));
        QVERIFY(!json.contains(QStringLiteral("denied_by")));
        e.link = QStringLiteral("https://gk.example.com/ui/gates/gate/requests/") + e.requestId;
        e.status = QStringLiteral("denied");
        e.previousStatus = QStringLiteral("pending");
        e.deniedBy = QStringLiteral("bob");
        e.denyReason = QStringLiteral("not <now>");
        json = QJsonDocument::fromJson(e.body(Webhook::Format::Json)).object();
        QCOMPARE(json.value(QStringLiteral("link")).toString(), e.link);
        QCOMPARE(json.value(QStringLiteral("deny_reason")).toString(), QStringLiteral("not <now>"));
        const QByteArray slack = e.body(Webhook::Format::Slack);
        QVERIFY(slack.contains("not &lt;now&gt;"));
        QVERIFY(slack.contains("pending → denied"));
        QVERIFY(slack.contains("<" + e.link.toUtf8() + "|" + e.requestId.toUtf8() + ">"));
    }

    void slackTextIsCut()
    {
        // 1024 ampersands escape to 5120 characters: over Slack's limits, so cut, and never inside "&amp;".
        WebhookEvent e = sampleEvent();
        e.reason = QString(1024, QLatin1Char('&'));
        const QJsonArray blocks = e.toSlack().value(QStringLiteral("blocks")).toArray();
        bool sawReason = false;
        for (const QJsonValue &b : blocks) {
            const QString text =
                b.toObject().value(QStringLiteral("text")).toObject().value(QStringLiteral("text")).toString();
            QVERIFY(text.size() <= 1901);
            if (!text.startsWith(QStringLiteral("*Reason*")))
                continue;
            sawReason = true;
            QVERIFY(text.endsWith(QStringLiteral("&amp;…")));
        }
        QVERIFY(sawReason);
    }

    void deliversAndCounts()
    {
        WebhookReceiver receiver;
        // The path of a webhook URL may be a secret (Slack's are): it is in no log line.
        previousHandler = qInstallMessageHandler(captureLog);
        receiver.script("/moved/T0001/s3cr3t", {{302, 0, QByteArrayLiteral("Location: /elsewhere\r\n")}});
        Metrics metrics;
        WebhookNotifier::Options options;
        options.retryDelayMs = 20;
        WebhookNotifier notifier(options, &metrics);
        notifier.send(
            {hookTo(receiver.url("/ok")), hookTo(receiver.url("/moved/T0001/s3cr3t"), Webhook::Format::Slack)},
            sampleEvent());
        QTRY_COMPARE_WITH_TIMEOUT(notifier.pending(), 0, 10000);
        const WebhookNotifier::Counters c = notifier.counters();
        QCOMPARE(c.deliveries, 1u);
        QCOMPARE(c.failures, 1u); // the redirect: not followed, not retried
        QCOMPARE(c.retries, 0u);
        QCOMPARE(c.dropped, 1u);
        QCOMPARE(receiver.hits("/ok").size(), 1);
        QCOMPARE(receiver.hits("/moved/T0001/s3cr3t").size(), 1);
        QVERIFY(receiver.hits("/elsewhere").isEmpty());
        QCOMPARE(receiver.hits("/ok").first().event, QByteArray("gate.request.pending"));
        QVERIFY(receiver.hits("/moved/T0001/s3cr3t").first().body.startsWith("{\"blocks\""));
        const QByteArray text = metrics.renderPrometheus();
        QVERIFY(text.contains("# TYPE gatekeeper_gate_webhook_deliveries_total counter\n"
                              "gatekeeper_gate_webhook_deliveries_total 1\n"));
        QVERIFY(text.contains("gatekeeper_gate_webhook_dropped_total 1\n"));
        QVERIFY(text.contains("# TYPE gatekeeper_gate_webhook_pending gauge\ngatekeeper_gate_webhook_pending 0\n"));
        qInstallMessageHandler(previousHandler);
        QMutexLocker lock(&logMutex);
        QVERIFY(std::any_of(logLines.cbegin(), logLines.cend(),
                            [](const QString &line) { return line.contains(QLatin1String("given up")); }));
        for (const QString &line : std::as_const(logLines))
            QVERIFY2(!line.contains(QLatin1String("s3cr3t")), qPrintable(line));
    }

    void queueIsBounded()
    {
        // Receivers that never answer hold their deliveries; past maxPending new ones are dropped at once. The
        // notifier then goes away with deliveries in flight.
        WebhookReceiver receiver;
        WebhookNotifier::Options options;
        options.maxPending = 2;
        auto notifier = std::make_unique<WebhookNotifier>(options);
        QList<Webhook> hooks;
        for (int i = 0; i < 4; ++i) {
            const QByteArray path = "/hold" + QByteArray::number(i);
            receiver.script(path, {{200, -1, {}}});
            hooks.append(hookTo(receiver.url(path.constData())));
        }
        notifier->send(hooks, sampleEvent());
        QCOMPARE(notifier->pending(), 2);
        QCOMPARE(notifier->counters().dropped, 2u);
        QTRY_COMPARE_WITH_TIMEOUT(receiver.hits().size(), 2, 10000);
        notifier.reset();
        QCOMPARE(receiver.hits().size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestWebhooks)
#include "tst_webhooks.moc"
