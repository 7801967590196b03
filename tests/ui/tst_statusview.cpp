// StatusView under QT_QPA_PLATFORM=offscreen against a real server (UnsealedServer on 127.0.0.1:0, signed in with the
// root token): the broker's id and version, the seal states, the counters and the peers row; that the main window's
// timer has it read only while it is on screen (its tab in front, the window not minimised); and the server's errors
// inline when there is no server.

#include "ApiClient.h"
#include "MainWindow.h"
#include "PeersModel.h"
#include "RateChart.h"
#include "StatusView.h"
#include "UnsealedServer.h"

#include <QAbstractButton>
#include <QLabel>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTcpServer>
#include <QTest>

using gk::ApiClient;
using gk::PeersModel;
using gk::StatusView;

namespace {

QString labelText(const QWidget &view, const char *name)
{
    const auto *label = view.findChild<QLabel *>(QLatin1String(name));
    return label ? label->text() : QStringLiteral("<no %1>").arg(QLatin1String(name));
}

} // namespace

class TestStatusView final : public QObject
{
    Q_OBJECT

    gk::test::UnsealedServer m_gk;

private slots:
    void initTestCase()
    {
        QVERIFY(m_gk.start());
        QVERIFY(m_gk.unseal());
    }

    void showsTheServerAndItsPeers()
    {
        ApiClient client;
        client.setBaseUrl(m_gk.server().baseUrl());
        client.setToken(QString::fromLatin1(m_gk.rootToken()));
        StatusView view(&client);
        view.resize(800, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));

        QSignalSpy refreshed(&view, &StatusView::refreshed);
        QSignalSpy peersRefreshed(view.peersModel(), &PeersModel::refreshed);
        view.refresh();
        QVERIFY(refreshed.wait(5000));
        QVERIFY(peersRefreshed.count() > 0 || peersRefreshed.wait(5000));

        QVERIFY(view.snapshot() && view.snapshot()->broker);
        QCOMPARE(labelText(view, "statusIdLabel"), view.snapshot()->broker->id);
        QCOMPARE(labelText(view, "statusIdLabel").size(), 36);
        QCOMPARE(labelText(view, "statusVersionLabel"), QStringLiteral(GK_VERSION));
        QCOMPARE(labelText(view, "statusBarrierLabel"), QStringLiteral("Unsealed"));
        QCOMPARE(labelText(view, "statusBrokerLabel"), QStringLiteral("Sealed")); // no credential given
        QVERIFY(labelText(view, "statusCountersLabel").startsWith(QLatin1String("Requests: 0 ")));
        QCOMPARE(view.errorText(), QString());

        const auto *table = view.findChild<QTableView *>(QStringLiteral("peersTable"));
        QVERIFY(table);
        QCOMPARE(table->model()->rowCount(), 1);
        QCOMPARE(table->model()->index(0, PeersModel::RoleColumn).data().toString(), QStringLiteral("Active"));
        QCOMPARE(table->model()->index(0, PeersModel::SealColumn).data().toString(), QStringLiteral("Unsealed"));
        QVERIFY(!table->model()->index(0, PeersModel::NameColumn).data().toString().isEmpty());

        // A second reading gives the chart its first rate; a /token call in between counts.
        QVERIFY(
            m_gk.server().requestJson("POST", "/token", {{QStringLiteral("task_id"), QStringLiteral("t")}}).status >=
            400);
        QTest::qWait(20); // the two readings must be apart in time
        view.refresh();
        QVERIFY(refreshed.wait(5000));
        QVERIFY(labelText(view, "statusCountersLabel").startsWith(QLatin1String("Requests: 1 ")));
        QCOMPARE(view.rateChart()->samples().size(), 1);
        QVERIFY(view.rateChart()->samples().at(0).perMinute > 0);

        for (const QWidget *control : view.findChildren<QWidget *>()) {
            if (qobject_cast<const QLabel *>(control) || qobject_cast<const QAbstractButton *>(control))
                QVERIFY2(!control->accessibleName().isEmpty(), qPrintable(control->objectName()));
        }
        QVERIFY(!view.rateChart()->accessibleName().isEmpty());
        QVERIFY(!table->accessibleName().isEmpty());
    }

    void withoutATokenThePeersSaySignIn()
    {
        ApiClient client;
        client.setBaseUrl(m_gk.server().baseUrl());
        StatusView view(&client);
        QSignalSpy refreshed(&view, &StatusView::refreshed);
        view.refresh();
        QVERIFY(refreshed.wait(5000));
        QCOMPARE(labelText(view, "statusVersionLabel"), QStringLiteral(GK_VERSION));
        QCOMPARE(view.peersModel()->rowCount(), 0);
        QVERIFY(view.errorText().contains(QLatin1String("Sign in")));
    }

    void readsOnlyWhileOnScreen()
    {
        ApiClient client;
        client.setToken(QString::fromLatin1(m_gk.rootToken()));
        auto *network = client.findChild<QNetworkAccessManager *>();
        QVERIFY(network);
        int reads = 0; // answers to what the Status tab reads: GET /status and /v1/sys/ha-status
        connect(network, &QNetworkAccessManager::finished, this, [&reads](QNetworkReply *reply) {
            const QString path = reply->url().path();
            if (path == QLatin1String("/status") || path == QLatin1String("/v1/sys/ha-status"))
                ++reads;
        });
        // Waits for the answers under way, then counts those that come within quietMs.
        const auto readsWithin = [&reads](int quietMs) {
            QTest::qWait(1000);
            const int before = reads;
            QTest::qWait(quietMs);
            return reads - before;
        };

        gk::MainWindow window(&client, nullptr);
        window.setRefreshIntervalMs(50);
        window.resize(800, 600);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.connectToServer(m_gk.server().baseUrl());
        auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("mainTabs"));
        QVERIFY(tabs);
        QVERIFY(tabs->currentWidget() != window.statusView());

        // Another tab in front: the refresh timer ticks, the Status tab reads nothing.
        QCOMPARE(readsWithin(500), 0);
        QCOMPARE(reads, 0);

        // Shown: it reads at once (both) and then on the timer.
        tabs->setCurrentWidget(window.statusView());
        QTRY_VERIFY_WITH_TIMEOUT(reads >= 2, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(reads >= 8, 10000);

        // Minimised: nothing; restored: at once again.
        window.showMinimized();
        QVERIFY(window.isMinimized());
        QCOMPARE(readsWithin(500), 0);
        const int beforeRestore = reads;
        window.showNormal();
        QVERIFY(!window.isMinimized());
        QTRY_VERIFY_WITH_TIMEOUT(reads > beforeRestore, 5000);

        // Hidden behind another tab again: nothing.
        tabs->setCurrentIndex(0);
        QCOMPARE(readsWithin(500), 0);
        qInfo("%d status reads while on screen", reads);
    }

    void noServerShowsTheErrorsInline()
    {
        QTcpServer reserve;
        QVERIFY(reserve.listen(QHostAddress::LocalHost));
        const quint16 port = reserve.serverPort();
        reserve.close();
        ApiClient client;
        client.setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
        StatusView view(&client);
        QSignalSpy refreshed(&view, &StatusView::refreshed);
        view.refresh();
        QVERIFY(refreshed.wait(5000));
        QCOMPARE(labelText(view, "statusIdLabel"), QStringLiteral("Unknown"));
        QVERIFY(view.errorText().contains(QLatin1String("Cannot read the server's status")));
        QVERIFY(view.errorText().contains(QLatin1String("Cannot read the seal state")));
    }
};

QTEST_MAIN(TestStatusView)
#include "tst_statusview.moc"
