// RateChart: the rate arithmetic (counter deltas over time, scaled to a minute; a counter that went down was reset),
// the samples kept, and an offscreen render (grab()) that draws the line in the palette's highlight colour.

#include "RateChart.h"

#include <QImage>
#include <QPixmap>
#include <QTest>

using gk::RateChart;

class TestRateChart final : public QObject
{
    Q_OBJECT

private slots:
    void ratePerMinuteFromCounterDeltas_data()
    {
        QTest::addColumn<qint64>("previousMsecs");
        QTest::addColumn<qint64>("previousCount");
        QTest::addColumn<qint64>("msecs");
        QTest::addColumn<qint64>("count");
        QTest::addColumn<double>("perMinute");
        QTest::newRow("3 in 3 s") << qint64(0) << qint64(10) << qint64(3000) << qint64(13) << 60.0;
        QTest::newRow("1 in a minute") << qint64(1000) << qint64(5) << qint64(61000) << qint64(6) << 1.0;
        QTest::newRow("none") << qint64(0) << qint64(7) << qint64(3000) << qint64(7) << 0.0;
        QTest::newRow("reset to 4 in 2 s") << qint64(0) << qint64(100) << qint64(2000) << qint64(4) << 120.0;
        QTest::newRow("reset to 0") << qint64(0) << qint64(100) << qint64(2000) << qint64(0) << 0.0;
    }

    void ratePerMinuteFromCounterDeltas()
    {
        QFETCH(qint64, previousMsecs);
        QFETCH(qint64, previousCount);
        QFETCH(qint64, msecs);
        QFETCH(qint64, count);
        QFETCH(double, perMinute);
        const std::optional<double> rate = RateChart::ratePerMinute(previousMsecs, previousCount, msecs, count);
        QVERIFY(rate);
        QCOMPARE(*rate, perMinute);
    }

    void noRateWithoutTimePassing()
    {
        QVERIFY(!RateChart::ratePerMinute(5000, 1, 5000, 2));
        QVERIFY(!RateChart::ratePerMinute(5000, 1, 4000, 2));
    }

    void keepsTheLastSamples()
    {
        RateChart chart;
        chart.setCapacity(3);
        chart.addCounter(0, 0);
        QVERIFY(chart.samples().isEmpty()); // one reading is no rate yet
        chart.addCounter(1000, 1);          // 60/min
        chart.addCounter(1000, 50);         // not later: ignored
        chart.addCounter(2000, 3);          // 120/min
        chart.addCounter(3000, 1);          // reset: 60/min
        chart.addCounter(4000, 1);          // 0/min
        QCOMPARE(chart.samples().size(), 3);
        QCOMPARE(chart.samples().at(0).perMinute, 120.0);
        QCOMPARE(chart.samples().at(1).perMinute, 60.0);
        QCOMPARE(chart.samples().at(2).perMinute, 0.0);
        QCOMPARE(chart.samples().at(2).msecs, qint64(4000));
        QVERIFY(chart.accessibleDescription().contains(QLatin1String("120")));
        QVERIFY(!chart.accessibleName().isEmpty());

        chart.clear();
        QVERIFY(chart.samples().isEmpty());
        chart.addCounter(5000, 10); // after clear, the first reading again gives no rate
        QVERIFY(chart.samples().isEmpty());
    }

    void rendersTheLineOffscreen()
    {
        RateChart chart;
        chart.resize(320, 120);
        for (int i = 0; i <= 10; ++i)
            chart.addCounter(i * 3000, i * i);
        const QImage image = chart.grab().toImage();
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), chart.size() * chart.devicePixelRatio());
        const QRgb highlight = chart.palette().color(QPalette::Highlight).rgb();
        const QRgb base = chart.palette().color(QPalette::Base).rgb();
        int highlighted = 0;
        int other = 0;
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                const QRgb pixel = image.pixel(x, y);
                if (pixel == highlight)
                    ++highlighted;
                else if (pixel != base)
                    ++other;
            }
        }
        QVERIFY2(highlighted > 50, qPrintable(QString::number(highlighted))); // the line
        QVERIFY2(other > 50, qPrintable(QString::number(other)));             // axes and text

        RateChart empty;
        empty.resize(320, 120);
        QVERIFY(!empty.grab().toImage().isNull()); // no sample: axes and "no rate yet", no crash
    }
};

QTEST_MAIN(TestRateChart)
#include "tst_ratechart.moc"
