// RequestsModel, EventWatcher and GateActions against a real server (GateFixture): the model is checked by
// QAbstractItemModelTester while alice asks, carol and bob approve or deny through their own ApiClients, and each
// change must show within 1 s (the console's stated bound for live updates).

#include "ApiClient.h"
#include "EventWatcher.h"
#include "GateActions.h"
#include "GateFixture.h"
#include "RequestsModel.h"
#include "RequestsProxyModel.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using gk::ApiClient;
using gk::GateActions;
using gk::RequestsModel;
using gk::test::finish;
using gk::test::finishValue;
using User = gk::test::GateUser;

namespace {

constexpr int liveBoundMs = 1000;

QStringList logged;

void captureLog(QtMsgType, const QMessageLogContext &context, const QString &message)
{
    logged.append(QString::fromLatin1(context.category ? context.category : "") + QLatin1Char(' ') + message);
}

QVariant cell(const RequestsModel &model, int row, int column, int role = Qt::DisplayRole)
{
    return row < 0 ? QVariant() : model.index(row, column).data(role);
}

} // namespace

class TestRequestsModel final : public QObject
{
    Q_OBJECT

    gk::test::GateFixture m_fixture;

private slots:
    void initTestCase() { QVERIFY(m_fixture.start()); }

    void shortDurations()
    {
        QCOMPARE(RequestsModel::shortDuration(0), QStringLiteral("0s"));
        QCOMPARE(RequestsModel::shortDuration(59), QStringLiteral("59s"));
        QCOMPARE(RequestsModel::shortDuration(61), QStringLiteral("1m 1s"));
        QCOMPARE(RequestsModel::shortDuration(3 * 3600 + 20 * 60 + 5), QStringLiteral("3h 20m"));
        QCOMPARE(RequestsModel::shortDuration(2 * 86400 + 4 * 3600), QStringLiteral("2d 4h"));
        QCOMPARE(RequestsModel::shortDuration(-5), QStringLiteral("0s"));
    }

