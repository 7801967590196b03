// Audit devices over HTTP: the real Engine on SQLite behind the real HttpServer on 127.0.0.1:0.

#include "TestServer.h"
#include "UnsealedServer.h"

#include "engine/Engine.h"
#include "engine/audit/AuditChain.h"
#include "engine/storage/Storage.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

using namespace gk;
using gk::test::HttpAnswer;
using gk::test::TestServer;

class TestAuditApi final : public QObject
{
    Q_OBJECT

    gk::test::UnsealedServer m_gk{auditOptions()};
    QByteArray m_root;

    static EngineOptions auditOptions()
    {
        EngineOptions options;
        options.passwordHashLogN = 10;
        return options;
    }

    HttpAnswer call(QByteArrayView method, QByteArrayView target, const QJsonObject &body = {},
                    const QByteArray &token = {})
    {
        return m_gk.server().requestJson(method, target, body, token);
    }
    HttpAnswer root(QByteArrayView method, QByteArrayView target, const QJsonObject &body = {})
    {
        return call(method, target, body, m_root);
    }
    static QJsonObject data(const HttpAnswer &a) { return a.json().value(QStringLiteral("data")).toObject(); }

    QString logPath(const QString &name) const { return QDir(m_gk.storageDir()).filePath(name); }

    static QJsonObject fileDevice(const QString &file, const QString &description = {})
    {
        QJsonObject body{{QStringLiteral("type"), QStringLiteral("file")},
                         {QStringLiteral("options"), QJsonObject{{QStringLiteral("file_path"), file}}}};
        if (!description.isEmpty())
            body.insert(QStringLiteral("description"), description);
        return body;
    }

    static QByteArray readAll(const QString &file)
    {
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    static QList<QJsonObject> entries(const QString &file)
    {
        QList<QJsonObject> out;
        for (const QByteArray &line : readAll(file).split('\n'))
            if (!line.isEmpty())
                out.append(QJsonDocument::fromJson(line).object());
        return out;
    }

    QString auditHash(const QString &device, const QString &input)
    {
        const HttpAnswer a =
            root("POST", QByteArray("/v1/sys/audit-hash/") + device.toUtf8(), {{QStringLiteral("input"), input}});
        return a.status == 200 ? a.json().value(QStringLiteral("hash")).toString() : QString();
    }

    QByteArray listing() { return QJsonDocument(data(root("GET", "/v1/sys/audit"))).toJson(QJsonDocument::Compact); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_gk.start());
        m_root = m_gk.rootToken();
        QVERIFY(m_gk.unseal());
    }

    void cleanupTestCase() { m_gk.stop(); }

    void enableListDisable()
    {
        HttpAnswer a = root("GET", "/v1/sys/audit");
        QCOMPARE(a.status, 200);
        QVERIFY(data(a).isEmpty());
        const QString file = logPath(QStringLiteral("list.log"));
        QCOMPARE(root("PUT", "/v1/sys/audit/file", fileDevice(file, QStringLiteral("main log"))).status, 204);
        a = root("GET", "/v1/sys/audit");
        QCOMPARE(a.status, 200);
        const QJsonObject device = data(a).value(QStringLiteral("file/")).toObject();
        QCOMPARE(device.value(QStringLiteral("type")).toString(), QStringLiteral("file"));
        QCOMPARE(device.value(QStringLiteral("description")).toString(), QStringLiteral("main log"));
        QCOMPARE(device.value(QStringLiteral("path")).toString(), QStringLiteral("file/"));
        QCOMPARE(device.value(QStringLiteral("options")).toObject().value(QStringLiteral("file_path")).toString(),
                 file);
        QCOMPARE(a.json().value(QStringLiteral("file/")).toObject(), device); // Vault's top-level copy
        QVERIFY(QFile::exists(file));
        // POST is the same as PUT; a second device on another file.
        QCOMPARE(root("POST", "/v1/sys/audit/second", fileDevice(logPath(QStringLiteral("second.log")))).status, 204);
        QCOMPARE(data(root("GET", "/v1/sys/audit")).keys(),
                 (QStringList{QStringLiteral("file/"), QStringLiteral("second/")}));
        QCOMPARE(root("DELETE", "/v1/sys/audit/file").status, 204);
        QCOMPARE(root("DELETE", "/v1/sys/audit/second/").status, 204);
        QVERIFY(data(root("GET", "/v1/sys/audit")).isEmpty());
        QCOMPARE(root("DELETE", "/v1/sys/audit/file").status, 204); // disabling nothing succeeds, as in Vault
        QVERIFY(audit::verifyFile(file).intact());
    }

