// The remote scheduler adapters (nomad, mesos, kubernetes) end to end: POST /token through a grid of each type,
// whose scheduler is a small HTTP server started by the test. No real scheduler can run here: the fake answers with
// payloads shaped as each scheduler's public API reference documents them (Nomad GET /v1/allocation/:id,
// /v1/node/:id, /v1/nodes; Mesos GET /master/tasks, /master/slaves; Kubernetes GET
// /api/v1/namespaces/:ns/pods/:name, /api/v1/nodes). Covered for each: a running task (200, with the grid's token
// sent in the scheduler's header), a task not running (403) or unknown (401), one started too long ago (403), and a
// scheduler that is down, slow (answers after the deadline) or answers garbage (500, the failed counter rises).
// Also: node addresses asked for once, a Nomad allocation without a task name, the grid's CA certificate trusted for
// an HTTPS scheduler (and nothing else is), each adapter's nodes, and the RFC 3339 times schedulers write.

#include "TestCertificate.h"
#include "UnsealedServer.h"

#include "engine/Engine.h"
#include "engine/broker/Broker.h"
#include "engine/broker/SchedulerHttp.h"
#include "engine/broker/TaskLookup.h"

#include <QDateTime>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QMutexLocker>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <memory>
#include <optional>

using namespace gk;
using gk::test::HttpAnswer;
using gk::test::UnsealedServer;

namespace {

QByteArray compact(const QJsonValue &v)
{
    return v.isArray() ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                       : QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact);
}

// A scheduler's HTTP API as a test scripts it: each GET target (path and query) answers its scripted status and body,
// after an optional delay; any other target a 404. Runs in a thread of its own on 127.0.0.1, over TLS when given a
// certificate, and keeps the headers of every request (names in lower case).
class FakeScheduler final
{
public:
    struct Answer
    {
        int status = 200;
        QByteArray body;
        int delayMs = 0;
    };

    explicit FakeScheduler(std::optional<QSslConfiguration> tls = std::nullopt) : m_thread(std::make_unique<QThread>())
    {
        m_context = new QObject;
        m_context->moveToThread(m_thread.get());
        QObject::connect(m_thread.get(), &QThread::finished, m_context, &QObject::deleteLater);
        m_thread->start();
        QMetaObject::invokeMethod(
            m_context,
            [this, tls] {
                QTcpServer *server = nullptr;
                if (tls) {
                    auto *ssl = new QSslServer(m_context);
                    ssl->setSslConfiguration(*tls);
                    server = ssl;
                } else {
                    server = new QTcpServer(m_context);
                }
                QObject::connect(server, &QTcpServer::pendingConnectionAvailable, server, [this, server] {
                    while (QTcpSocket *socket = server->nextPendingConnection())
                        serve(socket);
                });
                if (server->listen(QHostAddress::LocalHost, 0))
                    m_port = server->serverPort();
            },
            Qt::BlockingQueuedConnection);
    }
    ~FakeScheduler()
    {
        m_thread->quit();
        m_thread->wait();
    }
    Q_DISABLE_COPY_MOVE(FakeScheduler)

    QString address(const char *scheme = "http") const
    {
        return QStringLiteral("%1://127.0.0.1:%2").arg(QLatin1String(scheme)).arg(m_port);
    }
    void script(const QString &target, const QJsonValue &json, int status = 200, int delayMs = 0)
    {
        scriptRaw(target, compact(json), status, delayMs);
    }
    void scriptRaw(const QString &target, const QByteArray &body, int status = 200, int delayMs = 0)
    {
        QMutexLocker lock(&m_mutex);
        m_answers.insert(target.toUtf8(), Answer{status, body, delayMs});
    }
    // The headers of the last request for target (empty when none came).
    QHash<QByteArray, QByteArray> lastHeaders(const QString &target) const
    {
        QMutexLocker lock(&m_mutex);
        return m_headers.value(target.toUtf8());
    }
    int hits(const QString &target) const
    {
        QMutexLocker lock(&m_mutex);
        return m_hits.value(target.toUtf8());
    }

private:
    void serve(QTcpSocket *socket)
    {
        auto buffer = std::make_shared<QByteArray>();
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
            buffer->append(socket->readAll());
            const qsizetype headEnd = buffer->indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            const QList<QByteArray> lines = buffer->first(headEnd).split('\n');
            buffer->clear();
            const QByteArray target = lines.first().split(' ').value(1);
            QHash<QByteArray, QByteArray> headers;
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const qsizetype colon = lines.at(i).indexOf(':');
                if (colon > 0)
                    headers.insert(lines.at(i).first(colon).trimmed().toLower(), lines.at(i).mid(colon + 1).trimmed());
            }
            Answer answer{404, QByteArrayLiteral("{\"message\":\"not found\"}"), 0};
            {
                QMutexLocker lock(&m_mutex);
                answer = m_answers.value(target, answer);
                m_headers.insert(target, headers);
                ++m_hits[target];
            }
            const QByteArray reply = "HTTP/1.1 " + QByteArray::number(answer.status) +
                                     " Scripted\r\nContent-Type: application/json\r\nContent-Length: " +
                                     QByteArray::number(answer.body.size()) + "\r\nConnection: close\r\n\r\n" +
                                     answer.body;
            QTimer::singleShot(answer.delayMs, socket, [socket, reply] {
                socket->write(reply);
                socket->disconnectFromHost();
            });
        });
    }

    std::unique_ptr<QThread> m_thread;
    QObject *m_context = nullptr;
    quint16 m_port = 0;
    mutable QMutex m_mutex;
    QHash<QByteArray, Answer> m_answers;
    QHash<QByteArray, QHash<QByteArray, QByteArray>> m_headers;
    QHash<QByteArray, int> m_hits;
};

