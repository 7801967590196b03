#include "Duration.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QTest>

class TestDuration final : public QObject
{
    Q_OBJECT

private slots:
    void formatsRfc3339()
    {
        // Known instants, then every 1,000th day across the supported years and random seconds: the text is what
        // QDateTime writes.
        QCOMPARE(gk::formatRfc3339(0), QStringLiteral("1970-01-01T00:00:00Z"));
        QCOMPARE(gk::formatRfc3339(951782400), QStringLiteral("2000-02-29T00:00:00Z"));
        QCOMPARE(gk::formatRfc3339(-1), QStringLiteral("1969-12-31T23:59:59Z"));
        QCOMPARE(gk::formatRfc3339Ms(1765063200123), QStringLiteral("2025-12-06T23:20:00.123Z"));
        QCOMPARE(gk::formatRfc3339Ms(-1), QStringLiteral("1969-12-31T23:59:59.999Z"));
        const auto expected = [](qint64 secs) {
            return QDateTime::fromSecsSinceEpoch(secs, Qt::UTC).toString(Qt::ISODate);
        };
        const auto expectedMs = [](qint64 ms) {
            return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
        };
        for (qint64 secs = -62135596800; secs < 253402300800; secs += 1000 * 86400 + 3723)
            QCOMPARE(gk::formatRfc3339(secs), expected(secs));
        for (const qint64 edge : {qint64(-62135596800), qint64(253402300799), qint64(253402300800),
                                  qint64(-62135596801), qint64(4102444800), qint64(1709164800)})
            QCOMPARE(gk::formatRfc3339(edge), expected(edge));
        QRandomGenerator random(20261206);
        for (int i = 0; i < 20000; ++i) {
            const qint64 ms = qint64(random.bounded(Q_INT64_C(400000000000000))) - Q_INT64_C(60000000000000);
            QCOMPARE(gk::formatRfc3339(ms / 1000), expected(ms / 1000));
            QCOMPARE(gk::formatRfc3339Ms(ms), expectedMs(ms));
        }
    }

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
