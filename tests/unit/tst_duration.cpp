#include "Duration.h"

#include <QTest>

class TestDuration final : public QObject
{
    Q_OBJECT

private slots:
    void parses_data()
    {
        QTest::addColumn<QJsonValue>("input");
        QTest::addColumn<qint64>("seconds");
        QTest::newRow("number") << QJsonValue(3600) << qint64(3600);
        QTest::newRow("string number") << QJsonValue(QStringLiteral("3600")) << qint64(3600);
        QTest::newRow("hours") << QJsonValue(QStringLiteral("1h")) << qint64(3600);
        QTest::newRow("minutes") << QJsonValue(QStringLiteral("30m")) << qint64(1800);
        QTest::newRow("seconds") << QJsonValue(QStringLiteral("90s")) << qint64(90);
        QTest::newRow("compound") << QJsonValue(QStringLiteral("1h30m15s")) << qint64(5415);
        QTest::newRow("days") << QJsonValue(QStringLiteral("2d")) << qint64(172800);
        QTest::newRow("millis") << QJsonValue(QStringLiteral("1500ms")) << qint64(1);
        QTest::newRow("zero") << QJsonValue(0) << qint64(0);
    }
    void parses()
    {
        QFETCH(QJsonValue, input);
        QFETCH(qint64, seconds);
        const auto parsed = gk::parseDurationSeconds(input);
        QVERIFY(parsed.has_value());
        QCOMPARE(*parsed, seconds);
    }

    void refuses_data()
    {
        QTest::addColumn<QJsonValue>("input");
        QTest::newRow("negative") << QJsonValue(-1);
        QTest::newRow("fraction") << QJsonValue(1.5);
        QTest::newRow("unit only") << QJsonValue(QStringLiteral("h"));
        QTest::newRow("bad unit") << QJsonValue(QStringLiteral("10y"));
        QTest::newRow("empty") << QJsonValue(QString());
        QTest::newRow("bool") << QJsonValue(true);
        QTest::newRow("negative string") << QJsonValue(QStringLiteral("-5"));
    }
    void refuses()
    {
        QFETCH(QJsonValue, input);
        QVERIFY(!gk::parseDurationSeconds(input).has_value());
    }

    void formats()
    {
        QCOMPARE(gk::formatDuration(0), QStringLiteral("0s"));
        QCOMPARE(gk::formatDuration(90), QStringLiteral("1m30s"));
        QCOMPARE(gk::formatDuration(3600), QStringLiteral("1h0m0s"));
        QCOMPARE(*gk::parseDurationSeconds(gk::formatDuration(5415)), qint64(5415));
    }
};

QTEST_GUILESS_MAIN(TestDuration)
#include "tst_duration.moc"
