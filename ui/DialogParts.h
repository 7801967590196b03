#pragma once

#include "ErrorLabel.h"
#include "Wipe.h"

#include <QColor>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPalette>

namespace gk {

// Pieces the seal dialogs share.

// A red that reads on the palette's window colour (at least 4.5:1, darker on a light theme, lighter on a dark one).
inline QColor errorColor(const QPalette &palette)
{
    return readableErrorColor(palette.color(QPalette::Window));
}

// An error shown inline under a form (ErrorLabel): hidden until showInlineError() gives it a text.
inline QLabel *makeErrorLabel(QWidget *parent, const char *objectName)
{
    auto *label = new ErrorLabel(parent);
    label->setObjectName(QLatin1String(objectName));
    return label;
}

inline void showInlineError(QLabel *label, const QString &error)
{
    label->setText(error);
    label->setVisible(!error.isEmpty());
}

// A masked field for a secret: not predicted, not remembered by input methods.
inline QLineEdit *makeSecretLineEdit(QWidget *parent, const char *objectName)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(QLatin1String(objectName));
    edit->setEchoMode(QLineEdit::Password);
    edit->setInputMethodHints(Qt::ImhHiddenText | Qt::ImhSensitiveData | Qt::ImhNoPredictiveText);
    return edit;
}

// Empties a field that held a secret and overwrites the text buffer it held: once the field has let go of it, the
// copy taken here is the buffer's only owner and is wiped in place.
inline void wipeLineEdit(QLineEdit *edit)
{
    QString text = edit->text();
    edit->clear();
    wipe(text);
}

// The same for every item of a list of secrets.
inline void wipeListWidget(QListWidget *list)
{
    for (int row = 0; row < list->count(); ++row) {
        QListWidgetItem *item = list->item(row);
        QString text = item->text();
        item->setText(QString());
        wipe(text);
    }
    list->clear();
}

} // namespace gk
