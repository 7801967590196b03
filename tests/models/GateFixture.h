#pragma once

#include "ApiClient.h"
#include "GateActions.h"
#include "UnsealedServer.h"

#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QUrl>

#include <functional>

namespace gk::test {

// A real server (Engine on SQLite behind HttpServer on 127.0.0.1:0) with userpass and two policy gates for the
// console's request tests: "gate" (two approvals) whose requests the users may list, and "hidden", which nobody but
// root may list. Users: alice asks; bob approves and may ask too; carol approves. All three may read sys/auth and
// sys/events, as the console needs. "gate3" may be enabled later: the users' rules cover it as they cover "gate".
class GateFixture final
{
public:
    GateFixture();
    ~GateFixture();
    Q_DISABLE_COPY_MOVE(GateFixture)

    // Starts, unseals and sets everything up. False on any failure.
    bool start();

    QUrl url() const;
    // The login token of alice, bob or carol.
    QString token(const QString &user) const { return m_tokens.value(user); }
    // Their identity entity names (what the requests show as requester and approvers).
    QString entityName(const QString &user) const { return m_names.value(user); }
    // A call as root; the status, and the answer's JSON through *answer.
    int root(QByteArrayView method, QByteArrayView target, const QJsonObject &body = {}, QJsonObject *answer = nullptr);

private:
    UnsealedServer m_gk;
    QHash<QString, QString> m_tokens;
    QHash<QString, QString> m_names;
};

// One user's own client and actions against a GateFixture.
struct GateUser
{
    ApiClient client;
    GateActions actions{&client};

    GateUser(const GateFixture &fixture, const QString &name);
};

// Runs one GateActions call to its end (the event loop turns meanwhile): its errors, or ["did not finish"].
QStringList finish(const std::function<void(GateActions::Callback)> &call);
// The same for the calls with a value (ask, claim): the value, and the errors through *errors.
QString finishValue(const std::function<void(GateActions::ValueCallback)> &call, QStringList *errors = nullptr);
// A new request by user on gate, run to its end: its id (empty on failure).
QString ask(GateUser &user, const QString &reason, const QString &gate = QStringLiteral("gate"));

} // namespace gk::test
