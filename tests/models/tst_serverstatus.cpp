// ServerStatus: the parsing of the broker's GET /status (well-formed, sealed, malformed: a clear error and no crash),
// and ServerStatus::fetch against a real server (UnsealedServer on 127.0.0.1:0) — id, version, counters and the
// barrier's seal state together, a sealed server, and a server that is not there.

#include "ApiClient.h"
#include "ServerStatus.h"
#include "UnsealedServer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTcpServer>
#include <QTest>

using gk::ApiClient;
using gk::ServerStatus;
using gk::ServerStatusSnapshot;

namespace {

QJsonObject goodStatus()
{
    return {{QStringLiteral("id"), QStringLiteral("3b7a2d0e-5c1f-4f43-9a6e-0c1d2e3f4a5b")},
            {QStringLiteral("uptime"), QStringLiteral("1h2m3s")},
            {QStringLiteral("unsealed"), true},
            {QStringLiteral("started"), QStringLiteral("2026-12-06T04:00:00Z")},
            {QStringLiteral("version"), QStringLiteral("0.1.0")},
            {QStringLiteral("peers"), QJsonArray{}},
            {QStringLiteral("stats"), QJsonObject{{QStringLiteral("requests"), 10},
                                                  {QStringLiteral("successful"), 6},
                                                  {QStringLiteral("denied"), 3},
                                                  {QStringLiteral("failed"), 1}}}};
}

std::optional<ServerStatusSnapshot> fetch(ApiClient &client)
{
    std::optional<ServerStatusSnapshot> result;
    QObject context;
    ServerStatus::fetch(&client, &context, [&](const ServerStatusSnapshot &s) { result = s; });
    if (!QTest::qWaitFor([&] { return result.has_value(); }, 10000))
        return std::nullopt;
    return result;
}

} // namespace

class TestServerStatus final : public QObject
{
    Q_OBJECT

private slots:
    void parsesTheBrokersStatus()
    {
        QString error;
        const auto s = ServerStatus::fromJson(goodStatus(), &error);
        QVERIFY2(s, qPrintable(error));
        QCOMPARE(s->id, QStringLiteral("3b7a2d0e-5c1f-4f43-9a6e-0c1d2e3f4a5b"));
        QCOMPARE(s->version, QStringLiteral("0.1.0"));
        QCOMPARE(s->uptimeSeconds, qint64(3723));
        QCOMPARE(s->started, QDateTime(QDate(2026, 12, 6), QTime(4, 0), Qt::UTC));
        QVERIFY(s->brokerUnsealed);
        QCOMPARE(s->counters, (ServerStatus::Counters{10, 6, 3, 1}));
    }

