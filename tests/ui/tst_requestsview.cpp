// RequestsView under QT_QPA_PLATFORM=offscreen against a real server with policy gates (GateFixture): bob reviews in
// the view, alice asks and carol approves through their own ApiClients. Approve and deny by clicks and keys, the deny
// reason through the prompt seam, the server's errors inline, the pending badge, and the claim.

#include "ApiClient.h"
#include "GateActions.h"
#include "GateFixture.h"
#include "RequestsModel.h"
#include "RequestsProxyModel.h"
#include "RequestsView.h"

#include <QAbstractButton>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include <optional>

using gk::ApiClient;
using gk::GateActions;
using gk::RequestsModel;
using gk::RequestsView;
using User = gk::test::GateUser;

namespace {

constexpr int liveBoundMs = 1000;

bool approve(gk::test::GateUser &user, const QString &id)
{
    return gk::test::finish(
               [&](auto done) { user.actions.approve(QStringLiteral("gate"), id, nullptr, std::move(done)); })
        .isEmpty();
}

QString labelText(const QWidget &view, const char *name)
{
    const auto *label = view.findChild<QLabel *>(QLatin1String(name));
    return label ? label->text() : QStringLiteral("<no %1>").arg(QLatin1String(name));
}

} // namespace

class TestRequestsView final : public QObject
{
    Q_OBJECT

    gk::test::GateFixture m_fixture;
    std::unique_ptr<User> m_bob;
    std::unique_ptr<RequestsView> m_view;
    QStringList m_prompts;                   // the labels the reason prompt was shown with
    QList<std::optional<QString>> m_answers; // what it answers, in turn
    QStringList m_tokens;                    // what the token presenter was given

    QTableView *table() const { return m_view->findChild<QTableView *>(QStringLiteral("requestsTable")); }
    QPushButton *button(const char *name) const { return m_view->findChild<QPushButton *>(QLatin1String(name)); }