QString rfc3339Nanos(qint64 secs)
{
    return QDateTime::fromSecsSinceEpoch(secs, Qt::UTC).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")) +
           QStringLiteral(".123456789Z");
}

// One scheduler's shape: how a task of it is scripted, the id /token is asked with, and where the token goes.
struct Shape
{
    QString type;
    QByteArray tokenHeader; // lower case
    QByteArray tokenPrefix;
    QString lookupTarget; // the first request a lookup makes for task "t-<n>", with %1 for n
    QString nodesTarget;
    QString hostTarget; // where the task's host is asked (empty when the task's own answer holds it)

    // Scripts task number n (started at startedAt, on 127.0.0.1) on the fake; answers the task id to ask for.
    QString scriptTask(FakeScheduler &fake, int n, bool running, qint64 startedAt) const
    {
        const QString id = QStringLiteral("t-%1").arg(n);
        if (type == u"nomad") {
            fake.script(
                QStringLiteral("/v1/allocation/") + id,
                QJsonObject{{"ID", id},
                            {"Name", "web.app[0]"},
                            {"NodeID", "node-1"},
                            {"TaskGroup", "app"},
                            {"ClientStatus", running ? "running" : "complete"},
                            {"TaskStates", QJsonObject{{"web", QJsonObject{{"State", running ? "running" : "dead"},
                                                                           {"Failed", false},
                                                                           {"StartedAt", rfc3339Nanos(startedAt)},
                                                                           {"FinishedAt", "0001-01-01T00:00:00Z"}}}}}});
            fake.script(QStringLiteral("/v1/node/node-1"), QJsonObject{{"ID", "node-1"},
                                                                       {"Name", "client-1"},
                                                                       {"HTTPAddr", "127.0.0.1:4646"},
                                                                       {"Status", "ready"}});
            return id + QStringLiteral(":web");
        }
        if (type == u"mesos") {
            const QJsonObject task{
                {"id", id},
                {"name", "web"},
                {"framework_id", "fw-1"},
                {"slave_id", "agent-1"},
                {"state", running ? "TASK_RUNNING" : "TASK_FINISHED"},
                {"statuses", QJsonArray{QJsonObject{{"state", "TASK_STARTING"}, {"timestamp", startedAt + 0.25}},
                                        QJsonObject{{"state", "TASK_RUNNING"}, {"timestamp", startedAt + 1.5}}}}};
            fake.script(QStringLiteral("/master/tasks?task_id=") + id, QJsonObject{{"tasks", QJsonArray{task}}});
            fake.script(QStringLiteral("/master/slaves?slave_id=agent-1"),
                        QJsonObject{{"slaves", QJsonArray{QJsonObject{{"id", "agent-1"},
                                                                      {"hostname", "agent-1.example"},
                                                                      {"pid", "slave(1)@127.0.0.1:5051"},
                                                                      {"active", true}}}}});
            return id;
        }
        fake.script(
            QStringLiteral("/api/v1/namespaces/prod/pods/") + id,
            QJsonObject{
                {"kind", "Pod"},
                {"apiVersion", "v1"},
                {"metadata", QJsonObject{{"name", id}, {"namespace", "prod"}, {"labels", QJsonObject{{"app", "web"}}}}},
                {"spec", QJsonObject{{"nodeName", "node-1"}}},
                {"status",
                 QJsonObject{{"phase", running ? "Running" : "Succeeded"},
                             {"hostIP", "127.0.0.1"},
                             {"podIP", "10.244.0.5"},
                             {"startTime", QDateTime::fromSecsSinceEpoch(startedAt, Qt::UTC).toString(Qt::ISODate)}}}});
        return QStringLiteral("prod/") + id;
    }
    QString askedId(int n) const
    {
        if (type == u"nomad")
            return QStringLiteral("t-%1:web").arg(n);
        if (type == u"mesos")
            return QStringLiteral("t-%1").arg(n);
        return QStringLiteral("prod/t-%1").arg(n);
    }
    void scriptNodes(FakeScheduler &fake) const
    {
        if (type == u"nomad")
            fake.script(nodesTarget,
                        QJsonArray{QJsonObject{
                            {"ID", "node-1"}, {"Name", "client-1"}, {"Address", "127.0.0.1"}, {"Status", "ready"}}});
        else if (type == u"mesos")
            fake.script(nodesTarget,
                        QJsonObject{{"slaves", QJsonArray{QJsonObject{{"id", "agent-1"},
                                                                      {"hostname", "agent-1.example"},
                                                                      {"pid", "slave(1)@127.0.0.1:5051"}}}}});
        else
            fake.script(
                nodesTarget,
                QJsonObject{
                    {"kind", "NodeList"},
                    {"items",
                     QJsonArray{QJsonObject{
                         {"metadata", QJsonObject{{"name", "node-1"}}},
                         {"status",
                          QJsonObject{{"addresses", QJsonArray{QJsonObject{{"type", "Hostname"}, {"address", "node-1"}},
                                                               QJsonObject{{"type", "InternalIP"},
                                                                           {"address", "127.0.0.1"}}}}}}}}}});
    }
};

