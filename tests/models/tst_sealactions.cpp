// SealActions against a real gk::Server on 127.0.0.1:0 (in-memory storage, not initialised): init, key shares one by
// one, a bad share, reset, seal, the peer list, and the broker's own seal.

#include "ApiClient.h"
#include "ApiReply.h"
#include "InMemoryServer.h"
#include "SealActions.h"
#include "Wipe.h"

#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using gk::ApiClient;
using gk::SealActions;
using gk::SealStatus;
using gk::test::startInMemoryServer;

namespace {

// What one StatusCallback received.
struct StatusAnswer
{
    bool done = false;
    std::optional<SealStatus> status;
    QStringList errors;

    SealActions::StatusCallback callback()
    {
        return [this](const std::optional<SealStatus> &s, const QStringList &e) {
            done = true;
            status = s;
            errors = e;
        };
    }
};

struct BrokerAnswer
{
    bool done = false;
    bool unsealed = false;
    QString message;
    QStringList errors;

    SealActions::BrokerCallback callback()
    {
        return [this](bool u, const QString &m, const QStringList &e) {
            done = true;
            unsealed = u;
            message = m;
            errors = e;
        };
    }
};

} // namespace

class TestSealActions final : public QObject
{
    Q_OBJECT

    std::unique_ptr<gk::Server> m_server;
    ApiClient m_client;
    SealActions m_actions{&m_client};
    QStringList m_keys;
    QString m_root;

    std::optional<SealStatus> statusNow()
    {
        StatusAnswer answer;
        m_actions.status(this, answer.callback());
        if (!QTest::qWaitFor([&] { return answer.done; }, 10000))
            return std::nullopt;
        return answer.status;
    }

    StatusAnswer submit(QString share)
    {
        StatusAnswer answer;
        m_actions.submitShare(share, this, answer.callback());
        if (!share.isEmpty())
            qWarning("the share was not wiped");
        if (!QTest::qWaitFor([&] { return answer.done; }, 10000))
            answer.errors = QStringList(QStringLiteral("no answer"));
        return answer;
    }

private slots:
    void initTestCase()
    {
        m_server = startInMemoryServer();
        QVERIFY(m_server);
        m_client.setBaseUrl(QUrl(m_server->address()));
    }

    void wipeLeavesSharedCopiesAlone()
    {
        // Only a buffer the wiped value owns alone is overwritten: another holder's copy stays as it was.
        QString secret(8, u'k');
        QString other = secret;
        gk::wipe(secret);
        QVERIFY(secret.isEmpty());
        QCOMPARE(other, QString(8, u'k'));
        QByteArray bytes(8, 'k');
        QByteArray otherBytes = bytes;
        gk::wipe(bytes);
        QVERIFY(bytes.isEmpty());
        QCOMPARE(otherBytes, QByteArray(8, 'k'));
        QStringList list{QStringLiteral("a"), other};
        const QStringList otherList = list;
        gk::wipe(list);
        QVERIFY(list.isEmpty());
        QCOMPARE(otherList.size(), 2);
        QCOMPARE(otherList.at(1), QString(8, u'k'));

        // A buffer owned alone is overwritten in place before it is let go.
        QByteArray alone(32, 'k');
        char *data = alone.data();
        gk::wipeMemory(data, 16);
        QCOMPARE(alone, QByteArray(16, '\0') + QByteArray(16, 'k'));
    }

    void initErrorFollowsTheServersRule()
    {
        QVERIFY(SealActions::initError(1, 1).isEmpty());
        QVERIFY(SealActions::initError(5, 3).isEmpty());
        QVERIFY(SealActions::initError(255, 255).isEmpty());
        QVERIFY(!SealActions::initError(0, 0).isEmpty());
        QVERIFY(!SealActions::initError(256, 2).isEmpty());
        QVERIFY(!SealActions::initError(3, 4).isEmpty());
        QVERIFY(!SealActions::initError(3, 1).isEmpty());
        QVERIFY(!SealActions::initError(3, 0).isEmpty());
    }

