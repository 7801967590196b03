#include "http/ChunkedDecoder.h"

namespace gk {

namespace {

constexpr qsizetype kMaxLine = 1024;
constexpr qsizetype kMaxTrailers = 16 * 1024;

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

void ChunkedDecoder::reset(qint64 maxBody)
{
    m_state = State::Size;
    m_line.clear();
    m_remaining = 0;
    m_total = 0;
    m_max = maxBody;
    m_trailerBytes = 0;
}

// m_line holds "size[;extensions]" without the line end. False: not a chunk size.
bool ChunkedDecoder::takeSizeLine()
{
    QByteArrayView line(m_line);
    if (line.endsWith('\r'))
        line.chop(1);
    const qsizetype semicolon = line.indexOf(';');
    if (semicolon >= 0)
        line = line.first(semicolon);
    while (!line.isEmpty() && (line.back() == ' ' || line.back() == '\t'))
        line.chop(1);
    if (line.isEmpty() || line.size() > 15)
        return false;
    qint64 size = 0;
    for (char c : line) {
        const int v = hexValue(c);
        if (v < 0)
            return false;
        size = size * 16 + v;
    }
    m_remaining = size;
    m_line.clear();
    return true;
}

ChunkedDecoder::Status ChunkedDecoder::feed(QByteArrayView data, QByteArray *out, qsizetype *consumed)
{
    qsizetype pos = 0;
    const qsizetype size = data.size();
    while (pos < size && m_state != State::Done) {
        switch (m_state) {
        case State::Size: {
            const qsizetype nl = data.indexOf('\n', pos);
            const qsizetype end = nl < 0 ? size : nl;
            m_line.append(data.sliced(pos, end - pos));
            if (m_line.size() > kMaxLine)
                return Status::Invalid;
            pos = end;
            if (nl < 0)
                break;
            ++pos;
            if (!takeSizeLine())
                return Status::Invalid;
            if (m_remaining == 0) {
                m_state = State::Trailer;
            } else {
                if (m_total + m_remaining > m_max)
                    return Status::TooLarge;
                m_total += m_remaining;
                m_state = State::Data;
            }
            break;
        }
        case State::Data: {
            const qsizetype take = qsizetype(qMin<qint64>(m_remaining, size - pos));
            out->append(data.sliced(pos, take));
            pos += take;
            m_remaining -= take;
            if (m_remaining == 0)
                m_state = State::DataCr;
            break;
        }
        case State::DataCr:
            if (data[pos] == '\r')
                m_state = State::DataLf;
            else if (data[pos] == '\n')
                m_state = State::Size;
            else
                return Status::Invalid;
            ++pos;
            break;
        case State::DataLf:
            if (data[pos] != '\n')
                return Status::Invalid;
            ++pos;
            m_state = State::Size;
            break;
        case State::Trailer: {
            const qsizetype nl = data.indexOf('\n', pos);
            const qsizetype end = nl < 0 ? size : nl;
            m_line.append(data.sliced(pos, end - pos));
            m_trailerBytes += end - pos;
            if (m_trailerBytes > kMaxTrailers)
                return Status::Invalid;
            pos = end;
            if (nl < 0)
                break;
            ++pos;
            if (m_line.isEmpty() || m_line == "\r")
                m_state = State::Done;
            m_line.clear();
            break;
        }
        case State::Done:
            break;
        }
    }
    *consumed = pos;
    return m_state == State::Done ? Status::Done : Status::NeedMore;
}

} // namespace gk
