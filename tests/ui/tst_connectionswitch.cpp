// Switching the console's connection (ConnectionSwitcher) under QT_QPA_PLATFORM=offscreen: the embedded server (on
// SQLite in a temporary folder) starts when the embedded connection is picked and stops, without the switch waiting for
// it, when a remote one is (a new embedded server starts only once the old one has stopped); the
// session of the server left is reset (signed out, token gone from the client, not revoked on the server); the last
// used connection is remembered; a CA file that cannot be read is shown as the failure.

#include "ApiClient.h"
#include "ApiReply.h"
#include "ConnectionSwitcher.h"
#include "ConnectionsModel.h"
#include "MainWindow.h"
#include "Server.h"
#include "Session.h"
#include "SessionKeeper.h"
#include "TokenKeychain.h"

#include <QElapsedTimer>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using gk::ApiClient;
using gk::ApiReply;
using gk::Connection;
using gk::ConnectionsModel;
using gk::ConnectionSwitcher;
using gk::MainWindow;
using gk::Session;

namespace {

QString textOf(const QWidget &window, const char *name)
{
    const auto *label = window.findChild<QLabel *>(QLatin1String(name));
    return label ? label->text() : QStringLiteral("<no %1>").arg(QLatin1String(name));
}

// Whether token is still valid on the server at url.
bool tokenWorks(const QUrl &url, const QString &token)
{
    ApiClient client;
    client.setBaseUrl(url);
    client.setToken(token);
    ApiReply *reply = client.request(QStringLiteral("GET"), QStringLiteral("auth/token/lookup-self"));
    QSignalSpy done(reply, &ApiReply::finished);
    const bool ok = (reply->isFinished() || done.wait(10000)) && reply->isOk();
    delete reply;
    return ok;
}

gk::ServerOptions devServerOptions()
{
    gk::ServerOptions options;
    options.listenHost = QStringLiteral("127.0.0.1");
    options.listenPort = 0;
    options.storage = QStringLiteral("inmem:");
    options.dev = true;
    return options;
}

// The console wired as main_console.cpp does, with a dev server in memory as the connection "remote" and the embedded
// server on SQLite, as the console's own, in a temporary folder.
struct Console
{
    gk::Server remote{devServerOptions()};
    QUrl remoteUrl;
    QTemporaryDir storage; // one SQLite file for every embedded server: never two may open it at once
    ConnectionsModel connections{nullptr};
    Connection embedded = connections.connections().constFirst();
    ApiClient client;
    MainWindow window{&client, nullptr};
    gk::TokenKeychain keychain{QStringLiteral("io.gatekeeper.Gatekeeper.test")};
    gk::SessionKeeper keeper{window.session(), &client, &keychain, &connections};
    ConnectionSwitcher switcher{&window, &client, &keeper, &connections};

    // Starts the remote server and shows the window; false if anything failed.
    bool start()
    {
        if (!remote.start().isOk() || !storage.isValid())
            return false;
        remoteUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(remote.port()));
        if (!connections.add(Connection::remote(QStringLiteral("remote"), remoteUrl)))
            return false;
        window.setConnections(&connections);
        gk::ServerOptions embeddedOptions;
        embeddedOptions.storage = QStringLiteral("sqlite:") + storage.filePath(QStringLiteral("gk.db"));
        switcher.setEmbeddedOptions(embeddedOptions);
        window.show();
        return true;
    }
};

} // namespace

class TestConnectionSwitch final : public QObject
{
    Q_OBJECT

private slots:
    void switchesServersAndResetsTheSession()
    {
        Console console;
        QVERIFY(console.start());
        const gk::Server &remote = console.remote;
        const QUrl &remoteUrl = console.remoteUrl;
        ConnectionsModel &connections = console.connections;
        const Connection &embedded = console.embedded;
        ApiClient &client = console.client;
        MainWindow &window = console.window;
        ConnectionSwitcher &switcher = console.switcher;

        // The embedded server starts and the window follows it.
        QSignalSpy started(&switcher, &ConnectionSwitcher::embeddedStarted);
        switcher.connectTo(embedded);
        QCOMPARE(window.currentConnection(), embedded.name);
        QCOMPARE(connections.lastUsed(), embedded.name);
        QVERIFY(started.wait(20000));
        const QUrl firstAddress = switcher.embeddedAddress();
        QCOMPARE(firstAddress.host(), QStringLiteral("127.0.0.1"));
        QCOMPARE(client.baseUrl(), firstAddress);
        QTRY_COMPARE(textOf(window, "sealStateLabel"), QStringLiteral("Not initialised"));

        // To the remote one: the embedded server stops; sign in there.
        QElapsedTimer stopping;
        stopping.start();
        switcher.connectTo(*connections.find(QStringLiteral("remote")));
        qInfo("switching away from the embedded server took %lld ms", stopping.elapsed());
        QVERIFY(!switcher.isEmbeddedRunning());
        QCOMPARE(client.baseUrl(), remoteUrl);
        QCOMPARE(connections.lastUsed(), QStringLiteral("remote"));
        QTRY_COMPARE(textOf(window, "sealStateLabel"), QStringLiteral("Unsealed"));
        QSignalSpy signedIn(window.session(), &Session::signedIn);
        window.session()->signIn({Session::Method::Token, {}, {}, remote.devRootToken()});
        QVERIFY(signedIn.wait(10000));
        QVERIFY(client.hasToken());

        // Back to the embedded one: the session is reset, the remote token kept valid, a new embedded server.
        switcher.connectTo(embedded);
        QCOMPARE(window.session()->state(), Session::State::SignedOut);
        QVERIFY(!client.hasToken());
        QCOMPARE(window.sessionText(), QStringLiteral("Not signed in"));
        QVERIFY(tokenWorks(remoteUrl, remote.devRootToken())); // runs the event loop: the start may be done already
        QTRY_COMPARE_WITH_TIMEOUT(started.count(), 2, 20000);
        QVERIFY(switcher.isEmbeddedRunning());
        QCOMPARE(client.baseUrl(), switcher.embeddedAddress());
        QTRY_COMPARE(textOf(window, "sealStateLabel"), QStringLiteral("Not initialised"));

        // Picking the connection in use again keeps the running server.
        const QUrl address = switcher.embeddedAddress();
        emit window.connectionRequested(embedded.name);
        QCOMPARE(switcher.embeddedAddress(), address);
        QCOMPARE(client.baseUrl(), address);
    }

