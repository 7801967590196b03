// The console's seal workflow under QT_QPA_PLATFORM=offscreen against real gk::Servers on 127.0.0.1:0 (in-memory,
// not initialised): Initialise… → Unseal… (shares typed one by one) → Seal… (confirmed through the seam) → Unseal…
// again, driven through MainWindow's menu actions with the dialogs answered through its seams (never exec()'d); the
// wizard's Copy (clipboard cleared after an injected timeout), Save and Print; and "unseal all peers" over two
// servers initialised separately.

#include "ApiClient.h"
#include "BrokerUnsealDialog.h"
#include "ClipboardCleaner.h"
#include "InMemoryServer.h"
#include "InitWizard.h"
#include "MainWindow.h"
#include "Session.h"
#include "UnsealDialog.h"

#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QGuiApplication>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPointer>
#include <QPrinter>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using gk::ApiClient;
using gk::ApiReply;
using gk::InitWizard;
using gk::MainWindow;
using gk::UnsealDialog;
using gk::test::startInMemoryServer;
using gk::test::urlOf;

namespace {

template <typename T> T *child(const QObject *parent, const char *name)
{
    T *found = parent ? parent->findChild<T *>(QLatin1String(name)) : nullptr;
    if (!found)
        qWarning("no child %s", name);
    return found;
}

QString labelText(const QWidget *window, const char *name)
{
    const auto *label = child<QLabel>(window, name);
    return label ? label->text() : QString();
}

// Whether the status bar has shown message (the refresh's "Last checked at" follows it soon).
bool hasShown(const QSignalSpy &messages, const QString &message)
{
    for (const QList<QVariant> &arguments : messages) {
        if (arguments.value(0).toString() == message)
            return true;
    }
    return false;
}

// The controls of dialog that assistive technology cannot name (Qt's own inner parts aside).
QStringList unnamedControls(const QWidget *dialog)
{
    QStringList unnamed;
    for (const QWidget *control : dialog->findChildren<QWidget *>()) {
        if (control->objectName().startsWith(QLatin1String("qt_")) || control->objectName().isEmpty())
            continue; // a spin box's editor, a table's corner button, scroll bars
        if (qobject_cast<const QAbstractButton *>(control) || qobject_cast<const QLineEdit *>(control) ||
            qobject_cast<const QAbstractItemView *>(control) || qobject_cast<const QSpinBox *>(control) ||
            qobject_cast<const QComboBox *>(control) || qobject_cast<const QProgressBar *>(control)) {
            if (control->accessibleName().isEmpty())
                unnamed.append(control->objectName());
        }
    }
    return unnamed;
}

QAction *action(const MainWindow &window, const char *name)
{
    return child<QAction>(&window, name);
}

// Initialises a server with one key share over HTTP; returns the share (empty on failure) and, in *root, the root
// token.
QString initialiseWithOneShare(const gk::Server &server, QString *root = nullptr)
{
    ApiClient client;
    client.setBaseUrl(urlOf(server));
    ApiReply *reply = client.init(1, 1);
    QSignalSpy spy(reply, &ApiReply::finished);
    if (!reply->isFinished() && !spy.wait(10000))
        return {};
    const QJsonObject json = reply->isOk() ? reply->json() : QJsonObject();
    delete reply;
    if (root)
        *root = json.value(QStringLiteral("root_token")).toString();
    return json.value(QStringLiteral("keys")).toArray().at(0).toString();
}

bool isSealed(const gk::Server &server)
{
    ApiClient client;
    client.setBaseUrl(urlOf(server));
    ApiReply *reply = client.sealStatus();
    QSignalSpy spy(reply, &ApiReply::finished);
    if (!reply->isFinished() && !spy.wait(10000))
        return false;
    const bool sealed = reply->json().value(QStringLiteral("sealed")).toBool();
    delete reply;
    return sealed;
}

// Types a share into the dialog and submits it the way a user does; false when the dialog did not settle.
bool enterShare(UnsealDialog *dialog, const QString &share)
{
    auto *field = dialog->findChild<QLineEdit *>(QStringLiteral("shareLineEdit"));
    auto *submit = dialog->findChild<QPushButton *>(QStringLiteral("submitButton"));
    if (!field || !submit || !QTest::qWaitFor([&] { return submit->isEnabled(); }, 10000))
        return false;
    QTest::keyClicks(field, share);
    if (field->text() != share)
        return false;
    QTest::mouseClick(submit, Qt::LeftButton);
    return field->text().isEmpty() && QTest::qWaitFor([&] { return !dialog->isBusy(); }, 10000);
}

} // namespace

