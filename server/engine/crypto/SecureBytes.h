#pragma once

#include <QByteArray>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gk {

// Key material: a byte buffer that is wiped (OPENSSL_cleanse) when it is destroyed, cleared or reassigned.
// It is a value type; copies are wiped independently.
class SecureBytes
{
public:
    SecureBytes() = default;
    explicit SecureBytes(std::size_t size);
    SecureBytes(const unsigned char *data, std::size_t size);
    // Copies the bytes of a QByteArray; the caller wipes the source with wipe() when it held secrets.
    static SecureBytes fromByteArray(const QByteArray &bytes);
    SecureBytes(const SecureBytes &other);
    SecureBytes(SecureBytes &&other) noexcept;
    SecureBytes &operator=(const SecureBytes &other);
    SecureBytes &operator=(SecureBytes &&other) noexcept;
    ~SecureBytes();

    unsigned char *data() { return m_bytes.data(); }
    const unsigned char *data() const { return m_bytes.data(); }
    std::size_t size() const { return m_bytes.size(); }
    bool isEmpty() const { return m_bytes.empty(); }
    void clear();
    // A copy as QByteArray: only for encoding at the edge (hex/base64 of key shares); wipe it after use.
    QByteArray toByteArray() const;
    bool operator==(const SecureBytes &other) const; // constant time for equal sizes

    // Overwrites a QByteArray's bytes with zeros in place (detaching first would leave a copy behind,
    // so it writes through data() only when the array is not shared), then empties it.
    static void wipe(QByteArray &bytes);

private:
    std::vector<unsigned char> m_bytes;
};

} // namespace gk
