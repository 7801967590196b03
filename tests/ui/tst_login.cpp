// Sign-in under QT_QPA_PLATFORM=offscreen against a real server with policy gates (GateFixture): the LoginDialog is
// answered through MainWindow's LoginPrompt seam (filled in with QTest keys and clicks, never exec()'d), the server's
// error shows inline in the dialog, signing in starts the access requests tab and signing out stops it.

#include "ApiClient.h"
#include "GateFixture.h"
#include "LoginDialog.h"
#include "MainWindow.h"
#include "RequestsModel.h"
#include "RequestsView.h"
#include "Session.h"

#include <QAbstractButton>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QTest>

using gk::ApiClient;
using gk::LoginDialog;
using gk::MainWindow;
using gk::Session;

namespace {

template <typename T> T *child(const QWidget *parent, const char *name)
{
    return parent ? parent->findChild<T *>(QLatin1String(name)) : nullptr;
}

} // namespace

class TestLogin final : public QObject
{
    Q_OBJECT

    gk::test::GateFixture m_fixture;

private slots:
    void initTestCase() { QVERIFY(m_fixture.start()); }

    void signInThroughTheDialogStartsTheRequestsTab()
    {
        ApiClient client;
        MainWindow window(&client, nullptr);
        QPointer<LoginDialog> dialog;
        window.setLoginPrompt([&dialog](LoginDialog *d) {
            dialog = d;
            d->show();
        });
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *signInButton = child<QPushButton>(&window, "signInButton");
        auto *signOutButton = child<QPushButton>(&window, "signOutButton");
        QVERIFY(signInButton && signOutButton);
        QVERIFY(!signInButton->isEnabled()); // no server yet

        window.connectToServer(m_fixture.url());
        QVERIFY(!window.requestsView()->model()->isRunning());
        QVERIFY(window.requestsView()->errorText().contains(QStringLiteral("sign in")));
        QCOMPARE(child<QLabel>(&window, "sessionLabel")->text(), QStringLiteral("Not signed in"));
        QVERIFY(!signOutButton->isEnabled());

        QTest::mouseClick(signInButton, Qt::LeftButton);
        QVERIFY(dialog);
        dialog->setMethod(Session::Method::Userpass);
        auto *user = child<QLineEdit>(dialog, "userLineEdit");
        auto *password = child<QLineEdit>(dialog, "passwordLineEdit");
        auto *submit = child<QPushButton>(dialog, "signInButton");
        QVERIFY(user && password && submit);
        QVERIFY(user->isVisible() && password->isVisible());
        QCOMPARE(password->echoMode(), QLineEdit::Password);

        // A wrong password: the server's text inline, the dialog stays, the password is cleared.
        QTest::keyClicks(user, QStringLiteral("bob"));
        QTest::keyClicks(password, QStringLiteral("not-bobs"));
        QTest::mouseClick(submit, Qt::LeftButton);
        QTRY_VERIFY(!dialog->isBusy());
        QVERIFY2(dialog->errorText().startsWith(QStringLiteral("Sign-in failed: ")), qPrintable(dialog->errorText()));
        QVERIFY(dialog->isVisible());
        QVERIFY(password->text().isEmpty());
        QVERIFY(!client.hasToken());

        QTest::keyClicks(password, QStringLiteral("pw-bob"));
        QTest::keyClick(password, Qt::Key_Return);
        QTRY_VERIFY(!dialog); // accepted and deleted
        QVERIFY(client.hasToken());
        QVERIFY(window.session()->isSignedIn());
        const QString session = child<QLabel>(&window, "sessionLabel")->text();
        QVERIFY2(session.contains(QStringLiteral("userpass-bob")) &&
                     session.contains(QStringLiteral("gate-approver")) &&
                     session.contains(QStringLiteral("expires in")),
                 qPrintable(session));
        QVERIFY(signOutButton->isEnabled());

        // The requests tab runs with bob's token: the gate bob may list shows.
        QTRY_VERIFY(window.requestsView()->model()->gate(QStringLiteral("gate")).has_value());
        QVERIFY(window.requestsView()->model()->isRunning());

        QTest::mouseClick(signOutButton, Qt::LeftButton);
        QVERIFY(!client.hasToken());
        QVERIFY(!window.requestsView()->model()->isRunning());
        QVERIFY2(window.requestsView()->errorText().contains(QStringLiteral("Signed out")),
                 qPrintable(window.requestsView()->errorText()));
        QCOMPARE(child<QLabel>(&window, "sessionLabel")->text(), QStringLiteral("Not signed in"));
        QVERIFY(!signOutButton->isEnabled());
    }

