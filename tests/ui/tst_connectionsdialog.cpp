// The connections dialog and the Connect to menu under QT_QPA_PLATFORM=offscreen: a connection is added, refused with
// the reason inline (bad URL, a name taken), edited, renamed, connected to and removed through the dialog's own
// fields and buttons; the main window lists the connections, marks the one in use, asks for a switch when one is
// picked, opens the dialog through its ConnectionsPrompt seam (never a modal exec()) and shows the keychain's message.

#include "ApiClient.h"
#include "ConnectionsDialog.h"
#include "ConnectionsModel.h"
#include "MainWindow.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using gk::ApiClient;
using gk::Connection;
using gk::ConnectionsDialog;
using gk::ConnectionsModel;
using gk::MainWindow;

namespace {

template <typename T> T *child(const QWidget *parent, const char *name)
{
    return parent ? parent->findChild<T *>(QLatin1String(name)) : nullptr;
}

void retype(QLineEdit *edit, const QString &text)
{
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Delete);
    QTest::keyClicks(edit, text);
}

} // namespace

class TestConnectionsDialog final : public QObject
{
    Q_OBJECT

private slots:
    void addsEditsRenamesConnectsAndRemoves()
    {
        ConnectionsModel model(nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QString embedded = model.connections().constFirst().name;
        ConnectionsDialog dialog(&model, embedded);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));

        auto *name = child<QLineEdit>(&dialog, "nameLineEdit");
        auto *kind = child<QComboBox>(&dialog, "kindComboBox");
        auto *url = child<QLineEdit>(&dialog, "urlLineEdit");
        auto *verify = child<QCheckBox>(&dialog, "verifyTlsCheckBox");
        auto *keychain = child<QCheckBox>(&dialog, "keychainCheckBox");
        auto *list = child<QListView>(&dialog, "connectionsListView");
        auto *newButton = child<QPushButton>(&dialog, "newButton");
        auto *save = child<QPushButton>(&dialog, "saveButton");
        auto *remove = child<QPushButton>(&dialog, "removeButton");
        auto *connectButton = child<QPushButton>(&dialog, "connectButton");
        QVERIFY(name && kind && url && verify && keychain && list && newButton && save && remove && connectButton);

        // The embedded one is shown first: no address to enter.
        QCOMPARE(dialog.editedName(), embedded);
        QCOMPARE(name->text(), embedded);
        QVERIFY(!url->isEnabled());
        QVERIFY(!verify->isEnabled());
        QVERIFY(remove->isEnabled());

        // A new remote one, first with a bad address: refused inline, nothing added.
        QTest::mouseClick(newButton, Qt::LeftButton);
        QCOMPARE(dialog.editedName(), QString());
        QVERIFY(!remove->isEnabled());
        QCOMPARE(kind->currentIndex(), 1);
        QVERIFY(url->isEnabled());
        QVERIFY(verify->isChecked()); // TLS verification on by default
        QVERIFY(!keychain->isChecked());
        QTest::keyClicks(name, QStringLiteral("lab"));
        QTest::keyClicks(url, QStringLiteral("vault.lab:8200"));
        QTest::mouseClick(save, Qt::LeftButton);
        QVERIFY2(dialog.errorText().contains(QStringLiteral("http")), qPrintable(dialog.errorText()));
        QCOMPARE(model.rowCount(), 1);

