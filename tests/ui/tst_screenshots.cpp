// Screenshots of the console for the README, taken against real servers on 127.0.0.1:0 and run under Xvfb
// (with-xvfb.sh): the main window on the access requests tab with pending requests (GateFixture), the unseal dialog
// one share into a 3-of-5 round, and the first page of the initialisation wizard (both on throwaway in-memory
// servers; no key share or root token is ever on screen). Each picture is checked before it is taken (the widgets it
// is meant to show are there and visible) and after (not blank), written to the build directory, and compared loosely
// with the one under docs/screenshots (same size within 10 %). GK_UPDATE_SCREENSHOTS=1 writes docs/screenshots.

#include "ApiClient.h"
#include "GateActions.h"
#include "GateFixture.h"
#include "InMemoryServer.h"
#include "InitWizard.h"
#include "MainWindow.h"
#include "RequestsModel.h"
#include "RequestsView.h"
#include "UnsealDialog.h"

#include <QDir>
#include <QImage>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

#include <cmath>
#include <memory>

using gk::ApiClient;
using gk::ApiReply;
using gk::RequestsModel;

namespace {

constexpr double sizeTolerance = 0.10;
// The standard deviation of the grey levels (0-255) below which a picture counts as blank: a window that drew
// nothing but its background has ~0, a real dialog with text and frames ~40 or more.
constexpr double blankDeviation = 8.0;

// Whether every named child is there and visible; the missing ones through *missing.
bool showsAll(const QWidget *top, const QStringList &names, QStringList *missing)
{
    for (const QString &name : names) {
        const auto *child = top->findChild<const QWidget *>(name);
        if (!child || !child->isVisible())
            missing->append(name);
    }
    return missing->isEmpty();
}

double greyDeviation(const QImage &image)
{
    double sum = 0;
    double squares = 0;
    const qint64 pixels = qint64(image.width()) * image.height();
    for (int y = 0; y < image.height(); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x) {
            const double grey = qGray(line[x]);
            sum += grey;
            squares += grey * grey;
        }
    }
    const double mean = sum / pixels;
    return std::sqrt(qMax(0.0, squares / pixels - mean * mean));
}

bool near(int value, int reference)
{
    return std::abs(value - reference) <= sizeTolerance * reference;
}

// A user with a password and the given policies, logged in: the token (empty on failure).
QString addUser(gk::test::GateFixture &fixture, const QString &user, const QString &policies)
{
    const QString password = QStringLiteral("pw-") + user;
    if (fixture.root("POST", QByteArray("/v1/auth/userpass/users/") + user.toUtf8(),
                     {{QStringLiteral("password"), password}, {QStringLiteral("token_policies"), policies}}) != 204)
        return {};
    QJsonObject login;
    fixture.root("POST", QByteArray("/v1/auth/userpass/login/") + user.toUtf8(),
                 {{QStringLiteral("password"), password}}, &login);
    return login.value(QStringLiteral("auth")).toObject().value(QStringLiteral("client_token")).toString();
}

// A new request by the holder of token: its id (empty on failure).
QString ask(const gk::test::GateFixture &fixture, const QString &token, const QString &gate, const QString &reason)
{
    ApiClient client;
    client.setBaseUrl(fixture.url());
    client.setToken(token);
    gk::GateActions actions(&client);
    return gk::test::finishValue([&](auto done) { actions.ask(gate, reason, nullptr, std::move(done)); });
}

// Waits for reply; its JSON answer (empty on failure). Deletes the reply.
QJsonObject answerOf(ApiReply *reply)
{
    QSignalSpy finished(reply, &ApiReply::finished);
    const bool ok = (reply->isFinished() || finished.wait(10000)) && reply->isOk();
    const QJsonObject json = ok ? reply->json() : QJsonObject();
    delete reply;
    return json;
}

} // namespace

class TestScreenshots final : public QObject
{
    Q_OBJECT

