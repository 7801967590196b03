// SealStatus::fromJson against Vault's documented seal-status answers. No server.

#include "SealStatus.h"

#include <QJsonDocument>
#include <QTest>

using gk::SealStatus;

class TestSealStatus final : public QObject
{
    Q_OBJECT

private:
    static QJsonObject parse(const char *json) { return QJsonDocument::fromJson(json).object(); }

private slots:
    void unsealedAnswer()
    {
        const auto status = SealStatus::fromJson(parse(R"({"type":"shamir","initialized":true,"sealed":false,
            "t":3,"n":5,"progress":0,"nonce":"","version":"1.15.0","build_date":"2023-09-22T16:53:10Z",
            "migration":false,"cluster_name":"vault-cluster-1","cluster_id":"7c1fa52e-5c8f-4a3b-93d5-2b1d0c8d8e61",
            "recovery_seal":false,"storage_type":"raft"})"));
        QVERIFY(status);
        QCOMPARE(status->type, QStringLiteral("shamir"));
        QVERIFY(status->initialized);
        QVERIFY(!status->sealed);
        QCOMPARE(status->threshold, 3);
        QCOMPARE(status->shares, 5);
        QCOMPARE(status->progress, 0);
        QCOMPARE(status->nonce, QString());
        QCOMPARE(status->version, QStringLiteral("1.15.0"));
        QCOMPARE(status->clusterName, QStringLiteral("vault-cluster-1"));
        QCOMPARE(status->clusterId, QStringLiteral("7c1fa52e-5c8f-4a3b-93d5-2b1d0c8d8e61"));
    }

    void sealedInProgress()
    {
        // Sealed: no cluster fields; an unseal attempt under way has a nonce.
        const auto status = SealStatus::fromJson(parse(R"({"type":"shamir","initialized":true,"sealed":true,
            "t":2,"n":3,"progress":1,"nonce":"a3d5b1f0-2c61-4e2e-9b7c-0f3d2a9e4c11","version":"0.1.0"})"));
        QVERIFY(status);
        QVERIFY(status->sealed);
        QCOMPARE(status->progress, 1);
        QCOMPARE(status->threshold, 2);
        QCOMPARE(status->shares, 3);
        QCOMPARE(status->nonce, QStringLiteral("a3d5b1f0-2c61-4e2e-9b7c-0f3d2a9e4c11"));
        QVERIFY(status->clusterName.isEmpty());
        QVERIFY(status->clusterId.isEmpty());
    }

    void notInitialised()
    {
        const auto status = SealStatus::fromJson(
            parse(R"({"type":"shamir","initialized":false,"sealed":true,"t":0,"n":0,"progress":0,"nonce":""})"));
        QVERIFY(status);
        QVERIFY(!status->initialized);
        QVERIFY(status->sealed);
        QCOMPARE(status->threshold, 0);
    }

    void minimalAnswer()
    {
        const auto status = SealStatus::fromJson(parse(R"({"initialized":true,"sealed":false})"));
        QVERIFY(status);
        QCOMPARE(status->threshold, 0);
        QCOMPARE(status->type, QString());
    }

    void roundTrip()
    {
        SealStatus s;
        s.type = QStringLiteral("shamir");
        s.initialized = true;
        s.sealed = false;
        s.threshold = 2;
        s.shares = 3;
        s.version = QStringLiteral("0.1.0");
        s.clusterName = QStringLiteral("gatekeeper");
        s.clusterId = QStringLiteral("id-1");
        const auto back = SealStatus::fromJson(s.toJson());
        QVERIFY(back);
        QCOMPARE(*back, s);
        QVERIFY(!s.toJson().contains(QStringLiteral("build_date")));
    }

    void invalid_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("field");
        QTest::newRow("empty object") << QByteArray("{}") << QStringLiteral("initialized");
        QTest::newRow("no sealed") << QByteArray(R"({"initialized":true})") << QStringLiteral("sealed");
        QTest::newRow("sealed as string")
            << QByteArray(R"({"initialized":true,"sealed":"true"})") << QStringLiteral("sealed");
        QTest::newRow("t as string") << QByteArray(R"({"initialized":true,"sealed":true,"t":"2","n":3})")
                                     << QStringLiteral("\"t\"");
        QTest::newRow("negative n") << QByteArray(R"({"initialized":true,"sealed":true,"t":0,"n":-1})")
                                    << QStringLiteral("\"n\"");
        QTest::newRow("fractional progress")
            << QByteArray(R"({"initialized":true,"sealed":true,"t":2,"n":3,"progress":0.5})")
            << QStringLiteral("progress");
        QTest::newRow("t above n") << QByteArray(R"({"initialized":true,"sealed":true,"t":4,"n":3})")
                                   << QStringLiteral("threshold");
        QTest::newRow("version as number")
            << QByteArray(R"({"initialized":true,"sealed":true,"version":1})") << QStringLiteral("version");
        QTest::newRow("errors answer") << QByteArray(R"({"errors":["permission denied"]})")
                                       << QStringLiteral("initialized");
    }

    void invalid()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, field);
        QString error;
        QVERIFY(!SealStatus::fromJson(QJsonDocument::fromJson(json).object(), &error));
        QVERIFY2(error.contains(field), qPrintable(error));
        QVERIFY(!SealStatus::fromJson(QJsonDocument::fromJson(json).object())); // no error pointer: no crash
    }
};

QTEST_GUILESS_MAIN(TestSealStatus)
#include "tst_sealstatus.moc"
