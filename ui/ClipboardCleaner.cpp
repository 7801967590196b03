#include "ClipboardCleaner.h"

#include "Wipe.h"

#include <QClipboard>
#include <QCryptographicHash>
#include <QGuiApplication>
#include <QTimer>

namespace gk {

namespace {

QByteArray digestOf(const QString &text)
{
    QByteArray utf8 = text.toUtf8();
    QByteArray digest = QCryptographicHash::hash(utf8, QCryptographicHash::Sha256);
    wipe(utf8);
    return digest;
}

} // namespace

ClipboardCleaner *ClipboardCleaner::copySecret(const QString &text, int clearAfterMs)
{
    QClipboard *clipboard = QGuiApplication::clipboard();
    clipboard->setText(text);
    return new ClipboardCleaner(digestOf(text), clearAfterMs, clipboard);
}

ClipboardCleaner::ClipboardCleaner(QByteArray digest, int clearAfterMs, QObject *parent)
    : QObject(parent), m_digest(std::move(digest)), m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(clearAfterMs);
    connect(m_timer, &QTimer::timeout, this, &ClipboardCleaner::clearNow);
    m_timer->start();
}

ClipboardCleaner::~ClipboardCleaner() = default;

void ClipboardCleaner::clearNow()
{
    m_timer->stop();
    QClipboard *clipboard = QGuiApplication::clipboard();
    QString current = clipboard->text();
    if (!current.isEmpty() && digestOf(current) == m_digest)
        clipboard->clear();
    wipe(current);
    deleteLater();
}

} // namespace gk