    void malformedAnswersAreRefusedClearly_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QJsonValue>("value"); // undefined: the field is removed
        QTest::addColumn<QString>("error");
        QTest::newRow("no id") << QStringLiteral("id") << QJsonValue(QJsonValue::Undefined)
                               << QStringLiteral("no \"id\"");
        QTest::newRow("id a number") << QStringLiteral("id") << QJsonValue(7) << QStringLiteral("\"id\"");
        QTest::newRow("no version") << QStringLiteral("version") << QJsonValue(QJsonValue::Undefined)
                                    << QStringLiteral("\"version\"");
        QTest::newRow("uptime not a duration")
            << QStringLiteral("uptime") << QJsonValue(QStringLiteral("ages")) << QStringLiteral("not a duration");
        QTest::newRow("unsealed a string")
            << QStringLiteral("unsealed") << QJsonValue(QStringLiteral("true")) << QStringLiteral("\"unsealed\"");
        QTest::newRow("no stats") << QStringLiteral("stats") << QJsonValue(QJsonValue::Undefined)
                                  << QStringLiteral("\"stats\"");
        QTest::newRow("stats an array") << QStringLiteral("stats") << QJsonValue(QJsonArray{1})
                                        << QStringLiteral("\"stats\"");
        QTest::newRow("negative counter") << QStringLiteral("stats")
                                          << QJsonValue(QJsonObject{{QStringLiteral("requests"), -1},
                                                                    {QStringLiteral("successful"), 0},
                                                                    {QStringLiteral("denied"), 0},
                                                                    {QStringLiteral("failed"), 0}})
                                          << QStringLiteral("\"requests\"");
        QTest::newRow("missing counter") << QStringLiteral("stats")
                                         << QJsonValue(QJsonObject{{QStringLiteral("requests"), 1},
                                                                   {QStringLiteral("successful"), 0},
                                                                   {QStringLiteral("denied"), 0}})
                                         << QStringLiteral("\"failed\"");
        QTest::newRow("fractional counter") << QStringLiteral("stats")
                                            << QJsonValue(QJsonObject{{QStringLiteral("requests"), 1.5},
                                                                      {QStringLiteral("successful"), 0},
                                                                      {QStringLiteral("denied"), 0},
                                                                      {QStringLiteral("failed"), 0}})
                                            << QStringLiteral("\"requests\"");
    }

    void malformedAnswersAreRefusedClearly()
    {
        QFETCH(QString, field);
        QFETCH(QJsonValue, value);
        QFETCH(QString, error);
        QJsonObject json = goodStatus();
        if (value.isUndefined())
            json.remove(field);
        else
            json.insert(field, value);
        QString why;
        QVERIFY(!ServerStatus::fromJson(json, &why));
        QVERIFY2(why.contains(error), qPrintable(why));
        QVERIFY(!ServerStatus::fromJson({})); // without an error string too
    }

    void fetchesStatusAndSealStateFromARealServer()
    {
        gk::test::UnsealedServer gk;
        QVERIFY(gk.start());
        QVERIFY(gk.unseal());
        ApiClient client;
        client.setBaseUrl(gk.server().baseUrl());
        const auto snapshot = fetch(client);
        QVERIFY(snapshot);
        QVERIFY2(snapshot->broker, qPrintable(snapshot->brokerError));
        QVERIFY2(snapshot->barrier, qPrintable(snapshot->barrierError));
        QCOMPARE(snapshot->broker->version, QStringLiteral(GK_VERSION));
        QCOMPARE(snapshot->broker->id.size(), 36);  // a UUID
        QVERIFY(!snapshot->broker->brokerUnsealed); // nobody gave the broker a credential
        QCOMPARE(snapshot->broker->counters, ServerStatus::Counters{});
        QVERIFY(snapshot->barrier->initialized);
        QVERIFY(!snapshot->barrier->sealed);
        QVERIFY(snapshot->takenAt.isValid());

        // A task token request (refused: no grid) counts.
        QVERIFY(gk.server().requestJson("POST", "/token", {{QStringLiteral("task_id"), QStringLiteral("t1")}}).status >=
                400);
        const auto after = fetch(client);
        QVERIFY(after && after->broker);
        QCOMPARE(after->broker->id, snapshot->broker->id);
        QCOMPARE(after->broker->counters.requests, qint64(1));
    }

    void aSealedServerIsReportedWithTheServersError()
    {
        gk::test::UnsealedServer gk;
        QVERIFY(gk.start()); // initialised, sealed
        ApiClient client;
        client.setBaseUrl(gk.server().baseUrl());
        const auto snapshot = fetch(client);
        QVERIFY(snapshot);
        QVERIFY2(snapshot->barrier, qPrintable(snapshot->barrierError));
        QVERIFY(snapshot->barrier->sealed);
        if (snapshot->broker)
            QVERIFY(!snapshot->broker->brokerUnsealed);
        else
            QVERIFY(!snapshot->brokerError.isEmpty());
    }

    void aServerThatIsNotThereGivesErrorsNotACrash()
    {
        QTcpServer reserve; // a port nobody listens on once closed
        QVERIFY(reserve.listen(QHostAddress::LocalHost));
        const quint16 port = reserve.serverPort();
        reserve.close();
        ApiClient client;
        client.setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
        const auto snapshot = fetch(client);
        QVERIFY(snapshot);
        QVERIFY(!snapshot->broker);
        QVERIFY(!snapshot->barrier);
        QVERIFY(!snapshot->brokerError.isEmpty());
        QVERIFY(!snapshot->barrierError.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestServerStatus)
#include "tst_serverstatus.moc"
