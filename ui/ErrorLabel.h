#pragma once

#include <QColor>
#include <QLabel>

namespace gk {

// WCAG 2.x relative luminance of an sRGB colour: 0 for black, 1 for white.
double relativeLuminance(const QColor &color);
// WCAG 2.x contrast ratio of two colours, from 1 (the same) to 21 (black on white).
double contrastRatio(const QColor &a, const QColor &b);
// A red for error text that reaches a contrast ratio of at least 4.5:1 (WCAG AA for body text) on background: darkened
// on a light background, lightened on a dark one, as little as needed.
QColor readableErrorColor(const QColor &background);

// An error shown inline under a form or view: plain text, word-wrapped, selectable, hidden until shown (see
// showInlineError() in DialogParts.h), in readableErrorColor() of the window colour it sits on, recomputed whenever the
// palette changes (a theme switch).
class ErrorLabel final : public QLabel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ErrorLabel)

public:
    explicit ErrorLabel(QWidget *parent = nullptr);
    ~ErrorLabel() override;

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyColor();

    bool m_applying = false;
};

} // namespace gk
