// Session against a real server (GateFixture): token, userpass and approle sign-in, the server's error text on
// failure, renewal before expiry, the end of a session whose token was revoked, and sign-out.

#include "ApiClient.h"
#include "ApiReply.h"
#include "GateFixture.h"
#include "Session.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QSignalSpy>
#include <QTest>

using gk::ApiClient;
using gk::ApiReply;
using gk::Session;
using gk::test::GateFixture;

namespace {

QStringList logged;

void captureLog(QtMsgType, const QMessageLogContext &context, const QString &message)
{
    logged.append(QString::fromLatin1(context.category ? context.category : "") + QLatin1Char(' ') + message);
}

// The errors text the server answers to one call, made outside any session.
QString serverError(const QUrl &url, const QString &token, const QString &method, const QString &path,
                    const QJsonObject &body = {})
{
    ApiClient client;
    client.setBaseUrl(url);
    if (!token.isEmpty())
        client.setToken(token);
    ApiReply *reply = client.request(method, path, body);
    QSignalSpy spy(reply, &ApiReply::finished);
    if (!reply->isFinished() && !spy.wait(10000))
        return QStringLiteral("<no answer>");
    const QString text = reply->errorString();
    delete reply;
    return text;
}

} // namespace

class TestSession final : public QObject
{
    Q_OBJECT

private:
    GateFixture m_gk;
    ApiClient m_client;

    // A new token made by root: its id.
    QString createToken(const QJsonObject &fields)
    {
        QJsonObject answer;
        if (m_gk.root("POST", "/v1/auth/token/create", fields, &answer) != 200)
            return {};
        return answer.value(QStringLiteral("auth")).toObject().value(QStringLiteral("client_token")).toString();
    }

    // Signs in and waits for the outcome: the error, empty on success.
    static QString signIn(Session &session, const Session::Credentials &credentials)
    {
        QSignalSpy ok(&session, &Session::signedIn);
        QSignalSpy failed(&session, &Session::signInFailed);
        session.signIn(credentials);
        if (!QTest::qWaitFor([&] { return !ok.isEmpty() || !failed.isEmpty(); }, 10000))
            return QStringLiteral("<no outcome>");
        return failed.isEmpty() ? QString() : failed.constFirst().constFirst().toString();
    }

