#include "engine/audit/AuditFileDevice.h"

#include "engine/HomeThread.h"
#include "engine/audit/AuditChain.h"

#include <QFile>
#include <QLoggingCategory>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcAuditFile, "gatekeeper.audit")

namespace gk {

namespace {

constexpr qint64 kTailChunk = 64 * 1024;

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

} // namespace

struct AuditFileDevice::State
{
    struct Item
    {
        QByteArray entry; // empty: only open the file
        HomePromise<Status> promise;
    };

    QByteArray path;
    int mode = 0600;
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Item> queue;
    bool stop = false;

    // Writer thread only.
    int fd = -1;
    QByteArray prevHash;

    void run()
    {
        for (;;) {
            std::deque<Item> batch;
            {
                std::unique_lock lock(mutex);
                wake.wait(lock, [this] { return stop || !queue.empty(); });
                if (queue.empty())
                    break;
                batch.swap(queue);
            }
            process(batch);
        }
        closeFile();
    }

    void closeFile()
    {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }

    static void answer(std::deque<Item> &batch, const Status &st)
    {
        for (Item &item : batch) {
            item.promise.finish(st);
        }
    }

    bool writeAll(const char *data, qsizetype size, int *error)
    {
        while (size > 0) {
            const ssize_t n = ::write(fd, data, static_cast<size_t>(size));
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                *error = errno;
                return false;
            }
            data += n;
            size -= n;
        }
        return true;
    }

    // The last line of the open file (without newline), and whether the file ends in a newline.
    Status readTail(QByteArray *lastLine, bool *endsWithNewline)
    {
        struct stat st = {};
        if (::fstat(fd, &st) != 0)
            return Status::fail(systemError(errno));
        qint64 end = st.st_size;
        *endsWithNewline = true;
        lastLine->clear();
        if (end == 0)
            return Status::ok();
        QByteArray tail;
        qint64 pos = end;
        bool first = true;
        for (;;) {
            const qint64 start = std::max<qint64>(0, pos - kTailChunk);
            QByteArray chunk(static_cast<qsizetype>(pos - start), Qt::Uninitialized);
            qsizetype got = 0;
            while (got < chunk.size()) {
                const ssize_t n = ::pread(fd, chunk.data() + got, static_cast<size_t>(chunk.size() - got), start + got);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0)
                    return Status::fail(n < 0 ? systemError(errno) : QStringLiteral("the file shrank while read"));
                got += n;
            }
            tail.prepend(chunk);
            if (first) {
                *endsWithNewline = tail.endsWith('\n');
                first = false;
            }
            const QByteArrayView body = *endsWithNewline ? QByteArrayView(tail).chopped(1) : QByteArrayView(tail);
            const qsizetype nl = body.lastIndexOf('\n');
            if (nl >= 0 || start == 0) {
                *lastLine = body.sliced(nl + 1).toByteArray();
                return Status::ok();
            }
            pos = start;
        }
    }

    Status openFile()
    {
        closeFile();
        const int opened = ::open(path.constData(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, static_cast<mode_t>(mode));
        if (opened < 0)
            return Status::fail(systemError(errno));
        fd = opened;
        struct stat st = {};
        if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            closeFile();
            return Status::fail(QStringLiteral("not a regular file"));
        }
        QByteArray last;
        bool endsWithNewline = true;
        if (Status read = readTail(&last, &endsWithNewline); !read) {
            closeFile();
            return read;
        }
        int error = 0;
        // A line cut short (a crash while writing) stays a broken line of its own; the chain goes on after it.
        if (!endsWithNewline && !writeAll("\n", 1, &error)) {
            closeFile();
            return Status::fail(systemError(error));
        }
        prevHash = st.st_size == 0 ? audit::genesisHash() : audit::lineDigest(last);
        return Status::ok();
    }

    // Opens the file when it is not open, or when the path no longer names the open file.
    Status ensureOpen()
    {
        if (fd >= 0) {
            struct stat atPath = {};
            struct stat open = {};
            if (::stat(path.constData(), &atPath) != 0 || ::fstat(fd, &open) != 0 || atPath.st_dev != open.st_dev ||
                atPath.st_ino != open.st_ino)
                closeFile();
        }
        if (fd >= 0)
            return Status::ok();
        return openFile();
    }

    void process(std::deque<Item> &batch)
    {
        const Status opened = ensureOpen();
        if (!opened) {
            qCWarning(lcAuditFile) << "cannot open the audit file" << path << ":" << opened.error();
            answer(batch,
                   Status::fail(
                       QStringLiteral("cannot open \"%1\": %2").arg(QString::fromLocal8Bit(path), opened.error())));
            return;
        }
        QByteArray buffer;
        QByteArray prev = prevHash;
        for (const Item &item : batch) {
            if (item.entry.isEmpty())
                continue;
            const QByteArray line = audit::chainLine(item.entry, prev);
            prev = audit::lineDigest(line);
            buffer += line;
            buffer += '\n';
        }
        int error = 0;
        if (!buffer.isEmpty() && !writeAll(buffer.constData(), buffer.size(), &error)) {
            // Part of the batch may be in the file: open it anew next time, which re-reads its last line.
            closeFile();
            qCWarning(lcAuditFile) << "cannot write the audit file" << path << ":" << systemError(error);
            answer(
                batch,
                Status::fail(
                    QStringLiteral("cannot write \"%1\": %2").arg(QString::fromLocal8Bit(path), systemError(error))));
            return;
        }
        prevHash = prev;
        answer(batch, Status::ok());
    }
};

AuditFileDevice::AuditFileDevice(QString filePath, int mode)
    : m_filePath(std::move(filePath)), m_state(std::make_shared<State>())
{
    m_state->path = QFile::encodeName(m_filePath);
    m_state->mode = mode;
    m_thread = std::thread([state = m_state] { state->run(); });
}

AuditFileDevice::~AuditFileDevice()
{
    {
        std::lock_guard lock(m_state->mutex);
        m_state->stop = true;
    }
    m_state->wake.notify_one();
    // The writer drains what is queued. Should the last owner be a continuation on the writer itself, it finishes
    // on its own (it holds the state).
    if (m_thread.get_id() == std::this_thread::get_id())
        m_thread.detach();
    else
        m_thread.join();
}

QFuture<Status> AuditFileDevice::open()
{
    return write(QByteArray());
}

QFuture<Status> AuditFileDevice::write(QByteArray entry)
{
    State::Item item{std::move(entry), HomePromise<Status>()};
    QFuture<Status> future = item.promise.future();
    {
        std::lock_guard lock(m_state->mutex);
        m_state->queue.push_back(std::move(item));
    }
    m_state->wake.notify_one();
    return future;
}

} // namespace gk
