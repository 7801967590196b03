#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace gk {

// Incremental decoder of a Transfer-Encoding: chunked body, fed with whatever bytes arrive. Chunk extensions and
// trailer fields are read and dropped.
class ChunkedDecoder final
{
public:
    enum class Status
    {
        NeedMore,
        Done,
        Invalid,
        TooLarge
    };

    ChunkedDecoder() = default;
    Q_DISABLE_COPY_MOVE(ChunkedDecoder)

    void reset(qint64 maxBody);
    // Appends the payload found in data to *out; *consumed = bytes of data that belong to the chunked body (less
    // than data.size() only when the body ended inside data).
    Status feed(QByteArrayView data, QByteArray *out, qsizetype *consumed);

private:
    enum class State
    {
        Size,
        Data,
        DataCr,
        DataLf,
        Trailer,
        Done
    };

    bool takeSizeLine();

    State m_state = State::Size;
    QByteArray m_line;
    qint64 m_remaining = 0;
    qint64 m_total = 0;
    qint64 m_max = 0;
    qsizetype m_trailerBytes = 0;
};

} // namespace gk
