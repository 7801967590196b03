#include "engine/storage/SqliteStorage.h"

#include "engine/storage/StorageUtil.h"

#include <QDir>
#include <QFileInfo>

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

namespace gk {

namespace {

// "GKst" in the database header: a file with tables and another application_id is not ours.
constexpr int kApplicationId = 0x474b7374;
// 1: kv WITHOUT ROWID, keyed by its TEXT primary key. 2: kv with a rowid and a UNIQUE key index, so that rows
// are appended rather than inserted at random places in the table (a token's rows have random keys); its
// writes dirty fewer pages.
constexpr int kSchemaVersion = 2;
constexpr const char *kCreateTable = "CREATE TABLE IF NOT EXISTS kv (id INTEGER PRIMARY KEY, "
                                     "key TEXT NOT NULL UNIQUE, value BLOB NOT NULL);";
constexpr qint64 kJournalSizeLimit = 64 * 1024 * 1024;
// SQLite's default autocheckpoint threshold, in pages.
constexpr int kWriterCheckpointPages = 1000;
// A WAL this many times the background threshold makes the writer checkpoint itself.
constexpr int kCheckpointBacklogFactor = 16;

QString sqliteError(sqlite3 *db, int rc)
{
    return db ? QString::fromUtf8(sqlite3_errmsg(db)) : QString::fromUtf8(sqlite3_errstr(rc));
}

// After this error a COMMIT may or may not have reached the disk.
bool isUncertain(int rc)
{
    const int primary = rc & 0xff;
    return primary == SQLITE_IOERR || primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

// fsync on a directory, so that a file just created in it is found after a power loss.
void syncDirectory(const QString &dir)
{
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    if (::fsync(fd) != 0)
        qCWarning(lcStorage) << "fsync of directory" << dir << "failed";
    ::close(fd);
}

// Resets a statement when leaving a scope, which also ends a read transaction it holds.
class StatementReset final
{
public:
    explicit StatementReset(sqlite3_stmt *statement) : m_statement(statement) {}
    ~StatementReset() { sqlite3_reset(m_statement); }
    Q_DISABLE_COPY_MOVE(StatementReset)

private:
    sqlite3_stmt *m_statement;
};

int bindText(sqlite3_stmt *statement, int index, const QByteArray &text)
{
    return sqlite3_bind_text64(statement, index, text.constData(), sqlite3_uint64(text.size()), SQLITE_STATIC,
                               SQLITE_UTF8);
}

int bindBlob(sqlite3_stmt *statement, int index, const QByteArray &blob)
{
    if (blob.isEmpty())
        return sqlite3_bind_zeroblob(statement, index, 0); // a present empty value, not NULL
    return sqlite3_bind_blob64(statement, index, blob.constData(), sqlite3_uint64(blob.size()), SQLITE_STATIC);
}

} // namespace

// One sqlite3 connection and its prepared statements. Used by one thread at a time.
class SqliteStorage::Connection final
{
public:
    Connection() = default;
    ~Connection()
    {
        for (sqlite3_stmt *statement : m_statements)
            sqlite3_finalize(statement);
        if (m_db)
            sqlite3_close_v2(m_db);
    }
    Q_DISABLE_COPY_MOVE(Connection)

    Status open(const QString &path, bool readOnly, int busyTimeoutMs)
    {
        const int flags =
            SQLITE_OPEN_NOMUTEX | (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        const int rc = sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db, flags, nullptr);
        if (rc != SQLITE_OK)
            return Status::fail(sqliteError(m_db, rc));
        sqlite3_extended_result_codes(m_db, 1);
        sqlite3_busy_timeout(m_db, busyTimeoutMs);
        return Status::ok();
    }

    sqlite3 *db() const { return m_db; }
    QString error() const { return QString::fromUtf8(sqlite3_errmsg(m_db)); }
    bool inTransaction() const { return !sqlite3_get_autocommit(m_db); }

    // Prepares a statement kept for the life of the connection.
    Status prepare(const char *sql, sqlite3_stmt **statement)
    {
        const int rc = sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, statement, nullptr);
        if (rc != SQLITE_OK)
            return Status::fail(error());
        m_statements.push_back(*statement);
        return Status::ok();
    }

