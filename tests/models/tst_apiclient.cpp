// ApiClient over real HTTP. The API calls run against a real gk::Server on 127.0.0.1:0 (in-memory storage, dev mode
// or freshly initialised); the client's own failure handling (non-JSON answers, silence, refused connections, what
// goes on the wire) runs against RawHttpFixture, a few lines of QTcpServer that answer canned bytes, because a
// correct server cannot be made to misbehave on purpose.

#include "ApiClient.h"
#include "SealStatus.h"
#include "Server.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using gk::ApiClient;
using gk::ApiReply;

namespace {

// One canned answer per connection; records the last request head.
class RawHttpFixture final : public QObject
{
    Q_OBJECT

public:
    RawHttpFixture()
    {
        connect(&m_server, &QTcpServer::newConnection, this, &RawHttpFixture::accept);
        if (!m_server.listen(QHostAddress::LocalHost, 0))
            qFatal("fixture cannot listen");
    }

    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort())); }
    // Answer with these bytes; an empty answer means never answer.
    void setAnswer(QByteArray answer) { m_answer = std::move(answer); }
    static QByteArray json(int status, const QByteArray &reason, const QByteArray &body)
    {
        return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason +
               "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
               QByteArray::number(body.size()) + "\r\n\r\n" + body;
    }
    QByteArray lastRequestLine() const { return m_lastHead.left(m_lastHead.indexOf("\r\n")); }
    QByteArray lastHead() const { return m_lastHead; }
    QByteArray lastBody() const { return m_lastBody; }

private:
    void accept()
    {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            auto buffer = std::make_shared<QByteArray>();
            connect(socket, &QTcpSocket::readyRead, this, [this, socket, buffer] {
                buffer->append(socket->readAll());
                const qsizetype headEnd = buffer->indexOf("\r\n\r\n");
                if (headEnd < 0)
                    return;
                const QByteArray head = buffer->left(headEnd);
                qsizetype length = 0;
                for (const QByteArray &line : head.split('\n')) {
                    if (line.toLower().startsWith("content-length:"))
                        length = line.mid(15).trimmed().toLongLong();
                }
                if (buffer->size() < headEnd + 4 + length)
                    return;
                m_lastHead = head;
                m_lastBody = buffer->mid(headEnd + 4, length);
                buffer->clear();
                if (!m_answer.isEmpty()) {
                    socket->write(m_answer);
                    socket->disconnectFromHost();
                }
            });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    }

    QTcpServer m_server;
    QByteArray m_answer;
    QByteArray m_lastHead;
    QByteArray m_lastBody;
};

bool finishes(ApiReply *reply, int timeoutMs = 10000)
{
    if (reply->isFinished())
        return true;
    QSignalSpy spy(reply, &ApiReply::finished);
    return spy.wait(timeoutMs);
}

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

QStringList logged;

void captureLog(QtMsgType, const QMessageLogContext &, const QString &message)
{
    logged.append(message);
}

} // namespace

class TestApiClient final : public QObject
{
    Q_OBJECT

private slots:
    // --- against a real gk::Server ---

    void devServerSealStatusAndHealth()
    {
        const auto server = startServer(true);
        QVERIFY(server);
        ApiClient client;
        client.setBaseUrl(urlOf(*server));

        ApiReply *reply = client.sealStatus();
        QVERIFY(finishes(reply));
        QVERIFY2(reply->isOk(), qPrintable(reply->errorString()));
        QCOMPARE(reply->status(), 200);
        QString error;
        const auto status = gk::SealStatus::fromJson(reply->json(), &error);
        QVERIFY2(status, qPrintable(error));
        QVERIFY(status->initialized);
        QVERIFY(!status->sealed);
        QCOMPARE(status->threshold, 1);
        QCOMPARE(status->shares, 1);
        delete reply;

        ApiReply *health = client.health();
        QVERIFY(finishes(health));
        QVERIFY2(health->isOk(), qPrintable(health->errorString()));
        QCOMPARE(health->status(), 200);
        QCOMPARE(health->json().value(QStringLiteral("sealed")).toBool(true), false);
        delete health;
    }

