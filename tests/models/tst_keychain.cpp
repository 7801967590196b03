// The console's tokens in a real Secret Service (gnome-keyring on a private session bus, see
// with-secret-service.sh), against a real server (GateFixture): a sign-in on a connection that opted in keeps the
// token; the console started again (new model, keychain, client, session) is signed in with it; a sign-out deletes
// it; renaming moves it, turning the opt-in off or removing the connection deletes it; a kept token waits for a
// sealed server to be unsealed; a refused token is reported.
// The token never appears in the settings file or any other file under HOME.

#include "ApiClient.h"
#include "ConnectionsModel.h"
#include "GateFixture.h"
#include "KeychainProbe.h"
#include "Session.h"
#include "SessionKeeper.h"
#include "TokenKeychain.h"
#include "UnsealedServer.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using gk::ApiClient;
using gk::Connection;
using gk::ConnectionsModel;
using gk::Session;
using gk::SessionKeeper;
using gk::TokenKeychain;
using gk::test::deleteNow;
using gk::test::filesHolding;
using gk::test::readNow;
using gk::test::writeNow;

namespace {

const QString service = QStringLiteral("io.gatekeeper.Gatekeeper.test");

} // namespace

class TestKeychain final : public QObject
{
    Q_OBJECT

private:
    gk::test::GateFixture m_gk;
    QTemporaryDir m_dir;

    QString settingsPath() const { return m_dir.filePath(QStringLiteral("console.ini")); }

    // What the console holds while it runs: settings, connections, keychain, client, session and keeper.
    struct Console
    {
        QSettings settings;
        ConnectionsModel connections{&settings};
        TokenKeychain keychain{service};
        ApiClient client;
        Session session{&client};
        SessionKeeper keeper{&session, &client, &keychain, &connections};

        Console(const QString &path, const QUrl &url) : settings(path, QSettings::IniFormat)
        {
            client.setBaseUrl(url);
            keeper.setRetryIntervalMs(100);
        }
    };

    std::unique_ptr<Console> console() { return std::make_unique<Console>(settingsPath(), m_gk.url()); }

    static bool signIn(Session &session, const QString &user)
    {
        QSignalSpy ok(&session, &Session::signedIn);
        session.signIn({Session::Method::Userpass, {}, user, QStringLiteral("pw-") + user});
        return ok.wait(10000);
    }

    QString fileText() const
    {
        QFile file(settingsPath());
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
    }

private slots:
    void initTestCase()
    {
        if (qEnvironmentVariableIsSet("GK_NO_SECRET_SERVICE"))
            QSKIP("dbus-run-session or gnome-keyring-daemon is missing: no Secret Service to test against");
        QVERIFY(m_dir.isValid());
        QVERIFY(m_gk.start());
    }

    void writesReadsAndDeletes()
    {
        TokenKeychain keychain(service);
        const QString name = QStringLiteral("round trip");
        auto answer = readNow(keychain, name);
        QVERIFY(answer.finished);
        QVERIFY2(answer.error.isEmpty(), qPrintable(answer.error));
        QCOMPARE(answer.token, QString());

        answer = writeNow(keychain, name, QStringLiteral("hvs.round-trip"));
        QVERIFY2(answer.finished && answer.error.isEmpty(), qPrintable(answer.error));
        QCOMPARE(readNow(keychain, name).token, QStringLiteral("hvs.round-trip"));
        // Another service does not see it.
        QCOMPARE(readNow(*std::make_unique<TokenKeychain>(service + QStringLiteral(".other")), name).token, QString());

        answer = deleteNow(keychain, name);
        QVERIFY2(answer.finished && answer.error.isEmpty(), qPrintable(answer.error));
        QCOMPARE(readNow(keychain, name).token, QString());
        answer = deleteNow(keychain, name); // not there any more: still fine
        QVERIFY2(answer.finished && answer.error.isEmpty(), qPrintable(answer.error));
    }