Shape shape(const QString &type)
{
    if (type == u"nomad")
        return {type,
                "x-nomad-token",
                "",
                QStringLiteral("/v1/allocation/t-%1"),
                QStringLiteral("/v1/nodes"),
                QStringLiteral("/v1/node/node-1")};
    if (type == u"mesos")
        return {type,
                "authorization",
                "Bearer ",
                QStringLiteral("/master/tasks?task_id=t-%1"),
                QStringLiteral("/master/slaves"),
                QStringLiteral("/master/slaves?slave_id=agent-1")};
    return {type,
            "authorization",
            "Bearer ",
            QStringLiteral("/api/v1/namespaces/prod/pods/t-%1"),
            QStringLiteral("/api/v1/nodes"),
            QString()};
}

} // namespace

class TestSchedulerAdapters final : public QObject
{
    Q_OBJECT

    std::unique_ptr<UnsealedServer> m_srv;
    int m_grids = 0;
    QStringList m_gridNames;

    HttpAnswer root(QByteArrayView method, QByteArrayView target, const QJsonObject &body = {})
    {
        return m_srv->server().requestJson(method, target, body, m_srv->rootToken());
    }
    HttpAnswer tokenFor(const QString &taskId, const QString &grid)
    {
        return m_srv->server().request(
            "POST", "/token",
            compact(QJsonObject{{QStringLiteral("task_id"), taskId}, {QStringLiteral("scheduler"), grid}}));
    }
    qint64 failed()
    {
        return m_srv->server().request("GET", "/status").json()["stats"].toObject()["failed"].toInteger();
    }
    // A grid of that type on address, whose tasks may have the role "web"; its name.
    QString makeGrid(const QString &type, const QString &address, const QString &caCert = {})
    {
        const QString name = QStringLiteral("%1-%2").arg(type).arg(++m_grids);
        QJsonObject scheduler{{QStringLiteral("type"), type},
                              {QStringLiteral("address"), address},
                              {QStringLiteral("token"), QStringLiteral("sched-token-%1").arg(m_grids)}};
        if (!caCert.isEmpty())
            scheduler.insert(QStringLiteral("ca_cert"), caCert);
        const HttpAnswer a =
            root("POST", "/v1/grids", {{QStringLiteral("name"), name}, {QStringLiteral("scheduler"), scheduler}});
        if (a.status != 200)
            qWarning() << a.body;
        m_gridNames.append(name);
        return name;
    }
    void allowWebEverywhere()
    {
        QJsonObject policies;
        for (const QString &grid : std::as_const(m_gridNames))
            policies.insert(grid + QStringLiteral(":*"), QJsonObject{{QStringLiteral("roles"), QJsonArray{"web"}}});
        QCOMPARE(root("PUT", "/v1/gatekeeper/policies", policies).status, 204);
        QCOMPARE(m_srv->server().request("POST", "/policies/reload").status, 200);
    }
    static QByteArray error(const HttpAnswer &a) { return a.json().value(QStringLiteral("error")).toString().toUtf8(); }

private slots:
    void initTestCase()
    {
        EngineOptions options;
        options.passwordHashLogN = 10;
        m_srv = std::make_unique<UnsealedServer>(options);
        QVERIFY(m_srv->start());
        QVERIFY(m_srv->unseal());
        QCOMPARE(
            root("POST", "/v1/auth/token/roles/web",
                 {{QStringLiteral("allowed_policies"), QJsonArray{"default"}}, {QStringLiteral("token_ttl"), "1h"}})
                .status,
            204);
        const HttpAnswer u = m_srv->server().request(
            "POST", "/unseal",
            compact(QJsonObject{{QStringLiteral("method"), QStringLiteral("token")},
                                {QStringLiteral("token"), QString::fromUtf8(m_srv->rootToken())}}));
        QVERIFY2(u.status == 200, u.body.constData());
        TaskLookup &lookup = m_srv->engine().broker().lookup();
        lookup.setTimeoutMs(400);
        lookup.setCacheMs(0);
    }

