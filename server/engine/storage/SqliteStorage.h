#pragma once

#include "engine/HomeThread.h"
#include "engine/storage/Storage.h"

#include <QThreadPool>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

struct sqlite3;

namespace gk {

// Durable storage in one SQLite file (WAL, synchronous=FULL), through the sqlite3 C API.
//
// Writes (put, remove, batch) go to a queue served by one writer thread, which commits everything queued
// (up to a cap) in one transaction — one fsync for many writes — and then fulfils their futures: a write
// reported ok is on disk. Each batch runs in its own SAVEPOINT, so a failing batch is undone alone while
// the rest of the group commits. Reads (get, list) run on a small pool of reader threads, each use with
// a connection of its own; WAL lets them run beside the writer. A read issued after a write's future has
// finished sees that write.
//
// Futures are fulfilled on the storage's threads, so a continuation attached without a context runs
// there: it must not block (least of all wait for another storage future), or it stalls the storage.
//
// Checkpoints (copying the WAL back into the database file, with its fsyncs) run on a thread and connection
// of their own, started once the WAL holds checkpointPages pages, so the writer never waits for one. Only if
// checkpoints fall far behind does the writer run one itself, which bounds the WAL.
//
// After a COMMIT fails with an I/O error, what is on disk is unknown; the storage then refuses every
// further write (500) until it is reopened.
class SqliteStorage final : public Storage
{
public:
    struct Options
    {
        // false: one transaction (one fsync) per write. For the benchmark only.
        bool groupCommit = true;
        // Upper bounds of one group: writes, and bytes of keys and values (a larger single write still goes).
        int maxGroupWrites = 1024;
        qint64 maxGroupBytes = 16 * 1024 * 1024;
        // Reader threads, one connection each.
        int readerThreads = 2;
        // How long a connection waits for a lock held by another process before failing.
        int busyTimeoutMs = 5000;
        // WAL pages after a commit that start a background checkpoint; 0 checkpoints in the writer instead,
        // after each commit that leaves at least 1000 pages (SQLite's own default).
        int checkpointPages = 1000;
    };

    // Opens (creating it and its directory if needed) the database at path. Fails with a message naming
    // the path when it cannot be created or opened, is not a database, or belongs to another application.
    static Result<std::unique_ptr<SqliteStorage>> open(const QString &path);
    static Result<std::unique_ptr<SqliteStorage>> open(const QString &path, const Options &options);

    // Commits what is queued, waits for running reads, stops the threads and closes the database.
    ~SqliteStorage() override;
    Q_DISABLE_COPY_MOVE(SqliteStorage)

    // The absolute path of the database file.
    const QString &path() const { return m_path; }

    QString type() const override { return QStringLiteral("sqlite"); }
    QFuture<Result<std::optional<QByteArray>>> get(const QString &key) override;
    QFuture<Result<Values>> getMany(const QStringList &keys) override;
    QFuture<Status> put(const QString &key, const QByteArray &value) override;
    QFuture<Status> remove(const QString &key) override;
    QFuture<Result<QStringList>> list(const QString &prefix) override;
    QFuture<Status> batch(const QList<StorageOp> &ops) override;

private:
    class Connection;
    class ReaderLease;

    struct WriteOp
    {
        bool isPut = true;
        QByteArray key; // UTF-8
        QByteArray value;
    };
    // One put, remove or batch waiting for the writer.
    struct WriteJob
    {
        std::vector<WriteOp> ops;
        qint64 bytes = 0;
        HomePromise<Status> promise;
    };

    SqliteStorage(QString path, const Options &options);
    Status init();
    QFuture<Status> enqueue(WriteJob job);
    void writerLoop();
    void commitGroup(std::vector<WriteJob> &jobs);
    static int walCommitted(void *self, sqlite3 *db, const char *name, int pages);
    void checkpointLoop();
    void stopCheckpointer();
    Connection *acquireReader();
    void releaseReader(Connection *connection);

    const QString m_path;
    const Options m_options;

    std::unique_ptr<Connection> m_writer; // used by the writer thread only, once it runs
    // Standard threads and locks rather than Qt's here: ThreadSanitizer understands them.
    std::thread m_writerThread;
    std::mutex m_queueMutex;
    std::condition_variable m_queueReady;
    std::deque<WriteJob> m_queue;
    bool m_writerIdle = false;
    bool m_stopping = false;
    QString m_brokenReason; // set after a COMMIT of unknown outcome; writes then fail

    std::unique_ptr<Connection> m_checkpointer; // used by the checkpoint thread only
    std::thread m_checkpointThread;
    std::mutex m_checkpointMutex;
    std::condition_variable m_checkpointWanted;
    bool m_checkpointDue = false;
    bool m_checkpointStop = false;

    std::vector<std::unique_ptr<Connection>> m_readers;
    std::mutex m_readerMutex;
    std::condition_variable m_readerFree;
    std::vector<Connection *> m_idleReaders;
    QThreadPool m_readPool;
};

} // namespace gk
