#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

class QTimer;

namespace gk {

// Puts a secret on the clipboard and takes it off again after a while, unless something else has been copied since.
// Only a SHA-256 of the text is kept to recognise it. The cleaner lives on the application's clipboard object, so it
// outlasts the dialog that copied, and deletes itself once done.
class ClipboardCleaner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClipboardCleaner)

public:
    static constexpr int defaultClearAfterMs = 30000;

    // Copies text (then wiped by the caller) and clears the clipboard after clearAfterMs if it still holds it.
    static ClipboardCleaner *copySecret(const QString &text, int clearAfterMs = defaultClearAfterMs);

    ~ClipboardCleaner() override;

    // Clears the clipboard now if it still holds the text, and stops.
    void clearNow();

private:
    ClipboardCleaner(QByteArray digest, int clearAfterMs, QObject *parent);

    QByteArray m_digest;
    QTimer *m_timer;
};

} // namespace gk