        retype(url, QStringLiteral("https://vault.lab:8200"));
        QTest::mouseClick(save, Qt::LeftButton);
        QCOMPARE(dialog.errorText(), QString());
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.find(QStringLiteral("lab"))->url, QUrl(QStringLiteral("https://vault.lab:8200")));
        QVERIFY(model.find(QStringLiteral("lab"))->verifyTls);
        QCOMPARE(dialog.editedName(), QStringLiteral("lab"));
        QCOMPARE(list->currentIndex().data().toString(), QStringLiteral("lab"));

        // A name already taken (without regard to case) is refused.
        QTest::mouseClick(newButton, Qt::LeftButton);
        QTest::keyClicks(name, QStringLiteral("LAB"));
        QTest::keyClicks(url, QStringLiteral("http://elsewhere:8200"));
        QTest::mouseClick(save, Qt::LeftButton);
        QVERIFY2(dialog.errorText().contains(QStringLiteral("already")), qPrintable(dialog.errorText()));
        QCOMPARE(model.rowCount(), 2);

        // Picking it in the list loads it; edit the flags and rename it.
        list->setCurrentIndex(model.index(1));
        QCOMPARE(dialog.editedName(), QStringLiteral("lab"));
        QCOMPARE(dialog.errorText(), QString());
        QCOMPARE(url->text(), QStringLiteral("https://vault.lab:8200"));
        keychain->click();
        verify->click();
        retype(name, QStringLiteral("staging"));
        QTest::mouseClick(save, Qt::LeftButton);
        QCOMPARE(dialog.errorText(), QString());
        QVERIFY(!model.find(QStringLiteral("lab")));
        const Connection staging = *model.find(QStringLiteral("staging"));
        QVERIFY(staging.keychain);
        QVERIFY(!staging.verifyTls);
        QCOMPARE(staging.url, QUrl(QStringLiteral("https://vault.lab:8200")));

        // An embedded one has no address.
        QTest::mouseClick(newButton, Qt::LeftButton);
        QTest::keyClicks(name, QStringLiteral("second local"));
        kind->setCurrentIndex(0);
        QVERIFY(!url->isEnabled());
        QTest::mouseClick(save, Qt::LeftButton);
        QVERIFY(model.find(QStringLiteral("second local"))->isEmbedded());

        // Remove, then Connect: asks for the switch and closes.
        QTest::mouseClick(remove, Qt::LeftButton);
        QVERIFY(!model.find(QStringLiteral("second local")));
        QCOMPARE(model.rowCount(), 2);
        dialog.select(QStringLiteral("staging"));
        QSignalSpy connectRequested(&dialog, &ConnectionsDialog::connectRequested);
        QTest::mouseClick(connectButton, Qt::LeftButton);
        QCOMPARE(connectRequested.size(), 1);
        QCOMPARE(connectRequested.constFirst().constFirst().toString(), QStringLiteral("staging"));
        QVERIFY(!dialog.isVisible());
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
    }

    void theMainWindowOffersTheConnections()
    {
        ConnectionsModel model(nullptr);
        QVERIFY(model.add(Connection::remote(QStringLiteral("R&D"), QUrl(QStringLiteral("http://rd:8200")))));
        const QString embedded = model.connections().constFirst().name;
        ApiClient client;
        MainWindow window(&client, nullptr);
        window.setConnections(&model);
        window.setCurrentConnection(embedded);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        QMenu *menu = window.connectMenu();
        QVERIFY(menu);
        QVERIFY(!menu->title().isEmpty());
        auto *embeddedAction = menu->findChild<QAction *>(QStringLiteral("connectAction:") + embedded);
        auto *rdAction = menu->findChild<QAction *>(QStringLiteral("connectAction:R&D"));
        QVERIFY(embeddedAction && rdAction);
        QCOMPARE(rdAction->text(), QStringLiteral("R&&D"));
        QVERIFY(embeddedAction->isChecked());
        QVERIFY(!rdAction->isChecked());
        QVERIFY(child<QLabel>(&window, "connectionNameLabel")->text().contains(embedded));

        QSignalSpy requested(&window, &MainWindow::connectionRequested);
        rdAction->trigger();
        QCOMPARE(requested.size(), 1);
        QCOMPARE(requested.constFirst().constFirst().toString(), QStringLiteral("R&D"));
        window.setCurrentConnection(QStringLiteral("R&D"));
        QVERIFY(menu->findChild<QAction *>(QStringLiteral("connectAction:R&D"))->isChecked());
        QVERIFY(!menu->findChild<QAction *>(QStringLiteral("connectAction:") + embedded)->isChecked());

        // The menu follows the model: a rename keeps the mark on the connection in use.
        QVERIFY(model.rename(QStringLiteral("R&D"), QStringLiteral("research")));
        QCOMPARE(window.currentConnection(), QStringLiteral("research"));
        QVERIFY(menu->findChild<QAction *>(QStringLiteral("connectAction:research"))->isChecked());
        QVERIFY(!menu->findChild<QAction *>(QStringLiteral("connectAction:R&D")));

        // Manage connections… opens the dialog through the seam; its Connect asks the window for the switch.
        QPointer<ConnectionsDialog> dialog;
        window.setConnectionsPrompt([&dialog](ConnectionsDialog *d) {
            dialog = d;
            d->show();
        });
        auto *manage = window.findChild<QAction *>(QStringLiteral("manageConnectionsAction"));
        QVERIFY(manage);
        QVERIFY(menu->actions().contains(manage));
        manage->trigger();
        QVERIFY(dialog);
        QCOMPARE(dialog->editedName(), QStringLiteral("research"));
        dialog->select(embedded);
        QTest::mouseClick(child<QPushButton>(dialog, "connectButton"), Qt::LeftButton);
        QCOMPARE(requested.size(), 2);
        QCOMPARE(requested.last().constFirst().toString(), embedded);
        QTRY_VERIFY(!dialog); // closed and deleted

        // The keychain's message shows in the status bar until cleared.
        QCOMPARE(window.keychainMessage(), QString());
        window.setKeychainMessage(QStringLiteral("The system keychain cannot be reached (no bus)"));
        QVERIFY(child<QLabel>(&window, "keychainLabel")->isVisible());
        QCOMPARE(window.keychainMessage(), QStringLiteral("The system keychain cannot be reached (no bus)"));
        window.setKeychainMessage({});
        QVERIFY(!child<QLabel>(&window, "keychainLabel")->isVisible());
    }
};

QTEST_MAIN(TestConnectionsDialog)
#include "tst_connectionsdialog.moc"