    // Runs one or more statements that return no rows the caller needs.
    Status exec(const char *sql)
    {
        char *message = nullptr;
        const int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, &message);
        if (rc == SQLITE_OK)
            return Status::ok();
        const QString text = message ? QString::fromUtf8(message) : QString::fromUtf8(sqlite3_errstr(rc));
        sqlite3_free(message);
        return Status::fail(text);
    }

    // The first column of the first row of sql, as text ("" when there is no row).
    Result<QString> queryText(const char *sql)
    {
        sqlite3_stmt *statement = nullptr;
        if (sqlite3_prepare_v2(m_db, sql, -1, &statement, nullptr) != SQLITE_OK)
            return Result<QString>::fail(error());
        const int rc = sqlite3_step(statement);
        Result<QString> out = Result<QString>::fail(error());
        if (rc == SQLITE_ROW)
            out = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(statement, 0)));
        else if (rc == SQLITE_DONE)
            out = QString();
        sqlite3_finalize(statement);
        return out;
    }

    // Steps a statement that returns no rows and resets it. Returns the sqlite result code.
    int run(sqlite3_stmt *statement)
    {
        const int rc = sqlite3_step(statement);
        sqlite3_reset(statement);
        return rc == SQLITE_ROW ? SQLITE_DONE : rc;
    }

    // Brings a database of an older schema (with its data) to kSchemaVersion, in one transaction.
    Status migrate(int from)
    {
        if (from != 1)
            return Status::fail(QStringLiteral("unknown schema version %1").arg(from));
        const QByteArray sql = QByteArray("BEGIN IMMEDIATE;"
                                          "ALTER TABLE kv RENAME TO kv_v1;") +
                               kCreateTable +
                               "INSERT INTO kv (key, value) SELECT key, value FROM kv_v1 ORDER BY key;"
                               "DROP TABLE kv_v1;"
                               "PRAGMA user_version = " +
                               QByteArray::number(kSchemaVersion) + ";COMMIT";
        if (Status st = exec(sql.constData()); !st) {
            rollback();
            return Status::fail(QStringLiteral("cannot migrate schema version %1: %2").arg(from).arg(st.error()));
        }
        qCInfo(lcStorage) << "migrated the storage schema from version" << from << "to" << kSchemaVersion;
        return Status::ok();
    }

    Status prepareWriter()
    {
        Status st;
        const auto prep = [&](const char *sql, sqlite3_stmt **statement) {
            if (st)
                st = prepare(sql, statement);
        };
        prep("BEGIN IMMEDIATE", &m_begin);
        prep("COMMIT", &m_commit);
        prep("ROLLBACK", &m_rollback);
        prep("SAVEPOINT batch", &m_savepoint);
        prep("RELEASE batch", &m_release);
        prep("ROLLBACK TO batch", &m_rollbackTo);
        prep("INSERT INTO kv (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
             &m_upsert);
        prep("DELETE FROM kv WHERE key = ?1", &m_delete);
        return st;
    }

    Status prepareReader()
    {
        Status st = prepare("SELECT value FROM kv WHERE key = ?1", &m_get);
        if (st)
            st = prepare("SELECT key FROM kv WHERE key >= ?1 ORDER BY key", &m_listFrom);
        if (st)
            st = prepare("SELECT key FROM kv WHERE key >= ?1 AND key < ?2 ORDER BY key", &m_listRange);
        return st;
    }

    // --- writer ---

    int begin() { return run(m_begin); }
    int commit() { return run(m_commit); }
    void rollback()
    {
        if (inTransaction())
            run(m_rollback);
    }

    // Applies the ops of one write inside the open transaction. On failure nothing of them stays: a lone op
    // is undone by SQLite's statement rollback, a batch by its savepoint. When even that fails, the whole
    // transaction is rolled back (the caller sees inTransaction() false).
    Status apply(const std::vector<WriteOp> &ops)
    {
        const bool useSavepoint = ops.size() > 1;
        if (useSavepoint && run(m_savepoint) != SQLITE_DONE)
            return failWrite();
        for (const WriteOp &op : ops) {
            int rc = SQLITE_OK;
            if (op.isPut) {
                rc = bindText(m_upsert, 1, op.key);
                if (rc == SQLITE_OK)
                    rc = bindBlob(m_upsert, 2, op.value);
                if (rc == SQLITE_OK)
                    rc = run(m_upsert);
            } else {
                rc = bindText(m_delete, 1, op.key);
                if (rc == SQLITE_OK)
                    rc = run(m_delete);
            }
            if (rc != SQLITE_DONE) {
                const Status failed = failWrite();
                if (useSavepoint && inTransaction()) {
                    if (run(m_rollbackTo) != SQLITE_DONE || run(m_release) != SQLITE_DONE)
                        rollback();
                }
                return failed;
            }
        }
        if (useSavepoint && run(m_release) != SQLITE_DONE) {
            const Status failed = failWrite();
            rollback();
            return failed;
        }
        return Status::ok();
    }

    Status failWrite() const { return Status::fail(QStringLiteral("storage write failed: %1").arg(error())); }

    // --- readers ---

    Result<std::optional<QByteArray>> get(const QByteArray &key)
    {
        StatementReset reset(m_get);
        int rc = bindText(m_get, 1, key);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(m_get);
        if (rc == SQLITE_DONE)
            return std::optional<QByteArray>();
        if (rc != SQLITE_ROW)
            return Result<std::optional<QByteArray>>::fail(QStringLiteral("storage read failed: %1").arg(error()));
        const char *data = static_cast<const char *>(sqlite3_column_blob(m_get, 0)); // blob first, then its size
        const int size = sqlite3_column_bytes(m_get, 0);
        return std::optional<QByteArray>(size > 0 ? QByteArray(data, size) : QByteArray());
    }

    // The names directly below prefix (both UTF-8). Scans the key range of prefix, and jumps over each
    // folder once its first key is seen, so a folder with many keys costs one seek.
    Result<QStringList> list(const QByteArray &prefix)
    {
        // Every key starting with prefix is >= prefix and < prefix with its last byte raised by one (no
        // UTF-8 byte is 0xff, so that never carries); and every key in between starts with prefix.
        QByteArray upper;
        if (!prefix.isEmpty()) {
            upper = prefix;
            upper.back() = char(uchar(upper.back()) + 1);
        }
        sqlite3_stmt *statement = prefix.isEmpty() ? m_listFrom : m_listRange;
        StatementReset reset(statement);
        QStringList out;
        QByteArray from = prefix;
        bool seek = true;
        for (;;) {
            if (seek) {
                sqlite3_reset(statement);
                int rc = bindText(statement, 1, from);
                if (rc == SQLITE_OK && !prefix.isEmpty())
                    rc = bindText(statement, 2, upper);
                if (rc != SQLITE_OK)
                    return Result<QStringList>::fail(QStringLiteral("storage list failed: %1").arg(error()));
                seek = false;
            }
            const int rc = sqlite3_step(statement);
            if (rc == SQLITE_DONE)
                break;
            if (rc != SQLITE_ROW)
                return Result<QStringList>::fail(QStringLiteral("storage list failed: %1").arg(error()));
            const char *key = reinterpret_cast<const char *>(sqlite3_column_text(statement, 0));
            const qsizetype keySize = sqlite3_column_bytes(statement, 0);
            if (!key || keySize <= prefix.size())
                continue; // the key equal to prefix is not below it
            const char *rest = key + prefix.size();
            const qsizetype restSize = keySize - prefix.size();
            const auto *slash = static_cast<const char *>(std::memchr(rest, '/', size_t(restSize)));
            if (!slash) {
                out.append(QString::fromUtf8(rest, restSize));
                continue;
            }
            const qsizetype childSize = slash - rest + 1;
            out.append(QString::fromUtf8(rest, childSize));
            // Next: the first key after everything in this folder ("folder/" -> "folder0").
            from = QByteArray(key, prefix.size() + childSize);
            from.back() = char('/' + 1);
            seek = true;
        }
        // SQLite orders by code point, QString by UTF-16 unit; they differ only beyond U+FFFF. Sort the way
        // every other backend does.
        std::sort(out.begin(), out.end());
        return out;
    }

