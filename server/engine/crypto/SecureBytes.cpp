#include "engine/crypto/SecureBytes.h"

#include <openssl/crypto.h>

#include <cstring>

namespace gk {

namespace {

void cleanse(std::vector<unsigned char> &bytes)
{
    if (!bytes.empty())
        OPENSSL_cleanse(bytes.data(), bytes.size());
}

} // namespace

SecureBytes::SecureBytes(std::size_t size) : m_bytes(size, 0) {}

SecureBytes::SecureBytes(const unsigned char *data, std::size_t size) : m_bytes(data, data + size) {}

SecureBytes SecureBytes::fromByteArray(const QByteArray &bytes)
{
    const auto *begin = reinterpret_cast<const unsigned char *>(bytes.constData());
    return SecureBytes(begin, static_cast<std::size_t>(bytes.size()));
}

SecureBytes::SecureBytes(const SecureBytes &other) : m_bytes(other.m_bytes) {}

SecureBytes::SecureBytes(SecureBytes &&other) noexcept : m_bytes(std::move(other.m_bytes))
{
    other.m_bytes.clear(); // a moved-from vector is empty in practice; make it certain
}

SecureBytes &SecureBytes::operator=(const SecureBytes &other)
{
    if (this != &other) {
        // Wipe first: assign() may free the old buffer when it has to grow.
        cleanse(m_bytes);
        m_bytes = other.m_bytes;
    }
    return *this;
}

SecureBytes &SecureBytes::operator=(SecureBytes &&other) noexcept
{
    if (this != &other) {
        cleanse(m_bytes);
        m_bytes = std::move(other.m_bytes);
        other.m_bytes.clear();
    }
    return *this;
}

SecureBytes::~SecureBytes()
{
    cleanse(m_bytes);
}

void SecureBytes::clear()
{
    cleanse(m_bytes);
    m_bytes.clear();
    m_bytes.shrink_to_fit();
}

QByteArray SecureBytes::toByteArray() const
{
    return QByteArray(reinterpret_cast<const char *>(m_bytes.data()), static_cast<qsizetype>(m_bytes.size()));
}

bool SecureBytes::operator==(const SecureBytes &other) const
{
    if (m_bytes.size() != other.m_bytes.size())
        return false;
    if (m_bytes.empty())
        return true;
    return CRYPTO_memcmp(m_bytes.data(), other.m_bytes.data(), m_bytes.size()) == 0;
}

void SecureBytes::wipe(QByteArray &bytes)
{
    // Only an unshared buffer is ours to overwrite: data() on a shared array would detach and wipe a fresh copy,
    // and a raw-data array (fromRawData) does not own its bytes.
    // The spare room after the bytes may hold an older, longer content: wipe it too.
    if (bytes.isDetached()) {
        const qsizetype length = bytes.size() + bytes.data_ptr().freeSpaceAtEnd();
        if (length > 0)
            OPENSSL_cleanse(bytes.data(), static_cast<std::size_t>(length));
    }
    bytes.clear();
}

} // namespace gk
