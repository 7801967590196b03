// StatusView under QT_QPA_PLATFORM=offscreen against a real server (UnsealedServer on 127.0.0.1:0, signed in with the
// root token): the broker's id and version, the seal states, the counters and the peers row; and the server's errors
// inline when there is no server.

#include "ApiClient.h"
#include "PeersModel.h"
#include "RateChart.h"
#include "StatusView.h"
#include "UnsealedServer.h"

#include <QAbstractButton>
#include <QLabel>
#include <QSignalSpy>
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
