// MainWindow under QT_QPA_PLATFORM=offscreen, fed by ApiClient from a real gk::Server on 127.0.0.1:0 (in-memory).

#include "ApiClient.h"
#include "MainWindow.h"
#include "RequestsModel.h"
#include "RequestsView.h"
#include "Server.h"

#include <QAbstractButton>
#include <QApplication>
#include <QJsonArray>
#include <QLabel>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using gk::ApiClient;
using gk::ApiReply;
using gk::MainWindow;

namespace {

std::unique_ptr<gk::Server> startServer(bool dev)
{
    gk::ServerOptions options;
    options.listenHost = QStringLiteral("127.0.0.1");
    options.listenPort = 0;
    options.storage = QStringLiteral("inmem:");
    options.dev = dev;
    auto server = std::make_unique<gk::Server>(options);
    const gk::Status status = server->start();
    if (!status) {
        qWarning() << "server did not start:" << status.error();
        return nullptr;
    }
    return server;
}

QUrl urlOf(const gk::Server &server)
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.port()));
}

QString textOf(const QWidget &window, const char *name)
{
    const auto *label = window.findChild<QLabel *>(QLatin1String(name));
    return label ? label->text() : QStringLiteral("<no %1>").arg(QLatin1String(name));
}

bool finishes(ApiReply *reply)
{
    QSignalSpy spy(reply, &ApiReply::finished);
    return reply->isFinished() || spy.wait(10000);
}

} // namespace

class TestMainWindow final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    std::unique_ptr<QSettings> settings()
    {
        return std::make_unique<QSettings>(m_dir.filePath(QStringLiteral("console.ini")), QSettings::IniFormat);
    }