private:
    sqlite3 *m_db = nullptr;
    std::vector<sqlite3_stmt *> m_statements;

    sqlite3_stmt *m_begin = nullptr;
    sqlite3_stmt *m_commit = nullptr;
    sqlite3_stmt *m_rollback = nullptr;
    sqlite3_stmt *m_savepoint = nullptr;
    sqlite3_stmt *m_release = nullptr;
    sqlite3_stmt *m_rollbackTo = nullptr;
    sqlite3_stmt *m_upsert = nullptr;
    sqlite3_stmt *m_delete = nullptr;

    sqlite3_stmt *m_get = nullptr;
    sqlite3_stmt *m_listFrom = nullptr;
    sqlite3_stmt *m_listRange = nullptr;
};

// A reader connection taken from the idle list for the time of one read.
class SqliteStorage::ReaderLease final
{
public:
    explicit ReaderLease(SqliteStorage *storage) : m_storage(storage), m_connection(storage->acquireReader()) {}
    ~ReaderLease() { m_storage->releaseReader(m_connection); }
    Q_DISABLE_COPY_MOVE(ReaderLease)

    Connection *operator->() const { return m_connection; }

private:
    SqliteStorage *m_storage;
    Connection *m_connection;
};

Result<std::unique_ptr<SqliteStorage>> SqliteStorage::open(const QString &path)
{
    return open(path, Options());
}