    void serverErrorsSurface()
    {
        const auto server = startServer(true);
        QVERIFY(server);
        ApiClient client;
        client.setBaseUrl(urlOf(*server));

        // Unknown path: 404 with the server's {"errors": [...]}.
        ApiReply *reply = client.request(QStringLiteral("GET"), QStringLiteral("sys/no-such-path"));
        QVERIFY(finishes(reply));
        QVERIFY(!reply->isOk());
        QCOMPARE(reply->status(), 404);
        QVERIFY(!reply->errors().isEmpty());
        QVERIFY(!reply->errors().constFirst().startsWith(QStringLiteral("The server answered HTTP"))); // its text
        delete reply;

        // Sealing needs a token.
        ApiReply *seal = client.seal();
        QVERIFY(finishes(seal));
        QCOMPARE(seal->status(), 403);
        QVERIFY(!seal->errors().isEmpty());
        delete seal;
    }

    void sealAndUnsealWithTheCallbackForm()
    {
        const auto server = startServer(true);
        QVERIFY(server);
        ApiClient client;
        client.setBaseUrl(urlOf(*server));
        client.setToken(server->devRootToken());

        ApiReply *seal = client.seal();
        QVERIFY(finishes(seal));
        QVERIFY2(seal->isOk(), qPrintable(seal->errorString()));
        delete seal;

        // sys/health answers 503 when sealed: an answer, not an error.
        ApiReply *health = client.health();
        QVERIFY(finishes(health));
        QVERIFY2(health->isOk(), qPrintable(health->errorString()));
        QCOMPARE(health->status(), 503);
        QCOMPARE(health->json().value(QStringLiteral("sealed")).toBool(false), true);
        delete health;

        int calls = 0;
        bool sealedAfterUnseal = true;
        client.request(QStringLiteral("PUT"), QStringLiteral("/v1/sys/unseal"),
                       {{QStringLiteral("key"), server->devUnsealKey()}}, this,
                       [&](int status, const QJsonObject &body, const QStringList &errors) {
                           ++calls;
                           QCOMPARE(status, 200);
                           QVERIFY(errors.isEmpty());
                           sealedAfterUnseal = body.value(QStringLiteral("sealed")).toBool(true);
                       });
        QTRY_COMPARE(calls, 1);
        QVERIFY(!sealedAfterUnseal);
    }

    void initAndUnsealProgress()
    {
        const auto server = startServer(false);
        QVERIFY(server);
        ApiClient client;
        client.setBaseUrl(urlOf(*server));

        ApiReply *health = client.health();
        QVERIFY(finishes(health));
        QVERIFY2(health->isOk(), qPrintable(health->errorString()));
        QCOMPARE(health->status(), 501); // not initialised
        delete health;

        ApiReply *init = client.init(3, 2);
        QVERIFY(finishes(init));
        QVERIFY2(init->isOk(), qPrintable(init->errorString()));
        const QJsonArray keys = init->json().value(QStringLiteral("keys")).toArray();
        QCOMPARE(keys.size(), 3);
        QVERIFY(!init->json().value(QStringLiteral("root_token")).toString().isEmpty());
        delete init;

        ApiReply *unseal = client.unseal(keys.at(0).toString());
        QVERIFY(finishes(unseal));
        QVERIFY2(unseal->isOk(), qPrintable(unseal->errorString()));
        auto status = gk::SealStatus::fromJson(unseal->json());
        QVERIFY(status);
        QVERIFY(status->sealed);
        QCOMPARE(status->progress, 1);
        QCOMPARE(status->threshold, 2);
        QCOMPARE(status->shares, 3);
        delete unseal;

        ApiReply *reset = client.resetUnseal();
        QVERIFY(finishes(reset));
        QVERIFY2(reset->isOk(), qPrintable(reset->errorString()));
        status = gk::SealStatus::fromJson(reset->json());
        QVERIFY(status);
        QCOMPARE(status->progress, 0);
        delete reset;
    }

    // --- the client's own behaviour, against RawHttpFixture ---

