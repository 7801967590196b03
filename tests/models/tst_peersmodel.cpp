// PeersModel under QAbstractItemModelTester against a real server (UnsealedServer on 127.0.0.1:0): the node that
// answers GET /v1/sys/ha-status as one active, unsealed row; the server's error without a token; and the parsing of
// malformed ha-status answers (a clear error, no row, no crash).

#include "ApiClient.h"
#include "PeersModel.h"
#include "UnsealedServer.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using gk::ApiClient;
using gk::PeersModel;

namespace {

QJsonObject node(const QString &hostname, const QString &address, bool active)
{
    return {{QStringLiteral("hostname"), hostname},
            {QStringLiteral("api_address"), address},
            {QStringLiteral("active_node"), active},
            {QStringLiteral("unsealed"), true},
            {QStringLiteral("last_echo"), QJsonValue::Null}};
}

} // namespace

class TestPeersModel final : public QObject
{
    Q_OBJECT

    gk::test::UnsealedServer m_gk;

    bool refreshed(PeersModel &model)
    {
        QSignalSpy spy(&model, &PeersModel::refreshed);
        model.refresh();
        return spy.wait(5000);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_gk.start());
        QVERIFY(m_gk.unseal());
    }

    void listsTheServerAsOneActiveUnsealedNode()
    {
        ApiClient client;
        client.setBaseUrl(m_gk.server().baseUrl());
        client.setToken(QString::fromLatin1(m_gk.rootToken()));
        PeersModel model(&client);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);

        QVERIFY(refreshed(model));
        QCOMPARE(model.errorString(), QString());
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.columnCount(), int(PeersModel::ColumnCount));
        const PeersModel::Node &self = model.nodeAt(0);
        QVERIFY(!self.name.isEmpty());
        QVERIFY(self.active);
        QVERIFY(self.unsealed);
        QVERIFY(self.address.isValid());
        QVERIFY(self.lastSeen.isValid()); // the active node is seen when it answers
        QCOMPARE(model.index(0, PeersModel::RoleColumn).data().toString(), QStringLiteral("Active"));
        QCOMPARE(model.index(0, PeersModel::SealColumn).data().toString(), QStringLiteral("Unsealed"));
        QCOMPARE(model.index(0, PeersModel::NameColumn).data().toString(), self.name);

        // A second read of the same cluster changes no row: no insert, no removal.
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QVERIFY(refreshed(model));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(removed.count(), 0);
    }

    void withoutATokenTheServersErrorIsKept()
    {
        ApiClient client;
        client.setBaseUrl(m_gk.server().baseUrl());
        PeersModel model(&client);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy errorChanged(&model, &PeersModel::errorChanged);
        QVERIFY(refreshed(model));
        QCOMPARE(model.rowCount(), 0);
        QVERIFY2(model.errorString().contains(QLatin1String("permission denied")) ||
                     model.errorString().contains(QLatin1String("token")),
                 qPrintable(model.errorString()));
        QCOMPARE(errorChanged.count(), 1);
    }

    void parsesNodesWithTheirAddressAndLastSeen()
    {
        const QUrl own(QStringLiteral("http://127.0.0.1:8200"));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const auto parsed = PeersModel::parseHaStatus(
            {{QStringLiteral("nodes"), QJsonArray{node(QStringLiteral("a"), QString(), true),
                                                  node(QStringLiteral("b"), QStringLiteral("https://b:8200"), false)}}},
            own, now);
        QVERIFY(parsed);
        QCOMPARE(parsed->size(), 2);
        QCOMPARE(parsed->at(0).address, own); // no api_address: the server the client talks to
        QCOMPARE(parsed->at(0).lastSeen, now);
        QCOMPARE(parsed->at(1).address, QUrl(QStringLiteral("https://b:8200")));
        QVERIFY(!parsed->at(1).active);
        QVERIFY(!parsed->at(1).lastSeen.isValid()); // a standby without last_echo was never seen

        QJsonObject echoed = node(QStringLiteral("c"), QStringLiteral("https://c:8200"), false);
        echoed.insert(QStringLiteral("last_echo"), QStringLiteral("2026-12-06T05:00:00.5Z"));
        const auto withEcho = PeersModel::parseHaStatus({{QStringLiteral("nodes"), QJsonArray{echoed}}}, own, now);
        QVERIFY(withEcho);
        QCOMPARE(withEcho->at(0).lastSeen, QDateTime(QDate(2026, 12, 6), QTime(5, 0, 0, 500), Qt::UTC));
    }

    void malformedAnswersAreRefusedClearly_data()
    {
        QTest::addColumn<QJsonObject>("answer");
        QTest::addColumn<QString>("error");
        QJsonObject badActive = node(QStringLiteral("a"), QString(), true);
        badActive.insert(QStringLiteral("active_node"), QStringLiteral("yes"));
        QJsonObject badAddress = node(QStringLiteral("a"), QString(), true);
        badAddress.insert(QStringLiteral("api_address"), 8200);
        QTest::newRow("no nodes") << QJsonObject{} << QStringLiteral("no \"nodes\" array");
        QTest::newRow("nodes not an array")
            << QJsonObject{{QStringLiteral("nodes"), QStringLiteral("a")}} << QStringLiteral("no \"nodes\" array");
        QTest::newRow("empty") << QJsonObject{{QStringLiteral("nodes"), QJsonArray{}}} << QStringLiteral("no node");
        QTest::newRow("node not an object")
            << QJsonObject{{QStringLiteral("nodes"), QJsonArray{1}}} << QStringLiteral("not an object");
        QTest::newRow("no hostname") << QJsonObject{{QStringLiteral("nodes"), QJsonArray{QJsonObject{}}}}
                                     << QStringLiteral("no \"hostname\"");
        QTest::newRow("active_node not a boolean")
            << QJsonObject{{QStringLiteral("nodes"), QJsonArray{badActive}}} << QStringLiteral("\"active_node\"");
        QTest::newRow("api_address not a string")
            << QJsonObject{{QStringLiteral("nodes"), QJsonArray{badAddress}}} << QStringLiteral("\"api_address\"");
    }

    void malformedAnswersAreRefusedClearly()
    {
        QFETCH(QJsonObject, answer);
        QFETCH(QString, error);
        QString why;
        QVERIFY(!PeersModel::parseHaStatus(answer, QUrl(), QDateTime::currentDateTimeUtc(), &why));
        QVERIFY2(why.contains(error), qPrintable(why));
    }
};

QTEST_GUILESS_MAIN(TestPeersModel)
#include "tst_peersmodel.moc"
