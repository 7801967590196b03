// The console's requests table under load: RequestsView with N synthetic access requests (100,000 by default) put
// into its RequestsModel through RequestsModel::applyGate (no server), shown in a window. Measures
//   - the resident memory (VmRSS) before and after the rows are loaded and painted;
//   - for every keystroke typed into the filter field (the query, then Backspace until it is empty), the time from
//     the key press to the end of the table's next paint;
//   - the same for the query's first key and Backspace after a re-list has updated one request, and after one that
//     has added one;
//   - the model's one-second tick over the age and expiry columns of every row, to the repaint.
//
//   bench_console [--rows N] [--query TEXT] [--runs R] [--sort COLUMN]
//
// Run it under a display (xvfb-run) or with QT_QPA_PLATFORM=offscreen; bench/console_bench.sh does both. Prints one
// line per keystroke of the last run, then the median and maximum per keystroke over all runs, and which keystroke
// was the slowest.

#include "AccessRequest.h"
#include "ApiClient.h"
#include "RequestsModel.h"
#include "RequestsProxyModel.h"
#include "RequestsView.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QTableView>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <malloc.h>
#include <vector>

using namespace gk;

namespace {

// VmRSS of this process, in KiB, after the heap has handed back what is free (so that the temporaries of loading do
// not count).
long rssKiB()
{
    ::malloc_trim(0);
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLong();
    }
    return -1;
}

// Requests of a mid-sized organisation: a few hundred requesters, a handful of gates, reasons with numbers in them.
QList<AccessRequest> syntheticRequests(int count, const QDateTime &now)
{
    static const char *const firstNames[] = {"alice", "bob",  "carol",   "dave", "erin",   "frank", "grace",  "heidi",
                                             "ivan",  "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil"};
    static const char *const verbs[] = {"restart", "deploy", "inspect", "rotate keys of", "roll back", "debug"};
    static const char *const services[] = {"billing", "search", "payments", "ledger", "auth", "mailer", "reports"};
    static const char *const statuses[] = {"pending", "pending", "pending", "approved", "denied", "claimed"};
    QList<AccessRequest> requests;
    requests.reserve(count);
    for (int i = 0; i < count; ++i) {
        AccessRequest r;
        r.gate = QStringLiteral("gate");
        r.id = QStringLiteral("%1-0000-4000-8000-%2")
                   .arg(i, 8, 16, QLatin1Char('0'))
                   .arg(i * 7919, 12, 16, QLatin1Char('0'));
        r.requester = QStringLiteral("%1.%2").arg(QLatin1String(firstNames[i % 16])).arg(i % 397);
        r.reason = QStringLiteral("%1 %2 on host-%3 (ticket OPS-%4)")
                       .arg(QLatin1String(verbs[i % 6]), QLatin1String(services[i % 7]))
                       .arg(i % 211)
                       .arg(10000 + i);
        r.status = QLatin1String(statuses[i % 6]);
        r.issuedAt = now.addSecs(-(i % 86400));
        r.expiresAt = r.issuedAt.addSecs(3600);
        r.numApprovals = r.status == QLatin1String("pending") ? i % 2 : 2;
        r.remainingApprovals = r.status == QLatin1String("pending") ? 2 - r.numApprovals : 0;
        requests.append(std::move(r));
    }
    return requests;
}

// Counts the paint events of a widget.
class PaintCounter final : public QObject
{
public:
    int paints = 0;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            ++paints;
        return QObject::eventFilter(watched, event);
    }
};

// Runs the event loop until what counter counts has been painted once more than before; false after 30 s.
bool waitForPaint(const PaintCounter &counter, int before)
{
    QElapsedTimer guard;
    guard.start();
    while (counter.paints == before) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        if (guard.elapsed() > 30000)
            return false;
    }
    return true;
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t mid = values.size() / 2;
    return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

} // namespace