    void theConsoleStartedAgainIsStillSignedIn()
    {
        QString token;
        {
            auto c = console();
            Connection lab = Connection::remote(QStringLiteral("lab"), m_gk.url());
            lab.keychain = true;
            QVERIFY(c->connections.add(lab));
            c->connections.setLastUsed(lab.name);
            QSignalSpy nothing(&c->keeper, &SessionKeeper::nothingToRestore);
            c->keeper.attach(lab.name);
            QVERIFY(nothing.wait(10000));

            QSignalSpy saved(&c->keeper, &SessionKeeper::tokenSaved);
            QVERIFY(signIn(c->session, QStringLiteral("alice")));
            QVERIFY(saved.wait(10000));
            token = c->client.token();
            QVERIFY(!token.isEmpty());
            QCOMPARE(readNow(c->keychain, lab.name).token, token);
        }
        QVERIFY(!fileText().isEmpty());
        QVERIFY(!fileText().contains(token));

        {
            // Started again: the last connection, and its token from the keychain.
            auto c = console();
            QCOMPARE(c->connections.startConnection()->name, QStringLiteral("lab"));
            QSignalSpy restored(&c->keeper, &SessionKeeper::restored);
            c->keeper.attach(QStringLiteral("lab"));
            QVERIFY(c->keeper.isRestoring());
            QVERIFY(restored.wait(10000));
            QVERIFY(!c->keeper.isRestoring());
            QVERIFY(c->session.isSignedIn());
            QCOMPARE(c->session.displayName(), QStringLiteral("userpass-alice"));
            QCOMPARE(c->client.token(), token);

            // Sign-out deletes it.
            QSignalSpy deleted(&c->keeper, &SessionKeeper::tokenDeleted);
            c->session.signOut(false);
            QVERIFY(deleted.wait(10000));
            const auto answer = readNow(c->keychain, QStringLiteral("lab"));
            QVERIFY2(answer.finished && answer.error.isEmpty(), qPrintable(answer.error));
            QCOMPARE(answer.token, QString());
        }
        {
            auto c = console();
            QSignalSpy nothing(&c->keeper, &SessionKeeper::nothingToRestore);
            c->keeper.attach(QStringLiteral("lab"));
            QVERIFY(nothing.wait(10000));
            QVERIFY(!c->session.isSignedIn());
        }
        QVERIFY(!fileText().contains(token));
        const QStringList leaks = filesHolding(QDir::homePath(), token) + filesHolding(m_dir.path(), token);
        QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(QLatin1Char(' '))));
    }

    void followsRenamesOptOutAndRemoval()
    {
        auto c = console();
        Connection lab = Connection::remote(QStringLiteral("renamed-lab"), m_gk.url());
        lab.keychain = true;
        QVERIFY(c->connections.add(lab));
        c->keeper.attach(lab.name);
        QSignalSpy saved(&c->keeper, &SessionKeeper::tokenSaved);
        QSignalSpy deleted(&c->keeper, &SessionKeeper::tokenDeleted);
        QSignalSpy failed(&c->keeper, &SessionKeeper::keychainFailed);
        QVERIFY(signIn(c->session, QStringLiteral("bob")));
        QVERIFY(saved.wait(10000));
        const QString token = c->client.token();

        // A rename moves the entry; the keeper follows the new name.
        QVERIFY(c->connections.rename(lab.name, QStringLiteral("lab two")));
        QTRY_COMPARE(readNow(c->keychain, QStringLiteral("lab two")).token, token);
        QCOMPARE(readNow(c->keychain, lab.name).token, QString());
        QCOMPARE(c->keeper.connection(), QStringLiteral("lab two"));

        // Opting out deletes it; opting in again while signed in keeps it again.
        Connection edited = *c->connections.find(QStringLiteral("lab two"));
        edited.keychain = false;
        QVERIFY(c->connections.update(edited.name, edited));
        QVERIFY(deleted.wait(10000));
        QCOMPARE(readNow(c->keychain, edited.name).token, QString());
        edited.keychain = true;
        QVERIFY(c->connections.update(edited.name, edited));
        QVERIFY(saved.wait(10000));
        QCOMPARE(readNow(c->keychain, edited.name).token, token);

        // Removing the connection deletes it.
        deleted.clear();
        QVERIFY(c->connections.remove(edited.name));
        QVERIFY(deleted.wait(10000));
        QCOMPARE(readNow(c->keychain, edited.name).token, QString());
        QCOMPARE(c->keeper.connection(), QString());
        QVERIFY(failed.isEmpty());
        QVERIFY(!fileText().contains(token));
    }

    void aRefusedTokenIsReported()
    {
        auto c = console();
        Connection stale = Connection::remote(QStringLiteral("stale"), m_gk.url());
        stale.keychain = true;
        QVERIFY(c->connections.add(stale));
        QVERIFY(writeNow(c->keychain, stale.name, QStringLiteral("hvs.revoked-long-ago")).error.isEmpty());
        QSignalSpy refused(&c->keeper, &SessionKeeper::restoreFailed);
        c->keeper.attach(stale.name);
        QVERIFY(refused.wait(10000));
        QVERIFY(!refused.constFirst().constFirst().toString().isEmpty());
        QVERIFY(!c->session.isSignedIn());
        QVERIFY(!c->client.hasToken());
        QVERIFY(!c->keeper.isRestoring());
        QVERIFY(deleteNow(c->keychain, stale.name).error.isEmpty());
    }

    void aKeptTokenWaitsForTheUnseal()
    {
        gk::test::UnsealedServer sealed; // initialised and sealed, as the embedded server is after a restart
        QVERIFY(sealed.start());
        auto c = console();
        c->client.setBaseUrl(sealed.server().baseUrl());
        Connection local = Connection::remote(QStringLiteral("sealed"), sealed.server().baseUrl());
        local.keychain = true;
        QVERIFY(c->connections.add(local));
        const QString root = QString::fromUtf8(sealed.rootToken());
        QVERIFY(writeNow(c->keychain, local.name, root).error.isEmpty());

        QSignalSpy waiting(&c->keeper, &SessionKeeper::waitingForServer);
        QSignalSpy restored(&c->keeper, &SessionKeeper::restored);
        c->keeper.attach(local.name);
        QVERIFY(waiting.wait(10000));
        QVERIFY2(waiting.constFirst().constFirst().toString().contains(QStringLiteral("unsealed")),
                 qPrintable(waiting.constFirst().constFirst().toString()));
        QVERIFY(c->keeper.isRestoring());
        QVERIFY(!c->session.isSignedIn());

        QVERIFY(sealed.unseal());
        QVERIFY(restored.wait(10000));
        QVERIFY(c->session.isSignedIn());
        QCOMPARE(c->client.token(), root);
        QVERIFY(deleteNow(c->keychain, local.name).error.isEmpty());
    }

    void noOptInKeepsNothing()
    {
        auto c = console();
        const Connection plain = Connection::remote(QStringLiteral("plain"), m_gk.url());
        QVERIFY(c->connections.add(plain));
        QSignalSpy nothing(&c->keeper, &SessionKeeper::nothingToRestore);
        c->keeper.attach(plain.name);
        QCOMPARE(nothing.size(), 1); // no keychain call at all
        QSignalSpy saved(&c->keeper, &SessionKeeper::tokenSaved);
        QVERIFY(signIn(c->session, QStringLiteral("carol")));
        QCOMPARE(readNow(c->keychain, plain.name).token, QString());
        QVERIFY(saved.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestKeychain)
#include "tst_keychain.moc"
