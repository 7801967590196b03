// Durable write rate of SqliteStorage (WAL, synchronous=FULL): group commit against one transaction per
// write, with one write at a time and with many in flight. Every write is acknowledged only once on disk.
// Then the write a token create makes (one batch of three rows under random keys, of the sizes the token
// store writes), on a database already holding 20,000 tokens, with WAL checkpoints run by the writer
// itself or by the background checkpointer.
//
//   bench_storage [--seconds S] [--dir DIR] [--value-size BYTES]
//
// Each row runs on a fresh database in DIR (default: a temporary directory) for S seconds (default 3).

#include "engine/storage/SqliteStorage.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <vector>

using namespace gk;

namespace {

struct Row
{
    const char *mode;
    bool groupCommit;
    int threads;
    int inFlightPerThread;
    bool tokens = false;     // each write is a token's three rows
    int checkpointPages = 0; // 0: the writer checkpoints (SQLite's way); else the background threshold
};

constexpr int kPreloadTokens = 20000;

struct Outcome
{
    qint64 writes = 0;
    qint64 failures = 0;
    double seconds = 0;
    std::vector<qint64> latenciesNs;
};

QString keyFor(int thread, qint64 i)
{
    // Spread over the key space, as hashed token ids would be.
    const quint64 spread = (quint64(i) * 2654435761u) ^ (quint64(thread) << 40);
    return QStringLiteral("bench/%1").arg(spread, 16, 16, QLatin1Char('0'));
}

QString hexId(int thread, qint64 i, quint64 salt)
{
    const quint64 a = (quint64(i) * 2654435761u) ^ (quint64(thread) << 40) ^ salt;
    const quint64 b = a * 0x9e3779b97f4a7c15ull;
    return QStringLiteral("%1%2%3%4")
        .arg(a, 16, 16, QLatin1Char('0'))
        .arg(b, 16, 16, QLatin1Char('0'))
        .arg(b ^ 0x5555555555555555ull, 16, 16, QLatin1Char('0'))
        .arg(a ^ 0xaaaaaaaaaaaaaaaaull, 16, 16, QLatin1Char('0'));
}

// The rows of one token as the token store writes them: the entry under its hashed id, the accessor index,
// and the link under its parent (the parent is the same for all, as for tokens made by one client).
QFuture<Status> putToken(SqliteStorage &storage, int thread, qint64 i)
{
    static const QString parent = hexId(99, 0, 1);
    static const QByteArray entry(523, 'e'), accessor(160, 'a'), link(32, 'l');
    const QString id = hexId(thread, i, 2);
    return storage.batch({StorageOp::put(QStringLiteral("sys/token/id/") + id, entry),
                          StorageOp::put(QStringLiteral("sys/token/accessor/") + hexId(thread, i, 3), accessor),
                          StorageOp::put(QStringLiteral("sys/token/parent/%1/%2").arg(parent, id), link)});
}

// One writer keeping inFlight writes outstanding until the deadline; latency is from issue to acknowledgment.
void writeLoop(SqliteStorage &storage, int thread, int inFlight, const QByteArray &value, bool tokens,
               qint64 durationMs, Outcome &out)
{
    QElapsedTimer clock;
    clock.start();
    struct Pending
    {
        qint64 issuedNs;
        QFuture<Status> future;
    };
    std::deque<Pending> pending;
    qint64 next = 0;
    while (clock.elapsed() < durationMs || !pending.empty()) {
        while (clock.elapsed() < durationMs && int(pending.size()) < inFlight)
            pending.push_back({clock.nsecsElapsed(), tokens ? putToken(storage, thread, next++)
                                                            : storage.put(keyFor(thread, next++), value)});
        const Status st = pending.front().future.result();
        out.latenciesNs.push_back(clock.nsecsElapsed() - pending.front().issuedNs);
        ++out.writes;
        if (!st)
            ++out.failures;
        pending.pop_front();
    }
}

Outcome run(const Row &row, const QString &dir, qint64 durationMs, const QByteArray &value)
{
    SqliteStorage::Options options;
    options.groupCommit = row.groupCommit;
    options.checkpointPages = row.checkpointPages;
    Result<std::unique_ptr<SqliteStorage>> opened =
        SqliteStorage::open(dir + QStringLiteral("/bench-%1.db").arg(QDateTime::currentMSecsSinceEpoch()), options);
    if (!opened) {
        std::fprintf(stderr, "%s\n", qPrintable(opened.error()));
        std::exit(1);
    }
    std::unique_ptr<SqliteStorage> storage = opened.takeValue();
    if (row.tokens) {
        std::vector<QFuture<Status>> preload;
        for (qint64 i = 0; i < kPreloadTokens; ++i)
            preload.push_back(putToken(*storage, 1000, i)); // a thread number no writer uses
        for (QFuture<Status> &f : preload) {
            if (!f.result()) {
                std::fprintf(stderr, "preload failed: %s\n", qPrintable(f.result().error()));
                std::exit(1);
            }
        }
    }

    std::vector<Outcome> perThread(size_t(row.threads));
    std::vector<std::unique_ptr<QThread>> threads;
    QElapsedTimer clock;
    clock.start();
    for (int t = 0; t < row.threads; ++t) {
        threads.emplace_back(QThread::create([&, t] {
            writeLoop(*storage, t, row.inFlightPerThread, value, row.tokens, durationMs, perThread[size_t(t)]);
        }));
        threads.back()->start();
    }
    for (auto &thread : threads)
        thread->wait();
    Outcome total;
    total.seconds = double(clock.nsecsElapsed()) / 1e9;
    for (Outcome &o : perThread) {
        total.writes += o.writes;
        total.failures += o.failures;
        total.latenciesNs.insert(total.latenciesNs.end(), o.latenciesNs.begin(), o.latenciesNs.end());
    }
    std::sort(total.latenciesNs.begin(), total.latenciesNs.end());
    return total;
}

double percentileMs(const std::vector<qint64> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    const size_t index = std::min(sorted.size() - 1, size_t(p * double(sorted.size())));
    return double(sorted[index]) / 1e6;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("SqliteStorage durable write rate"));
    parser.addHelpOption();
    const QCommandLineOption secondsOption(QStringLiteral("seconds"), QStringLiteral("Seconds per row."),
                                           QStringLiteral("S"), QStringLiteral("3"));
    const QCommandLineOption dirOption(QStringLiteral("dir"), QStringLiteral("Directory for the databases."),
                                       QStringLiteral("DIR"));
    const QCommandLineOption valueOption(QStringLiteral("value-size"), QStringLiteral("Bytes per value."),
                                         QStringLiteral("BYTES"), QStringLiteral("256"));
    parser.addOptions({secondsOption, dirOption, valueOption});
    parser.process(app);