int main(int argc, char *argv[])
{
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    QApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption rowsOption(QStringLiteral("rows"), QStringLiteral("requests to load"), QStringLiteral("N"),
                                        QStringLiteral("100000"));
    const QCommandLineOption queryOption(QStringLiteral("query"), QStringLiteral("text typed into the filter"),
                                         QStringLiteral("TEXT"), QStringLiteral("carol.12"));
    const QCommandLineOption runsOption(QStringLiteral("runs"), QStringLiteral("times the query is typed"),
                                        QStringLiteral("R"), QStringLiteral("5"));
    const QCommandLineOption sortOption(
        QStringLiteral("sort"), QStringLiteral("the column the table is sorted by (3, age, as the view starts)"),
        QStringLiteral("COLUMN"), QString::number(RequestsModel::AgeColumn));
    parser.addOptions({rowsOption, queryOption, runsOption, sortOption});
    parser.addHelpOption();
    parser.process(app);
    const int rows = parser.value(rowsOption).toInt();
    const QString query = parser.value(queryOption);
    const int runs = qMax(1, parser.value(runsOption).toInt());
    const int sortColumn = parser.value(sortOption).toInt();

    ApiClient client; // never used: the rows come through the seam
    RequestsView view(&client);
    view.resize(1200, 700);
    view.show();
    if (!QTest::qWaitForWindowExposed(&view)) {
        std::fprintf(stderr, "bench_console: the window was not exposed\n");
        return 1;
    }
    auto *table = view.findChild<QTableView *>(QStringLiteral("requestsTable"));
    auto *filter = view.findChild<QLineEdit *>(QStringLiteral("filterLineEdit"));
    if (!table || !filter)
        return 1;
    table->sortByColumn(sortColumn, Qt::AscendingOrder);
    PaintCounter counter; // the table
    table->viewport()->installEventFilter(&counter);
    PaintCounter fieldCounter; // the filter field, repainted after every keystroke
    filter->installEventFilter(&fieldCounter);
    // Whether the rows shown have changed since the keystroke: only then is the table repainted.
    bool rowsChanged = false;
    const auto changed = [&rowsChanged] { rowsChanged = true; };
    const RequestsProxyModel *proxy = view.proxyModel();
    QObject::connect(proxy, &QAbstractItemModel::rowsInserted, changed);
    QObject::connect(proxy, &QAbstractItemModel::rowsRemoved, changed);
    QObject::connect(proxy, &QAbstractItemModel::layoutChanged, changed);
    QObject::connect(proxy, &QAbstractItemModel::modelReset, changed);
    QTest::qWait(200);

    const long rssBefore = rssKiB();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<AccessRequest> requests = syntheticRequests(rows, now);
    QElapsedTimer clock;
    clock.start();
    int before = counter.paints;
    view.model()->applyGate(QStringLiteral("gate"), requests);
    requests.clear();
    requests.squeeze();
    if (!waitForPaint(counter, before))
        return 1;
    const double loadMs = clock.nsecsElapsed() / 1e6;
    QTest::qWait(200);
    const long rssAfter = rssKiB();
    std::printf("platform %s, %d rows in the model, %d shown, sorted by column %d\n",
                qPrintable(QGuiApplication::platformName()), view.model()->rowCount(), view.proxyModel()->rowCount(),
                sortColumn);
    std::printf("load %d rows and paint: %.1f ms\n", rows, loadMs);
    std::printf("RSS before %ld KiB, after %ld KiB, growth %.1f MiB (%.0f bytes/row)\n", rssBefore, rssAfter,
                (rssAfter - rssBefore) / 1024.0, (rssAfter - rssBefore) * 1024.0 / qMax(1, rows));

    std::vector<double> typing;
    std::vector<double> erasing;
    // The slowest keystroke over all runs, and what it was.
    double slowestMs = -1;
    QString slowestKey;
    int slowestRun = 0;
    int run = 0;
    bool last = false;      // print each keystroke
    const char *phase = ""; // what the slowest keystroke followed
    const auto keystroke = [&](char key, std::vector<double> &into) {
        const qsizetype length = filter->text().size();
        before = counter.paints;
        const int fieldBefore = fieldCounter.paints;
        rowsChanged = false;
        clock.restart();
        if (key)
            QTest::keyClick(filter, key);
        else
            QTest::keyClick(filter, Qt::Key_Backspace);
        if (filter->text().size() == length)
            std::fprintf(stderr, "bench_console: the key did not reach the filter\n");
        // The field and the table are painted in the same pass, when the table needs it.
        if (!waitForPaint(fieldCounter, fieldBefore) || (rowsChanged && !waitForPaint(counter, before)))
            std::fprintf(stderr, "bench_console: no paint after the keystroke\n");
        const double ms = clock.nsecsElapsed() / 1e6;
        into.push_back(ms);
        if (ms > slowestMs) {
            slowestMs = ms;
            slowestRun = run + 1;
            slowestKey = key ? QStringLiteral("typing '%1' -> \"%2\"").arg(QLatin1Char(key)).arg(filter->text())
                             : QStringLiteral("erasing -> \"%1\"").arg(filter->text());
            slowestKey += QStringLiteral(", %1 rows%2").arg(view.proxyModel()->rowCount()).arg(QLatin1String(phase));
        }
        if (last)
            std::printf("  filter \"%s\" -> %d rows: %.1f ms%s\n", qPrintable(filter->text()),
                        view.proxyModel()->rowCount(), ms, rowsChanged ? "" : " (rows unchanged)");
    };
    for (run = 0; run < runs; ++run) {
        last = run == runs - 1;
        for (const char c : query.toLatin1())
            keystroke(c, typing);
        while (!filter->text().isEmpty())
            keystroke(0, erasing);
        QTest::qWait(50);
    }
    // A re-list that updates one request (its approvals), then the query's first key and Backspace: the first sort of
    // many rows after a change in the model.
    std::vector<double> afterUpdate;
    last = false;
    phase = ", after a row update";
    for (run = 0; run < runs && !query.isEmpty(); ++run) {
        QList<AccessRequest> relisted = syntheticRequests(rows, now);
        relisted[run % rows].numApprovals += 1;
        view.model()->applyGate(QStringLiteral("gate"), relisted);
        relisted.clear();
        QTest::qWait(50);
        keystroke(query.at(0).toLatin1(), afterUpdate);
        keystroke(0, afterUpdate);
    }
    // The same after a re-list that adds one request (a copy of another, made now).
    std::vector<double> afterInsert;
    QList<AccessRequest> added;
    phase = ", after a request was added";
    for (run = 0; run < runs && !query.isEmpty(); ++run) {
        QList<AccessRequest> relisted = syntheticRequests(rows, now);
        AccessRequest r = relisted.at((run * 7919) % rows);
        r.id = QStringLiteral("added-%1").arg(run);
        r.issuedAt = QDateTime::currentDateTimeUtc();
        added.append(r);
        relisted.append(added);
        view.model()->applyGate(QStringLiteral("gate"), relisted);
        relisted.clear();
        QTest::qWait(50);
        keystroke(query.at(0).toLatin1(), afterInsert);
        keystroke(0, afterInsert);
    }
    // What the model's one-second tick does to the age and expiry columns of every row (RequestsModel::tick emits
    // this signal itself; it is emitted here the same way, since the tick runs only against a server).
    std::vector<double> ticks;
    for (int run = 0; run < runs; ++run) {
        RequestsModel *model = view.model();
        before = counter.paints;
        clock.restart();
        emit model->dataChanged(model->index(0, RequestsModel::AgeColumn),
                                model->index(model->rowCount() - 1, RequestsModel::ExpiresColumn),
                                {Qt::DisplayRole, Qt::ToolTipRole, RequestsModel::SortRole});
        if (!waitForPaint(counter, before))
            std::fprintf(stderr, "bench_console: no paint after the tick\n");
        ticks.push_back(clock.nsecsElapsed() / 1e6);
    }
    const auto [tickMin, tickMax] = std::minmax_element(ticks.cbegin(), ticks.cend());
    std::printf("a tick of the age column, to the repaint: median %.1f ms, min %.1f, max %.1f\n", median(ticks),
                *tickMin, *tickMax);

    const auto [typeMin, typeMax] = std::minmax_element(typing.cbegin(), typing.cend());
    const auto [eraseMin, eraseMax] = std::minmax_element(erasing.cbegin(), erasing.cend());
    std::printf("typing a key, to the repaint: median %.1f ms, min %.1f, max %.1f (%zu keystrokes)\n", median(typing),
                *typeMin, *typeMax, typing.size());
    std::printf("erasing a key, to the repaint: median %.1f ms, min %.1f, max %.1f (%zu keystrokes)\n", median(erasing),
                *eraseMin, *eraseMax, erasing.size());
    if (!afterUpdate.empty()) {
        const auto [updateMin, updateMax] = std::minmax_element(afterUpdate.cbegin(), afterUpdate.cend());
        std::printf("after a row update, the first key and Backspace: median %.1f ms, min %.1f, max %.1f (%zu "
                    "keystrokes)\n",
                    median(afterUpdate), *updateMin, *updateMax, afterUpdate.size());
    }
    if (!afterInsert.empty()) {
        const auto [insertMin, insertMax] = std::minmax_element(afterInsert.cbegin(), afterInsert.cend());
        std::printf("after a request was added, the first key and Backspace: median %.1f ms, min %.1f, max %.1f (%zu "
                    "keystrokes)\n",
                    median(afterInsert), *insertMin, *insertMax, afterInsert.size());
    }
    std::printf("slowest keystroke over all %d runs: %.1f ms, run %d, %s\n", runs, slowestMs, slowestRun,
                qPrintable(slowestKey));
    return 0;
}
