// The live index over HTTP: blocking queries on lists woken by a write, wait expiry, X-Gatekeeper-Index,
// GET /v1/sys/events (content, ACL, no token ids) and bad blocking-query input on every kind of list route.

#include "UnsealedServer.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QTest>

using namespace gk;
using gk::test::HttpAnswer;
using gk::test::RawHttpClient;

class TestEventsApi final : public QObject
{
    Q_OBJECT

    gk::test::UnsealedServer m_fixture;
    gk::test::TestServer *m_server = nullptr;
    QByteArray m_root;

    HttpAnswer call(QByteArrayView method, QByteArrayView target, const QJsonObject &body = {},
                    const QByteArray &token = {})
    {
        return m_server->requestJson(method, target, body, token.isNull() ? m_root : token);
    }

    static quint64 indexOf(const HttpAnswer &a) { return a.header("X-Gatekeeper-Index").toULongLong(); }

    quint64 currentIndex()
    {
        const HttpAnswer a = call("GET", "/v1/sys/events");
        return quint64(a.json().value(QStringLiteral("index")).toInteger());
    }

    QByteArray createToken(const QStringList &policies)
    {
        const HttpAnswer a = call("POST", "/v1/auth/token/create",
                                  {{QStringLiteral("policies"), QJsonArray::fromStringList(policies)}});
        return a.json().value(QStringLiteral("auth")).toObject().value(QStringLiteral("client_token")).toString().toUtf8();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_fixture.start());
        QVERIFY(m_fixture.unseal());
        m_server = &m_fixture.server();
        m_root = m_fixture.rootToken();
    }

    void cleanupTestCase() { m_fixture.stop(); }

    void listsCarryTheIndex()
    {
        HttpAnswer a = call("LIST", "/v1/auth/token/accessors");
        QCOMPARE(a.status, 200);
        QVERIFY(a.hasHeader("X-Gatekeeper-Index"));
        const quint64 before = indexOf(a);
        a = call("GET", "/v1/sys/policy?list=true");
        QCOMPARE(a.status, 200);
        QCOMPARE(indexOf(a), before);
        // A write moves it; a read (not a list) does not carry it.
        QCOMPARE(call("PUT", "/v1/secret/one", {{QStringLiteral("v"), 1}}).status, 204);
        a = call("LIST", "/v1/secret/");
        QCOMPARE(a.status, 200);
        QCOMPARE(indexOf(a), before + 1);
        a = call("GET", "/v1/auth/token/lookup-self");
        QCOMPARE(a.status, 200);
        QVERIFY(!a.hasHeader("X-Gatekeeper-Index"));
        // A failed write does not move it.
        QCOMPARE(call("PUT", "/v1/secret/bad/").status, 400);
        QCOMPARE(indexOf(call("LIST", "/v1/secret/")), before + 1);
    }

    void readsSentAsWritesDoNotMoveIt()
    {
        // POSTs that only read (capabilities-self, token and wrapping lookups) are not changes: a console that asks
        // them must not wake every watcher.
        const QByteArray child = createToken({QStringLiteral("default")});
        const quint64 before = currentIndex();
        QCOMPARE(call("POST", "/v1/sys/capabilities-self", {{QStringLiteral("paths"), QJsonArray{"secret/x"}}}).status,
                 200);
        QCOMPARE(call("POST", "/v1/auth/token/lookup", {{QStringLiteral("token"), QString::fromUtf8(child)}}).status,
                 200);
        QCOMPARE(call("POST", "/v1/auth/token/lookup-self").status, 200);
        const HttpAnswer self = call("GET", "/v1/auth/token/lookup-self", {}, child);
        const QString accessor = self.json()[QStringLiteral("data")][QStringLiteral("accessor")].toString();
        QCOMPARE(call("POST", "/v1/auth/token/lookup-accessor", {{QStringLiteral("accessor"), accessor}}).status, 200);
        QCOMPARE(currentIndex(), before);
        // A real change still moves it.
        QCOMPARE(call("POST", "/v1/auth/token/revoke", {{QStringLiteral("token"), QString::fromUtf8(child)}}).status,
                 204);
        QCOMPARE(currentIndex(), before + 1);
    }

    void writeWakesWaitingList()
    {
        const quint64 index = indexOf(call("LIST", "/v1/auth/token/accessors"));
        QVERIFY(index > 0);
        std::unique_ptr<RawHttpClient> waiter = m_server->connect();
        QVERIFY(waiter->isConnected());
        QElapsedTimer sinceSent;
        sinceSent.start();
        QVERIFY(waiter->send(RawHttpClient::formatRequest(
            "LIST", QByteArray("/v1/auth/token/accessors?index=") + QByteArray::number(index) + "&wait=30s", {},
            {{"X-Vault-Token", m_root}})));
        // Held: nothing arrives while nothing changes.
        HttpAnswer early = waiter->readAnswer(400);
        QVERIFY(!early.complete);
        QVERIFY(waiter->pending().isEmpty());

        const HttpAnswer created = call("POST", "/v1/auth/token/create", {{QStringLiteral("policies"),
                                                                            QJsonArray{QStringLiteral("default")}}});
        QCOMPARE(created.status, 200);
        QElapsedTimer sinceWrite;
        sinceWrite.start();
        const QString accessor =
            created.json().value(QStringLiteral("auth")).toObject().value(QStringLiteral("accessor")).toString();

        const HttpAnswer woken = waiter->readAnswer(5000);
        const qint64 wakeMs = sinceWrite.elapsed();
        QVERIFY(woken.complete);
        QCOMPARE(woken.status, 200);
        QVERIFY2(wakeMs < 100, qPrintable(QStringLiteral("woken %1 ms after the write").arg(wakeMs)));
        QVERIFY(sinceSent.elapsed() >= 400);
        QVERIFY(indexOf(woken) > index);
        QVERIFY(woken.json()
                    .value(QStringLiteral("data"))
                    .toObject()
                    .value(QStringLiteral("keys"))
                    .toArray()
                    .contains(accessor));
    }

    void eventsWakeToo()
    {
        const quint64 index = currentIndex();
        std::unique_ptr<RawHttpClient> waiter = m_server->connect();
        QVERIFY(waiter->send(RawHttpClient::formatRequest(
            "GET", QByteArray("/v1/sys/events?wait=20s&index=") + QByteArray::number(index), {},
            {{"X-Nomad-Token", m_root}})));
        QVERIFY(!waiter->readAnswer(300).complete);
        QCOMPARE(call("DELETE", "/v1/secret/one").status, 204);
        QElapsedTimer sinceWrite;
        sinceWrite.start();
        const HttpAnswer woken = waiter->readAnswer(5000);
        QVERIFY(woken.complete);
        QVERIFY2(sinceWrite.elapsed() < 100, qPrintable(QString::number(sinceWrite.elapsed())));
        QCOMPARE(woken.status, 200);
        const QJsonArray events = woken.json().value(QStringLiteral("events")).toArray();
        QCOMPARE(events.size(), 1);
        const QJsonObject event = events.first().toObject();
        QCOMPARE(event.value(QStringLiteral("kind")).toString(), QStringLiteral("kv"));
        QCOMPARE(event.value(QStringLiteral("operation")).toString(), QStringLiteral("delete"));
        QCOMPARE(event.value(QStringLiteral("path")).toString(), QStringLiteral("/v1/secret/one"));
        QCOMPARE(quint64(event.value(QStringLiteral("index")).toInteger()), index + 1);
    }

    void waitExpiresWithUnchangedIndex()
    {
        const quint64 index = indexOf(call("LIST", "/v1/sys/policy"));
        QElapsedTimer timer;
        timer.start();
        const HttpAnswer a = call("LIST", QByteArray("/v1/sys/policy?wait=1s&index=") + QByteArray::number(index));
        QCOMPARE(a.status, 200);
        QVERIFY2(timer.elapsed() >= 950, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(timer.elapsed() < 3000);
        QCOMPARE(indexOf(a), index);
        // An index already passed answers at once; so does index 0.
        timer.restart();
        QCOMPARE(call("LIST", QByteArray("/v1/sys/policy?wait=5s&index=") + QByteArray::number(index - 1)).status,
                 200);
        QCOMPARE(call("LIST", "/v1/sys/policy?wait=5s&index=0").status, 200);
        QVERIFY(timer.elapsed() < 2000);
    }

    void eventsAfterPolicyAndTokenWrites()
    {
        const quint64 index = currentIndex();
        QCOMPARE(call("PUT", "/v1/sys/policy/watcher",
                      {{QStringLiteral("policy"), QStringLiteral("path \"sys/events\" { capabilities = [\"read\"] }")}})
                     .status,
                 204);
        const HttpAnswer created = call("POST", "/v1/auth/token/create",
                                        {{QStringLiteral("policies"), QJsonArray{QStringLiteral("watcher")}}});
        QCOMPARE(created.status, 200);
        const QByteArray id =
            created.json().value(QStringLiteral("auth")).toObject().value(QStringLiteral("client_token")).toString().toUtf8();
        QVERIFY(!id.isEmpty());

        // The new token reads sys/events through its policy; a default token may not.
        const HttpAnswer a = call("GET", QByteArray("/v1/sys/events?index=") + QByteArray::number(index), {}, id);
        QCOMPARE(a.status, 200);
        QVERIFY(!a.body.contains(id));
        QVERIFY(!a.body.contains(m_root));
        const QJsonObject body = a.json();
        QCOMPARE(quint64(body.value(QStringLiteral("index")).toInteger()), index + 2);
        QCOMPARE(indexOf(a), index + 2);
        QCOMPARE(body.value(QStringLiteral("truncated")).toBool(true), false);
        const QJsonArray events = body.value(QStringLiteral("events")).toArray();
        QCOMPARE(events.size(), 2);
        QCOMPARE(events.at(0).toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("policy"));
        QCOMPARE(events.at(0).toObject().value(QStringLiteral("path")).toString(),
                 QStringLiteral("/v1/sys/policy/watcher"));
        QCOMPARE(events.at(0).toObject().value(QStringLiteral("operation")).toString(), QStringLiteral("update"));
        QCOMPARE(events.at(1).toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("token"));
        QCOMPARE(events.at(1).toObject().value(QStringLiteral("path")).toString(),
                 QStringLiteral("/v1/auth/token/create"));
        QCOMPARE(quint64(events.at(1).toObject().value(QStringLiteral("index")).toInteger()), index + 2);
        QVERIFY(!events.at(1).toObject().value(QStringLiteral("time")).toString().isEmpty());

        const QByteArray plain = createToken({QStringLiteral("default")});
        const HttpAnswer denied = call("GET", "/v1/sys/events", {}, plain);
        QCOMPARE(denied.status, 403);
        QVERIFY(!denied.errors().isEmpty());
        QCOMPARE(call("GET", "/v1/sys/events", {}, QByteArray("")).status, 403);
    }

    void indexNeverGoesBackAcrossRestart()
    {
        QCOMPARE(call("PUT", "/v1/secret/before-restart", {{QStringLiteral("v"), 1}}).status, 204);
        const quint64 before = currentIndex();
        QVERIFY(before > 0);
        QVERIFY(m_fixture.restart());
        m_server = &m_fixture.server();
        const HttpAnswer list = call("LIST", "/v1/secret/");
        QCOMPARE(list.status, 200);
        QVERIFY(indexOf(list) >= before);
        // What happened before the restart is not in the history any more: the console must reload.
        HttpAnswer a = call("GET", QByteArray("/v1/sys/events?index=") + QByteArray::number(before));
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json().value(QStringLiteral("truncated")).toBool(), true);
        // The next change gets an index above every one handed out before.
        QCOMPARE(call("PUT", "/v1/secret/after-restart", {{QStringLiteral("v"), 1}}).status, 204);
        const quint64 after = currentIndex();
        QVERIFY(after > before);
        a = call("GET", QByteArray("/v1/sys/events?index=") + QByteArray::number(after - 1));
        QCOMPARE(a.json().value(QStringLiteral("truncated")).toBool(), false);
        const QJsonArray events = a.json().value(QStringLiteral("events")).toArray();
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.first().toObject().value(QStringLiteral("path")).toString(),
                 QStringLiteral("/v1/secret/after-restart"));
    }

    void badBlockingInput_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("query");
        const QList<QPair<QByteArray, QByteArray>> routes{{"LIST", "/v1/auth/token/accessors"},
                                                          {"LIST", "/v1/sys/policy"},
                                                          {"GET", "/v1/sys/policies/acl?list=true"},
                                                          {"LIST", "/v1/secret/"},
                                                          {"GET", "/v1/sys/policy"},
                                                          {"GET", "/v1/sys/auth"},
                                                          {"GET", "/v1/sys/mounts"},
                                                          {"GET", "/v1/sys/events"}};
        const QList<QByteArray> queries{"index=abc", "index=-1", "index=", "index=1.5", "index=1&wait=soon",
                                        "index=1&wait=-1s", "index=184467440737095516150"};
        for (const auto &[method, path] : routes)
            for (const QByteArray &query : queries)
                QTest::addRow("%s %s %s", method.constData(), path.constData(), query.constData())
                    << method << path << query;
    }

    void badBlockingInput()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, query);
        const quint64 before = currentIndex();
        QElapsedTimer timer;
        timer.start();
        const HttpAnswer a = call(method, path + (path.contains('?') ? "&" : "?") + query);
        QCOMPARE(a.status, 400);
        QVERIFY(!a.errors().isEmpty());
        QVERIFY(timer.elapsed() < 1000); // refused, not held
        QCOMPARE(currentIndex(), before);
    }
};

QTEST_GUILESS_MAIN(TestEventsApi)
#include "tst_events_api.moc"