    void wireFormat()
    {
        RawHttpFixture fixture;
        fixture.setAnswer(RawHttpFixture::json(200, "OK", R"({"data":{"keys":["a"]}})"));
        ApiClient client;
        client.setBaseUrl(fixture.url());
        client.setToken(QStringLiteral("s.wire-token"));

        ApiReply *list = client.request(QStringLiteral("LIST"), QStringLiteral("secret/things"));
        QVERIFY(finishes(list));
        QVERIFY2(list->isOk(), qPrintable(list->errorString()));
        QCOMPARE(fixture.lastRequestLine(), QByteArray("GET /v1/secret/things?list=true HTTP/1.1"));
        QVERIFY(fixture.lastHead().contains("X-Vault-Token: s.wire-token"));
        QCOMPARE(list->json().value(QStringLiteral("data")).toObject().value(QStringLiteral("keys")).toArray().size(),
                 1);
        delete list;

        ApiReply *put = client.request(QStringLiteral("put"), QStringLiteral("/v1/sys/init"),
                                       {{QStringLiteral("secret_shares"), 1}});
        QVERIFY(finishes(put));
        QCOMPARE(fixture.lastRequestLine(), QByteArray("PUT /v1/sys/init HTTP/1.1"));
        QCOMPARE(fixture.lastBody(), QByteArray(R"({"secret_shares":1})"));
        QVERIFY(fixture.lastHead().toLower().contains("content-type: application/json"));
        delete put;

        client.clearToken();
        ApiReply *root = client.request(QStringLiteral("GET"), QStringLiteral("/status?verbose=1"));
        QVERIFY(finishes(root));
        QCOMPARE(fixture.lastRequestLine(), QByteArray("GET /status?verbose=1 HTTP/1.1"));
        QVERIFY(!fixture.lastHead().contains("X-Vault-Token"));
        delete root;
    }