    // Clicks the row of request id; false when it is not shown.
    bool select(const QString &id)
    {
        const gk::RequestsProxyModel *proxy = m_view->proxyModel();
        for (int row = 0; row < proxy->rowCount(); ++row) {
            const QModelIndex index = proxy->index(row, RequestsModel::RequesterColumn);
            if (index.data(RequestsModel::RequestIdRole).toString() != id)
                continue;
            table()->scrollTo(index);
            QTest::mouseClick(table()->viewport(), Qt::LeftButton, {}, table()->visualRect(index).center());
            return table()->currentIndex().row() == row;
        }
        return false;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_fixture.start());
        m_bob = std::make_unique<User>(m_fixture, QStringLiteral("bob"));
        m_view = std::make_unique<RequestsView>(&m_bob->client);
        m_view->setReasonPrompt([this](QWidget *, const QString &, const QString &label) {
            m_prompts.append(label);
            return m_answers.isEmpty() ? std::nullopt : m_answers.takeFirst();
        });
        m_view->setTokenPresenter([this](QWidget *, const QString &, const QString &token) { m_tokens.append(token); });
        m_view->resize(1000, 600);
        m_view->show();
        m_view->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_view.get()));
        QSignalSpy loaded(m_view->model(), &RequestsModel::loaded);
        m_view->start();
        QVERIFY(loaded.wait(5000));
    }

    void cleanupTestCase()
    {
        m_view.reset();
        m_bob.reset();
    }

    void everyControlHasAnAccessibleName()
    {
        const QList<QWidget *> controls = m_view->findChildren<QWidget *>();
        for (const QWidget *control : controls) {
            if (qobject_cast<const QLabel *>(control) || qobject_cast<const QAbstractButton *>(control) ||
                qobject_cast<const QLineEdit *>(control) || qobject_cast<const QComboBox *>(control) ||
                qobject_cast<const QTableView *>(control)) {
                QVERIFY2(!control->accessibleName().isEmpty(), qPrintable(control->objectName()));
            }
        }
        for (const char *name : {"approveButton", "denyButton", "askButton", "cancelButton", "claimButton"})
            QVERIFY2(button(name), name);
    }

    void approveByClickAndSeeAnotherApprover()
    {
        User alice(m_fixture, QStringLiteral("alice"));
        User carol(m_fixture, QStringLiteral("carol"));
        QSignalSpy badge(m_view.get(), &RequestsView::pendingCountChanged);
        const QString id = ask(alice, QStringLiteral("restart the billing service"));
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(m_view->badgeText(), QStringLiteral("1 pending"), liveBoundMs);
        QCOMPARE(badge.constLast().constFirst().toInt(), 1);

        QVERIFY(!button("approveButton")->isEnabled()); // nothing selected yet
        QVERIFY(select(id));
        QCOMPARE(labelText(*m_view, "reasonLabel"), QStringLiteral("restart the billing service"));
        QCOMPARE(labelText(*m_view, "requesterLabel"), m_fixture.entityName(QStringLiteral("alice")));
        QCOMPARE(labelText(*m_view, "historyLabel"), QStringLiteral("No approvals yet"));
        QVERIFY(button("approveButton")->isEnabled());

        QTest::mouseClick(button("approveButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(labelText(*m_view, "approvalsLabel"), QStringLiteral("1 of 2, including yours"),
                                  liveBoundMs);
        QVERIFY(m_view->errorText().isEmpty());
        QCOMPARE(m_view->badgeText(), QString());       // nothing awaits bob any more
        QVERIFY(!button("approveButton")->isEnabled()); // one vote each
        QCOMPARE(labelText(*m_view, "historyLabel"),
                 QStringLiteral("1. ") + m_fixture.entityName(QStringLiteral("bob")));

        // Another approver, through another client: the view shows it within 1 s.
        QVERIFY(approve(carol, id));
        QTRY_COMPARE_WITH_TIMEOUT(labelText(*m_view, "statusLabel"), QStringLiteral("Approved"), liveBoundMs);
        QCOMPARE(labelText(*m_view, "historyLabel"),
                 QStringLiteral("1. %1\n2. %2")
                     .arg(m_fixture.entityName(QStringLiteral("bob")), m_fixture.entityName(QStringLiteral("carol"))));
        QVERIFY(!button("denyButton")->isEnabled());
    }

    void approveAndDenyByKeys()
    {
        User alice(m_fixture, QStringLiteral("alice"));
        const QString first = ask(alice, QStringLiteral("first"));
        QTRY_COMPARE_WITH_TIMEOUT(m_view->badgeText(), QStringLiteral("1 pending"), liveBoundMs);
        QVERIFY(select(first));
        QTest::keyClick(table(), Qt::Key_Return, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(labelText(*m_view, "approvalsLabel"), QStringLiteral("1 of 2, including yours"),
                                  liveBoundMs);

        const QString second = ask(alice, QStringLiteral("second")); // replaces the first
        QTRY_COMPARE_WITH_TIMEOUT(m_view->badgeText(), QStringLiteral("1 pending"), liveBoundMs);
        QVERIFY(select(second));
        m_prompts.clear();

        // Cancelled prompt: nothing happens.
        m_answers = {std::nullopt};
        QTest::keyClick(table(), Qt::Key_D, Qt::ControlModifier);
        QCOMPARE(m_prompts.size(), 1);
        QVERIFY(m_prompts.constFirst().contains(m_fixture.entityName(QStringLiteral("alice"))));
        QTest::qWait(100);
        QCOMPARE(labelText(*m_view, "statusLabel"), QStringLiteral("Pending"));

        // An empty reason: refused inline, no call.
        m_answers = {QStringLiteral("   ")};
        QTest::mouseClick(button("denyButton"), Qt::LeftButton);
        QCOMPARE(m_view->errorText(), QStringLiteral("Deny failed: a reason is required"));

        // A reason: denied.
        m_answers = {QStringLiteral("not during the freeze")};
        QTest::keyClick(table(), Qt::Key_D, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(labelText(*m_view, "statusLabel"), QStringLiteral("Denied"), liveBoundMs);
        QCOMPARE(m_prompts.size(), 3);
        QTRY_VERIFY(m_view->errorText().isEmpty());
        QCOMPARE(m_view->badgeText(), QString());
    }

    void serverErrorsShowInline()
    {
        // bob asks through the view, then tries to approve his own request: the server's 403 text.
        QComboBox *gates = m_view->findChild<QComboBox *>(QStringLiteral("askGateComboBox"));
        QVERIFY(gates);
        QCOMPARE(gates->currentText(), QStringLiteral("gate"));
        m_answers = {QStringLiteral("my own")};
        const int before = m_view->model()->rowCount();
        QTest::mouseClick(button("askButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(m_view->model()->rowCount(), before + 1, liveBoundMs);
        const QString own = m_view->model()->requestAt(before).id;
        QTRY_COMPARE_WITH_TIMEOUT(labelText(*m_view, "ownStatusLabel"),
                                  QStringLiteral("Your request is pending: 0 of 2 approvals."), liveBoundMs);
        QVERIFY(select(own));
        QTest::mouseClick(button("approveButton"), Qt::LeftButton);
        QTRY_VERIFY(!m_view->errorText().isEmpty());
        QCOMPARE(m_view->errorText(), QStringLiteral("Approve failed: requesters cannot approve their own requests"));
        QVERIFY(m_view->findChild<QLabel *>(QStringLiteral("errorLabel"))->isVisible());

        // Filtering by status keeps the table to the matching requests.
        QComboBox *status = m_view->findChild<QComboBox *>(QStringLiteral("statusComboBox"));
        status->setCurrentIndex(status->findData(QStringLiteral("pending")));
        QCOMPARE(m_view->proxyModel()->rowCount(), 1);
        status->setCurrentIndex(0);
        QTest::keyClicks(m_view->findChild<QLineEdit *>(QStringLiteral("filterLineEdit")), QStringLiteral("BILLING"));
        QCOMPARE(m_view->proxyModel()->rowCount(), 1);
        m_view->findChild<QLineEdit *>(QStringLiteral("filterLineEdit"))->clear();

        // bob withdraws it.
        QVERIFY(button("cancelButton")->isEnabled());
        QVERIFY(!button("claimButton")->isEnabled());
        QTest::mouseClick(button("cancelButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(labelText(*m_view, "statusLabel"), QStringLiteral("Cancelled"), liveBoundMs);
        QTRY_COMPARE_WITH_TIMEOUT(labelText(*m_view, "ownStatusLabel"),
                                  QStringLiteral("Your last request is cancelled."), liveBoundMs);
        QVERIFY(!button("cancelButton")->isEnabled());
        QTRY_VERIFY(m_view->errorText().isEmpty());
    }

    void claimShowsTheTokenOnce()
    {
        QCOMPARE(m_fixture.root("POST", "/v1/auth/gate/config", {{QStringLiteral("required_approvals"), 1}}), 204);
        User carol(m_fixture, QStringLiteral("carol"));
        m_answers = {QStringLiteral("claim me")};
        const int before = m_view->model()->rowCount();
        QTest::mouseClick(button("askButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(m_view->model()->rowCount(), before + 1, liveBoundMs);
        const QString id = m_view->model()->requestAt(before).id;
        QVERIFY(!button("claimButton")->isEnabled());
        QVERIFY(approve(carol, id));
        QVERIFY(select(id));
        QTRY_COMPARE_WITH_TIMEOUT(labelText(*m_view, "statusLabel"), QStringLiteral("Approved"), liveBoundMs);
        // The requester sees the decision live too, and may claim with one click.
        QTRY_VERIFY_WITH_TIMEOUT(
            labelText(*m_view, "ownStatusLabel").startsWith(QStringLiteral("Your request is approved")), liveBoundMs);
        QVERIFY(button("claimButton")->isEnabled());
        QTest::mouseClick(button("claimButton"), Qt::LeftButton);
        QTRY_COMPARE(m_tokens.size(), 1);
        QVERIFY(!m_tokens.constFirst().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(labelText(*m_view, "statusLabel"), QStringLiteral("Claimed"), liveBoundMs);
        QVERIFY(m_view->errorText().isEmpty());
        QTRY_COMPARE(labelText(*m_view, "ownStatusLabel"), QStringLiteral("Your last request is claimed."));
        QVERIFY(!button("claimButton")->isEnabled());
        m_tokens.clear();
    }
};

QTEST_MAIN(TestRequestsView)
#include "tst_requestsview.moc"
