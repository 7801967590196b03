#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <cstddef>

namespace gk {

// Overwrites secret bytes in place before they are released. Only a buffer this copy owns alone is written through
// (writing to a shared one would detach it first and leave the original behind); then the value is emptied. The
// volatile writes keep the compiler from dropping the overwrite of memory that is about to be freed.
inline void wipeMemory(void *data, std::size_t size)
{
    volatile auto *bytes = static_cast<volatile unsigned char *>(data);
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = 0;
}

inline void wipe(QString &secret)
{
    if (secret.isDetached() && !secret.isEmpty())
        wipeMemory(secret.data(), static_cast<std::size_t>(secret.size()) * sizeof(QChar));
    secret.clear();
}

inline void wipe(QByteArray &secret)
{
    if (secret.isDetached() && !secret.isEmpty())
        wipeMemory(secret.data(), static_cast<std::size_t>(secret.size()));
    secret.clear();
}

inline void wipe(QStringList &secrets)
{
    if (secrets.isDetached()) {
        for (QString &secret : secrets)
            wipe(secret);
    }
    secrets.clear();
}

} // namespace gk
