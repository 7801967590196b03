// The keychain without a session bus (no DBUS_SESSION_BUS_ADDRESS, no DISPLAY to autolaunch one, an empty runtime
// folder), against a real server (GateFixture): every keychain call fails with a message that says the keychain
// cannot be reached, the sign-in itself succeeds, and the token is written nowhere: not in the settings file, not in
// any file under HOME.

#include "ApiClient.h"
#include "ConnectionsModel.h"
#include "GateFixture.h"
#include "KeychainProbe.h"
#include "Session.h"
#include "SessionKeeper.h"
#include "TokenKeychain.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using gk::ApiClient;
using gk::Connection;
using gk::ConnectionsModel;
using gk::Session;
using gk::SessionKeeper;
using gk::TokenKeychain;
using gk::test::filesHolding;

class TestKeychainNoBus final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home;
    gk::test::GateFixture m_gk;

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        // Before anything opens a D-Bus connection: no bus, and no way to find or start one.
        for (const char *name : {"DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY"})
            qunsetenv(name);
        for (const char *name : {"HOME", "XDG_RUNTIME_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME"})
            qputenv(name, m_home.path().toUtf8());
        QVERIFY(m_gk.start());
    }

    void everyCallSaysTheKeychainIsUnreachable()
    {
        TokenKeychain keychain(QStringLiteral("io.gatekeeper.Gatekeeper.test"));
        const auto written = gk::test::writeNow(keychain, QStringLiteral("lab"), QStringLiteral("hvs.not-kept"));
        QVERIFY(written.finished);
        QVERIFY2(written.error.contains(QStringLiteral("keychain")) &&
                     written.error.contains(QStringLiteral("memory only")),
                 qPrintable(written.error));
        const auto read = gk::test::readNow(keychain, QStringLiteral("lab"));
        QVERIFY(read.finished);
        QVERIFY(!read.error.isEmpty());
        QCOMPARE(read.token, QString());
        QVERIFY(!gk::test::deleteNow(keychain, QStringLiteral("lab")).error.isEmpty());
        QVERIFY(filesHolding(m_home.path(), QStringLiteral("hvs.not-kept")).isEmpty());
    }

    void aSignInWorksAndKeepsNothing()
    {
        const QString path = m_home.filePath(QStringLiteral("console.ini"));
        QSettings settings(path, QSettings::IniFormat);
        ConnectionsModel connections(&settings);
        Connection lab = Connection::remote(QStringLiteral("lab"), m_gk.url());
        lab.keychain = true;
        QVERIFY(connections.add(lab));
        TokenKeychain keychain(QStringLiteral("io.gatekeeper.Gatekeeper.test"));
        ApiClient client;
        client.setBaseUrl(m_gk.url());
        Session session(&client);
        SessionKeeper keeper(&session, &client, &keychain, &connections);
        QSignalSpy failed(&keeper, &SessionKeeper::keychainFailed);
        QSignalSpy saved(&keeper, &SessionKeeper::tokenSaved);

        // Nothing can be read at start: said once, and the console goes on signed out.
        keeper.attach(lab.name);
        QVERIFY(failed.wait(10000));
        QVERIFY(!keeper.isRestoring());
        QVERIFY(!session.isSignedIn());

        QSignalSpy signedIn(&session, &Session::signedIn);
        session.signIn({Session::Method::Userpass, {}, QStringLiteral("alice"), QStringLiteral("pw-alice")});
        QVERIFY(signedIn.wait(10000));
        QVERIFY(failed.wait(10000));
        QVERIFY2(failed.last().constFirst().toString().contains(QStringLiteral("cannot be reached")),
                 qPrintable(failed.last().constFirst().toString()));
        QVERIFY(saved.isEmpty());
        QVERIFY(session.isSignedIn()); // the session itself goes on, in memory
        const QString token = client.token();
        QVERIFY(!token.isEmpty());
        settings.sync();
        const QStringList leaks = filesHolding(m_home.path(), token);
        QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(QLatin1Char(' '))));
    }
};

QTEST_GUILESS_MAIN(TestKeychainNoBus)
#include "tst_keychain_nobus.moc"
