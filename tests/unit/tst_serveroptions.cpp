#include "ServerOptions.h"

#include <QTemporaryDir>
#include <QTest>

using gk::parseServerOptions;

class TestServerOptions final : public QObject
{
    Q_OBJECT

private slots:
    void defaults()
    {
        const auto p = parseServerOptions({});
        QVERIFY2(p.error.isEmpty(), qPrintable(p.error));
        QCOMPARE(p.options.listenHost, QStringLiteral("127.0.0.1"));
        QCOMPARE(p.options.listenPort, quint16(8200));
        QVERIFY(!p.options.dev);
        QVERIFY(gk::defaultStorageUrl().startsWith(QStringLiteral("sqlite:")));
        QVERIFY(gk::defaultStorageUrl().endsWith(QStringLiteral("/gatekeeper/gatekeeper.db")));
    }

    void flagForms()
    {
        const auto p = parseServerOptions({QStringLiteral("--listen=127.0.0.1:0"), QStringLiteral("--storage"),
                                           QStringLiteral("inmem:"), QStringLiteral("--dev"),
                                           QStringLiteral("--dev-root-token"), QStringLiteral("root")});
        QVERIFY2(p.error.isEmpty(), qPrintable(p.error));
        QCOMPARE(p.options.listenPort, quint16(0));
        QCOMPARE(p.options.storage, QStringLiteral("inmem:"));
        QVERIFY(p.options.dev);
        QCOMPARE(p.options.devRootToken, QStringLiteral("root"));
    }

    void ipv6Listener()
    {
        const auto p = parseServerOptions({QStringLiteral("--listen"), QStringLiteral("[::1]:8300")});
        QVERIFY2(p.error.isEmpty(), qPrintable(p.error));
        QCOMPARE(p.options.listenHost, QStringLiteral("::1"));
        QCOMPARE(p.options.listenPort, quint16(8300));
    }

    void errorsNameTheFlag_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown") << QStringList{QStringLiteral("--bogus")} << QStringLiteral("--bogus");
        QTest::newRow("missing value") << QStringList{QStringLiteral("--listen")} << QStringLiteral("--listen");
        QTest::newRow("bad port") << QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:99999")}
                                  << QStringLiteral("--listen");
        QTest::newRow("bad host") << QStringList{QStringLiteral("--listen"), QStringLiteral("nohost:1")}
                                  << QStringLiteral("--listen");
        QTest::newRow("public without tls")
            << QStringList{QStringLiteral("--listen"), QStringLiteral("0.0.0.0:8200")} << QStringLiteral("--listen");
        QTest::newRow("cert without key")
            << QStringList{QStringLiteral("--tls-cert"), QStringLiteral("/etc/hostname")} << QStringLiteral("--tls-key");
        QTest::newRow("unreadable cert")
            << QStringList{QStringLiteral("--tls-cert"), QStringLiteral("/nonexistent.pem"), QStringLiteral("--tls-key"),
                           QStringLiteral("/nonexistent.key")}
            << QStringLiteral("--tls-cert");
        QTest::newRow("root token without dev")
            << QStringList{QStringLiteral("--dev-root-token"), QStringLiteral("x")} << QStringLiteral("--dev-root-token");
        QTest::newRow("dev with sqlite")
            << QStringList{QStringLiteral("--dev"), QStringLiteral("--storage"), QStringLiteral("sqlite:/tmp/x.db")}
            << QStringLiteral("--storage");
        QTest::newRow("api addr") << QStringList{QStringLiteral("--api-addr"), QStringLiteral("ftp://x")}
                                  << QStringLiteral("--api-addr");
        QTest::newRow("threads") << QStringList{QStringLiteral("--http-threads"), QStringLiteral("0")}
                                 << QStringLiteral("--http-threads");
        QTest::newRow("switch with value") << QStringList{QStringLiteral("--dev=yes")} << QStringLiteral("--dev");
        QTest::newRow("positional") << QStringList{QStringLiteral("serve")} << QStringLiteral("serve");
        QTest::newRow("missing config") << QStringList{QStringLiteral("--config"), QStringLiteral("/nonexistent.json")}
                                        << QStringLiteral("--config");
    }

    void errorsNameTheFlag()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const auto p = parseServerOptions(args);
        QVERIFY2(!p.error.isEmpty(), "expected a usage error");
        QVERIFY2(p.error.contains(mentions), qPrintable(p.error));
    }

    void publicListenerAllowedWhenInsecureOrTls()
    {
        auto p = parseServerOptions({QStringLiteral("--listen"), QStringLiteral("0.0.0.0:8200"),
                                     QStringLiteral("--insecure-listener")});
        QVERIFY2(p.error.isEmpty(), qPrintable(p.error));
        QVERIFY(p.options.insecureListener);
    }

    void configFileAndFlagsWin()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("server.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"listen\": \"127.0.0.1:9000\", \"storage\": \"inmem:\", \"http_threads\": 3, \"api-addr\": \"https://gk.example:8200\"}");
        f.close();
        auto p = parseServerOptions({QStringLiteral("--config"), path});
        QVERIFY2(p.error.isEmpty(), qPrintable(p.error));
        QCOMPARE(p.options.listenPort, quint16(9000));
        QCOMPARE(p.options.storage, QStringLiteral("inmem:"));
        QCOMPARE(p.options.httpThreads, 3);
        QCOMPARE(p.options.apiAddr, QStringLiteral("https://gk.example:8200"));

        // A flag wins over the file, wherever it stands.
        p = parseServerOptions({QStringLiteral("--listen"), QStringLiteral("127.0.0.1:9100"), QStringLiteral("--config"),
                                path});
        QVERIFY2(p.error.isEmpty(), qPrintable(p.error));
        QCOMPARE(p.options.listenPort, quint16(9100));
    }

    void configFileErrorsNameTheKey_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown key") << QByteArray("{\"colour\": \"red\"}") << QStringLiteral("colour");
        QTest::newRow("wrong type") << QByteArray("{\"listen\": 8200}") << QStringLiteral("listen");
        QTest::newRow("bad value") << QByteArray("{\"listen\": \"x\"}") << QStringLiteral("listen");
        QTest::newRow("switch type") << QByteArray("{\"dev\": \"yes\"}") << QStringLiteral("dev");
        QTest::newRow("not json") << QByteArray("{listen") << QStringLiteral("--config");
        QTest::newRow("not object") << QByteArray("[1]") << QStringLiteral("--config");
    }

    void configFileErrorsNameTheKey()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("server.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(json);
        f.close();
        const auto p = parseServerOptions({QStringLiteral("--config"), path});
        QVERIFY2(!p.error.isEmpty(), "expected an error");
        QVERIFY2(p.error.contains(mentions), qPrintable(p.error));
    }

    void helpAndVersion()
    {
        auto p = parseServerOptions({QStringLiteral("--help")});
        QVERIFY(p.error.isEmpty());
        QVERIFY(p.message.contains(QStringLiteral("--dev-root-token")));
        p = parseServerOptions({QStringLiteral("--version")});
        QVERIFY(p.message.startsWith(QStringLiteral("gatekeeper-server ")));
    }
};

QTEST_GUILESS_MAIN(TestServerOptions)
#include "tst_serveroptions.moc"