private slots:
    void showsAddressAndUnsealedState()
    {
        const auto server = startServer(true);
        QVERIFY(server);
        ApiClient client;
        MainWindow window(&client, nullptr);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(textOf(window, "sealStateLabel"), QStringLiteral("Unknown"));

        window.connectToServer(urlOf(*server));
        QCOMPARE(textOf(window, "serverAddressLabel"), urlOf(*server).toString());
        QTRY_COMPARE(textOf(window, "sealStateLabel"), QStringLiteral("Unsealed"));
        QCOMPARE(textOf(window, "connectionLabel"), QStringLiteral("Connected"));
        QCOMPARE(textOf(window, "initializedLabel"), QStringLiteral("Yes"));
        QCOMPARE(textOf(window, "keySharesLabel"), QStringLiteral("1 of 1 needed to unseal"));
        const auto *progress = window.findChild<QProgressBar *>(QStringLiteral("unsealProgressBar"));
        QVERIFY(progress);
        QCOMPARE(progress->value(), progress->maximum());
        QCOMPARE(client.baseUrl(), urlOf(*server));
    }

    void followsInitAndUnsealProgress()
    {
        const auto server = startServer(false);
        QVERIFY(server);
        ApiClient client;
        MainWindow window(&client, nullptr);
        window.setRefreshIntervalMs(100);
        window.show();
        window.connectToServer(urlOf(*server));
        QTRY_COMPARE(textOf(window, "sealStateLabel"), QStringLiteral("Not initialised"));
        QCOMPARE(textOf(window, "initializedLabel"), QStringLiteral("No"));

        // A second client (an operator elsewhere) initialises and enters one key share of two.
        ApiClient operatorClient;
        operatorClient.setBaseUrl(urlOf(*server));
        ApiReply *init = operatorClient.init(3, 2);
        QVERIFY(finishes(init));
        QVERIFY2(init->isOk(), qPrintable(init->errorString()));
        const QString firstKey = init->json().value(QStringLiteral("keys")).toArray().at(0).toString();
        delete init;
        ApiReply *unseal = operatorClient.unseal(firstKey);
        QVERIFY(finishes(unseal));
        QVERIFY2(unseal->isOk(), qPrintable(unseal->errorString()));
        delete unseal;

        // The timer picks it up.
        QTRY_COMPARE(textOf(window, "sealStateLabel"), QStringLiteral("Sealed"));
        QCOMPARE(textOf(window, "initializedLabel"), QStringLiteral("Yes"));
        QCOMPARE(textOf(window, "keySharesLabel"), QStringLiteral("2 of 3 needed to unseal"));
        const auto *progress = window.findChild<QProgressBar *>(QStringLiteral("unsealProgressBar"));
        QVERIFY(progress);
        QTRY_COMPARE(progress->value(), 1);
        QCOMPARE(progress->maximum(), 2);
        QCOMPARE(progress->text(), QStringLiteral("1 of 2 key shares entered"));
    }

    void everyControlHasAnAccessibleName()
    {
        ApiClient client;
        MainWindow window(&client, nullptr);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QList<QWidget *> controls = window.centralWidget()->findChildren<QWidget *>();
        QVERIFY(controls.size() >= 17);
        for (const QWidget *control : controls) {
            if (qobject_cast<const QLabel *>(control) || qobject_cast<const QAbstractButton *>(control) ||
                qobject_cast<const QProgressBar *>(control)) {
                QVERIFY2(!control->accessibleName().isEmpty(), qPrintable(control->objectName()));
            }
        }
        QVERIFY(!window.centralWidget()->accessibleName().isEmpty());
        QVERIFY(!window.menuBar()->accessibleName().isEmpty());
        for (const char *name : {"sealStateLabel", "serverAddressLabel", "unsealProgressBar", "refreshButton"})
            QVERIFY2(window.findChild<QWidget *>(QLatin1String(name)), name);
    }

    void showsUnreachableServerAndFailures()
    {
        quint16 closedPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            closedPort = probe.serverPort();
        }
        ApiClient client;
        MainWindow window(&client, nullptr);
        window.show();
        window.showConnecting(QStringLiteral("Starting the embedded server…"));
        QCOMPARE(textOf(window, "connectionLabel"), QStringLiteral("Starting the embedded server…"));

        window.connectToServer(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(closedPort)));
        QTRY_VERIFY2(textOf(window, "connectionLabel").contains(QStringLiteral("connection refused")),
                     qPrintable(textOf(window, "connectionLabel")));
        QCOMPARE(textOf(window, "sealStateLabel"), QStringLiteral("Unknown"));

        window.showServerFailure(QStringLiteral("storage is locked by another process"));
        QCOMPARE(textOf(window, "connectionLabel"), QStringLiteral("storage is locked by another process"));
        QVERIFY(!window.findChild<QPushButton *>(QStringLiteral("refreshButton"))->isEnabled());
    }

    void requestsTabCountsPendingRequests()
    {
        const auto server = startServer(true);
        QVERIFY(server);
        ApiClient admin;
        admin.setBaseUrl(urlOf(*server));
        admin.setToken(server->devRootToken());
        const auto call = [&](const char *method, const QString &path, const QJsonObject &body) {
            ApiReply *reply = admin.request(QLatin1String(method), path, body);
            const bool ok = finishes(reply) && reply->isOk();
            if (!ok)
                qWarning() << method << path << reply->errorString();
            const QJsonObject json = reply->json();
            delete reply;
            return ok ? json : QJsonObject{{QStringLiteral("failed"), true}};
        };
        const auto succeeded = [](const QJsonObject &json) { return !json.contains(QStringLiteral("failed")); };
        // A gate, and alice, who may ask on it.
        QVERIFY(succeeded(
            call("POST", QStringLiteral("sys/auth/gate"), {{QStringLiteral("type"), QStringLiteral("policy-gate")}})));
        QVERIFY(succeeded(
            call("POST", QStringLiteral("sys/auth/userpass"), {{QStringLiteral("type"), QStringLiteral("userpass")}})));
        QVERIFY(succeeded(call("PUT", QStringLiteral("sys/policy/asker"),
                               {{QStringLiteral("policy"),
                                 QStringLiteral("path \"auth/gate/request\" { capabilities = [\"create\"] }")}})));
        QVERIFY(succeeded(call("POST", QStringLiteral("auth/userpass/users/alice"),
                               {{QStringLiteral("password"), QStringLiteral("pw-alice")},
                                {QStringLiteral("token_policies"), QStringLiteral("asker")}})));
        const QJsonObject login = call("POST", QStringLiteral("auth/userpass/login/alice"),
                                       {{QStringLiteral("password"), QStringLiteral("pw-alice")}});
        const QString aliceToken =
            login.value(QStringLiteral("auth")).toObject().value(QStringLiteral("client_token")).toString();
        QVERIFY(!aliceToken.isEmpty());

        // Without a token the tab says what is missing.
        ApiClient anonymous;
        MainWindow signedOut(&anonymous, nullptr);
        signedOut.connectToServer(urlOf(*server));
        QVERIFY2(signedOut.requestsView()->errorText().contains(QStringLiteral("sign in")),
                 qPrintable(signedOut.requestsView()->errorText()));

        MainWindow window(&admin, nullptr);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.connectToServer(urlOf(*server));
        const auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("mainTabs"));
        QVERIFY(tabs);
        QCOMPARE(tabs->tabText(1), QStringLiteral("Access requests"));
        QTRY_VERIFY(window.requestsView()->model()->gate(QStringLiteral("gate")).has_value());
        QVERIFY2(window.requestsView()->errorText().isEmpty(), qPrintable(window.requestsView()->errorText()));

        // alice asks from elsewhere: the tab counts it within 1 s.
        ApiClient alice;
        alice.setBaseUrl(urlOf(*server));
        alice.setToken(aliceToken);
        ApiReply *ask = alice.request(QStringLiteral("POST"), QStringLiteral("auth/gate/request"),
                                      {{QStringLiteral("reason"), QStringLiteral("on call")}});
        QVERIFY(finishes(ask));
        QVERIFY2(ask->isOk(), qPrintable(ask->errorString()));
        delete ask;
        QTRY_COMPARE_WITH_TIMEOUT(tabs->tabText(1), QStringLiteral("Access requests (1)"), 1000);
    }

    void savesGeometryOnly()
    {
        const auto store = settings();
        ApiClient client;
        client.setToken(QStringLiteral("s.never-in-settings"));
        {
            MainWindow window(&client, store.get());
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.resize(640, 420);
            window.close();
        }
        store->sync();
        QCOMPARE(store->allKeys(), QStringList(QStringLiteral("MainWindow/geometry")));
        QFile file(store->fileName());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains("never-in-settings"));

        MainWindow restored(&client, store.get());
        restored.show();
        QVERIFY(QTest::qWaitForWindowExposed(&restored));
        QCOMPARE(restored.size(), QSize(640, 420));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
