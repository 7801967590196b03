#include "RateChart.h"

#include <QEvent>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace gk {

namespace {

constexpr double msecsPerMinute = 60000.0;

// The top of the vertical axis: the highest rate rounded up to 1, 2 or 5 times a power of ten.
double axisTop(double highest)
{
    if (highest <= 0)
        return 1;
    double step = 1;
    while (step * 10 <= highest)
        step *= 10;
    for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
        if (step * factor >= highest)
            return step * factor;
    }
    return step * 10;
}

} // namespace

RateChart::RateChart(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("rateChart"));
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setUnit(tr("requests"));
}

RateChart::~RateChart() = default;

std::optional<double> RateChart::ratePerMinute(qint64 previousMsecs, qint64 previousCount, qint64 msecs, qint64 count)
{
    if (msecs <= previousMsecs)
        return std::nullopt;
    const qint64 delta = count >= previousCount ? count - previousCount : count; // went down: reset to zero since
    return static_cast<double>(delta) * msecsPerMinute / static_cast<double>(msecs - previousMsecs);
}

void RateChart::addCounter(qint64 msecs, qint64 count)
{
    if (m_lastMsecs) {
        const std::optional<double> rate = ratePerMinute(*m_lastMsecs, m_lastCount, msecs, count);
        if (!rate)
            return; // not later than the last reading: keep the last one
        m_samples.append({msecs, *rate});
        while (m_samples.size() > m_capacity)
            m_samples.removeFirst();
    }
    m_lastMsecs = msecs;
    m_lastCount = count;
    updateDescription();
    update();
}

void RateChart::clear()
{
    m_samples.clear();
    m_lastMsecs.reset();
    m_lastCount = 0;
    updateDescription();
    update();
}

void RateChart::setCapacity(int capacity)
{
    m_capacity = std::max(2, capacity);
    while (m_samples.size() > m_capacity)
        m_samples.removeFirst();
    updateDescription();
    update();
}

void RateChart::setUnit(const QString &unit)
{
    m_unit = unit;
    setAccessibleName(tr("%1 per minute").arg(unit));
    updateDescription();
}

void RateChart::updateDescription()
{
    if (m_samples.isEmpty()) {
        setAccessibleDescription(tr("No rate measured yet"));
        setToolTip(accessibleDescription());
        return;
    }
    double highest = 0;
    for (const Sample &s : std::as_const(m_samples))
        highest = std::max(highest, s.perMinute);
    const QLocale locale;
    setAccessibleDescription(
        tr("Latest: %1 %3 per minute; highest of the last %n reading(s): %2", nullptr,
           static_cast<int>(m_samples.size()))
            .arg(locale.toString(m_samples.last().perMinute, 'f', 1), locale.toString(highest, 'f', 1), m_unit));
    setToolTip(accessibleDescription());
}

QSize RateChart::sizeHint() const
{
    return {320, 120};
}

QSize RateChart::minimumSizeHint() const
{
    return {160, 80};
}

void RateChart::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        setUnit(tr("requests"));
    else if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange)
        update();
    QWidget::changeEvent(event);
}

void RateChart::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette &pal = palette();
    painter.fillRect(rect(), pal.color(QPalette::Base));

    double highest = 0;
    for (const Sample &s : std::as_const(m_samples))
        highest = std::max(highest, s.perMinute);
    const double top = axisTop(highest);
    const QLocale locale;
    const QString topLabel = locale.toString(top, 'g', 6);
    const QFontMetrics metrics = fontMetrics();
    const int margin = 4;
    const int left = margin + metrics.horizontalAdvance(topLabel) + margin;
    const int bottom = height() - margin - metrics.height();
    const QRect plot(QPoint(left, margin + metrics.height() / 2), QPoint(width() - margin - 1, bottom));
    if (plot.width() < 2 || plot.height() < 2)
        return;

    // Axes, the scale and what the chart shows.
    painter.setPen(pal.color(QPalette::Text));
    painter.drawLine(plot.bottomLeft(), plot.topLeft());
    painter.drawLine(plot.bottomLeft(), plot.bottomRight());
    painter.drawText(QRect(margin, plot.top() - metrics.height() / 2, left - 2 * margin, metrics.height()),
                     Qt::AlignRight | Qt::AlignVCenter, topLabel);
    painter.drawText(QRect(margin, plot.bottom() - metrics.height() / 2, left - 2 * margin, metrics.height()),
                     Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("0"));
    painter.drawText(QRect(left, bottom, plot.width(), height() - bottom), Qt::AlignLeft | Qt::AlignVCenter,
                     m_samples.isEmpty() ? accessibleDescription() : accessibleName());
    QPen grid(pal.color(QPalette::Mid));
    grid.setStyle(Qt::DotLine);
    painter.setPen(grid);
    painter.drawLine(QPoint(plot.left() + 1, plot.top()), plot.topRight());

    if (m_samples.isEmpty())
        return;
    // One sample per slot, the newest at the right edge.
    const double slot = static_cast<double>(plot.width()) / std::max(1, m_capacity - 1);
    QPainterPath line;
    for (int i = 0; i < m_samples.size(); ++i) {
        const double x = plot.right() - slot * static_cast<double>(m_samples.size() - 1 - i);
        const double y = plot.bottom() - m_samples.at(i).perMinute / top * plot.height();
        if (i == 0)
            line.moveTo(x, y);
        else
            line.lineTo(x, y);
    }
    painter.setPen(QPen(pal.color(QPalette::Highlight), 2));
    painter.setBrush(Qt::NoBrush);
    if (m_samples.size() == 1)
        painter.drawEllipse(line.currentPosition(), 2, 2);
    else
        painter.drawPath(line);
}

} // namespace gk