    void switchingAwayDoesNotWaitForTheStop()
    {
        Console console;
        QVERIFY(console.start());
        const Connection &embedded = console.embedded;
        const Connection other = *console.connections.find(QStringLiteral("remote"));
        ApiClient &client = console.client;
        MainWindow &window = console.window;
        ConnectionSwitcher &switcher = console.switcher;

        QSignalSpy starting(&switcher, &ConnectionSwitcher::embeddedStarting);
        QSignalSpy started(&switcher, &ConnectionSwitcher::embeddedStarted);
        QSignalSpy stopped(&switcher, &ConnectionSwitcher::embeddedStopped);
        int startsWhileStopping = 0;
        connect(&switcher, &ConnectionSwitcher::embeddedStarting, this, [&] {
            if (switcher.stoppingEmbeddedCount() > 0)
                ++startsWhileStopping;
        });
        switcher.connectTo(embedded);
        QVERIFY(started.wait(20000));

        // Away and straight back: the call returns while the old server is still stopping, and the new one waits.
        QElapsedTimer clock;
        clock.start();
        switcher.connectTo(other);
        const qint64 switchMs = clock.elapsed();
        QCOMPARE(switcher.stoppingEmbeddedCount(), 1);
        QVERIFY(!switcher.isEmbeddedRunning());
        QCOMPARE(client.baseUrl(), other.url);
        switcher.connectTo(embedded);
        QCOMPARE(switcher.stoppingEmbeddedCount(), 1);
        QVERIFY(switcher.isEmbeddedStartQueued());
        QCOMPARE(starting.count(), 1);
        QCOMPARE(stopped.count(), 0);
        QCOMPARE(textOf(window, "connectionLabel"), QStringLiteral("Starting the embedded server…"));

        QVERIFY(stopped.wait(20000)); // no event loop has run since: it cannot have come yet
        const qint64 stoppedMs = clock.elapsed();
        QCOMPARE(switcher.stoppingEmbeddedCount(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(started.count(), 2, 20000);
        qInfo("connectTo(remote) took %lld ms; the old embedded server stopped %lld ms after it was called", switchMs,
              stoppedMs);
        QCOMPARE(starting.count(), 2);
        QCOMPARE(startsWhileStopping, 0);
        QVERIFY(switcher.isEmbeddedRunning());
        QCOMPARE(client.baseUrl(), switcher.embeddedAddress());
        QTRY_COMPARE(textOf(window, "sealStateLabel"), QStringLiteral("Not initialised"));

        // At the exit the one in use is shut down and waited for.
        switcher.shutdownEmbedded();
        QVERIFY(!switcher.isEmbeddedRunning());
        QCOMPARE(switcher.stoppingEmbeddedCount(), 0);
    }

    void anUnreadableCaFileIsTheFailureShown()
    {
        QTemporaryDir dir;
        const QString caFile = dir.filePath(QStringLiteral("ca.pem"));
        QFile file(caFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("no certificate here\n");
        file.close();

        ConnectionsModel connections(nullptr);
        Connection broken = Connection::remote(QStringLiteral("broken"), QUrl(QStringLiteral("https://127.0.0.1:9")));
        broken.caFile = caFile;
        QVERIFY(connections.add(broken));
        ApiClient client;
        MainWindow window(&client, nullptr);
        gk::TokenKeychain keychain(QStringLiteral("io.gatekeeper.Gatekeeper.test"));
        gk::SessionKeeper keeper(window.session(), &client, &keychain, &connections);
        ConnectionSwitcher switcher(&window, &client, &keeper, &connections);
        switcher.connectToName(QStringLiteral("broken"));
        QVERIFY2(textOf(window, "connectionLabel").contains(QStringLiteral("CA file")),
                 qPrintable(textOf(window, "connectionLabel")));
        QVERIFY(!switcher.isEmbeddedRunning());
    }
};

QTEST_MAIN(TestConnectionSwitch)
#include "tst_connectionswitch.moc"
