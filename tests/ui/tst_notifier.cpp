// Notifier under QT_QPA_PLATFORM=offscreen (no system tray) in a MainWindow signed in as bob, against a real server
// with policy gates (GateFixture): alice's new request reaches bob through the presenter seam within 1 s, bob's own
// request does not, and a decision on bob's request (carol approves, carol denies) does; what the first load finds is
// not announced; activating a notification opens the requests tab on that request. A second Notifier with the default
// presenter shows that having no tray does no harm.

#include "ApiClient.h"
#include "GateActions.h"
#include "GateFixture.h"
#include "MainWindow.h"
#include "Notifier.h"
#include "RequestsModel.h"
#include "RequestsView.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using gk::MainWindow;
using gk::Notifier;
using gk::RequestsModel;
using User = gk::test::GateUser;

namespace {

constexpr int liveBoundMs = 1000;

} // namespace

class TestNotifier final : public QObject
{
    Q_OBJECT

    gk::test::GateFixture m_fixture;
    std::unique_ptr<User> m_bob;
    std::unique_ptr<MainWindow> m_window;
    QList<Notifier::Notification> m_shown;
    QElapsedTimer m_clock;
    qint64 m_lastShownMs = 0; // m_clock's time of the last notification

    bool shown(Notifier::Kind kind, const QString &id) const
    {
        for (const Notifier::Notification &n : m_shown) {
            if (n.kind == kind && n.requestId == id)
                return true;
        }
        return false;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_fixture.start());
        // One approval decides a request here, so that carol alone can decide bob's.
        QCOMPARE(m_fixture.root("POST", "/v1/auth/gate/config", {{QStringLiteral("required_approvals"), 1}}), 204);
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_bob.reset();
    }

    void nothingForWhatTheFirstLoadFinds()
    {
        User alice(m_fixture, QStringLiteral("alice"));
        const QString before = ask(alice, QStringLiteral("already there"));
        QVERIFY(!before.isEmpty());

        m_bob = std::make_unique<User>(m_fixture, QStringLiteral("bob"));
        m_window = std::make_unique<MainWindow>(&m_bob->client, nullptr);
        m_window->notifier()->setPresenter([this](const Notifier::Notification &n) {
            m_shown.append(n);
            m_lastShownMs = m_clock.elapsed();
        });
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_clock.start();
        QSignalSpy loaded(m_window->requestsView()->model(), &RequestsModel::loaded);
        m_window->connectToServer(m_fixture.url());
        QVERIFY(loaded.wait(5000));
        QCOMPARE(m_window->requestsView()->model()->rowOf(QStringLiteral("gate"), before) >= 0, true);
        QTest::qWait(200); // the own-request baseline is read meanwhile
        QVERIFY(m_shown.isEmpty());
    }

    void aNewRequestIsAnnouncedWithinOneSecond()
    {
        Notifier trayless(m_window->requestsView()->model()); // the default presenter, without a tray
        QVERIFY(!QSystemTrayIcon::isSystemTrayAvailable());
        QSignalSpy loaded(m_window->requestsView()->model(), &RequestsModel::loaded);
        m_window->requestsView()->model()->reload(); // a load it sees: it starts watching from there
        QVERIFY(loaded.wait(5000));
        QTest::qWait(100);

        User alice(m_fixture, QStringLiteral("alice"));
        const QString id = ask(alice, QStringLiteral("deploy the hotfix"));
        QVERIFY(!id.isEmpty());
        const qint64 askedMs = m_clock.elapsed();
        QTRY_VERIFY_WITH_TIMEOUT(shown(Notifier::Kind::NewRequest, id), liveBoundMs);
        qInfo("new request announced %lld ms after it was made", m_lastShownMs - askedMs);
        const Notifier::Notification &n = m_shown.constLast();
        QCOMPARE(n.gate, QStringLiteral("gate"));
        QVERIFY(n.message.contains(m_fixture.entityName(QStringLiteral("alice"))));
        QVERIFY(n.message.contains(QLatin1String("deploy the hotfix")));
        QCOMPARE(m_shown.size(), 1);                                                    // once
        QTRY_VERIFY_WITH_TIMEOUT(trayless.lastNotification().has_value(), liveBoundMs); // and no harm done
        QCOMPARE(trayless.lastNotification()->requestId, id);
    }

    void ownRequestIsNotAnnouncedButItsDecisionIs()
    {
        m_shown.clear();
        const QString id = ask(*m_bob, QStringLiteral("read the audit log"));
        QVERIFY(!id.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(m_window->requestsView()->model()->rowOf(QStringLiteral("gate"), id) >= 0,
                                 liveBoundMs);
        QTest::qWait(300); // time for a wrong announcement to come
        QVERIFY(!shown(Notifier::Kind::NewRequest, id));

        User carol(m_fixture, QStringLiteral("carol"));
        QVERIFY(gk::test::finish([&](auto done) {
                    carol.actions.approve(QStringLiteral("gate"), id, nullptr, std::move(done));
                }).isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(shown(Notifier::Kind::Decision, id), liveBoundMs);
        QVERIFY(m_shown.constLast().title.contains(QLatin1String("approved")));
        QCOMPARE(m_shown.size(), 1);

        // Activating it opens the requests tab on that request.
        auto *tabs = m_window->findChild<QTabWidget *>(QStringLiteral("mainTabs"));
        QVERIFY(tabs);
        tabs->setCurrentIndex(0);
        m_window->notifier()->activateLast();
        QCOMPARE(tabs->currentWidget(), m_window->requestsView());
        const auto *table = m_window->requestsView()->findChild<QTableView *>(QStringLiteral("requestsTable"));
        QVERIFY(table);
        QCOMPARE(table->currentIndex().data(RequestsModel::RequestIdRole).toString(), id);
    }

    void aDenialIsAnnouncedWithItsReason()
    {
        m_shown.clear();
        const QString id = ask(*m_bob, QStringLiteral("rotate the keys"));
        QVERIFY(!id.isEmpty());
        User carol(m_fixture, QStringLiteral("carol"));
        QVERIFY(gk::test::finish([&](auto done) {
                    carol.actions.deny(QStringLiteral("gate"), id, QStringLiteral("not today"), nullptr,
                                       std::move(done));
                }).isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(shown(Notifier::Kind::Decision, id), liveBoundMs);
        QVERIFY(m_shown.constLast().title.contains(QLatin1String("denied")));
        QVERIFY(m_shown.constLast().message.contains(QLatin1String("not today")));
        QVERIFY(!shown(Notifier::Kind::NewRequest, id));
    }
};

QTEST_MAIN(TestNotifier)
#include "tst_notifier.moc"
