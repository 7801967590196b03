// The real gatekeeper-server process on SQLite with --audit-log: after initialising, unsealing, creating a token,
// a userpass user and a login, and writing a kv secret, none of the token ids, the password, the secret value or
// the unseal key is found in plain text in the store's files (database, -wal, -shm), the process's output or the
// audit file.

#include "RawHttpClient.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using gk::test::HttpAnswer;
using gk::test::RawHttpClient;

class TestAuditNoLeaks final : public QObject
{
    Q_OBJECT

    quint16 m_port = 0;

    HttpAnswer call(QByteArrayView method, QByteArrayView target, const QJsonObject &body = {},
                    const QByteArray &token = {})
    {
        RawHttpClient client;
        if (!client.connectTo(m_port))
            return {};
        RawHttpClient::Headers headers;
        if (!token.isEmpty())
            headers.append({QByteArrayLiteral("X-Vault-Token"), token});
        const QByteArray payload = body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
        return client.request(method, target, payload, headers, 20000);
    }

    static QByteArray readAll(const QString &file)
    {
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

private slots:
    void nothingSecretInPlainText()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString storeDir = dir.filePath(QStringLiteral("store"));
        QVERIFY(QDir().mkpath(storeDir));
        const QString auditFile = dir.filePath(QStringLiteral("audit.log"));

        QProcess server;
        server.start(QStringLiteral(GK_SERVER_BINARY),
                     {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--storage"),
                      QStringLiteral("sqlite:") + storeDir + QStringLiteral("/gk.db"), QStringLiteral("--audit-log"),
                      auditFile});
        QVERIFY(server.waitForStarted());
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += server.readAllStandardOutput()).contains("listening on"), 15000);
        const auto m = QRegularExpression(QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)"))
                           .match(QString::fromUtf8(out));
        QVERIFY(m.hasMatch());
        m_port = static_cast<quint16>(m.captured(1).toUInt());

        HttpAnswer a = call("PUT", "/v1/sys/init",
                            {{QStringLiteral("secret_shares"), 1}, {QStringLiteral("secret_threshold"), 1}});
        QCOMPARE(a.status, 200);
        const QString keyHex = a.json().value(QStringLiteral("keys")).toArray().at(0).toString();
        const QString keyBase64 = a.json().value(QStringLiteral("keys_base64")).toArray().at(0).toString();
        const QByteArray root = a.json().value(QStringLiteral("root_token")).toString().toUtf8();
        QVERIFY(!root.isEmpty());
        a = call("PUT", "/v1/sys/unseal", {{QStringLiteral("key"), keyHex}});
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json().value(QStringLiteral("sealed")).toBool(true), false);

        a = call("POST", "/v1/auth/token/create", {{QStringLiteral("ttl"), QStringLiteral("1h")}}, root);
        QCOMPARE(a.status, 200);
        const QString token =
            a.json().value(QStringLiteral("auth")).toObject().value(QStringLiteral("client_token")).toString();
        const QString accessor =
            a.json().value(QStringLiteral("auth")).toObject().value(QStringLiteral("accessor")).toString();
        QVERIFY(!token.isEmpty());
        const QString password = QStringLiteral("noleak-Pa55word-7f3e9a");
        const QString secret = QStringLiteral("noleak-secret-value-51c2d8");
        QCOMPARE(
            call("POST", "/v1/sys/auth/userpass", {{QStringLiteral("type"), QStringLiteral("userpass")}}, root).status,
            204);
        QCOMPARE(call("POST", "/v1/auth/userpass/users/bob", {{QStringLiteral("password"), password}}, root).status,
                 204);
        a = call("POST", "/v1/auth/userpass/login/bob", {{QStringLiteral("password"), password}});
        QCOMPARE(a.status, 200);
        const QString login =
            a.json().value(QStringLiteral("auth")).toObject().value(QStringLiteral("client_token")).toString();
        QVERIFY(!login.isEmpty());
        QCOMPARE(call("PUT", "/v1/secret/noleak", {{QStringLiteral("value"), secret}}, root).status, 204);
        a = call("GET", "/v1/secret/noleak", {}, root);
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("value")).toString(), secret);
        QCOMPARE(call("GET", "/v1/auth/token/lookup-self", {}, login.toUtf8()).status, 200);
        // The --audit-log device is listed at file/, and its hashes are what the file holds.
        a = call("GET", "/v1/sys/audit", {}, root);
        QCOMPARE(a.status, 200);
        QVERIFY(a.json().value(QStringLiteral("data")).toObject().contains(QStringLiteral("file/")));
        a = call("POST", "/v1/sys/audit-hash/file", {{QStringLiteral("input"), secret}}, root);
        QCOMPARE(a.status, 200);
        const QByteArray secretHash = a.json().value(QStringLiteral("hash")).toString().toUtf8();
        a = call("POST", "/v1/sys/audit-hash/file", {{QStringLiteral("input"), QString::fromUtf8(root)}}, root);
        const QByteArray rootHash = a.json().value(QStringLiteral("hash")).toString().toUtf8();

        server.terminate();
        QVERIFY(server.waitForFinished(20000));
        QCOMPARE(server.exitCode(), 0);
        out += server.readAllStandardOutput();
        const QByteArray err = server.readAllStandardError();

        const QByteArray audit = readAll(auditFile);
        QVERIFY(audit.contains(secretHash));
        QVERIFY(audit.contains(rootHash));
        QVERIFY(audit.contains("\"path\":\"auth/userpass/login/bob\""));

        QMap<QString, QByteArray> places{
            {QStringLiteral("stdout"), out}, {QStringLiteral("stderr"), err}, {QStringLiteral("audit log"), audit}};
        const QStringList storeFiles = QDir(storeDir).entryList(QDir::Files);
        QVERIFY(storeFiles.contains(QStringLiteral("gk.db")));
        for (const QString &name : storeFiles)
            places.insert(name, readAll(QDir(storeDir).filePath(name)));
        const QStringList secrets{QString::fromUtf8(root), token, accessor, login, password, secret, keyHex, keyBase64};
        for (auto it = places.cbegin(); it != places.cend(); ++it) {
            for (const QString &s : secrets) {
                QVERIFY2(!it.value().contains(s.toUtf8()), qPrintable(QStringLiteral("%1 holds %2").arg(it.key(), s)));
                // Also as UTF-16 (a QString dumped as is).
                const QByteArray utf16(reinterpret_cast<const char *>(s.utf16()), s.size() * 2);
                QVERIFY2(!it.value().contains(utf16),
                         qPrintable(QStringLiteral("%1 holds %2 (UTF-16)").arg(it.key(), s)));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestAuditNoLeaks)
#include "tst_audit_noleaks.moc"