    void badInputChangesNothing_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QJsonObject>("body");
        QTest::addColumn<int>("status");
        const QString main = logPath(QStringLiteral("main.log"));
        const auto withOptions = [](const QJsonObject &options) {
            return QJsonObject{{QStringLiteral("type"), QStringLiteral("file")}, {QStringLiteral("options"), options}};
        };
        const auto path = [](const QString &p) { return QJsonObject{{QStringLiteral("file_path"), p}}; };
        QTest::newRow("no type") << QByteArray("PUT") << QByteArray("/v1/sys/audit/x")
                                 << QJsonObject{{QStringLiteral("options"), path(logPath(QStringLiteral("x.log")))}}
                                 << 400;
        QTest::newRow("unknown type") << QByteArray("PUT") << QByteArray("/v1/sys/audit/x")
                                      << QJsonObject{{QStringLiteral("type"), QStringLiteral("syslog")}} << 400;
        QTest::newRow("no file_path") << QByteArray("PUT") << QByteArray("/v1/sys/audit/x")
                                      << QJsonObject{{QStringLiteral("type"), QStringLiteral("file")}} << 400;
        QTest::newRow("relative file_path")
            << QByteArray("PUT") << QByteArray("/v1/sys/audit/x") << withOptions(path(QStringLiteral("x.log"))) << 400;
        QTest::newRow("options not an object")
            << QByteArray("PUT") << QByteArray("/v1/sys/audit/x")
            << QJsonObject{{QStringLiteral("type"), QStringLiteral("file")}, {QStringLiteral("options"), 3}} << 400;
        QJsonObject unknownOption = path(logPath(QStringLiteral("x.log")));
        unknownOption.insert(QStringLiteral("format"), QStringLiteral("jsonx"));
        QTest::newRow("unknown option") << QByteArray("PUT") << QByteArray("/v1/sys/audit/x")
                                        << withOptions(unknownOption) << 400;
        QJsonObject badMode = path(logPath(QStringLiteral("x.log")));
        badMode.insert(QStringLiteral("mode"), QStringLiteral("999"));
        QTest::newRow("bad mode") << QByteArray("PUT") << QByteArray("/v1/sys/audit/x") << withOptions(badMode) << 400;
        QTest::newRow("description not a string")
            << QByteArray("PUT") << QByteArray("/v1/sys/audit/x")
            << QJsonObject{{QStringLiteral("type"), QStringLiteral("file")},
                           {QStringLiteral("description"), 5},
                           {QStringLiteral("options"), path(logPath(QStringLiteral("x.log")))}}
            << 400;
        QTest::newRow("duplicate path") << QByteArray("PUT") << QByteArray("/v1/sys/audit/main")
                                        << withOptions(path(logPath(QStringLiteral("other.log")))) << 400;
        QTest::newRow("file of another device")
            << QByteArray("PUT") << QByteArray("/v1/sys/audit/x") << withOptions(path(main)) << 400;
        QTest::newRow("missing directory") << QByteArray("PUT") << QByteArray("/v1/sys/audit/x")
                                           << withOptions(path(logPath(QStringLiteral("no/such/dir/x.log")))) << 400;
        QTest::newRow("file is a directory")
            << QByteArray("PUT") << QByteArray("/v1/sys/audit/x") << withOptions(path(m_gk.storageDir())) << 400;
        QTest::newRow("bad path") << QByteArray("PUT") << QByteArray("/v1/sys/audit/-x")
                                  << withOptions(path(logPath(QStringLiteral("x.log")))) << 400;
        QTest::newRow("disable bad path")
            << QByteArray("DELETE") << QByteArray("/v1/sys/audit/-x") << QJsonObject() << 400;
        QTest::newRow("read one device") << QByteArray("GET") << QByteArray("/v1/sys/audit/main") << QJsonObject()
                                         << 405;
        QTest::newRow("hash without input")
            << QByteArray("POST") << QByteArray("/v1/sys/audit-hash/main") << QJsonObject() << 400;
        QTest::newRow("hash input not a string") << QByteArray("POST") << QByteArray("/v1/sys/audit-hash/main")
                                                 << QJsonObject{{QStringLiteral("input"), 5}} << 400;
        QTest::newRow("hash of no device") << QByteArray("POST") << QByteArray("/v1/sys/audit-hash/nope")
                                           << QJsonObject{{QStringLiteral("input"), QStringLiteral("x")}} << 400;
    }
    void badInputChangesNothing()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, target);
        QFETCH(QJsonObject, body);
        QFETCH(int, status);
        const QString main = logPath(QStringLiteral("main.log"));
        QCOMPARE(root("PUT", "/v1/sys/audit/main", fileDevice(main)).status, 204);
        const QByteArray before = listing();
        const HttpAnswer a = root(method, target, body);
        QCOMPARE(a.status, status);
        QVERIFY(!a.errors().isEmpty());
        QCOMPARE(listing(), before);
        QVERIFY(!QFile::exists(logPath(QStringLiteral("x.log"))));
        QVERIFY(!QFile::exists(logPath(QStringLiteral("other.log"))));
        QCOMPARE(root("DELETE", "/v1/sys/audit/main").status, 204);
        QVERIFY(audit::verifyFile(main).intact());
    }

    void needsSudo()
    {
        QCOMPARE(root("PUT", "/v1/sys/policy/auditor",
                      {{QStringLiteral("policy"),
                        QStringLiteral("path \"sys/audit*\" { capabilities = [\"create\", \"read\", \"update\", "
                                       "\"delete\", \"list\"] }")}})
                     .status,
                 204);
        const HttpAnswer created = root("POST", "/v1/auth/token/create",
                                        {{QStringLiteral("policies"), QJsonArray{QStringLiteral("auditor")}}});
        QCOMPARE(created.status, 200);
        const QByteArray token = created.json()
                                     .value(QStringLiteral("auth"))
                                     .toObject()
                                     .value(QStringLiteral("client_token"))
                                     .toString()
                                     .toUtf8();
        QCOMPARE(call("GET", "/v1/sys/audit", {}, token).status, 403);
        QCOMPARE(call("PUT", "/v1/sys/audit/x", fileDevice(logPath(QStringLiteral("x.log"))), token).status, 403);
        QVERIFY(!QFile::exists(logPath(QStringLiteral("x.log"))));
        QCOMPARE(call("DELETE", "/v1/sys/audit/x", {}, token).status, 403);
        QCOMPARE(call("GET", "/v1/sys/audit").status, 403);
    }

    void linesAreWrittenAndValuesHashed()
    {
        const QString file = logPath(QStringLiteral("trail.log"));
        QCOMPARE(root("PUT", "/v1/sys/audit/trail", fileDevice(file)).status, 204);

        const QString password = QStringLiteral("audit-Pa55word-plain");
        const QString secret = QStringLiteral("audit-secret-value-0123456789");
        HttpAnswer a = root("POST", "/v1/auth/token/create",
                            {{QStringLiteral("ttl"), QStringLiteral("1h")},
                             {QStringLiteral("policies"), QJsonArray{QStringLiteral("default")}}});
        QCOMPARE(a.status, 200);
        const QJsonObject created = a.json().value(QStringLiteral("auth")).toObject();
        const QString child = created.value(QStringLiteral("client_token")).toString();
        const QString childAccessor = created.value(QStringLiteral("accessor")).toString();
        QCOMPARE(root("POST", "/v1/sys/auth/userpass", {{QStringLiteral("type"), QStringLiteral("userpass")}}).status,
                 204);
        QCOMPARE(root("POST", "/v1/auth/userpass/users/alice",
                      {{QStringLiteral("password"), password}, {QStringLiteral("policies"), QStringLiteral("default")}})
                     .status,
                 204);
        a = call("POST", "/v1/auth/userpass/login/alice", {{QStringLiteral("password"), password}});
        QCOMPARE(a.status, 200);
        const QString login =
            a.json().value(QStringLiteral("auth")).toObject().value(QStringLiteral("client_token")).toString();
        QCOMPARE(
            root("PUT", "/v1/secret/app", {{QStringLiteral("api_key"), secret}, {QStringLiteral("pin"), 4711}}).status,
            204);
        a = call("GET", "/v1/secret/app", {}, child.toUtf8());
        QCOMPARE(a.status, 403); // the child token has only the default policy: denied requests are audited too
        a = call("POST", "/v1/auth/token/lookup", {{QStringLiteral("token"), child}}, m_root);
        QCOMPARE(a.status, 200);

        const QByteArray text = readAll(file);
        for (const QString &plain :
             {QString::fromUtf8(m_root), child, childAccessor, login, password, secret})
            QVERIFY2(!text.contains(plain.toUtf8()), qPrintable(plain));
        // The number as a JSON value, in any spacing (the digits alone may well occur inside hex hashes and ids).
        static const QRegularExpression pinValue(QStringLiteral("[:\\[,]\\s*\"?4711\\b"));
        QVERIFY2(!QString::fromUtf8(text).contains(pinValue), "the pin in plain text");

        // One request and one response line per request, the request first, with the same id.
        const QList<QJsonObject> lines = entries(file);
        QVERIFY(lines.size() >= 14);
        QHash<QString, QStringList> byId;
        for (const QJsonObject &e : lines)
            byId[e.value(QStringLiteral("request")).toObject().value(QStringLiteral("id")).toString()].append(
                e.value(QStringLiteral("type")).toString());
        for (auto it = byId.cbegin(); it != byId.cend(); ++it)
            QCOMPARE(it.value(), (QStringList{QStringLiteral("request"), QStringLiteral("response")}));

        const QString rootHash = auditHash(QStringLiteral("trail"), QString::fromUtf8(m_root));
        QVERIFY(rootHash.startsWith(QLatin1String("hmac-sha256:")));
        const auto find = [&](const QString &type, const QString &path, const QString &op) {
            for (const QJsonObject &e : lines) {
                const QJsonObject req = e.value(QStringLiteral("request")).toObject();
                if (e.value(QStringLiteral("type")).toString() == type &&
                    req.value(QStringLiteral("path")).toString() == path &&
                    req.value(QStringLiteral("operation")).toString() == op)
                    return e;
            }
            return QJsonObject();
        };
        const QJsonObject kvWrite =
            find(QStringLiteral("request"), QStringLiteral("secret/app"), QStringLiteral("update"));
        QVERIFY(!kvWrite.isEmpty());
        const QJsonObject kvRequest = kvWrite.value(QStringLiteral("request")).toObject();
        QCOMPARE(kvRequest.value(QStringLiteral("mount_point")).toString(), QStringLiteral("secret/"));
        QCOMPARE(kvRequest.value(QStringLiteral("remote_address")).toString(), QStringLiteral("127.0.0.1"));
        QCOMPARE(kvRequest.value(QStringLiteral("client_token")).toString(), rootHash);
        QCOMPARE(kvWrite.value(QStringLiteral("auth")).toObject().value(QStringLiteral("client_token")).toString(),
                 rootHash);
        QCOMPARE(kvWrite.value(QStringLiteral("auth"))
                     .toObject()
                     .value(QStringLiteral("policies"))
                     .toArray()
                     .first()
                     .toString(),
                 QStringLiteral("root"));
        const QJsonObject kvData = kvRequest.value(QStringLiteral("data")).toObject();
        QCOMPARE(kvData.value(QStringLiteral("api_key")).toString(), auditHash(QStringLiteral("trail"), secret));
        QCOMPARE(kvData.value(QStringLiteral("pin")).toString(),
                 auditHash(QStringLiteral("trail"), QStringLiteral("4711")));
        QVERIFY(!kvWrite.value(QStringLiteral("time")).toString().isEmpty());

        const QJsonObject loginResponse =
            find(QStringLiteral("response"), QStringLiteral("auth/userpass/login/alice"), QStringLiteral("update"));
        QCOMPARE(loginResponse.value(QStringLiteral("response")).toObject().value(QStringLiteral("status")).toInt(),
                 200);
        const QJsonObject loginAuth =
            loginResponse.value(QStringLiteral("response")).toObject().value(QStringLiteral("auth")).toObject();
        QCOMPARE(loginAuth.value(QStringLiteral("client_token")).toString(), auditHash(QStringLiteral("trail"), login));
        QCOMPARE(loginAuth.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("username")).toString(),
                 QStringLiteral("alice"));
        const QJsonObject loginRequest =
            find(QStringLiteral("request"), QStringLiteral("auth/userpass/login/alice"), QStringLiteral("update"));
        QCOMPARE(loginRequest.value(QStringLiteral("request"))
                     .toObject()
                     .value(QStringLiteral("data"))
                     .toObject()
                     .value(QStringLiteral("password"))
                     .toString(),
                 auditHash(QStringLiteral("trail"), password));

        const QJsonObject denied =
            find(QStringLiteral("response"), QStringLiteral("secret/app"), QStringLiteral("read"));
        QCOMPARE(denied.value(QStringLiteral("response")).toObject().value(QStringLiteral("status")).toInt(), 403);
        QCOMPARE(denied.value(QStringLiteral("error")).toString(), QStringLiteral("permission denied"));

        const QJsonObject lookup =
            find(QStringLiteral("response"), QStringLiteral("auth/token/lookup"), QStringLiteral("update"));
        const QJsonObject lookupData =
            lookup.value(QStringLiteral("response")).toObject().value(QStringLiteral("data")).toObject();
        QCOMPARE(lookupData.value(QStringLiteral("id")).toString(), auditHash(QStringLiteral("trail"), child));
        QCOMPARE(lookupData.value(QStringLiteral("accessor")).toString(),
                 auditHash(QStringLiteral("trail"), childAccessor));

        const audit::VerifyResult verified = audit::verifyFile(file);
        QVERIFY2(verified.intact(), qPrintable(verified.reason));

        // Tampering with a line is reported at that line.
        QList<QByteArray> raw = readAll(file).split('\n');
        raw[2].replace("\"type\":\"", "\"type\":\"x");
        QFile out(logPath(QStringLiteral("tampered.log")));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(raw.join('\n'));
        out.close();
        QCOMPARE(audit::verifyFile(out.fileName()).brokenLine, 3);

        QCOMPARE(root("DELETE", "/v1/sys/audit/trail").status, 204);
        QCOMPARE(root("DELETE", "/v1/sys/auth/userpass").status, 204);
    }

    void failsClosed()
    {
        const QString dir = logPath(QStringLiteral("closed"));
        QVERIFY(QDir().mkpath(dir));
        const QString file = dir + QStringLiteral("/audit.log");
        QCOMPARE(root("PUT", "/v1/sys/audit/closed", fileDevice(file)).status, 204);
        QCOMPARE(root("PUT", "/v1/secret/before", {{QStringLiteral("v"), QStringLiteral("1")}}).status, 204);

        // No device can write: the request fails and its handler does not run.
        QVERIFY(QDir(dir).removeRecursively());
        HttpAnswer a = root("PUT", "/v1/secret/closed", {{QStringLiteral("v"), QStringLiteral("2")}});
        QCOMPARE(a.status, 500);
        QVERIFY(!a.errors().isEmpty());
        QCOMPARE(root("GET", "/v1/sys/audit").status, 500);
        QCOMPARE(call("GET", "/v1/sys/health").status, 500);
        // A directory in the file's place: still nothing can be written.
        QVERIFY(QDir().mkpath(file));
        QCOMPARE(root("PUT", "/v1/secret/closed", {{QStringLiteral("v"), QStringLiteral("3")}}).status, 500);
        QVERIFY(QDir(file).removeRecursively());

        // The device writes again (a new file), and the write above never happened.
        QCOMPARE(root("GET", "/v1/secret/closed").status, 404);
        QCOMPARE(root("GET", "/v1/secret/before").status, 200);
        QVERIFY(audit::verifyFile(file).intact());

        // With a second, working device the requests go on while the first cannot write.
        const QString other = logPath(QStringLiteral("other-device.log"));
        QCOMPARE(root("PUT", "/v1/sys/audit/other", fileDevice(other)).status, 204);
        QVERIFY(QDir(dir).removeRecursively());
        QCOMPARE(root("PUT", "/v1/secret/closed", {{QStringLiteral("v"), QStringLiteral("4")}}).status, 204);
        QVERIFY(readAll(other).contains("\"path\":\"secret/closed\""));
        QCOMPARE(root("DELETE", "/v1/sys/audit/closed").status, 204);
        QCOMPARE(root("DELETE", "/v1/sys/audit/other").status, 204);

        // With no device, requests run normally.
        QVERIFY(data(root("GET", "/v1/sys/audit")).isEmpty());
        QCOMPARE(root("DELETE", "/v1/secret/closed").status, 204);
        QVERIFY(!QFile::exists(file));
    }

    void devicesSurviveSealAndRestart()
    {
        const QString file = logPath(QStringLiteral("kept.log"));
        QCOMPARE(root("PUT", "/v1/sys/audit/kept", fileDevice(file)).status, 204);
        QCOMPARE(root("PUT", "/v1/sys/seal").status, 204);
        QVERIFY(m_gk.unseal());
        QVERIFY(data(root("GET", "/v1/sys/audit")).contains(QStringLiteral("kept/")));
        const QString hashBefore = auditHash(QStringLiteral("kept"), QStringLiteral("same-input"));
        const qsizetype linesBefore = entries(file).size();

        QVERIFY(m_gk.reopen());
        QCOMPARE(call("GET", "/v1/sys/audit", {}, m_root).status, 503);
        QVERIFY(m_gk.unseal());
        QVERIFY(data(root("GET", "/v1/sys/audit")).contains(QStringLiteral("kept/")));
        // The key lives in the barrier: the same input hashes the same after a restart.
        QCOMPARE(auditHash(QStringLiteral("kept"), QStringLiteral("same-input")), hashBefore);
        QVERIFY(entries(file).size() > linesBefore);
        const audit::VerifyResult r = audit::verifyFile(file);
        QVERIFY2(r.intact(), qPrintable(r.reason));
        QCOMPARE(root("DELETE", "/v1/sys/audit/kept").status, 204);
    }
};

QTEST_GUILESS_MAIN(TestAuditApi)
#include "tst_audit_api.moc"