Result<std::unique_ptr<SqliteStorage>> SqliteStorage::open(const QString &path, const Options &options)
{
    if (path.isEmpty())
        return Result<std::unique_ptr<SqliteStorage>>::fail(QStringLiteral("SQLite storage path is empty"), 400);
    std::unique_ptr<SqliteStorage> storage(new SqliteStorage(QFileInfo(path).absoluteFilePath(), options));
    if (Status st = storage->init(); !st) {
        qCWarning(lcStorage).noquote() << st.error();
        return Result<std::unique_ptr<SqliteStorage>>::fail(st.error(), st.httpStatus());
    }
    return storage;
}

SqliteStorage::SqliteStorage(QString path, const Options &options) : m_path(std::move(path)), m_options(options) {}

SqliteStorage::~SqliteStorage()
{
    if (m_writerThread.joinable()) {
        {
            std::lock_guard lock(m_queueMutex);
            m_stopping = true;
        }
        m_queueReady.notify_all();
        m_writerThread.join();
    }
    stopCheckpointer();
    m_readPool.waitForDone();
    m_idleReaders.clear();
    m_readers.clear();
    m_writer.reset(); // the last connection: checkpoints the WAL into the database
}

Status SqliteStorage::init()
{
    const auto fail = [this](const QString &why) {
        return Status::fail(QStringLiteral("cannot open SQLite storage %1: %2").arg(m_path, why));
    };

    const QFileInfo info(m_path);
    if (info.isDir())
        return fail(QStringLiteral("it is a directory"));
    const QString dir = info.absolutePath();
    // Directories to create, and the existing one they go in: all get an fsync so that they outlive a power
    // loss. (SQLite syncs the directory of the database itself when it creates its files.)
    QStringList toSync;
    for (QString d = dir; !QFileInfo::exists(d);) {
        toSync.append(d);
        const QString parent = QFileInfo(d).absolutePath();
        if (parent == d)
            break;
        d = parent;
        if (QFileInfo::exists(d))
            toSync.append(d);
    }
    if (!QDir().mkpath(dir))
        return fail(QStringLiteral("cannot create directory %1").arg(dir));
    for (const QString &created : std::as_const(toSync))
        syncDirectory(created);

    m_writer = std::make_unique<Connection>();
    if (Status st = m_writer->open(m_path, false, m_options.busyTimeoutMs); !st)
        return fail(st.error());
    const Result<QString> mode = m_writer->queryText("PRAGMA journal_mode = WAL");
    if (!mode)
        return fail(mode.error());
    if (mode.value().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
        return fail(QStringLiteral("cannot use WAL journal mode (got \"%1\")").arg(mode.value()));
    if (Status st = m_writer->exec("PRAGMA synchronous = FULL"); !st)
        return fail(st.error());
    const QByteArray sizeLimit = "PRAGMA journal_size_limit = " + QByteArray::number(kJournalSizeLimit);
    if (Status st = m_writer->exec(sizeLimit.constData()); !st)
        return fail(st.error());
    if (m_options.checkpointPages > 0) {
        m_checkpointer = std::make_unique<Connection>();
        Status st = m_checkpointer->open(m_path, false, m_options.busyTimeoutMs);
        if (st)
            st = m_checkpointer->exec("PRAGMA synchronous = FULL");
        if (!st)
            return fail(st.error());
        // Replaces SQLite's autocheckpoint on the writer.
        sqlite3_wal_hook(m_writer->db(), &SqliteStorage::walCommitted, this);
    } else {
        sqlite3_wal_autocheckpoint(m_writer->db(), kWriterCheckpointPages);
    }

    const Result<QString> objects = m_writer->queryText("SELECT count(*) FROM sqlite_master");
    const Result<QString> applicationId = m_writer->queryText("PRAGMA application_id");
    const Result<QString> version = m_writer->queryText("PRAGMA user_version");
    for (const Result<QString> *r : {&objects, &applicationId, &version}) {
        if (!*r)
            return fail(r->error());
    }
    const int schema = version.value().toInt();
    if (objects.value().toInt() == 0) {
        const QByteArray create = QByteArray("BEGIN IMMEDIATE;") + kCreateTable +
                                  "PRAGMA application_id = " + QByteArray::number(kApplicationId) +
                                  ";PRAGMA user_version = " + QByteArray::number(kSchemaVersion) + ";COMMIT";
        if (Status st = m_writer->exec(create.constData()); !st) {
            m_writer->rollback();
            return fail(st.error());
        }
    } else if (applicationId.value().toInt() != kApplicationId) {
        return fail(QStringLiteral("the file is a SQLite database of another application"));
    } else if (schema > kSchemaVersion) {
        return fail(QStringLiteral("the database has schema version %1, newer than this build knows (%2)")
                        .arg(schema)
                        .arg(kSchemaVersion));
    } else if (schema < kSchemaVersion) {
        if (Status st = m_writer->migrate(schema); !st)
            return fail(st.error());
    }
    if (Status st = m_writer->prepareWriter(); !st)
        return fail(st.error());

    const int readers = std::max(1, m_options.readerThreads);
    for (int i = 0; i < readers; ++i) {
        auto reader = std::make_unique<Connection>();
        Status st = reader->open(m_path, true, m_options.busyTimeoutMs);
        if (st)
            st = reader->prepareReader();
        if (!st)
            return fail(st.error());
        m_idleReaders.push_back(reader.get());
        m_readers.push_back(std::move(reader));
    }
    m_readPool.setMaxThreadCount(readers);
    m_readPool.setExpiryTimeout(-1);

    if (m_checkpointer)
        m_checkpointThread = std::thread([this] { checkpointLoop(); });
    m_writerThread = std::thread([this] { writerLoop(); });
    qCInfo(lcStorage).noquote() << "opened SQLite storage" << m_path
                                << (m_options.groupCommit ? "(group commit)" : "(one transaction per write)");
    return Status::ok();
}

SqliteStorage::Connection *SqliteStorage::acquireReader()
{
    std::unique_lock lock(m_readerMutex);
    m_readerFree.wait(lock, [this] { return !m_idleReaders.empty(); });
    Connection *connection = m_idleReaders.back();
    m_idleReaders.pop_back();
    return connection;
}

void SqliteStorage::releaseReader(Connection *connection)
{
    {
        std::lock_guard lock(m_readerMutex);
        m_idleReaders.push_back(connection);
    }
    m_readerFree.notify_one();
}

QFuture<Result<std::optional<QByteArray>>> SqliteStorage::get(const QString &key)
{
    if (Status st = validateKey(key); !st)
        return QtFuture::makeReadyFuture(Result<std::optional<QByteArray>>(st));
    return runOnPool(&m_readPool, [this, key = key.toUtf8()] {
        ReaderLease reader(this);
        return reader->get(key);
    });
}

QFuture<Result<Storage::Values>> SqliteStorage::getMany(const QStringList &keys)
{
    QList<QByteArray> utf8;
    utf8.reserve(keys.size());
    for (const QString &key : keys) {
        if (Status st = validateKey(key); !st)
            return QtFuture::makeReadyFuture(Result<Values>(st));
        utf8.append(key.toUtf8());
    }
    return runOnPool(&m_readPool, [this, utf8 = std::move(utf8)]() -> Result<Values> {
        ReaderLease reader(this);
        Values values;
        values.reserve(utf8.size());
        for (const QByteArray &key : utf8) {
            Result<std::optional<QByteArray>> value = reader->get(key);
            if (!value)
                return value.status();
            values.append(value.takeValue());
        }
        return values;
    });
}

QFuture<Result<QStringList>> SqliteStorage::list(const QString &prefix)
{
    if (!prefix.isEmpty()) {
        if (Status st = validateKey(prefix); !st)
            return QtFuture::makeReadyFuture(Result<QStringList>(st));
    }
    return runOnPool(&m_readPool, [this, prefix = prefix.toUtf8()] {
        ReaderLease reader(this);
        return reader->list(prefix);
    });
}

QFuture<Status> SqliteStorage::put(const QString &key, const QByteArray &value)
{
    if (Status st = validateKey(key); !st)
        return QtFuture::makeReadyFuture(st);
    WriteJob job;
    job.ops.push_back(WriteOp{true, key.toUtf8(), value});
    job.bytes = job.ops.front().key.size() + value.size();
    return enqueue(std::move(job));
}

QFuture<Status> SqliteStorage::remove(const QString &key)
{
    if (Status st = validateKey(key); !st)
        return QtFuture::makeReadyFuture(st);
    WriteJob job;
    job.ops.push_back(WriteOp{false, key.toUtf8(), {}});
    job.bytes = job.ops.front().key.size();
    return enqueue(std::move(job));
}

QFuture<Status> SqliteStorage::batch(const QList<StorageOp> &ops)
{
    if (Status st = validateOps(ops); !st)
        return QtFuture::makeReadyFuture(st);
    if (ops.isEmpty())
        return QtFuture::makeReadyFuture(Status::ok());
    WriteJob job;
    job.ops.reserve(size_t(ops.size()));
    for (const StorageOp &op : ops) {
        const bool isPut = op.kind == StorageOp::Kind::Put;
        job.ops.push_back(WriteOp{isPut, op.key.toUtf8(), isPut ? op.value : QByteArray()});
        job.bytes += job.ops.back().key.size() + job.ops.back().value.size();
    }
    return enqueue(std::move(job));
}

QFuture<Status> SqliteStorage::enqueue(WriteJob job)
{
    QFuture<Status> future = job.promise.future();
    bool wake = false;
    {
        std::lock_guard lock(m_queueMutex);
        if (m_stopping || !m_brokenReason.isEmpty()) {
            job.promise.finish(Status::fail(m_stopping ? QStringLiteral("storage is closed") : m_brokenReason));
            return future;
        }
        m_queue.push_back(std::move(job));
        wake = std::exchange(m_writerIdle, false);
    }
    if (wake)
        m_queueReady.notify_one();
    return future;
}

void SqliteStorage::writerLoop()
{
#ifdef Q_OS_LINUX
    pthread_setname_np(pthread_self(), "gk-sqlite-write");
#endif
    const size_t maxWrites = m_options.groupCommit ? size_t(std::max(1, m_options.maxGroupWrites)) : 1;
    std::vector<WriteJob> group;
    for (;;) {
        {
            std::unique_lock lock(m_queueMutex);
            while (m_queue.empty() && !m_stopping) {
                m_writerIdle = true;
                m_queueReady.wait(lock);
            }
            m_writerIdle = false;
            if (m_queue.empty())
                return; // stopping, and everything queued is committed
            qint64 bytes = 0;
            while (!m_queue.empty() && group.size() < maxWrites) {
                WriteJob &next = m_queue.front();
                if (!group.empty() && bytes + next.bytes > m_options.maxGroupBytes)
                    break;
                bytes += next.bytes;
                group.push_back(std::move(next));
                m_queue.pop_front();
            }
        }
        commitGroup(group);
        group.clear();
    }
}

void SqliteStorage::commitGroup(std::vector<WriteJob> &jobs)
{
    Connection &db = *m_writer;
    std::vector<Status> results(jobs.size());
    std::vector<bool> failed(jobs.size(), false);
    const auto failRest = [&](const Status &status) {
        for (size_t i = 0; i < jobs.size(); ++i) {
            if (!failed[i])
                results[i] = status;
        }
    };

    // Normally one pass. When a write's failure takes the whole transaction with it (SQLite does that for
    // some errors, e.g. disk full), that write is failed alone and the others are committed in a new pass.
    for (bool retry = true; retry;) {
        retry = false;
        if (db.begin() != SQLITE_DONE) {
            failRest(db.failWrite());
            break;
        }
        for (size_t i = 0; i < jobs.size() && !retry; ++i) {
            if (failed[i])
                continue;
            if (Status st = db.apply(jobs[i].ops); !st) {
                results[i] = st;
                failed[i] = true;
                retry = !db.inTransaction();
            }
        }
        if (retry)
            continue;
        if (const int rc = db.commit(); rc != SQLITE_DONE) {
            const Status st = db.failWrite();
            db.rollback();
            failRest(st);
            if (isUncertain(rc)) {
                qCCritical(lcStorage).noquote() << "COMMIT failed, outcome on disk unknown:" << st.error();
                std::lock_guard lock(m_queueMutex);
                m_brokenReason = QStringLiteral("storage failed (%1); restart required").arg(st.error());
            }
        }
    }

    for (size_t i = 0; i < jobs.size(); ++i) {
        jobs[i].promise.finish(results[i]);
    }
}

// Called by SQLite on the writer thread after each commit, with the pages now in the WAL.
int SqliteStorage::walCommitted(void *self, sqlite3 *db, const char *name, int pages)
{
    auto *storage = static_cast<SqliteStorage *>(self);
    const int threshold = storage->m_options.checkpointPages;
    if (pages < threshold)
        return SQLITE_OK;
    if (pages >= threshold * kCheckpointBacklogFactor) {
        // The checkpoints do not keep up (or readers hold old snapshots): take the time here, as SQLite's
        // own autocheckpoint would, so that the WAL stays bounded.
        const int rc = sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            qCWarning(lcStorage).noquote() << "WAL checkpoint failed:" << sqliteError(db, rc);
        return SQLITE_OK;
    }
    bool wake = false;
    {
        std::lock_guard lock(storage->m_checkpointMutex);
        wake = !std::exchange(storage->m_checkpointDue, true);
    }
    if (wake)
        storage->m_checkpointWanted.notify_one();
    return SQLITE_OK;
}

void SqliteStorage::checkpointLoop()
{
#ifdef Q_OS_LINUX
    pthread_setname_np(pthread_self(), "gk-sqlite-ckpt");
#endif
    for (;;) {
        {
            std::unique_lock lock(m_checkpointMutex);
            m_checkpointWanted.wait(lock, [this] { return m_checkpointDue || m_checkpointStop; });
            if (m_checkpointStop)
                return;
            m_checkpointDue = false;
        }
        // PASSIVE: copies what no reader still needs, never waits for a lock, never blocks the writer.
        const int rc =
            sqlite3_wal_checkpoint_v2(m_checkpointer->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            qCWarning(lcStorage).noquote() << "WAL checkpoint failed:" << m_checkpointer->error();
    }
}

void SqliteStorage::stopCheckpointer()
{
    if (!m_checkpointThread.joinable())
        return;
    {
        std::lock_guard lock(m_checkpointMutex);
        m_checkpointStop = true;
    }
    m_checkpointWanted.notify_all();
    m_checkpointThread.join();
    m_checkpointer.reset(); // before the writer, which checkpoints the rest as the last connection to close
}

} // namespace gk
