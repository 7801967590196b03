#pragma once

#include <QAbstractButton>
#include <QLabel>
#include <QString>

namespace gk {

// A form row's caption (with its mnemonic) and the accessible name and description of the field it labels.
inline void setCaption(QLabel *captionLabel, QWidget *field, const QString &text, const QString &name,
                       const QString &description)
{
    captionLabel->setText(text);
    captionLabel->setAccessibleName(name);
    field->setAccessibleName(name);
    field->setAccessibleDescription(description);
}

// A read-only value in a form: plain text, selectable with the mouse and the keyboard.
inline QLabel *makeValueLabel(QWidget *parent, const char *objectName)
{
    auto *label = new QLabel(parent);
    label->setObjectName(QLatin1String(objectName));
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->setTextFormat(Qt::PlainText);
    return label;
}

// A button's text (with its mnemonic), accessible name and description.
inline void setButtonText(QAbstractButton *button, const QString &text, const QString &name,
                          const QString &description = {})
{
    button->setText(text);
    button->setAccessibleName(name);
    button->setAccessibleDescription(description);
}

} // namespace gk
