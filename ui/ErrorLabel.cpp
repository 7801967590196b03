#include "ErrorLabel.h"

#include <QEvent>
#include <QPalette>

#include <algorithm>
#include <cmath>

namespace gk {

namespace {

constexpr double minimumContrast = 4.5;

double linearChannel(double srgb)
{
    return srgb <= 0.04045 ? srgb / 12.92 : std::pow((srgb + 0.055) / 1.055, 2.4);
}

} // namespace

double relativeLuminance(const QColor &color)
{
    const QColor rgb = color.toRgb();
    return 0.2126 * linearChannel(rgb.redF()) + 0.7152 * linearChannel(rgb.greenF()) +
           0.0722 * linearChannel(rgb.blueF());
}

double contrastRatio(const QColor &a, const QColor &b)
{
    const double la = relativeLuminance(a);
    const double lb = relativeLuminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

QColor readableErrorColor(const QColor &background)
{
    // Towards black on a background that black contrasts with better, towards white otherwise. One of the two always
    // reaches 4.5:1 (the worst background, a mid grey, still allows about 4.58:1), so the walk ends there at the
    // latest.
    const bool darken = contrastRatio(background, Qt::black) >= contrastRatio(background, Qt::white);
    const QColor red(0xd0, 0x20, 0x20);
    float hue = 0;
    float saturation = 0;
    float lightness = 0;
    red.getHslF(&hue, &saturation, &lightness);
    QColor color = red;
    for (int step = 0; step <= 100 && contrastRatio(color, background) < minimumContrast; ++step) {
        lightness = darken ? std::max(0.0f, lightness - 0.01f) : std::min(1.0f, lightness + 0.01f);
        color = QColor::fromHslF(hue, saturation, lightness);
    }
    return color;
}

ErrorLabel::ErrorLabel(QWidget *parent) : QLabel(parent)
{
    setTextFormat(Qt::PlainText);
    setWordWrap(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    applyColor();
    hide();
}

ErrorLabel::~ErrorLabel() = default;

void ErrorLabel::changeEvent(QEvent *event)
{
    QLabel::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && !m_applying)
        applyColor();
}

void ErrorLabel::applyColor()
{
    m_applying = true;
    QPalette colors = palette();
    for (const QPalette::ColorGroup group : {QPalette::Active, QPalette::Inactive, QPalette::Disabled})
        colors.setColor(group, QPalette::WindowText, readableErrorColor(colors.color(group, QPalette::Window)));
    setPalette(colors);
    m_applying = false;
}

} // namespace gk
