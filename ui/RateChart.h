#pragma once

#include <QList>
#include <QString>
#include <QWidget>

#include <optional>

namespace gk {

// A small live line chart of a rate per minute, drawn with QPainter in the palette's colours. It is fed readings of
// a growing counter (addCounter) and keeps the rates between the last N readings: (count - previous count) over the
// time between them, scaled to one minute. A counter that went down was reset (the server restarted): the new count
// is taken as what happened since. The accessible description tells the latest and the highest rate.
class RateChart final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RateChart)

public:
    struct Sample
    {
        qint64 msecs = 0; // when the counter was read (ms since the epoch)
        double perMinute = 0;
    };

    explicit RateChart(QWidget *parent = nullptr);
    ~RateChart() override;

    // The rate per minute between two readings of a counter; nullopt when the second is not later than the first.
    static std::optional<double> ratePerMinute(qint64 previousMsecs, qint64 previousCount, qint64 msecs, qint64 count);

    // Adds a reading of the counter; from the second reading on, each adds a sample.
    void addCounter(qint64 msecs, qint64 count);
    // Forgets every reading and sample (another server, or the same one restarted).
    void clear();
    const QList<Sample> &samples() const { return m_samples; }
    // How many samples are kept (default 60; at least 2).
    int capacity() const { return m_capacity; }
    void setCapacity(int capacity);
    // What the chart measures, for its accessible text ("requests").
    void setUnit(const QString &unit);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void updateDescription();

    QList<Sample> m_samples;
    std::optional<qint64> m_lastMsecs;
    qint64 m_lastCount = 0;
    int m_capacity = 60;
    QString m_unit;
};

} // namespace gk