    QDir m_docs{QStringLiteral(GK_SCREENSHOTS_DOCS_DIR)};
    QDir m_out{QStringLiteral(GK_SCREENSHOTS_BUILD_DIR)};
    bool m_update = qEnvironmentVariableIntValue("GK_UPDATE_SCREENSHOTS") == 1;

    // Grabs top (after checking that it shows the widgets named), writes it as name.png and compares it with the
    // committed picture, or replaces that with GK_UPDATE_SCREENSHOTS=1.
    void capture(QWidget *top, const QString &name, const QStringList &widgets)
    {
        QVERIFY(QTest::qWaitForWindowExposed(top));
        QStringList missing;
        QVERIFY2(showsAll(top, widgets, &missing), qPrintable(QStringLiteral("not shown: ") + missing.join(u' ')));
        QTest::qWait(100); // let pending layout and paint settle
        const QImage image = top->grab().toImage().convertToFormat(QImage::Format_RGB32);
        QVERIFY(!image.isNull());
        const double deviation = greyDeviation(image);
        QVERIFY2(deviation > blankDeviation,
                 qPrintable(QStringLiteral("%1 looks blank (grey deviation %2)").arg(name).arg(deviation)));

        const QString file = name + QStringLiteral(".png");
        QVERIFY(m_out.mkpath(QStringLiteral(".")));
        QVERIFY(image.save(m_out.filePath(file), "PNG", 0));
        if (m_update) {
            QVERIFY(m_docs.mkpath(QStringLiteral(".")));
            QVERIFY(image.save(m_docs.filePath(file), "PNG", 0));
            qInfo("wrote %s", qPrintable(m_docs.filePath(file)));
            return;
        }
        const QImage committed(m_docs.filePath(file));
        QVERIFY2(!committed.isNull(),
                 qPrintable(
                     QStringLiteral("no %1; run with GK_UPDATE_SCREENSHOTS=1 to make it").arg(m_docs.filePath(file))));
        QVERIFY2(near(image.width(), committed.width()) && near(image.height(), committed.height()),
                 qPrintable(QStringLiteral("%1 is %2x%3, the committed one %4x%5")
                                .arg(name)
                                .arg(image.width())
                                .arg(image.height())
                                .arg(committed.width())
                                .arg(committed.height())));
    }

private slots:
    void initTestCase()
    {
        qInfo("platform %s; pictures in %s", qPrintable(QGuiApplication::platformName()),
              qPrintable(m_out.absolutePath()));
    }

