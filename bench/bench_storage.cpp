// Durable write rate of SqliteStorage (WAL, synchronous=FULL): group commit against one transaction per
// write, with one write at a time and with many in flight. Every write is acknowledged only once on disk.
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
};

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

// One writer keeping inFlight writes outstanding until the deadline; latency is from issue to acknowledgment.
void writeLoop(SqliteStorage &storage, int thread, int inFlight, const QByteArray &value, qint64 durationMs,
               Outcome &out)
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
            pending.push_back({clock.nsecsElapsed(), storage.put(keyFor(thread, next++), value)});
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
    Result<std::unique_ptr<SqliteStorage>> opened =
        SqliteStorage::open(dir + QStringLiteral("/bench-%1.db").arg(QDateTime::currentMSecsSinceEpoch()), options);
    if (!opened) {
        std::fprintf(stderr, "%s\n", qPrintable(opened.error()));
        std::exit(1);
    }
    std::unique_ptr<SqliteStorage> storage = opened.takeValue();

    std::vector<Outcome> perThread(size_t(row.threads));
    std::vector<std::unique_ptr<QThread>> threads;
    QElapsedTimer clock;
    clock.start();
    for (int t = 0; t < row.threads; ++t) {
        threads.emplace_back(QThread::create(
            [&, t] { writeLoop(*storage, t, row.inFlightPerThread, value, durationMs, perThread[size_t(t)]); }));
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
        {"one txn per write", false, 1, 1}, {"group commit", true, 1, 1},       {"one txn per write", false, 1, 64},
        {"group commit", true, 1, 64},      {"one txn per write", false, 8, 8}, {"group commit", true, 8, 8},
    };
    std::printf("SqliteStorage, WAL + synchronous=FULL, %d-byte values, %.1f s per row, in %s\n", int(value.size()),
                double(durationMs) / 1000, qPrintable(dir));
    std::printf("| mode              | writers x in flight | writes   | writes/s  | p50 ms | p99 ms | failed |\n");
    std::printf("|-------------------|---------------------|----------|-----------|--------|--------|--------|\n");
    for (const Row &row : rows) {
        const Outcome o = run(row, dir, durationMs, value);
        std::printf("| %-17s | %8d x %-8d | %8lld | %9.0f | %6.2f | %6.2f | %6lld |\n", row.mode, row.threads,
                    row.inFlightPerThread, o.writes, double(o.writes) / o.seconds, percentileMs(o.latenciesNs, 0.5),
                    percentileMs(o.latenciesNs, 0.99), o.failures);
        std::fflush(stdout);
    }
    return 0;
}