class TestSealWorkflow final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void initUnsealSealUnseal()
    {
        const auto server = startInMemoryServer();
        QVERIFY(server);
        ApiClient client;
        MainWindow window(&client, nullptr);
        window.setRefreshIntervalMs(100);
        QPointer<QDialog> dialog;
        window.setDialogPrompt([&dialog](QDialog *d) {
            dialog = d;
            d->show();
        });
        QStringList questions;
        bool confirm = false;
        window.setConfirmPrompt([&](QWidget *, const QString &question, std::function<void(bool)> answer) {
            questions.append(question);
            answer(confirm);
        });
        QSignalSpy messages(window.statusBar(), &QStatusBar::messageChanged);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        for (const char *name :
             {"initialiseAction", "unsealAction", "sealAction", "brokerUnsealAction", "brokerSealAction"}) {
            QVERIFY2(action(window, name), name);
            QVERIFY2(!action(window, name)->isEnabled(), name); // no server yet
            QVERIFY2(!action(window, name)->text().isEmpty(), name);
        }

        window.connectToServer(urlOf(*server));
        QTRY_VERIFY(action(window, "initialiseAction")->isEnabled());
        QVERIFY(!action(window, "unsealAction")->isEnabled());
        QVERIFY(!action(window, "sealAction")->isEnabled());

        // Initialise: 3 shares, threshold 2.
        action(window, "initialiseAction")->trigger();
        auto *wizard = qobject_cast<InitWizard *>(dialog.data());
        QVERIFY(wizard);
        auto *shares = child<QSpinBox>(wizard, "sharesSpinBox");
        auto *threshold = child<QSpinBox>(wizard, "thresholdSpinBox");
        auto *initialise = child<QPushButton>(wizard, "initialiseButton");
        QVERIFY(shares && threshold && initialise);
        shares->setValue(3);
        threshold->setValue(1); // the server's rule: at least 2 of several
        QVERIFY(!initialise->isEnabled());
        QVERIFY(!wizard->errorText().isEmpty());
        threshold->setValue(4);
        QVERIFY(!initialise->isEnabled());
        threshold->setValue(2);
        QVERIFY(initialise->isEnabled());
        QVERIFY(wizard->errorText().isEmpty());
        QTest::mouseClick(initialise, Qt::LeftButton);
        QTRY_VERIFY(wizard->showsKeys());

        auto *keysList = child<QListWidget>(wizard, "keysListWidget");
        auto *rootField = child<QLineEdit>(wizard, "rootTokenLineEdit");
        auto *stored = child<QCheckBox>(wizard, "storedCheckBox");
        auto *finish = child<QPushButton>(wizard, "finishButton");
        QVERIFY(keysList && rootField && stored && finish);
        QCOMPARE(keysList->count(), 3);
        QStringList keys;
        for (int row = 0; row < keysList->count(); ++row)
            keys.append(QString(keysList->item(row)->text().constData(), keysList->item(row)->text().size()));
        const QString root(rootField->text().constData(), rootField->text().size());
        QVERIFY(!root.isEmpty());

        // Not closable before the confirmation; Finish wipes the widgets.
        QVERIFY(!finish->isEnabled());
        QTest::keyClick(wizard, Qt::Key_Escape);
        QVERIFY(wizard->isVisible());
        QCOMPARE(keysList->count(), 3);
        QTest::mouseClick(stored, Qt::LeftButton);
        QVERIFY(finish->isEnabled());
        QTest::mouseClick(finish, Qt::LeftButton);
        QVERIFY(!wizard->isVisible());
        QCOMPARE(keysList->count(), 0);
        QVERIFY(rootField->text().isEmpty());
        QTRY_VERIFY(!dialog); // deleted on close

        QTRY_COMPARE(labelText(&window, "sealStateLabel"), QStringLiteral("Sealed"));
        QTRY_VERIFY(action(window, "unsealAction")->isEnabled());
        QVERIFY(!action(window, "initialiseAction")->isEnabled());

        // Unseal: a bad share first, then the threshold's shares one by one.
        action(window, "unsealAction")->trigger();
        auto *unseal = qobject_cast<UnsealDialog *>(dialog.data());
        QVERIFY(unseal);
        auto *progress = child<QProgressBar>(unseal, "progressBar");
        auto *field = child<QLineEdit>(unseal, "shareLineEdit");
        auto *show = child<QCheckBox>(unseal, "showShareCheckBox");
        QVERIFY(progress && field && show);
        QCOMPARE(field->echoMode(), QLineEdit::Password);
        QVERIFY2(unnamedControls(unseal).isEmpty(), qPrintable(unnamedControls(unseal).join(u' ')));
        QTRY_COMPARE(progress->text(), QStringLiteral("0 of 2 key shares entered"));

        QVERIFY(enterShare(unseal, QStringLiteral("this-is-no-share")));
        QCOMPARE(unseal->errorText(),
                 QStringLiteral("The key share was refused: 'key' must be a valid hex or base64 string"));
        QCOMPARE(progress->text(), QStringLiteral("0 of 2 key shares entered"));
        QCOMPARE(unseal->sealStatus()->progress, 0);

        QTest::mouseClick(show, Qt::LeftButton);
        QCOMPARE(field->echoMode(), QLineEdit::Normal);
        QVERIFY(enterShare(unseal, keys.at(0)));
        QVERIFY(unseal->errorText().isEmpty());
        QCOMPARE(progress->value(), 1);
        QCOMPARE(progress->text(), QStringLiteral("1 of 2 key shares entered"));
        QCOMPARE(labelText(unseal, "stateLabel"),
                 QStringLiteral("Sealed: 1 more key share(s) needed (2 of the 3 issued unseal it)."));
        const auto *windowProgress = child<QProgressBar>(&window, "unsealProgressBar");
        QTRY_COMPARE(windowProgress->value(), 1);

        // Reset forgets it.
        QTest::mouseClick(child<QPushButton>(unseal, "resetButton"), Qt::LeftButton);
        QTRY_COMPARE(progress->text(), QStringLiteral("0 of 2 key shares entered"));

        QVERIFY(enterShare(unseal, keys.at(2)));
        QCOMPARE(progress->text(), QStringLiteral("1 of 2 key shares entered"));
        QVERIFY(enterShare(unseal, keys.at(1)));
        QCOMPARE(progress->text(), QStringLiteral("Unsealed"));
        QVERIFY(!child<QPushButton>(unseal, "submitButton")->isEnabled());
        QTRY_COMPARE(labelText(&window, "sealStateLabel"), QStringLiteral("Unsealed"));
        unseal->accept();
        QTRY_VERIFY(!dialog);

        // Seal needs a token, then a confirmation.
        QVERIFY(!action(window, "sealAction")->isEnabled());
        QVERIFY(action(window, "brokerUnsealAction")->isEnabled());
        QVERIFY(!action(window, "unsealAction")->isEnabled());
        window.session()->signIn({gk::Session::Method::Token, {}, {}, root});
        QTRY_VERIFY(window.session()->isSignedIn());
        QVERIFY(action(window, "sealAction")->isEnabled());
        QVERIFY(action(window, "brokerSealAction")->isEnabled());

        action(window, "sealAction")->trigger(); // declined: nothing happens
        QCOMPARE(questions.size(), 1);
        QVERIFY2(questions.at(0).contains(QStringLiteral("2 key share(s)")), qPrintable(questions.at(0)));
        QVERIFY(!isSealed(*server));

        confirm = true;
        action(window, "sealAction")->trigger();
        QCOMPARE(questions.size(), 2);
        QTRY_COMPARE(labelText(&window, "sealStateLabel"), QStringLiteral("Sealed"));
        QVERIFY(hasShown(messages, QStringLiteral("The server is sealed.")));
        QVERIFY(isSealed(*server));
        QTRY_VERIFY(action(window, "unsealAction")->isEnabled());
        QVERIFY(!action(window, "sealAction")->isEnabled());

        // And unseal again, with two other shares.
        action(window, "unsealAction")->trigger();
        unseal = qobject_cast<UnsealDialog *>(dialog.data());
        QVERIFY(unseal);
        QVERIFY(enterShare(unseal, keys.at(1)));
        QCOMPARE(child<QProgressBar>(unseal, "progressBar")->text(), QStringLiteral("1 of 2 key shares entered"));
        QVERIFY(enterShare(unseal, keys.at(2)));
        QCOMPARE(child<QProgressBar>(unseal, "progressBar")->text(), QStringLiteral("Unsealed"));
        QTRY_COMPARE(labelText(&window, "sealStateLabel"), QStringLiteral("Unsealed"));
        QVERIFY(!isSealed(*server));
    }

    void brokerUnsealAndSeal()
    {
        const auto server = startInMemoryServer(true); // dev: initialised and unsealed
        QVERIFY(server);
        ApiClient client;
        client.setToken(server->devRootToken());
        MainWindow window(&client, nullptr);
        QPointer<QDialog> dialog;
        window.setDialogPrompt([&dialog](QDialog *d) {
            dialog = d;
            d->show();
        });
        QStringList questions;
        window.setConfirmPrompt([&](QWidget *, const QString &question, std::function<void(bool)> answer) {
            questions.append(question);
            answer(true);
        });
        QSignalSpy messages(window.statusBar(), &QStatusBar::messageChanged);
        window.show();
        window.connectToServer(urlOf(*server));
        QTRY_VERIFY(action(window, "brokerUnsealAction")->isEnabled());
        QVERIFY(action(window, "brokerSealAction")->isEnabled());
        QVERIFY(action(window, "sealAction")->isEnabled());
        QVERIFY(!action(window, "unsealAction")->isEnabled());
        QVERIFY(!action(window, "initialiseAction")->isEnabled());

        action(window, "brokerUnsealAction")->trigger();
        auto *broker = qobject_cast<gk::BrokerUnsealDialog *>(dialog.data());
        QVERIFY(broker);
        auto *token = child<QLineEdit>(broker, "tokenLineEdit");
        auto *unseal = child<QPushButton>(broker, "unsealButton");
        QVERIFY(token && unseal);
        QCOMPARE(token->echoMode(), QLineEdit::Password);
        QVERIFY2(unnamedControls(broker).isEmpty(), qPrintable(unnamedControls(broker).join(u' ')));
        broker->setMethod(gk::SealActions::BrokerCredentials::Method::AppRole);
        QVERIFY(!token->isVisible());
        QVERIFY(child<QLineEdit>(broker, "secretIdLineEdit")->isVisible());
        QCOMPARE(child<QLineEdit>(broker, "secretIdLineEdit")->echoMode(), QLineEdit::Password);
        broker->setMethod(gk::SealActions::BrokerCredentials::Method::Token);

        // A refused credential: the broker's own text inline, the field wiped, the dialog stays.
        QTest::keyClicks(token, QStringLiteral("gk.no-such-token"));
        QTest::mouseClick(unseal, Qt::LeftButton);
        QVERIFY(token->text().isEmpty());
        QTRY_VERIFY(!broker->isBusy());
        QVERIFY2(broker->errorText().contains(QStringLiteral("(HTTP 401)")), qPrintable(broker->errorText()));
        QVERIFY(broker->isVisible());

        QTest::keyClicks(token, server->devRootToken());
        QTest::mouseClick(unseal, Qt::LeftButton);
        QTRY_VERIFY(!dialog);
        QVERIFY(hasShown(messages, QStringLiteral("Broker: gatekeeper unsealed")));

        action(window, "brokerSealAction")->trigger();
        QCOMPARE(questions.size(), 1);
        QTRY_VERIFY(hasShown(messages, QStringLiteral("Broker: gatekeeper sealed")));
    }

    void copySaveAndPrint()
    {
        const auto server = startInMemoryServer();
        QVERIFY(server);
        ApiClient client;
        client.setBaseUrl(urlOf(*server));
        InitWizard wizard(&client);
        wizard.setClipboardClearMs(300);
        const QString savePath = m_dir.filePath(QStringLiteral("keys.txt"));
        const QString pdfPath = m_dir.filePath(QStringLiteral("keys.pdf"));
        wizard.setSavePrompt([&](QWidget *, std::function<void(const QString &)> done) { done(savePath); });
        wizard.setPrintPrompt([&](QWidget *, QPrinter *printer, std::function<void(bool)> done) {
            printer->setOutputFormat(QPrinter::PdfFormat);
            printer->setOutputFileName(pdfPath);
            done(true);
        });
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        wizard.setShares(1);
        wizard.setThreshold(1);
        wizard.initialise();
        QTRY_VERIFY(wizard.showsKeys());
        const QString share = child<QListWidget>(&wizard, "keysListWidget")->item(0)->text();
        const QString root = child<QLineEdit>(&wizard, "rootTokenLineEdit")->text();

        // Copy: on the clipboard, then cleared once the (injected) time is up.
        QClipboard *clipboard = QGuiApplication::clipboard();
        QTest::mouseClick(child<QPushButton>(&wizard, "copyButton"), Qt::LeftButton);
        QVERIFY(clipboard->text().contains(share));
        QVERIFY(clipboard->text().contains(root));
        QTRY_VERIFY(clipboard->text().isEmpty());
        QTRY_VERIFY(clipboard->findChildren<gk::ClipboardCleaner *>().isEmpty());

        // Something copied since is left alone.
        QTest::mouseClick(child<QPushButton>(&wizard, "copyButton"), Qt::LeftButton);
        QVERIFY(clipboard->text().contains(root));
        clipboard->setText(QStringLiteral("something else"));
        QTRY_VERIFY(clipboard->findChildren<gk::ClipboardCleaner *>().isEmpty());
        QCOMPARE(clipboard->text(), QStringLiteral("something else"));

        // Save: the material, readable by the owner only.
        QTest::mouseClick(child<QPushButton>(&wizard, "saveButton"), Qt::LeftButton);
        QFile saved(savePath);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        const QByteArray text = saved.readAll();
        QVERIFY(text.contains(share.toUtf8()));
        QVERIFY(text.contains(root.toUtf8()));
        const QFileDevice::Permissions others =
            QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ReadOther | QFileDevice::WriteOther;
        QVERIFY((saved.permissions() & others) == 0);

        // Print (to a PDF through the seam).
        QTest::mouseClick(child<QPushButton>(&wizard, "printButton"), Qt::LeftButton);
        QFile pdf(pdfPath);
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.readAll().startsWith("%PDF"));

        QVERIFY2(unnamedControls(&wizard).isEmpty(), qPrintable(unnamedControls(&wizard).join(u' ')));

        QTest::mouseClick(child<QCheckBox>(&wizard, "storedCheckBox"), Qt::LeftButton);
        QTest::mouseClick(child<QPushButton>(&wizard, "finishButton"), Qt::LeftButton);
        QCOMPARE(wizard.result(), int(QDialog::Accepted));
        QCOMPARE(child<QListWidget>(&wizard, "keysListWidget")->count(), 0);
    }

    void unsealsEveryListedPeer()
    {
        // Two servers initialised separately: each accepts only its own share.
        const auto first = startInMemoryServer();
        const auto second = startInMemoryServer();
        QVERIFY(first && second);
        const QString firstKey = initialiseWithOneShare(*first);
        const QString secondKey = initialiseWithOneShare(*second);
        QVERIFY(!firstKey.isEmpty() && !secondKey.isEmpty());

        ApiClient client;
        client.setBaseUrl(urlOf(*first));
        UnsealDialog dialog(&client);
        int listed = 0;
        dialog.setPeerSource([&](const QObject *, gk::SealActions::PeersCallback callback) {
            ++listed;
            callback({{urlOf(*first), false}, {urlOf(*second), false}}, {});
        });
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto *table = child<QTableWidget>(&dialog, "peersTable");
        QVERIFY(table);
        QVERIFY(!table->isVisible());
        QTRY_VERIFY(!dialog.isBusy());
        auto *allPeers = child<QCheckBox>(&dialog, "allPeersCheckBox");
        QTest::mouseClick(allPeers, Qt::LeftButton, {}, QPoint(4, allPeers->height() / 2)); // on the box itself
        QCOMPARE(listed, 1);
        QVERIFY(table->isVisible());
        QCOMPARE(dialog.peerAddresses(), QList<QUrl>({urlOf(*first), urlOf(*second)}));
        QTRY_VERIFY(!dialog.isBusy());
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->item(0, 1)->text(), QStringLiteral("Sealed"));
        QCOMPARE(table->item(1, 1)->text(), QStringLiteral("Sealed"));

        // One pass: the first server takes its share, the second refuses it with its own text.
        QVERIFY(enterShare(&dialog, firstKey));
        QCOMPARE(table->item(0, 1)->text(), QStringLiteral("Unsealed"));
        QCOMPARE(table->item(0, 3)->text(), QStringLiteral("Accepted"));
        QCOMPARE(table->item(1, 1)->text(), QStringLiteral("Sealed"));
        QCOMPARE(table->item(1, 3)->text(), QStringLiteral("unseal failed, invalid key"));
        QVERIFY2(
            dialog.errorText().contains(urlOf(*second).toString() + QStringLiteral(": unseal failed, invalid key")),
            qPrintable(dialog.errorText()));
        QVERIFY(!dialog.errorText().contains(urlOf(*first).toString()));
        QVERIFY(!isSealed(*first));
        QVERIFY(isSealed(*second));
        QCOMPARE(dialog.sealStatus()->sealed, false);

        // The next share goes only to the peer still sealed.
        QVERIFY(enterShare(&dialog, secondKey));
        QVERIFY(dialog.errorText().isEmpty());
        QCOMPARE(table->item(0, 3)->text(), QStringLiteral("Accepted"));
        QCOMPARE(table->item(1, 1)->text(), QStringLiteral("Unsealed"));
        QVERIFY(!isSealed(*second));
        QVERIFY(!child<QPushButton>(&dialog, "submitButton")->isEnabled());
    }

    void peersComeFromHaStatus()
    {
        const auto server = startInMemoryServer();
        QVERIFY(server);
        QString root;
        const QString key = initialiseWithOneShare(*server, &root);
        QVERIFY(!key.isEmpty() && !root.isEmpty());
        ApiClient client;
        client.setBaseUrl(urlOf(*server));

        // Sealed (and without a token) the server cannot list its peers: the dialog says so and keeps to it.
        UnsealDialog sealedDialog(&client);
        sealedDialog.setAllPeers(true);
        QTRY_VERIFY(child<QLabel>(&sealedDialog, "noteLabel")->text().contains(QStringLiteral("could not list")));
        QCOMPARE(sealedDialog.peerAddresses(), QList<QUrl>({urlOf(*server)}));
        QVERIFY(enterShare(&sealedDialog, key));
        QVERIFY(!isSealed(*server));

        // Unsealed, with a token: sys/ha-status lists this server alone (no shared storage).
        client.setToken(root);
        UnsealDialog dialog(&client);
        dialog.setAllPeers(true);
        QTRY_COMPARE(child<QLabel>(&dialog, "noteLabel")->text(), QStringLiteral("1 server(s) listed."));
        QTRY_VERIFY(!dialog.isBusy());
        QCOMPARE(dialog.peerAddresses(), QList<QUrl>({urlOf(*server)}));
        QVERIFY(!child<QPushButton>(&dialog, "submitButton")->isEnabled()); // nothing sealed
    }
};

QTEST_MAIN(TestSealWorkflow)
#include "tst_sealworkflow.moc"
