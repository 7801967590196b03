#include "engine/crypto/Keyring.h"

#include "engine/crypto/Crypto.h"

#include <QtEndian>

#include <algorithm>
#include <limits>

namespace gk {

namespace {

constexpr char kMagic[4] = {'G', 'K', 'K', 'R'};
constexpr unsigned char kVersion = 1;
constexpr std::size_t kHeaderSize = 4 + 1 + 4 + 4;
constexpr std::size_t kTermSize = 4 + 8 + 2 + Keyring::kKeySize;
// Far more than rotation will ever produce; bounds what a corrupt count may make us allocate.
constexpr quint32 kMaxTerms = 1u << 20;

// Reads fixed-size fields from a buffer whose total length has been checked beforehand.
class Reader
{
public:
    explicit Reader(const unsigned char *data) : m_pos(data) {}
    template <typename T> T read()
    {
        const T value = qFromBigEndian<T>(m_pos);
        m_pos += sizeof(T);
        return value;
    }
    const unsigned char *take(std::size_t count)
    {
        const unsigned char *p = m_pos;
        m_pos += count;
        return p;
    }

private:
    const unsigned char *m_pos;
};

class Writer
{
public:
    explicit Writer(unsigned char *data) : m_pos(data) {}
    template <typename T> void write(T value)
    {
        qToBigEndian<T>(value, m_pos);
        m_pos += sizeof(T);
    }
    void put(const unsigned char *data, std::size_t count)
    {
        std::copy(data, data + count, m_pos);
        m_pos += count;
    }

private:
    unsigned char *m_pos;
};

} // namespace

Keyring::~Keyring() = default;

std::shared_ptr<const Keyring> Keyring::create()
{
    std::shared_ptr<Keyring> keyring(new Keyring);
    keyring->m_terms.push_back({1, crypto::randomBytes(kKeySize), QDateTime::currentDateTimeUtc()});
    keyring->m_active = 0;
    return keyring;
}

std::shared_ptr<const Keyring> Keyring::withNewTerm() const
{
    const quint32 last = m_terms.back().number;
    if (last == std::numeric_limits<quint32>::max() || m_terms.size() >= kMaxTerms)
        return nullptr;
    std::shared_ptr<Keyring> keyring(new Keyring);
    keyring->m_terms.reserve(m_terms.size() + 1);
    keyring->m_terms = m_terms;
    keyring->m_terms.push_back({last + 1, crypto::randomBytes(kKeySize), QDateTime::currentDateTimeUtc()});
    keyring->m_active = keyring->m_terms.size() - 1;
    return keyring;
}

const Keyring::Term *Keyring::term(quint32 number) const
{
    const auto it = std::lower_bound(m_terms.cbegin(), m_terms.cend(), number,
                                     [](const Term &t, quint32 n) { return t.number < n; });
    return it != m_terms.cend() && it->number == number ? &*it : nullptr;
}

const Keyring::Term &Keyring::activeTerm() const
{
    return m_terms[m_active];
}

SecureBytes Keyring::serialize() const
{
    SecureBytes out(kHeaderSize + m_terms.size() * kTermSize);
    Writer w(out.data());
    w.put(reinterpret_cast<const unsigned char *>(kMagic), sizeof kMagic);
    w.write<quint8>(kVersion);
    w.write<quint32>(m_terms[m_active].number);
    w.write<quint32>(static_cast<quint32>(m_terms.size()));
    for (const Term &t : m_terms) {
        w.write<quint32>(t.number);
        w.write<qint64>(t.installTime.toMSecsSinceEpoch());
        w.write<quint16>(static_cast<quint16>(t.key.size()));
        w.put(t.key.data(), t.key.size());
    }
    return out;
}

Result<std::shared_ptr<const Keyring>> Keyring::deserialize(const SecureBytes &bytes)
{
    using R = Result<std::shared_ptr<const Keyring>>;
    const auto bad = [](const char *why) {
        return R::fail(QStringLiteral("malformed keyring: %1").arg(QLatin1String(why)));
    };

    if (bytes.size() < kHeaderSize)
        return bad("too short");
    Reader r(bytes.data());
    if (!std::equal(kMagic, kMagic + 4, reinterpret_cast<const char *>(r.take(4))))
        return bad("unknown format");
    if (r.read<quint8>() != kVersion)
        return bad("unsupported version");
    const quint32 active = r.read<quint32>();
    const quint32 count = r.read<quint32>();
    if (count == 0 || count > kMaxTerms)
        return bad("bad term count");
    if (bytes.size() != kHeaderSize + std::size_t(count) * kTermSize)
        return bad("bad length");

    std::shared_ptr<Keyring> keyring(new Keyring);
    keyring->m_terms.reserve(count);
    bool haveActive = false;
    for (quint32 i = 0; i < count; ++i) {
        Term t;
        t.number = r.read<quint32>();
        t.installTime = QDateTime::fromMSecsSinceEpoch(r.read<qint64>(), Qt::UTC);
        if (r.read<quint16>() != kKeySize)
            return bad("bad key length");
        const unsigned char *key = r.take(kKeySize);
        t.key = SecureBytes(key, kKeySize);
        if (t.number == 0 || (!keyring->m_terms.empty() && t.number <= keyring->m_terms.back().number))
            return bad("terms out of order");
        if (t.number == active) {
            keyring->m_active = keyring->m_terms.size();
            haveActive = true;
        }
        keyring->m_terms.push_back(std::move(t));
    }
    if (!haveActive)
        return bad("active term missing");
    return std::shared_ptr<const Keyring>(std::move(keyring));
}

} // namespace gk