    const qint64 durationMs = qint64(parser.value(secondsOption).toDouble() * 1000);
    const QByteArray value(qMax(0, parser.value(valueOption).toInt()), 'v');
    QTemporaryDir temporary;
    const QString dir = parser.isSet(dirOption) ? parser.value(dirOption) : temporary.path();

    const Row rows[] = {
        {"one txn per write", false, 1, 1},
        {"group commit", true, 1, 1},
        {"one txn per write", false, 1, 64},
        {"group commit", true, 1, 64},
        {"one txn per write", false, 8, 8},
        {"group commit", true, 8, 8},
        {"tokens, ckpt in writer", true, 1, 64, true, 0},
        {"tokens, ckpt in background", true, 1, 64, true, SqliteStorage::Options().checkpointPages},
    };
    std::printf("SqliteStorage, WAL + synchronous=FULL, %d-byte values, %.1f s per row, in %s\n", int(value.size()),
                double(durationMs) / 1000, qPrintable(dir));
    std::printf(
        "| mode                       | writers x in flight | writes   | writes/s  | p50 ms | p99 ms | failed |\n");
    std::printf(
        "|----------------------------|---------------------|----------|-----------|--------|--------|--------|\n");
    for (const Row &row : rows) {
        const Outcome o = run(row, dir, durationMs, value);
        std::printf("| %-26s | %8d x %-8d | %8lld | %9.0f | %6.2f | %6.2f | %6lld |\n", row.mode, row.threads,
                    row.inFlightPerThread, o.writes, double(o.writes) / o.seconds, percentileMs(o.latenciesNs, 0.5),
                    percentileMs(o.latenciesNs, 0.99), o.failures);
        std::fflush(stdout);
    }
    return 0;
}