    void initialises()
    {
        // A threshold the server would refuse is refused without a call.
        bool refused = false;
        m_actions.initialize(3, 1, this, [&](const SealActions::InitResult &result, const QStringList &errors) {
            refused = !errors.isEmpty() && result.keys.isEmpty();
        });
        QTRY_VERIFY(refused);
        std::optional<SealStatus> before = statusNow();
        QVERIFY(before);
        QVERIFY(!before->initialized);

        bool done = false;
        QStringList errors;
        m_actions.initialize(3, 2, this, [&](const SealActions::InitResult &result, const QStringList &e) {
            done = true;
            errors = e;
            m_keys = result.keys;
            m_keys.detach();
            m_root = QString(result.rootToken.constData(), result.rootToken.size()); // a copy of our own
            QCOMPARE(result.keysBase64.size(), 3);
        });
        QTRY_VERIFY(done);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n')));
        QCOMPARE(m_keys.size(), 3);
        QVERIFY(!m_root.isEmpty());

        const std::optional<SealStatus> after = statusNow();
        QVERIFY(after);
        QVERIFY(after->initialized);
        QVERIFY(after->sealed);
        QCOMPARE(after->threshold, 2);
        QCOMPARE(after->shares, 3);

        // Once is enough: the server refuses a second init with its own text.
        done = false;
        m_actions.initialize(1, 1, this, [&](const SealActions::InitResult &, const QStringList &e) {
            done = true;
            errors = e;
        });
        QTRY_VERIFY(done);
        QVERIFY(!errors.isEmpty());
    }

    void unsealsShareByShare()
    {
        // A malformed share: the server's text, and nothing changes.
        StatusAnswer bad = submit(QStringLiteral("not a share!"));
        QVERIFY(bad.done);
        QVERIFY(!bad.status);
        QCOMPARE(bad.errors, QStringList(QStringLiteral("'key' must be a valid hex or base64 string")));
        QCOMPARE(statusNow()->progress, 0);

        StatusAnswer empty = submit(QStringLiteral("   "));
        QVERIFY(empty.done);
        QVERIFY(!empty.errors.isEmpty());

        StatusAnswer first = submit(m_keys.at(0));
        QVERIFY2(first.errors.isEmpty(), qPrintable(first.errors.join(u'\n')));
        QVERIFY(first.status);
        QCOMPARE(first.status->progress, 1);
        QVERIFY(first.status->sealed);

        // Reset forgets it.
        StatusAnswer reset;
        m_actions.resetUnseal(this, reset.callback());
        QTRY_VERIFY(reset.done);
        QVERIFY(reset.errors.isEmpty());
        QCOMPARE(reset.status->progress, 0);

        QCOMPARE(submit(m_keys.at(2)).status->progress, 1);
        StatusAnswer last = submit(m_keys.at(1));
        QVERIFY2(last.errors.isEmpty(), qPrintable(last.errors.join(u'\n')));
        QVERIFY(!last.status->sealed);
    }

    void listsPeers()
    {
        bool done = false;
        QList<SealActions::Peer> peers;
        QStringList errors;
        const auto list = [&] {
            done = false;
            m_actions.peers(this, [&](const QList<SealActions::Peer> &p, const QStringList &e) {
                done = true;
                peers = p;
                errors = e;
            });
            QTRY_VERIFY(done);
        };
        list(); // no token
        QVERIFY(!errors.isEmpty());
        QVERIFY(peers.isEmpty());

        m_client.setToken(m_root);
        list();
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n')));
        QCOMPARE(peers.size(), 1);
        QCOMPARE(peers.at(0).address, QUrl(m_server->address()));
        QVERIFY(peers.at(0).unsealed);
        m_client.clearToken();
    }