    void errorBodies()
    {
        RawHttpFixture fixture;
        ApiClient client;
        client.setBaseUrl(fixture.url());

        fixture.setAnswer(RawHttpFixture::json(400, "Bad Request", R"({"errors":["missing key","bad share"]})"));
        ApiReply *reply = client.sealStatus();
        QVERIFY(finishes(reply));
        QCOMPARE(reply->status(), 400);
        QCOMPARE(reply->errors(), QStringList({QStringLiteral("missing key"), QStringLiteral("bad share")}));
        QCOMPARE(reply->errorString(), QStringLiteral("missing key; bad share"));
        delete reply;

        fixture.setAnswer(RawHttpFixture::json(502, "Bad Gateway", ""));
        reply = client.sealStatus();
        QVERIFY(finishes(reply));
        QCOMPARE(reply->status(), 502);
        QCOMPARE(reply->errors(), QStringList(QStringLiteral("The server answered HTTP 502 Bad Gateway")));
        delete reply;

        fixture.setAnswer(RawHttpFixture::json(200, "OK", "<html>proxy login</html>"));
        reply = client.sealStatus();
        QVERIFY(finishes(reply));
        QCOMPARE(reply->status(), 200);
        QVERIFY(!reply->isOk());
        QVERIFY2(reply->errorString().contains(QStringLiteral("not JSON")), qPrintable(reply->errorString()));
        delete reply;

        fixture.setAnswer("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
        reply = client.seal();
        QVERIFY(finishes(reply));
        QVERIFY(reply->isOk());
        QCOMPARE(reply->status(), 204);
        QVERIFY(reply->json().isEmpty());
        delete reply;
    }

    void networkFailures()
    {
        ApiClient client;
        ApiReply *noAddress = client.sealStatus();
        QVERIFY(!noAddress->isFinished()); // always asynchronous
        QVERIFY(finishes(noAddress));
        QCOMPARE(noAddress->status(), 0);
        QCOMPARE(noAddress->errorString(), QStringLiteral("No server address is set"));
        delete noAddress;

        quint16 closedPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            closedPort = probe.serverPort();
        }
        client.setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(closedPort)));
        ApiReply *refused = client.sealStatus();
        QVERIFY(finishes(refused));
        QCOMPARE(refused->status(), 0);
        QVERIFY2(refused->errorString().contains(QStringLiteral("connection refused")),
                 qPrintable(refused->errorString()));
        QVERIFY(refused->errorString().contains(QString::number(closedPort)));
        delete refused;

        RawHttpFixture silent; // never answers
        client.setBaseUrl(silent.url());
        client.setTimeoutMs(300);
        ApiReply *timedOut = client.sealStatus();
        QVERIFY(finishes(timedOut));
        QCOMPARE(timedOut->status(), 0);
        QVERIFY2(timedOut->errorString().startsWith(QStringLiteral("Timed out")), qPrintable(timedOut->errorString()));
        delete timedOut;

        client.setTimeoutMs(30000);
        ApiReply *aborted = client.sealStatus();
        aborted->abort();
        QVERIFY(finishes(aborted));
        QVERIFY2(aborted->errorString().contains(QStringLiteral("cancelled")), qPrintable(aborted->errorString()));
        delete aborted;

        ApiReply *badMethod = client.request(QStringLiteral("BREW"), QStringLiteral("sys/coffee"));
        QVERIFY(finishes(badMethod));
        QVERIFY(badMethod->errorString().contains(QStringLiteral("BREW")));
        delete badMethod;

        client.setBaseUrl(QUrl(QStringLiteral("ftp://127.0.0.1:21")));
        ApiReply *badScheme = client.sealStatus();
        QVERIFY(finishes(badScheme));
        QVERIFY(badScheme->errorString().contains(QStringLiteral("ftp")));
        delete badScheme;
    }

    void callbackNeedsItsContext()
    {
        RawHttpFixture fixture;
        fixture.setAnswer(RawHttpFixture::json(200, "OK", R"({"initialized":true,"sealed":false})"));
        ApiClient client;
        client.setBaseUrl(fixture.url());

        int calls = 0;
        auto context = std::make_unique<QObject>();
        ApiReply *reply = client.sealStatus();
        QPointer<ApiReply> watch(reply);
        reply->onFinished(context.get(), [&](int, const QJsonObject &, const QStringList &) { ++calls; });
        context.reset();
        QTRY_VERIFY(!watch); // deleted after finishing, callback skipped
        QCOMPARE(calls, 0);

        // onFinished on an already finished reply still calls back, later.
        ApiReply *done = client.sealStatus();
        QVERIFY(finishes(done));
        done->onFinished(this, [&](int status, const QJsonObject &, const QStringList &) { calls += status; });
        QCOMPARE(calls, 0);
        QTRY_COMPARE(calls, 200);
    }

    void destroyingTheClientEndsItsReplies()
    {
        RawHttpFixture silent; // never answers
        auto client = std::make_unique<ApiClient>();
        client->setBaseUrl(silent.url());
        int calls = 0;
        QPointer<ApiReply> pending = client->sealStatus();
        pending->onFinished(this, [&](int, const QJsonObject &, const QStringList &) { ++calls; });
        QTRY_VERIFY(!silent.lastHead().isEmpty()); // the request is on the wire
        client.reset();
        QVERIFY(!pending);
        QTest::qWait(50);
        QCOMPARE(calls, 0);
    }

    void tokenIsNeverLogged()
    {
        RawHttpFixture fixture;
        fixture.setAnswer(RawHttpFixture::json(403, "Forbidden", R"({"errors":["permission denied"]})"));
        ApiClient client;
        client.setBaseUrl(fixture.url());
        const QString token = QStringLiteral("s.very-secret-token-1234");
        client.setToken(token);

        QLoggingCategory::setFilterRules(QStringLiteral("gatekeeper.*=true"));
        logged.clear();
        const QtMessageHandler previous = qInstallMessageHandler(captureLog);
        ApiReply *reply = client.unseal(QStringLiteral("unseal-key-material"));
        const bool finished = finishes(reply);
        qInstallMessageHandler(previous);
        QLoggingCategory::setFilterRules(QString());
        QVERIFY(finished);
        QVERIFY(fixture.lastHead().contains(token.toUtf8()));
        QVERIFY(!logged.isEmpty()); // the call was logged...
        for (const QString &line : std::as_const(logged)) {
            QVERIFY2(!line.contains(token), qPrintable(line)); // ...without the token
            QVERIFY2(!line.contains(QStringLiteral("unseal-key-material")), qPrintable(line));
        }
        delete reply;
    }

    void caCertificateFile()
    {
        ApiClient client;
        QVERIFY(client.tlsVerification());
        QString error;
        QVERIFY(!client.setCaCertificateFile(QStringLiteral("/nonexistent/ca.pem"), &error));
        QVERIFY(error.contains(QStringLiteral("/nonexistent/ca.pem")));
        QVERIFY(client.caCertificateFile().isEmpty());
        QVERIFY(client.setCaCertificateFile(QString()));
    }
};

QTEST_GUILESS_MAIN(TestApiClient)
#include "tst_apiclient.moc"