    void aSessionThatEndsStopsTheRequestsTab()
    {
        QJsonObject answer;
        QCOMPARE(m_fixture.root("POST", "/v1/auth/token/create",
                                {{QStringLiteral("policies"), QStringLiteral("console,gate-approver")},
                                 {QStringLiteral("ttl"), QStringLiteral("3s")}},
                                &answer),
                 200);
        const QString token =
            answer.value(QStringLiteral("auth")).toObject().value(QStringLiteral("client_token")).toString();
        ApiClient client;
        MainWindow window(&client, nullptr);
        window.setLoginPrompt([&token](LoginDialog *dialog) {
            dialog->setMethod(Session::Method::Token);
            QTest::keyClicks(child<QLineEdit>(dialog, "tokenLineEdit"), token);
            dialog->signIn();
        });
        window.connectToServer(m_fixture.url());
        window.signIn();
        QTRY_VERIFY(window.session()->isSignedIn());
        QTRY_VERIFY(window.requestsView()->model()->isRunning());

        // Revoked elsewhere: the next renewal fails, the session ends and the tab stops.
        QCOMPARE(m_fixture.root("POST", "/v1/auth/token/revoke", {{QStringLiteral("token"), token}}), 204);
        QTRY_COMPARE_WITH_TIMEOUT(window.session()->state(), Session::State::Expired, 4000);
        QVERIFY(!client.hasToken());
        QVERIFY(!window.requestsView()->model()->isRunning());
        // The tab says why it stopped: the refused call, or the end of the session.
        QVERIFY(!window.requestsView()->errorText().isEmpty());
        QCOMPARE(child<QLabel>(&window, "sessionLabel")->text(), QStringLiteral("Session expired: sign in again"));
    }

    void dialogControlsHaveAccessibleNamesAndMaskedSecrets()
    {
        ApiClient client;
        client.setBaseUrl(m_fixture.url());
        Session session(&client);
        LoginDialog dialog(&session);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        for (const QWidget *control : dialog.findChildren<QWidget *>()) {
            if (qobject_cast<const QLineEdit *>(control) || qobject_cast<const QComboBox *>(control) ||
                qobject_cast<const QAbstractButton *>(control)) {
                QVERIFY2(!control->accessibleName().isEmpty(), qPrintable(control->objectName()));
            }
        }
        for (const char *name : {"tokenLineEdit", "passwordLineEdit", "secretIdLineEdit"})
            QCOMPARE(child<QLineEdit>(&dialog, name)->echoMode(), QLineEdit::Password);

        // The mount field shows for userpass and approle, with the method's default.
        auto *mount = child<QLineEdit>(&dialog, "mountLineEdit");
        QVERIFY(!mount->isVisible());
        dialog.setMethod(Session::Method::AppRole);
        QVERIFY(mount->isVisible());
        QCOMPARE(mount->placeholderText(), QStringLiteral("approle"));

        // A bad token: the server's errors text inline.
        dialog.setMethod(Session::Method::Token);
        QTest::keyClicks(child<QLineEdit>(&dialog, "tokenLineEdit"), QStringLiteral("hvs.bogus"));
        dialog.signIn();
        QTRY_VERIFY(!dialog.isBusy());
        QVERIFY(dialog.errorText().size() > QStringLiteral("Sign-in failed: ").size());
        QVERIFY(child<QLineEdit>(&dialog, "tokenLineEdit")->text().isEmpty());
        QCOMPARE(session.state(), Session::State::SignedOut);
    }
};

QTEST_MAIN(TestLogin)
#include "tst_login.moc"