    void cleanupTestCase() { m_srv.reset(); }

    void adapter_data()
    {
        QTest::addColumn<QString>("type");
        QTest::newRow("nomad") << QStringLiteral("nomad");
        QTest::newRow("mesos") << QStringLiteral("mesos");
        QTest::newRow("kubernetes") << QStringLiteral("kubernetes");
    }
    void adapter()
    {
        QFETCH(QString, type);
        const Shape s = shape(type);
        FakeScheduler fake;
        const QString grid = makeGrid(type, fake.address());
        const QByteArray sentToken = s.tokenPrefix + QStringLiteral("sched-token-%1").arg(m_grids).toUtf8();
        allowWebEverywhere();
        const qint64 now = QDateTime::currentSecsSinceEpoch();

        // Found and running, on the caller's host: a token; the grid's token went in the scheduler's header.
        const QString running = s.scriptTask(fake, 1, true, now - 5);
        HttpAnswer a = tokenFor(running, grid);
        QVERIFY2(a.status == 200, a.body.constData());
        QVERIFY(!a.json().value(QStringLiteral("token")).toString().isEmpty());
        QCOMPARE(fake.lastHeaders(s.lookupTarget.arg(1)).value(s.tokenHeader), sentToken);

        // Not running: the broker's 403; unknown: 401; started before the grid's task grace (120 s): 403.
        a = tokenFor(s.scriptTask(fake, 2, false, now - 5), grid);
        QVERIFY2(a.status == 403 && error(a).contains("not running"), a.body.constData());
        if (type == u"mesos")
            fake.script(s.lookupTarget.arg(3), QJsonObject{{"tasks", QJsonArray{}}});
        a = tokenFor(s.askedId(3), grid);
        QVERIFY2(a.status == 401, a.body.constData());
        a = tokenFor(s.scriptTask(fake, 4, true, now - 3600), grid);
        QVERIFY2(a.status == 403 && error(a).contains("started more than"), a.body.constData());
        // The task's node was asked for once: its address is kept across lookups.
        if (!s.hostTarget.isEmpty())
            QCOMPARE(fake.hits(s.hostTarget), 1);
        // A Nomad allocation asked for without a task name: named after its task group.
        if (type == u"nomad") {
            s.scriptTask(fake, 9, true, now - 5);
            a = tokenFor(QStringLiteral("t-9"), grid);
            QVERIFY2(a.status == 200, a.body.constData());
            a = tokenFor(QStringLiteral("t-9:sidecar"), grid);
            QVERIFY2(a.status == 401, a.body.constData());
        }

        // Garbage (not JSON, or JSON of another shape) and slow answers: 500, counted as failed.
        const qint64 before = failed();
        fake.scriptRaw(s.lookupTarget.arg(5), "{\"tasks\": [ {\"id\": ");
        a = tokenFor(s.askedId(5), grid);
        QVERIFY2(a.status == 500, a.body.constData());
        fake.script(s.lookupTarget.arg(6), QJsonObject{{"tasks", 42}, {"metadata", "x"}, {"ID", 7}});
        a = tokenFor(s.askedId(6), grid);
        QVERIFY2(a.status == 500, a.body.constData());
        fake.scriptRaw(s.lookupTarget.arg(7), "{}", 502);
        a = tokenFor(s.askedId(7), grid);
        QVERIFY2(a.status == 500, a.body.constData());
        fake.script(s.lookupTarget.arg(8), QJsonObject{}, 200, 1000);
        a = tokenFor(s.askedId(8), grid);
        QVERIFY2(a.status == 500 && error(a).contains("did not answer"), a.body.constData());
        QCOMPARE(failed(), before + 4);

        // The scheduler's nodes.
        s.scriptNodes(fake);
        const QJsonArray nodes =
            root("GET", QStringLiteral("/v1/grids/%1/nodes").arg(grid).toUtf8()).json()["nodes"].toArray();
        QCOMPARE(nodes.size(), 1);
        QCOMPARE(nodes.first()["address"].toString(), QStringLiteral("127.0.0.1"));
        QCOMPARE(fake.lastHeaders(s.nodesTarget).value(s.tokenHeader), sentToken);
    }

