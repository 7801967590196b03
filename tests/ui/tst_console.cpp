// The gatekeeper binary as a user runs it: without a display it must say so and exit 1 (not abort with 134);
// with the offscreen platform it starts its embedded server (the first time, the connection it remembers) and stops
// cleanly on SIGTERM.

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace {

// The test's own environment minus every way of finding a display.
QProcessEnvironment withoutDisplay()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    return env;
}

} // namespace

class TestConsole final : public QObject
{
    Q_OBJECT

private:
    struct Run
    {
        int exitCode = -1;
        QProcess::ExitStatus exitStatus = QProcess::CrashExit;
        QString out;
        QString err;
    };

    static Run run(const QProcessEnvironment &env, const QStringList &arguments = {})
    {
        QProcess process;
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(GK_CONSOLE_BINARY), arguments);
        Run result;
        if (!process.waitForFinished(30000)) {
            process.kill();
            process.waitForFinished();
            return result;
        }
        result.exitCode = process.exitCode();
        result.exitStatus = process.exitStatus();
        result.out = QString::fromUtf8(process.readAllStandardOutput());
        result.err = QString::fromUtf8(process.readAllStandardError());
        return result;
    }

private slots:
    void noDisplayExitsWithAMessage()
    {
        const Run r = run(withoutDisplay());
        QCOMPARE(r.exitStatus, QProcess::NormalExit); // not SIGABRT
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("no display")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("gatekeeper-server --dev")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("--listen")), qPrintable(r.err));
    }

    void unreachableDisplayExitsWithAMessage()
    {
        QProcessEnvironment env = withoutDisplay();
        env.insert(QStringLiteral("DISPLAY"), QStringLiteral(":97")); // set, but no X server there
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
        const Run r = run(env);
        QCOMPARE(r.exitStatus, QProcess::NormalExit);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("gatekeeper-server --dev")), qPrintable(r.err));
    }

    void helpNeedsNoDisplay()
    {
        const Run r = run(withoutDisplay(), {QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith(QStringLiteral("Usage: gatekeeper")));
        QVERIFY(r.out.contains(QStringLiteral("--connect")));
    }

    void badUsage()
    {
        QProcessEnvironment env = withoutDisplay();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        const Run r = run(env, {QStringLiteral("--connect"), QStringLiteral("not a url")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("--connect")), qPrintable(r.err));
    }

    void embeddedServerStartsAndStops()
    {
        QTemporaryDir home;
        QProcessEnvironment env = withoutDisplay();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));

        QProcess process;
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(GK_CONSOLE_BINARY));
        QVERIFY(process.waitForStarted());
        const QRegularExpression listening(
            QStringLiteral("Embedded server listening on http://127\\.0\\.0\\.1:(\\d+)\n"));
        QString out;
        QRegularExpressionMatch match;
        QTRY_VERIFY_WITH_TIMEOUT(
            (out += QString::fromUtf8(process.readAllStandardOutput()), match = listening.match(out), match.hasMatch()),
            20000);
        const auto port = match.captured(1).toUShort();
        QVERIFY(port > 0);

        // It answers over HTTP, with its storage under XDG_DATA_HOME.
        QTcpSocket socket;
        socket.connectToHost(QStringLiteral("127.0.0.1"), port);
        QVERIFY(socket.waitForConnected(5000));
        socket.write("GET /v1/sys/seal-status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        QByteArray answer;
        while (socket.waitForReadyRead(5000))
            answer += socket.readAll();
        QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.constData());
        const QJsonObject status = QJsonDocument::fromJson(answer.mid(answer.indexOf("\r\n\r\n") + 4)).object();
        QVERIFY2(status.contains(QStringLiteral("initialized")), answer.constData());
        QCOMPARE(status.value(QStringLiteral("initialized")).toBool(true), false); // fresh storage
        QVERIFY(QFileInfo::exists(home.filePath(QStringLiteral("data/gatekeeper"))));

        ::kill(static_cast<pid_t>(process.processId()), SIGTERM);
        QVERIFY(process.waitForFinished(20000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 0);

        // The embedded connection is remembered as the last used one, in the settings under XDG_CONFIG_HOME.
        QSettings settings(home.filePath(QStringLiteral("config/gatekeeper/console.conf")), QSettings::IniFormat);
        settings.beginGroup(QStringLiteral("Connections"));
        QCOMPARE(settings.beginReadArray(QStringLiteral("list")), 1);
        settings.setArrayIndex(0);
        QCOMPARE(settings.value(QStringLiteral("kind")).toString(), QStringLiteral("embedded"));
        const QString name = settings.value(QStringLiteral("name")).toString();
        settings.endArray();
        QVERIFY(!name.isEmpty());
        QCOMPARE(settings.value(QStringLiteral("lastUsed")).toString(), name);
    }
};

QTEST_GUILESS_MAIN(TestConsole)
#include "tst_console.moc"