    bool tokenWorks(const QString &token)
    {
        return m_gk.root("POST", "/v1/auth/token/lookup", {{QStringLiteral("token"), token}}) == 200;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_gk.start());
        m_client.setBaseUrl(m_gk.url());
    }

    void init() { m_client.clearToken(); }

    void signsInWithAToken()
    {
        const QString token = createToken({{QStringLiteral("policies"), QJsonArray{QStringLiteral("console")}},
                                           {QStringLiteral("display_name"), QStringLiteral("ops")},
                                           {QStringLiteral("ttl"), QStringLiteral("1h")}});
        QVERIFY(!token.isEmpty());
        Session session(&m_client);
        QCOMPARE(session.state(), Session::State::SignedOut);
        QCOMPARE(signIn(session, {Session::Method::Token, {}, {}, token}), QString());
        QCOMPARE(session.state(), Session::State::SignedIn);
        QVERIFY(m_client.hasToken());
        QCOMPARE(session.displayName(), QStringLiteral("token-ops"));
        QVERIFY2(session.policies().contains(QStringLiteral("console")), qPrintable(session.policies().join(',')));
        QVERIFY(session.renewable());
        const qint64 left = QDateTime::currentDateTimeUtc().secsTo(session.expireTime());
        QVERIFY2(left > 3500 && left <= 3600, qPrintable(QString::number(left)));

        // The client now carries the token: a call that needs it succeeds.
        ApiReply *reply = m_client.request(QStringLiteral("GET"), QStringLiteral("auth/token/lookup-self"));
        QSignalSpy done(reply, &ApiReply::finished);
        QVERIFY(done.wait(10000));
        QVERIFY2(reply->isOk(), qPrintable(reply->errorString()));
        delete reply;
    }

    void aBadTokenFailsWithTheServersText()
    {
        const QString bogus = QStringLiteral("hvs.not-a-token");
        const QString expected =
            serverError(m_gk.url(), bogus, QStringLiteral("GET"), QStringLiteral("auth/token/lookup-self"));
        QVERIFY(!expected.isEmpty());
        Session session(&m_client);
        QCOMPARE(signIn(session, {Session::Method::Token, {}, {}, bogus}), expected);
        QCOMPARE(session.state(), Session::State::SignedOut);
        QVERIFY(!m_client.hasToken());
        QVERIFY(!signIn(session, {Session::Method::Token, {}, {}, QStringLiteral("  ")}).isEmpty());
    }

    void signsInWithUserpass()
    {
        Session session(&m_client);
        QCOMPARE(signIn(session, {Session::Method::Userpass, {}, QStringLiteral("alice"), QStringLiteral("pw-alice")}),
                 QString());
        QCOMPARE(session.displayName(), QStringLiteral("userpass-alice"));
        QVERIFY(!session.entityId().isEmpty());
        QVERIFY(session.policies().contains(QStringLiteral("gate-requester")));
        QVERIFY(session.expireTime().isValid());
        QVERIFY(m_client.hasToken());

        // A wrong password: the server's text; the session already in place goes on.
        const QString expected =
            serverError(m_gk.url(), {}, QStringLiteral("POST"), QStringLiteral("auth/userpass/login/bob"),
                        {{QStringLiteral("password"), QStringLiteral("wrong")}});
        QVERIFY(!expected.isEmpty());
        QCOMPARE(signIn(session, {Session::Method::Userpass, QStringLiteral("userpass"), QStringLiteral("bob"),
                                  QStringLiteral("wrong")}),
                 expected);
        QCOMPARE(session.state(), Session::State::SignedIn);
        QCOMPARE(session.displayName(), QStringLiteral("userpass-alice"));
    }

    void signsInWithAppRole()
    {
        QCOMPARE(m_gk.root("POST", "/v1/sys/auth/machines", {{QStringLiteral("type"), QStringLiteral("approle")}}),
                 204);
        QCOMPARE(m_gk.root("POST", "/v1/auth/machines/role/deployer",
                           {{QStringLiteral("token_policies"), QStringLiteral("console")}}),
                 204);
        QJsonObject answer;
        QCOMPARE(m_gk.root("GET", "/v1/auth/machines/role/deployer/role-id", {}, &answer), 200);
        const QString roleId =
            answer.value(QStringLiteral("data")).toObject().value(QStringLiteral("role_id")).toString();
        QCOMPARE(m_gk.root("POST", "/v1/auth/machines/role/deployer/secret-id", {}, &answer), 200);
        const QString secretId =
            answer.value(QStringLiteral("data")).toObject().value(QStringLiteral("secret_id")).toString();
        QVERIFY(!roleId.isEmpty() && !secretId.isEmpty());

        Session session(&m_client);
        const QString expected =
            serverError(m_gk.url(), {}, QStringLiteral("POST"), QStringLiteral("auth/machines/login"),
                        {{QStringLiteral("role_id"), roleId}, {QStringLiteral("secret_id"), QStringLiteral("nope")}});
        QVERIFY(!expected.isEmpty());
        QCOMPARE(
            signIn(session, {Session::Method::AppRole, QStringLiteral("machines"), roleId, QStringLiteral("nope")}),
            expected);
        QCOMPARE(session.state(), Session::State::SignedOut);
        // The default mount is "approle", which does not exist here.
        QVERIFY(!signIn(session, {Session::Method::AppRole, {}, roleId, secretId}).isEmpty());

        QCOMPARE(signIn(session, {Session::Method::AppRole, QStringLiteral("machines"), roleId, secretId}), QString());
        QCOMPARE(session.displayName(), QStringLiteral("machines")); // an approle token is named after its mount
        QVERIFY(session.policies().contains(QStringLiteral("console")));
        QVERIFY(!session.entityId().isEmpty());
    }

    void renewsBeforeExpiry()
    {
        const QString token = createToken({{QStringLiteral("policies"), QJsonArray{QStringLiteral("console")}},
                                           {QStringLiteral("ttl"), QStringLiteral("3s")}});
        QVERIFY(!token.isEmpty());
        Session session(&m_client);
        QSignalSpy renewed(&session, &Session::renewed);
        QSignalSpy expired(&session, &Session::expired);
        QCOMPARE(signIn(session, {Session::Method::Token, {}, {}, token}), QString());
        const QDateTime firstExpiry = session.expireTime();
        QVERIFY(firstExpiry.isValid());

        // Renewed at two thirds of 3 s, before the token runs out, and again after that.
        QTRY_VERIFY_WITH_TIMEOUT(renewed.size() >= 1, 3000);
        QVERIFY(session.expireTime() > firstExpiry);
        QTRY_VERIFY_WITH_TIMEOUT(renewed.size() >= 2, 5000);
        QVERIFY(expired.isEmpty());
        QCOMPARE(session.state(), Session::State::SignedIn);
        QVERIFY(tokenWorks(token)); // more than 3 s after sign-in
    }

    void aRevokedTokenEndsTheSession()
    {
        const QString token = createToken({{QStringLiteral("policies"), QJsonArray{QStringLiteral("console")}},
                                           {QStringLiteral("ttl"), QStringLiteral("3s")}});
        Session session(&m_client);
        QSignalSpy expired(&session, &Session::expired);
        QCOMPARE(signIn(session, {Session::Method::Token, {}, {}, token}), QString());
        QCOMPARE(m_gk.root("POST", "/v1/auth/token/revoke", {{QStringLiteral("token"), token}}), 204);

        QTRY_COMPARE_WITH_TIMEOUT(expired.size(), 1, 4000);
        QVERIFY(!expired.constFirst().constFirst().toString().isEmpty());
        QCOMPARE(session.state(), Session::State::Expired);
        QVERIFY(!m_client.hasToken());
        QVERIFY(session.displayName().isEmpty());
    }

    void signOutClearsTheToken()
    {
        const QString kept = createToken({{QStringLiteral("ttl"), QStringLiteral("1h")}});
        const QString revoked = createToken({{QStringLiteral("ttl"), QStringLiteral("1h")}});
        Session session(&m_client);
        QSignalSpy signedOut(&session, &Session::signedOut);

        QCOMPARE(signIn(session, {Session::Method::Token, {}, {}, kept}), QString());
        session.signOut();
        QCOMPARE(session.state(), Session::State::SignedOut);
        QCOMPARE(signedOut.size(), 1);
        QVERIFY(!m_client.hasToken());
        QVERIFY(session.policies().isEmpty());
        QVERIFY(tokenWorks(kept));

        QCOMPARE(signIn(session, {Session::Method::Token, {}, {}, revoked}), QString());
        session.signOut(true);
        QVERIFY(!m_client.hasToken());
        QTRY_VERIFY(!tokenWorks(revoked));
    }

    void noTokenOrPasswordReachesTheLog()
    {
        const QString token = createToken({{QStringLiteral("ttl"), QStringLiteral("1h")}});
        const QString password = QStringLiteral("pw-carol");
        QVERIFY(!token.isEmpty());
        Session session(&m_client);
        QSignalSpy renewed(&session, &Session::renewed);

        QLoggingCategory::setFilterRules(QStringLiteral("gatekeeper.*=true"));
        logged.clear();
        const QtMessageHandler previous = qInstallMessageHandler(captureLog);
        const QString tokenSignIn = signIn(session, {Session::Method::Token, {}, {}, token});
        session.renew();
        const bool wasRenewed = renewed.wait(10000);
        session.signOut(true);
        const bool revoked = QTest::qWaitFor([&] { return !tokenWorks(token); }, 10000);
        const QString userSignIn = signIn(session, {Session::Method::Userpass, {}, QStringLiteral("carol"), password});
        session.signOut();
        qInstallMessageHandler(previous);
        QLoggingCategory::setFilterRules(QString());

        QCOMPARE(tokenSignIn, QString());
        QVERIFY(wasRenewed);
        QVERIFY(revoked);
        QCOMPARE(userSignIn, QString());
        QVERIFY(!logged.isEmpty()); // the sign-ins were logged...
        for (const QString &line : std::as_const(logged)) {
            QVERIFY2(!line.contains(token), qPrintable(line)); // ...without the token
            QVERIFY2(!line.contains(password), qPrintable(line));
        }
    }
};

QTEST_GUILESS_MAIN(TestSession)
#include "tst_session.moc"