    void schedulerDown_data() { adapter_data(); }
    void schedulerDown()
    {
        QFETCH(QString, type);
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const QString address = QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort());
        closed.close();
        const QString grid = makeGrid(type, address);
        allowWebEverywhere();
        const qint64 before = failed();
        const HttpAnswer a = tokenFor(shape(type).askedId(1), grid);
        QVERIFY2(a.status == 500 && error(a).contains("unreachable"), a.body.constData());
        QCOMPARE(failed(), before + 1);
        QCOMPARE(m_srv->server().request("GET", "/status").status, 200);
    }

    void rfc3339Times()
    {
        QCOMPARE(SchedulerHttp::parseRfc3339(QStringLiteral("2024-05-01T10:00:00Z")), Q_INT64_C(1714557600));
        QCOMPARE(SchedulerHttp::parseRfc3339(QStringLiteral("2024-05-01T10:00:00.123456789Z")), Q_INT64_C(1714557600));
        QCOMPARE(SchedulerHttp::parseRfc3339(QStringLiteral("2024-05-01T12:00:00.5+02:00")), Q_INT64_C(1714557600));
        QCOMPARE(SchedulerHttp::parseRfc3339(QStringLiteral("0001-01-01T00:00:00Z")), Q_INT64_C(0));
        QCOMPARE(SchedulerHttp::parseRfc3339(QStringLiteral("yesterday")), Q_INT64_C(0));
        QCOMPARE(SchedulerHttp::hostOf(QStringLiteral("10.0.0.5:4646")), QStringLiteral("10.0.0.5"));
        QCOMPARE(SchedulerHttp::hostOf(QStringLiteral("[fd00::5]:4646")), QStringLiteral("fd00::5"));
    }

    // An HTTPS scheduler whose certificate only the grid's ca_cert vouches for: trusted with it, refused without it.
    void caCertIsTrusted()
    {
        if (!gk::test::TestCertificate::opensslAvailable())
            QSKIP("the openssl command line tool is not installed");
        QTemporaryDir dir;
        QString certFile, keyFile, why;
        QVERIFY2(gk::test::TestCertificate::create(dir.path(), &certFile, &keyFile, &why), qPrintable(why));
        QFile certIn(certFile), keyIn(keyFile);
        QVERIFY(certIn.open(QIODevice::ReadOnly) && keyIn.open(QIODevice::ReadOnly));
        const QByteArray certPem = certIn.readAll();
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(QSslCertificate(certPem, QSsl::Pem));
        tls.setPrivateKey(QSslKey(keyIn.readAll(), QSsl::Ec, QSsl::Pem));
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        FakeScheduler fake(tls);
        const Shape s = shape(QStringLiteral("kubernetes"));
        const QString trusting = makeGrid(s.type, fake.address("https"), QString::fromUtf8(certPem));
        const QString plain = makeGrid(s.type, fake.address("https"));
        allowWebEverywhere();
        const QString id = s.scriptTask(fake, 1, true, QDateTime::currentSecsSinceEpoch());
        HttpAnswer a = tokenFor(id, plain);
        QVERIFY2(a.status == 500, a.body.constData());
        a = tokenFor(id, trusting);
        QVERIFY2(a.status == 200, a.body.constData());
        // A connection opened with the grid's certificate is not reused for a grid that does not trust it.
        a = tokenFor(s.scriptTask(fake, 2, true, QDateTime::currentSecsSinceEpoch()), plain);
        QVERIFY2(a.status == 500, a.body.constData());
    }
};

QTEST_GUILESS_MAIN(TestSchedulerAdapters)
#include "tst_scheduler_adapters.moc"
