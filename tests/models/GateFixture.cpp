#include "GateFixture.h"

#include "engine/Engine.h"

#include <QJsonArray>
#include <QTest>

namespace gk::test {

namespace {

EngineOptions fastHashes()
{
    EngineOptions options;
    options.passwordHashLogN = 10;
    return options;
}

QString rule(const QString &path, const QString &capabilities)
{
    return QStringLiteral("path \"%1\" { capabilities = [%2] }\n").arg(path, capabilities);
}

} // namespace

GateFixture::GateFixture() : m_gk(fastHashes()) {}

GateFixture::~GateFixture() = default;

QUrl GateFixture::url() const
{
    return m_gk.server().baseUrl();
}

int GateFixture::root(QByteArrayView method, QByteArrayView target, const QJsonObject &body, QJsonObject *answer)
{
    const HttpAnswer a = m_gk.server().requestJson(method, target, body, m_gk.rootToken());
    if (answer)
        *answer = a.json();
    return a.status;
}

bool GateFixture::start()
{
    if (!m_gk.start() || !m_gk.unseal())
        return false;
    const auto enable = [this](const char *path, const char *type) {
        return root("POST", QByteArray("/v1/sys/auth/") + path, {{QStringLiteral("type"), QLatin1String(type)}}) == 204;
    };
    if (!enable("userpass", "userpass") || !enable("gate", "policy-gate") || !enable("hidden", "policy-gate"))
        return false;
    if (root("POST", "/v1/auth/gate/config", {{QStringLiteral("required_approvals"), 2}}) != 204)
        return false;

    const QString console = rule(QStringLiteral("sys/auth"), QStringLiteral("\"read\"")) +
                            rule(QStringLiteral("sys/events"), QStringLiteral("\"read\""));
    QString requester;
    QString approver;
    for (const char *gate : {"gate", "gate3"}) {
        requester += rule(QStringLiteral("auth/%1/request").arg(QLatin1String(gate)),
                          QStringLiteral("\"create\", \"update\", \"read\"")) +
                     rule(QStringLiteral("auth/%1/cancel").arg(QLatin1String(gate)), QStringLiteral("\"update\""));
        approver +=
            rule(QStringLiteral("auth/%1/request").arg(QLatin1String(gate)), QStringLiteral("\"list\", \"read\"")) +
            rule(QStringLiteral("auth/%1/approve").arg(QLatin1String(gate)), QStringLiteral("\"update\"")) +
            rule(QStringLiteral("auth/%1/deny").arg(QLatin1String(gate)), QStringLiteral("\"update\""));
    }
    const QPair<const char *, QString> policies[] = {
        {"console", console}, {"gate-requester", requester}, {"gate-approver", approver}};
    for (const auto &[name, text] : policies) {
        if (root("PUT", QByteArray("/v1/sys/policy/") + name, {{QStringLiteral("policy"), text}}) != 204)
            return false;
    }

    const QPair<const char *, const char *> users[] = {{"alice", "console,gate-requester"},
                                                       {"bob", "console,gate-approver,gate-requester"},
                                                       {"carol", "console,gate-approver"}};
    for (const auto &[user, userPolicies] : users) {
        const QString password = QStringLiteral("pw-") + QLatin1String(user);
        if (root("POST", QByteArray("/v1/auth/userpass/users/") + user,
                 {{QStringLiteral("password"), password},
                  {QStringLiteral("token_policies"), QLatin1String(userPolicies)}}) != 204)
            return false;
        const HttpAnswer login = m_gk.server().requestJson("POST", QByteArray("/v1/auth/userpass/login/") + user,
                                                           {{QStringLiteral("password"), password}});
        const QJsonObject auth = login.json().value(QStringLiteral("auth")).toObject();
        const QString token = auth.value(QStringLiteral("client_token")).toString();
        QJsonObject entity;
        root("GET", QByteArray("/v1/identity/entity/id/") + auth.value(QStringLiteral("entity_id")).toString().toUtf8(),
             {}, &entity);
        const QString name = entity.value(QStringLiteral("data")).toObject().value(QStringLiteral("name")).toString();
        if (token.isEmpty() || name.isEmpty())
            return false;
        m_tokens.insert(QLatin1String(user), token);
        m_names.insert(QLatin1String(user), name);
    }
    return true;
}

GateUser::GateUser(const GateFixture &fixture, const QString &name)
{
    client.setBaseUrl(fixture.url());
    client.setToken(fixture.token(name));
}

QStringList finish(const std::function<void(GateActions::Callback)> &call)
{
    QStringList errors;
    finishValue([&](GateActions::ValueCallback done) { call([done](const QStringList &e) { done({}, e); }); }, &errors);
    return errors;
}

QString finishValue(const std::function<void(GateActions::ValueCallback)> &call, QStringList *errors)
{
    bool done = false;
    QString value;
    QStringList result{QStringLiteral("did not finish")};
    call([&](const QString &v, const QStringList &e) {
        value = v;
        result = e;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 10000))
        qWarning("a gate action did not finish in 10 s");
    if (errors)
        *errors = result;
    return value;
}

QString ask(GateUser &user, const QString &reason, const QString &gate)
{
    return finishValue(
        [&](GateActions::ValueCallback done) { user.actions.ask(gate, reason, nullptr, std::move(done)); });
}

} // namespace gk::test
