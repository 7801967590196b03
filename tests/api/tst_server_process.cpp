// gatekeeper-server as a process: flags, exit codes, dev mode output, and a clean stop on SIGTERM.

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

class TestServerProcess final : public QObject
{
    Q_OBJECT

    struct Run
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    static Run runToEnd(const QStringList &args,
                        const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(GK_SERVER_BINARY), args);
        Run r;
        if (!p.waitForFinished(20000)) {
            p.kill();
            p.waitForFinished();
            return r;
        }
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

    static QByteArray httpGet(quint16 port, const QByteArray &path)
    {
        QTcpSocket s;
        s.connectToHost(QStringLiteral("127.0.0.1"), port);
        if (!s.waitForConnected(5000))
            return {};
        s.write("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        QByteArray all;
        while (s.state() == QAbstractSocket::ConnectedState && s.waitForReadyRead(5000))
            all += s.readAll();
        return all + s.readAll();
    }

private slots:
    void badUsageExitsTwoAndNamesTheFlag_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("mentions");
        QTest::newRow("unknown flag") << QStringList{QStringLiteral("--frobnicate")} << QByteArray("--frobnicate");
        QTest::newRow("postgresql") << QStringList{QStringLiteral("--storage"), QStringLiteral("postgresql://db/gk")}
                                    << QByteArray("--storage");
        QTest::newRow("unknown scheme") << QStringList{QStringLiteral("--storage"), QStringLiteral("etcd://x")}
                                        << QByteArray("--storage");
        QTest::newRow("public listener") << QStringList{QStringLiteral("--listen"), QStringLiteral("0.0.0.0:0")}
                                         << QByteArray("--insecure-listener");
    }
    void badUsageExitsTwoAndNamesTheFlag()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, mentions);
        const Run r = runToEnd(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(mentions), r.err.constData());
    }

    void helpExitsZero()
    {
        const Run r = runToEnd({QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("--dev-root-token"));
    }

    void allocatorIsTheConfiguredOne()
    {
        // jemalloc reads MALLOC_CONF and, with stats_print, writes its statistics to stderr at exit; glibc's malloc
        // ignores the variable.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("MALLOC_CONF"), QStringLiteral("stats_print:true"));
        const Run r = runToEnd({QStringLiteral("--help")}, env);
        QCOMPARE(r.exitCode, 0);
        const bool jemalloc = r.err.contains("Begin jemalloc statistics");
#ifdef GK_SERVER_JEMALLOC
        QVERIFY(jemalloc);
#else
        QVERIFY(!jemalloc);
#endif
    }

    void unusableStorageExitsOne()
    {
        QTemporaryDir dir;
        QFile blocker(dir.filePath(QStringLiteral("file")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        // A directory cannot be created below a regular file.
        const Run r = runToEnd({QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--storage"),
                                QStringLiteral("sqlite:") + dir.filePath(QStringLiteral("file/sub/gk.db"))});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("storage"), r.err.constData());
    }

    void devModeServesAndStopsCleanly()
    {
        QProcess p;
        p.start(QStringLiteral(GK_SERVER_BINARY), {QStringLiteral("--dev"), QStringLiteral("--listen"),
                                                   QStringLiteral("127.0.0.1:0"), QStringLiteral("--dev-root-token"),
                                                   QStringLiteral("my-root")});
        QVERIFY(p.waitForStarted());
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += p.readAllStandardOutput()).contains("Root Token:"), 10000);
        QVERIFY(out.contains("Unseal Key: "));
        QVERIFY(out.contains("Root Token: my-root"));
        const QRegularExpression listening(QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)"));
        const auto m = listening.match(QString::fromUtf8(out));
        QVERIFY(m.hasMatch());
        const quint16 port = static_cast<quint16>(m.captured(1).toUInt());
        QVERIFY(port != 0);

        const QByteArray health = httpGet(port, "/v1/sys/health");
        QVERIFY2(health.startsWith("HTTP/1.1 200"), health.constData());
        QVERIFY(health.contains("\"sealed\":false"));

        p.terminate(); // SIGTERM
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
    }

    void sigintStopsCleanlyToo()
    {
        QProcess p;
        p.start(QStringLiteral(GK_SERVER_BINARY), {QStringLiteral("--dev"), QStringLiteral("--listen"),
                                                   QStringLiteral("127.0.0.1:0")});
        QVERIFY(p.waitForStarted());
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += p.readAllStandardOutput()).contains("Root Token:"), 10000);
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitCode(), 0);
    }

    void auditLogWritesAChainThatVerifies()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("audit.log"));
        QProcess p;
        p.start(QStringLiteral(GK_SERVER_BINARY), {QStringLiteral("--dev"), QStringLiteral("--listen"),
                                                   QStringLiteral("127.0.0.1:0"), QStringLiteral("--audit-log"), file});
        QVERIFY(p.waitForStarted());
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += p.readAllStandardOutput()).contains("Root Token:"), 10000);
        const auto m = QRegularExpression(QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)"))
                           .match(QString::fromUtf8(out));
        QVERIFY(m.hasMatch());
        const quint16 port = static_cast<quint16>(m.captured(1).toUInt());
        QVERIFY(httpGet(port, "/v1/sys/health").startsWith("HTTP/1.1 200"));
        QVERIFY(httpGet(port, "/v1/sys/seal-status").startsWith("HTTP/1.1 200"));
        p.terminate();
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitCode(), 0);

        Run r = runToEnd({QStringLiteral("audit"), QStringLiteral("verify"), file});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.startsWith("OK: 4 lines"), r.out.constData());

        // A changed line is named.
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QList<QByteArray> lines = f.readAll().split('\n');
        f.close();
        lines[1].replace("\"type\":\"response\"", "\"type\":\"request\"");
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(lines.join('\n'));
        f.close();
        r = runToEnd({QStringLiteral("audit"), QStringLiteral("verify"), file});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains("line 2"), r.out.constData());

        // Bad usage and missing files.
        QCOMPARE(runToEnd({QStringLiteral("audit"), QStringLiteral("verify"), dir.filePath(QStringLiteral("none"))})
                     .exitCode,
                 2);
        QCOMPARE(runToEnd({QStringLiteral("audit"), QStringLiteral("verify")}).exitCode, 2);
        QCOMPARE(runToEnd({QStringLiteral("audit"), QStringLiteral("check"), file}).exitCode, 2);
        QCOMPARE(runToEnd({QStringLiteral("audit")}).exitCode, 2);
    }

    void unusableAuditLogExitsTwo()
    {
        QTemporaryDir dir;
        // A directory cannot be the audit file.
        const Run r = runToEnd({QStringLiteral("--dev"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                QStringLiteral("--audit-log"), dir.path()});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--audit-log"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestServerProcess)
#include "tst_server_process.moc"