    void mainWindowWithPendingRequests()
    {
        gk::test::GateFixture fixture;
        QVERIFY(fixture.start());
        QCOMPARE(fixture.root("POST", "/v1/sys/auth/gate3", {{QStringLiteral("type"), QStringLiteral("policy-gate")}}),
                 204);
        const QString asker = QStringLiteral("console,gate-requester");
        const QString dave = addUser(fixture, QStringLiteral("dave"), asker);
        const QString erin = addUser(fixture, QStringLiteral("erin"), asker);
        QVERIFY(!dave.isEmpty() && !erin.isEmpty());

        const QString alice = fixture.token(QStringLiteral("alice"));
        const QString first =
            ask(fixture, alice, QStringLiteral("gate"), QStringLiteral("restart the billing service after the deploy"));
        QVERIFY(!first.isEmpty());
        QVERIFY(
            !ask(fixture, dave, QStringLiteral("gate"), QStringLiteral("read production logs for INC-2041")).isEmpty());
        QVERIFY(!ask(fixture, erin, QStringLiteral("gate3"), QStringLiteral("rotate the payments database credentials"))
                     .isEmpty());
        QVERIFY(!ask(fixture, alice, QStringLiteral("gate3"), QStringLiteral("on call this week")).isEmpty());
        gk::test::GateUser carol(fixture, QStringLiteral("carol"));
        QVERIFY(gk::test::finish([&](auto done) {
                    carol.actions.approve(QStringLiteral("gate"), first, nullptr, std::move(done));
                }).isEmpty());

        ApiClient bob;
        bob.setToken(fixture.token(QStringLiteral("bob")));
        gk::MainWindow window(&bob, nullptr);
        window.resize(1100, 640);
        window.show();
        window.connectToServer(fixture.url());
        auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("mainTabs"));
        QVERIFY(tabs);
        tabs->setCurrentWidget(window.requestsView());
        const RequestsModel *model = window.requestsView()->model();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 4, 5000);
        QTRY_COMPARE(window.requestsView()->badgeText(), QStringLiteral("4 pending"));

        // The request carol approved, selected: its details and history show beside the table.
        auto *table = window.findChild<QTableView *>(QStringLiteral("requestsTable"));
        QVERIFY(table);
        const QModelIndexList matches = table->model()->match(table->model()->index(0, 0), RequestsModel::RequestIdRole,
                                                              first, 1, Qt::MatchExactly);
        QCOMPARE(matches.size(), 1);
        table->selectRow(matches.constFirst().row());
        QTRY_VERIFY(window.findChild<QPushButton *>(QStringLiteral("approveButton"))->isEnabled());

        capture(&window, QStringLiteral("main-window-requests"),
                {QStringLiteral("requestsView"), QStringLiteral("filterLineEdit"), QStringLiteral("requestsTable"),
                 QStringLiteral("pendingBadgeLabel"), QStringLiteral("detailsGroupBox"),
                 QStringLiteral("approveButton"), QStringLiteral("denyButton")});
    }

    void unsealDialogMidway()
    {
        const auto server = gk::test::startInMemoryServer();
        QVERIFY(server);
        ApiClient client;
        client.setBaseUrl(gk::test::urlOf(*server));
        // Five shares, three to unseal; one goes in through the dialog as a user would type it. The share is never
        // shown: the field is masked and wiped after the submit.
        const QJsonArray keys = answerOf(client.init(5, 3)).value(QStringLiteral("keys")).toArray();
        QCOMPARE(keys.size(), 5);

        gk::UnsealDialog dialog(&client);
        dialog.show();
        auto *field = dialog.findChild<QLineEdit *>(QStringLiteral("shareLineEdit"));
        auto *submit = dialog.findChild<QPushButton *>(QStringLiteral("submitButton"));
        auto *progress = dialog.findChild<QProgressBar *>(QStringLiteral("progressBar"));
        QVERIFY(field && submit && progress);
        QTRY_VERIFY(submit->isEnabled());
        QTRY_COMPARE(progress->text(), QStringLiteral("0 of 3 key shares entered"));
        field->setText(keys.at(0).toString());
        QTest::mouseClick(submit, Qt::LeftButton);
        QTRY_COMPARE(progress->text(), QStringLiteral("1 of 3 key shares entered"));
        QTRY_VERIFY(!dialog.isBusy());
        QVERIFY(field->text().isEmpty());

        capture(&dialog, QStringLiteral("unseal-dialog"),
                {QStringLiteral("shareLineEdit"), QStringLiteral("showShareCheckBox"), QStringLiteral("progressBar"),
                 QStringLiteral("stateLabel"), QStringLiteral("submitButton"), QStringLiteral("resetButton")});
    }

    void initWizardFirstPage()
    {
        const auto server = gk::test::startInMemoryServer();
        QVERIFY(server);
        ApiClient client;
        client.setBaseUrl(gk::test::urlOf(*server));
        gk::InitWizard wizard(&client);
        wizard.show();
        auto *pages = wizard.findChild<QStackedWidget *>(QStringLiteral("pages"));
        QVERIFY(pages);
        QCOMPARE(pages->currentWidget()->objectName(), QStringLiteral("parametersPage"));
        QVERIFY(!wizard.showsKeys());

        capture(&wizard, QStringLiteral("init-wizard"),
                {QStringLiteral("parametersPage"), QStringLiteral("introLabel"), QStringLiteral("sharesSpinBox"),
                 QStringLiteral("thresholdSpinBox"), QStringLiteral("initialiseButton")});
        QVERIFY(!wizard.showsKeys()); // nothing was initialised
    }
};

QTEST_MAIN(TestScreenshots)
#include "tst_screenshots.moc"