    void watcherFollowsAndStops()
    {
        User bob(m_fixture, QStringLiteral("bob"));
        gk::EventWatcher watcher(&bob.client);
        QSignalSpy synced(&watcher, &gk::EventWatcher::synced);
        QSignalSpy changed(&watcher, &gk::EventWatcher::changed);
        watcher.start();
        QVERIFY(synced.wait(5000));
        QVERIFY(watcher.isLive());
        const qint64 start = watcher.index();
        QVERIFY(start > 0);

        QCOMPARE(m_fixture.root(
                     "PUT", "/v1/sys/policy/watched",
                     {{QStringLiteral("policy"), QStringLiteral("path \"secret/w\" { capabilities = [\"read\"] }")}}),
                 204);
        QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), liveBoundMs);
        const auto events = changed.constFirst().constFirst().value<QList<gk::EventWatcher::Event>>();
        QVERIFY(!events.isEmpty());
        QCOMPARE(events.constLast().path, QStringLiteral("/v1/sys/policy/watched"));
        QVERIFY(events.constLast().index > start);
        QCOMPARE(watcher.index(), events.constLast().index);

        watcher.stop();
        QVERIFY(!watcher.isRunning());
        changed.clear();
        QCOMPARE(m_fixture.root("DELETE", "/v1/sys/policy/watched"), 204);
        QTest::qWait(300);
        QVERIFY(changed.isEmpty());
    }

    void watcherBacksOffWithoutPermission()
    {
        ApiClient client; // no token: sys/events is refused
        client.setBaseUrl(m_fixture.url());
        gk::EventWatcher watcher(&client);
        watcher.setRetryDelayMs(20);
        QSignalSpy live(&watcher, &gk::EventWatcher::liveChanged);
        watcher.start();
        QVERIFY(live.wait(5000));
        QVERIFY(!watcher.isLive());
        QVERIFY2(watcher.errorString().contains(QStringLiteral("permission denied")),
                 qPrintable(watcher.errorString()));
        QVERIFY(watcher.isRunning()); // still trying, less and less often
        QTRY_VERIFY(watcher.pendingRetryDelayMs() >= 160);

        // Once the token may read sys/events, the next attempt succeeds and the delay starts over.
        QSignalSpy synced(&watcher, &gk::EventWatcher::synced);
        client.setToken(m_fixture.token(QStringLiteral("bob")));
        QVERIFY(synced.wait(5000));
        QVERIFY(watcher.isLive());
        QVERIFY(watcher.errorString().isEmpty());
        QCOMPARE(watcher.pendingRetryDelayMs(), 0);
        watcher.stop();
        QVERIFY(!watcher.isRunning());
    }

    void denyNeedsAReason()
    {
        User carol(m_fixture, QStringLiteral("carol"));
        const QStringList errors = finish([&](auto done) {
            carol.actions.deny(QStringLiteral("gate"), QStringLiteral("00000000-0000-4000-8000-000000000000"),
                               QStringLiteral("  "), this, done);
        });
        QCOMPARE(errors, QStringList(QStringLiteral("A reason is required to deny a request")));
    }

    void followsTheRequestCycle()
    {
        User alice(m_fixture, QStringLiteral("alice"));
        User bob(m_fixture, QStringLiteral("bob"));
        User carol(m_fixture, QStringLiteral("carol"));

        RequestsModel model(&bob.client);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy loaded(&model, &RequestsModel::loaded);
        QSignalSpy pending(&model, &RequestsModel::pendingCountChanged);
        model.start();
        QVERIFY(loaded.wait(5000));
        QVERIFY2(model.errorString().isEmpty(), qPrintable(model.errorString()));
        QTRY_VERIFY(model.isLive());

        // Both gates are found; only the one bob may list is listed.
        const auto gate = model.gate(QStringLiteral("gate"));
        QVERIFY(gate);
        QVERIFY(gate->canList && gate->canApprove && gate->canDeny && gate->canAsk);
        const auto hidden = model.gate(QStringLiteral("hidden"));
        QVERIFY(hidden);
        QVERIFY(!hidden->canList);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), int(RequestsModel::ColumnCount));
        QCOMPARE(model.pendingCount(), 0);

        // alice asks: a new row within 1 s.
        const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1000);
        QStringList errors;
        const QString id = finishValue(
            [&](auto done) {
                alice.actions.ask(QStringLiteral("gate"), QStringLiteral("deploy the hotfix"), this, done);
            },
            &errors);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u';')));
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1, liveBoundMs);
        int row = model.rowOf(QStringLiteral("gate"), id);
        QCOMPARE(row, 0);
        QCOMPARE(cell(model, row, RequestsModel::RequesterColumn).toString(),
                 m_fixture.entityName(QStringLiteral("alice")));
        QCOMPARE(cell(model, row, RequestsModel::GateColumn).toString(), QStringLiteral("gate"));
        QCOMPARE(cell(model, row, RequestsModel::ReasonColumn).toString(), QStringLiteral("deploy the hotfix"));
        QCOMPARE(cell(model, row, RequestsModel::StatusColumn).toString(), QStringLiteral("Pending"));
        QCOMPARE(cell(model, row, RequestsModel::ApprovalsColumn).toString(), QStringLiteral("0 of 2"));
        QCOMPARE(cell(model, row, RequestsModel::MyVoteColumn).toString(), QString());
        QCOMPARE(cell(model, row, 0, RequestsModel::RequestIdRole).toString(), id);
        QCOMPARE(cell(model, row, 0, RequestsModel::StatusRole).toString(), QStringLiteral("pending"));
        QCOMPARE(model.pendingCount(), 1);
        QCOMPARE(pending.constLast().constFirst().toInt(), 1);

        // Times and sort values: ms, ordered as the columns read.
        const QDateTime issued = cell(model, row, 0, RequestsModel::IssuedAtRole).toDateTime();
        const QDateTime expires = cell(model, row, 0, RequestsModel::ExpiresAtRole).toDateTime();
        QVERIFY(issued >= before && issued <= QDateTime::currentDateTimeUtc().addMSecs(1000));
        QCOMPARE(issued.msecsTo(expires), qint64(3600) * 1000); // the default request_ttl
        const qint64 age = cell(model, row, RequestsModel::AgeColumn, RequestsModel::SortRole).toLongLong();
        const qint64 left = cell(model, row, RequestsModel::ExpiresColumn, RequestsModel::SortRole).toLongLong();
        QVERIFY2(age >= -1000 && age < 5000, qPrintable(QString::number(age)));
        QVERIFY2(left > 3590 * 1000 && left <= 3601 * 1000, qPrintable(QString::number(left)));
        QCOMPARE(cell(model, row, RequestsModel::ApprovalsColumn, RequestsModel::SortRole).toInt(), 0);
        QCOMPARE(cell(model, row, RequestsModel::ExpiresColumn).toString(),
                 RequestsModel::shortDuration((left + 999) / 1000));
        QCOMPARE(cell(model, row, RequestsModel::AgeColumn).toString(), RequestsModel::shortDuration(age / 1000));

        // A selection survives every later change: rows are updated in place, never reset.
        const QPersistentModelIndex selected = model.index(row, RequestsModel::StatusColumn);

        // carol approves: 1 of 2, still pending.
        QElapsedTimer latency;
        latency.start();
        QCOMPARE(finish([&](auto done) { carol.actions.approve(QStringLiteral("gate"), id, this, done); }),
                 QStringList());
        QTRY_COMPARE_WITH_TIMEOUT(cell(model, row, 0, RequestsModel::NumApprovalsRole).toInt(), 1, liveBoundMs);
        qInfo("another user's approval showed %lld ms after it was sent", latency.elapsed());
        QCOMPARE(cell(model, row, RequestsModel::ApprovalsColumn).toString(), QStringLiteral("1 of 2"));
        QCOMPARE(cell(model, row, 0, RequestsModel::ApproversRole).toStringList(),
                 QStringList(m_fixture.entityName(QStringLiteral("carol"))));
        QCOMPARE(model.pendingCount(), 1);

        // bob (the model's own user) approves through the model's actions: approved, my vote shows.
        QCOMPARE(finish([&](auto done) { model.actions()->approve(QStringLiteral("gate"), id, this, done); }),
                 QStringList());
        QTRY_COMPARE_WITH_TIMEOUT(cell(model, row, 0, RequestsModel::StatusRole).toString(), QStringLiteral("approved"),
                                  liveBoundMs);
        QCOMPARE(cell(model, row, RequestsModel::ApprovalsColumn).toString(), QStringLiteral("2 of 2"));
        QCOMPARE(cell(model, row, RequestsModel::MyVoteColumn).toString(), QStringLiteral("Approved"));
        QCOMPARE(cell(model, row, RequestsModel::MyVoteColumn, RequestsModel::SortRole).toInt(), 1);
        QVERIFY(cell(model, row, 0, RequestsModel::HaveApprovedRole).toBool());
        QCOMPARE(model.pendingCount(), 0);

        // alice claims: the token comes back once; the request is claimed.
        const QString token =
            finishValue([&](auto done) { alice.actions.claim(QStringLiteral("gate"), this, done); }, &errors);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u';')));
        QVERIFY(!token.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(cell(model, row, 0, RequestsModel::StatusRole).toString(), QStringLiteral("claimed"),
                                  liveBoundMs);
        QCOMPARE(cell(model, row, RequestsModel::ExpiresColumn).toString(), QString()); // finished: no countdown
        // A second claim finds nothing to claim.
        finishValue([&](auto done) { alice.actions.claim(QStringLiteral("gate"), this, done); }, &errors);
        QVERIFY2(!errors.isEmpty(), "a grant code works once");

        // alice asks again; carol denies with a reason.
        const QString second = finishValue(
            [&](auto done) { alice.actions.ask(QStringLiteral("gate"), QStringLiteral("read the logs"), this, done); },
            &errors);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u';')));
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 2, liveBoundMs);
        QCOMPARE(model.pendingCount(), 1);
        QCOMPARE(finish([&](auto done) {
                     carol.actions.deny(QStringLiteral("gate"), second, QStringLiteral("not this week"), this, done);
                 }),
                 QStringList());
        const int secondRow = model.rowOf(QStringLiteral("gate"), second);
        QCOMPARE(secondRow, 1);
        QTRY_COMPARE_WITH_TIMEOUT(cell(model, secondRow, RequestsModel::StatusColumn).toString(),
                                  QStringLiteral("Denied"), liveBoundMs);
        QCOMPARE(model.pendingCount(), 0);

        // bob asks and tries to approve his own request: the server's 403 text.
        const QString own = finishValue(
            [&](auto done) { bob.actions.ask(QStringLiteral("gate"), QStringLiteral("my own"), this, done); }, &errors);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u';')));
        QCOMPARE(finish([&](auto done) { model.actions()->approve(QStringLiteral("gate"), own, this, done); }),
                 QStringList(QStringLiteral("requesters cannot approve their own requests")));
        // ...and cancels it.
        QCOMPARE(finish([&](auto done) { bob.actions.cancel(QStringLiteral("gate"), this, done); }), QStringList());
        QTRY_COMPARE_WITH_TIMEOUT(
            cell(model, model.rowOf(QStringLiteral("gate"), own), 0, RequestsModel::StatusRole).toString(),
            QStringLiteral("cancelled"), liveBoundMs);

        QVERIFY(selected.isValid());
        QCOMPARE(selected.row(), row);
        QCOMPARE(selected.data(RequestsModel::RequestIdRole).toString(), id);
        QCOMPARE(resets.size(), 0);

        // Sorting and filtering through the proxy.
        gk::RequestsProxyModel proxy;
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.sort(RequestsModel::AgeColumn, Qt::AscendingOrder); // youngest first
        QCOMPARE(proxy.rowCount(), 3);
        QCOMPARE(proxy.index(0, 0).data(RequestsModel::RequestIdRole).toString(), own);
        QCOMPARE(proxy.index(2, 0).data(RequestsModel::RequestIdRole).toString(), id);
        proxy.sort(RequestsModel::ApprovalsColumn, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, 0).data(RequestsModel::RequestIdRole).toString(), id); // 2 approvals
        proxy.setStatusFilter(QStringLiteral("denied"));
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data(RequestsModel::RequestIdRole).toString(), second);
        proxy.setStatusFilter(QString());
        // The text filter: the reason, the status as shown and the request id, ignoring case.
        proxy.setFilterText(QStringLiteral("HOTFIX"));
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data(RequestsModel::RequestIdRole).toString(), id);
        proxy.setFilterText(QStringLiteral("DENIED"));
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data(RequestsModel::RequestIdRole).toString(), second);
        proxy.setFilterText(own.left(13).toUpper());
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data(RequestsModel::RequestIdRole).toString(), own);
        proxy.setStatusFilter(QStringLiteral("denied")); // both filters at once: nothing left
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setStatusFilter(QString());
        proxy.setFilterText(QString());
        QCOMPARE(proxy.rowCount(), 3);
        QCOMPARE(proxy.index(0, 0).data(RequestsModel::RequestIdRole).toString(), id); // still by approvals
        // QSortFilterProxyModel's own expression still applies on top, to every column.
        proxy.setFilterFixedString(QStringLiteral("HOTFIX"));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setFilterFixedString(QString());
        QCOMPARE(proxy.rowCount(), 3);

        // The countdown ticks without any server call; a table sorted by age keeps its order.
        proxy.sort(RequestsModel::AgeColumn, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, 0).data(RequestsModel::RequestIdRole).toString(), own);
        model.setTickIntervalMs(50);
        QSignalSpy ticks(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(ticks.wait(1000));
        QCOMPARE(ticks.constFirst().at(0).toModelIndex().column(), int(RequestsModel::AgeColumn));
        QCOMPARE(proxy.index(0, 0).data(RequestsModel::RequestIdRole).toString(), own);
        model.stop();
    }

    void followsGatesAppearingAndGoing()
    {
        User alice(m_fixture, QStringLiteral("alice"));
        User carol(m_fixture, QStringLiteral("carol"));
        RequestsModel model(&carol.client);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(&model, &RequestsModel::loaded);
        model.start();
        QVERIFY(loaded.wait(5000));
        const int before = model.rowCount();
        QVERIFY(!model.gate(QStringLiteral("gate3")));

        QCOMPARE(
            m_fixture.root("POST", "/v1/sys/auth/gate3", {{QStringLiteral("type"), QStringLiteral("policy-gate")}}),
            204);
        QTRY_VERIFY_WITH_TIMEOUT(model.gate(QStringLiteral("gate3")).has_value(), liveBoundMs);
        QVERIFY(model.gate(QStringLiteral("gate3"))->canList);
        QStringList errors;
        const QString id = finishValue(
            [&](auto done) {
                alice.actions.ask(QStringLiteral("gate3"), QStringLiteral("on the new gate"), this, done);
            },
            &errors);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u';')));
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), before + 1, liveBoundMs);
        QVERIFY(model.rowOf(QStringLiteral("gate3"), id) >= 0);
        QCOMPARE(model.pendingCount(), 1);

        // The gate goes, and its requests with it.
        QCOMPARE(m_fixture.root("DELETE", "/v1/sys/auth/gate3"), 204);
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), before, liveBoundMs);
        QVERIFY(!model.gate(QStringLiteral("gate3")));
        QCOMPARE(model.pendingCount(), 0);
    }

    void claimedTokenIsNeverLogged()
    {
        User alice(m_fixture, QStringLiteral("alice"));
        User bob(m_fixture, QStringLiteral("bob"));
        User carol(m_fixture, QStringLiteral("carol"));
        QStringList errors;
        const QString id = finishValue(
            [&](auto done) { alice.actions.ask(QStringLiteral("gate"), QStringLiteral("logged?"), this, done); },
            &errors);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u';')));
        QCOMPARE(finish([&](auto done) { bob.actions.approve(QStringLiteral("gate"), id, this, done); }),
                 QStringList());
        QCOMPARE(finish([&](auto done) { carol.actions.approve(QStringLiteral("gate"), id, this, done); }),
                 QStringList());

        QLoggingCategory::setFilterRules(QStringLiteral("gatekeeper.*=true"));
        logged.clear();
        const QtMessageHandler previous = qInstallMessageHandler(captureLog);
        const QString token =
            finishValue([&](auto done) { alice.actions.claim(QStringLiteral("gate"), this, done); }, &errors);
        qInstallMessageHandler(previous);
        QLoggingCategory::setFilterRules(QString());
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u';')));
        QVERIFY(!token.isEmpty());
        QVERIFY(!logged.isEmpty()); // the calls were logged...
        for (const QString &line : std::as_const(logged))
            QVERIFY2(!line.contains(token), qPrintable(line)); // ...without the token
    }

    // The proxy's order stays right as rows are inserted, updated and removed, whether the model compares the rows'
    // values or their ranks (which it builds once a sort of many rows is asked for).
    void sortFollowsChanges()
    {
        ApiClient client; // never used: the rows come through applyGate
        RequestsModel model(&client);
        gk::RequestsProxyModel proxy;
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QList<gk::AccessRequest> requests;
        for (int i = 0; i < 60; ++i) {
            gk::AccessRequest r;
            r.gate = QStringLiteral("gate");
            r.id = QString::number(i);
            r.requester = (i % 2 ? QStringLiteral("User%1") : QStringLiteral("user%1")).arg((i * 37) % 23);
            r.status = QStringLiteral("pending");
            r.issuedAt = now.addSecs(-((i * 53) % 60));
            r.expiresAt = r.issuedAt.addSecs(3600);
            r.numApprovals = i % 3;
            requests.append(r);
        }
        const auto ordered = [&](int column) {
            for (int row = 1; row < proxy.rowCount(); ++row) {
                const QVariant before = proxy.index(row - 1, column).data(RequestsModel::OrderRole);
                const QVariant after = proxy.index(row, column).data(RequestsModel::OrderRole);
                const bool inOrder =
                    before.typeId() == QMetaType::QString
                        ? QString::compare(before.toString(), after.toString(), Qt::CaseInsensitive) <= 0
                        : before.toLongLong() <= after.toLongLong();
                if (!inOrder)
                    return false;
            }
            return proxy.rowCount() == model.rowCount();
        };
        for (const int column : {int(RequestsModel::RequesterColumn), int(RequestsModel::AgeColumn),
                                 int(RequestsModel::ApprovalsColumn)}) {
            proxy.sort(column);
            model.applyGate(QStringLiteral("gate"), requests);
            QVERIFY(ordered(column));
            proxy.setFilterText(QStringLiteral("user1")); // a filter change sorts the rows kept again
            proxy.setFilterText(QString());
            QVERIFY(ordered(column));
            QList<gk::AccessRequest> changed = requests;
            changed.remove(20, 5); // removals alone: the ranks of the rows left still hold
            model.applyGate(QStringLiteral("gate"), changed);
            proxy.setFilterText(QStringLiteral("u"));
            proxy.setFilterText(QString());
            QVERIFY(ordered(column));
            changed[7].requester = QStringLiteral("aaa");
            changed[8].numApprovals = 9;
            changed[9].issuedAt = now.addSecs(-3600);
            model.applyGate(QStringLiteral("gate"), changed);
            QVERIFY(ordered(column));
            proxy.setFilterText(QStringLiteral("u"));
            proxy.setFilterText(QString());
            QVERIFY(ordered(column));
            for (const char *requester : {"mmm", "AAA", "zzz", "user5"}) { // one by one, each ranked among the others
                gk::AccessRequest r = requests.at(0);
                r.id = QStringLiteral("new-") + QLatin1String(requester);
                r.requester = QLatin1String(requester);
                r.issuedAt = now.addSecs(-(changed.size() * 7) % 60);
                r.numApprovals = changed.size() % 4;
                changed.append(r);
                model.applyGate(QStringLiteral("gate"), changed);
                QVERIFY(ordered(column));
                proxy.setFilterText(QStringLiteral("u"));
                proxy.setFilterText(QString());
                QVERIFY(ordered(column));
            }
            changed.append(requests.mid(20, 5)); // back, at the end of the model
            model.applyGate(QStringLiteral("gate"), changed);
            QVERIFY(ordered(column));
            model.applyGate(QStringLiteral("gate"), {});
        }
    }

    void reportsAMissingPermission()
    {
        ApiClient client; // a token without read on sys/auth
        client.setBaseUrl(m_fixture.url());
        client.setToken(QStringLiteral("not-a-token"));
        RequestsModel model(&client);
        QSignalSpy errorSpy(&model, &RequestsModel::errorChanged);
        model.start();
        QVERIFY(errorSpy.wait(5000));
        QVERIFY2(model.errorString().contains(QStringLiteral("permission denied")), qPrintable(model.errorString()));
        QVERIFY(!model.isLive());
    }
};

QTEST_GUILESS_MAIN(TestRequestsModel)
#include "tst_requestsmodel.moc"
