#pragma once

#include "TokenKeychain.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QString>
#include <QTest>

namespace gk::test {

// One keychain call run to its end while the event loop turns.
struct KeychainAnswer
{
    bool finished = false;
    QString token;
    QString error;
};

// Turns the event loop until answer is in (or 10 s have passed): the answer.
inline KeychainAnswer awaited(const KeychainAnswer &answer)
{
    [[maybe_unused]] const bool finished = QTest::qWaitFor([&] { return answer.finished; }, 10000);
    return answer;
}

inline KeychainAnswer readNow(TokenKeychain &keychain, const QString &name)
{
    KeychainAnswer answer;
    QObject context;
    keychain.readToken(name, &context, [&answer](const QString &token, const QString &error) {
        answer = {true, token, error};
    });
    return awaited(answer);
}

inline KeychainAnswer writeNow(TokenKeychain &keychain, const QString &name, const QString &token)
{
    KeychainAnswer answer;
    QObject context;
    keychain.writeToken(name, token, &context, [&answer](const QString &error) { answer = {true, {}, error}; });
    return awaited(answer);
}

inline KeychainAnswer deleteNow(TokenKeychain &keychain, const QString &name)
{
    KeychainAnswer answer;
    QObject context;
    keychain.deleteToken(name, &context, [&answer](const QString &error) { answer = {true, {}, error}; });
    return awaited(answer);
}

// The files under folder whose bytes hold text (in UTF-8 or UTF-16), one path each.
inline QStringList filesHolding(const QString &folder, const QString &text)
{
    QStringList found;
    QDirIterator it(folder, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    const QByteArray utf8 = text.toUtf8();
    const QByteArray utf16(reinterpret_cast<const char *>(text.utf16()), text.size() * 2);
    while (it.hasNext()) {
        QFile file(it.next());
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QByteArray bytes = file.readAll();
        if (bytes.contains(utf8) || bytes.contains(utf16))
            found.append(file.fileName());
    }
    return found;
}

} // namespace gk::test
