// Helper of tst_storage_kill: writes PREFIX k0, k1, ... to a SqliteStorage with several writes in flight,
// and prints each key on stdout (flushed) only once its future reported ok. Runs until killed, or stops by
// itself after 20 s so that a lost helper does not write forever.
//
//   storage_writer DBPATH PREFIX [IN_FLIGHT]
//
// The value of key number i is expectedValue(prefix, i) — keep it equal to the one in tst_storage_kill.cpp.

#include "engine/storage/SqliteStorage.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QStringList>

#include <cstdio>
#include <deque>

#ifdef Q_OS_LINUX
#include <csignal>
#include <sys/prctl.h>
#endif

namespace {

QByteArray expectedValue(const QString &prefix, int i)
{
    return (prefix + QStringLiteral("value-%1-").arg(i)).toUtf8().repeated(1 + i % 7);
}

} // namespace

int main(int argc, char *argv[])
{
#ifdef Q_OS_LINUX
    prctl(PR_SET_PDEATHSIG, SIGKILL); // die with the test
#endif
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 3) {
        std::fprintf(stderr, "usage: storage_writer DBPATH PREFIX [IN_FLIGHT]\n");
        return 2;
    }
    const QString prefix = args.at(2);
    const int inFlight = args.size() > 3 ? qMax(1, args.at(3).toInt()) : 32;

    gk::Result<std::unique_ptr<gk::SqliteStorage>> opened = gk::SqliteStorage::open(args.at(1));
    if (!opened) {
        std::fprintf(stderr, "%s\n", qPrintable(opened.error()));
        return 1;
    }
    std::unique_ptr<gk::SqliteStorage> storage = opened.takeValue();

    struct Pending
    {
        QByteArray key;
        QFuture<gk::Status> future;
    };
    std::deque<Pending> pending;
    const QDeadlineTimer deadline(20000);
    int next = 0;
    while (!deadline.hasExpired() || !pending.empty()) {
        while (!deadline.hasExpired() && int(pending.size()) < inFlight) {
            const QString key = prefix + QStringLiteral("k%1").arg(next);
            pending.push_back({key.toUtf8(), storage->put(key, expectedValue(prefix, next))});
            ++next;
        }
        // Writes complete in the order they were queued; the oldest is acknowledged first.
        const gk::Status st = pending.front().future.result();
        if (!st) {
            std::fprintf(stderr, "write failed: %s\n", qPrintable(st.error()));
            return 1;
        }
        std::fprintf(stdout, "%s\n", pending.front().key.constData());
        std::fflush(stdout);
        pending.pop_front();
    }
    return 0;
}