    void brokerSeal()
    {
        // A refused credential: the broker's own error text.
        SealActions::BrokerCredentials wrong;
        wrong.secret = QStringLiteral("gk.not-a-token");
        BrokerAnswer refused;
        m_actions.brokerUnseal(wrong, this, refused.callback());
        QVERIFY(wrong.secret.isEmpty());
        QTRY_VERIFY(refused.done);
        QCOMPARE(refused.errors.size(), 1);
        QVERIFY2(refused.errors.at(0).contains(QStringLiteral("401")), qPrintable(refused.errors.at(0)));
        QVERIFY(!refused.unsealed);

        SealActions::BrokerCredentials root;
        root.secret = QString(m_root.constData(), m_root.size());
        BrokerAnswer unsealed;
        m_actions.brokerUnseal(root, this, unsealed.callback());
        QVERIFY(root.secret.isEmpty());
        QTRY_VERIFY(unsealed.done);
        QVERIFY2(unsealed.errors.isEmpty(), qPrintable(unsealed.errors.join(u'\n')));
        QVERIFY(unsealed.unsealed);

        // /seal needs a policy.
        BrokerAnswer anonymous;
        m_actions.brokerSeal(this, anonymous.callback());
        QTRY_VERIFY(anonymous.done);
        QVERIFY(!anonymous.errors.isEmpty());

        m_client.setToken(m_root);
        BrokerAnswer sealed;
        m_actions.brokerSeal(this, sealed.callback());
        QTRY_VERIFY(sealed.done);
        QVERIFY2(sealed.errors.isEmpty(), qPrintable(sealed.errors.join(u'\n')));
        QVERIFY(!sealed.unsealed);
        m_client.clearToken();
    }

    void brokerUnsealsWithAnAppRole()
    {
        // An AppRole for the broker, made with the root token.
        m_client.setToken(m_root);
        const auto call = [this](const char *method, const QString &path, const QJsonObject &body) {
            gk::ApiReply *reply = m_client.request(QLatin1String(method), path, body);
            QSignalSpy spy(reply, &gk::ApiReply::finished);
            if (!reply->isFinished() && !spy.wait(10000))
                return QJsonObject();
            if (!reply->isOk())
                qWarning() << method << path << reply->errorString();
            const QJsonObject data = reply->json().value(QStringLiteral("data")).toObject();
            delete reply;
            return data;
        };
        call("POST", QStringLiteral("sys/auth/approle"), {{QStringLiteral("type"), QStringLiteral("approle")}});
        call("POST", QStringLiteral("auth/approle/role/broker"),
             {{QStringLiteral("token_policies"), QStringLiteral("default")}});
        const QString roleId = call("GET", QStringLiteral("auth/approle/role/broker/role-id"), {})
                                   .value(QStringLiteral("role_id"))
                                   .toString();
        const QString secretId = call("POST", QStringLiteral("auth/approle/role/broker/secret-id"), {})
                                     .value(QStringLiteral("secret_id"))
                                     .toString();
        m_client.clearToken();
        QVERIFY(!roleId.isEmpty() && !secretId.isEmpty());

        // A wrong secret_id: refused with the broker's text.
        SealActions::BrokerCredentials wrong;
        wrong.method = SealActions::BrokerCredentials::Method::AppRole;
        wrong.roleId = roleId;
        wrong.secret = QStringLiteral("not-the-secret-id");
        BrokerAnswer refused;
        m_actions.brokerUnseal(wrong, this, refused.callback());
        QTRY_VERIFY(refused.done);
        QVERIFY(!refused.unsealed);
        QVERIFY2(refused.errors.value(0).contains(QStringLiteral("401")), qPrintable(refused.errors.join(u'\n')));

        SealActions::BrokerCredentials appRole;
        appRole.method = SealActions::BrokerCredentials::Method::AppRole;
        appRole.roleId = roleId;
        appRole.secret = secretId;
        BrokerAnswer unsealed;
        m_actions.brokerUnseal(appRole, this, unsealed.callback());
        QVERIFY(appRole.secret.isEmpty());
        QVERIFY(appRole.roleId.isEmpty());
        QTRY_VERIFY(unsealed.done);
        QVERIFY2(unsealed.errors.isEmpty(), qPrintable(unsealed.errors.join(u'\n')));
        QVERIFY(unsealed.unsealed);
    }

    void seals()
    {
        bool done = false;
        QStringList errors;
        const auto seal = [&] {
            done = false;
            m_actions.seal(this, [&](const QStringList &e) {
                done = true;
                errors = e;
            });
            QTRY_VERIFY(done);
        };
        seal(); // no token: refused, still unsealed
        QVERIFY(!errors.isEmpty());
        QVERIFY(!statusNow()->sealed);

        m_client.setToken(m_root);
        seal();
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n')));
        QVERIFY(statusNow()->sealed);
    }
};

QTEST_GUILESS_MAIN(TestSealActions)
#include "tst_sealactions.moc"
