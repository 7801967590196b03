#include "GateActions.h"

#include "AccessRequest.h"
#include "ApiClient.h"
#include "Wipe.h"

#include <QJsonObject>
#include <QMetaObject>
#include <QPointer>

namespace gk {

namespace {

QString gatePath(const QString &gate, const QString &operation)
{
    return QStringLiteral("auth/%1/%2").arg(gate, operation);
}

// Fails later (callbacks are always asynchronous), unless context is gone by then.
void failLater(QObject *receiver, const QObject *context, GateActions::ValueCallback callback, const QString &error)
{
    const bool hasContext = context != nullptr;
    QMetaObject::invokeMethod(
        receiver,
        [guard = QPointer<const QObject>(context), hasContext, callback = std::move(callback), error] {
            if (callback && (!hasContext || guard))
                callback(QString(), {error});
        },
        Qt::QueuedConnection);
}

GateActions::ValueCallback ignoringValue(GateActions::Callback callback)
{
    return [callback = std::move(callback)](const QString &, const QStringList &errors) {
        if (callback)
            callback(errors);
    };
}

} // namespace

GateActions::GateActions(ApiClient *client, QObject *parent) : QObject(parent), m_client(client)
{
    Q_ASSERT(m_client);
}

GateActions::~GateActions() = default;

void GateActions::approve(const QString &gate, const QString &requestId, const QObject *context, Callback callback)
{
    post(gate, QStringLiteral("approve"), {{QStringLiteral("request_id"), requestId}}, context,
         ignoringValue(std::move(callback)));
}

void GateActions::deny(const QString &gate, const QString &requestId, const QString &reason, const QObject *context,
                       Callback callback)
{
    if (reason.trimmed().isEmpty()) {
        failLater(this, context, ignoringValue(std::move(callback)), tr("A reason is required to deny a request"));
        return;
    }
    post(gate, QStringLiteral("deny"),
         {{QStringLiteral("request_id"), requestId}, {QStringLiteral("reason"), reason.trimmed()}}, context,
         ignoringValue(std::move(callback)));
}

void GateActions::ask(const QString &gate, const QString &reason, const QObject *context, ValueCallback callback)
{
    post(gate, QStringLiteral("request"), {{QStringLiteral("reason"), reason.trimmed()}}, context, std::move(callback),
         QStringLiteral("request_id"));
}

void GateActions::cancel(const QString &gate, const QObject *context, Callback callback)
{
    post(gate, QStringLiteral("cancel"), {}, context, ignoringValue(std::move(callback)));
}

void GateActions::ownRequest(const QString &gate, const QObject *context, OwnRequestCallback callback)
{
    if (gate.isEmpty()) {
        failLater(
            this, context, [callback](const QString &, const QStringList &errors) { callback({}, errors); },
            tr("No gate is chosen"));
        return;
    }
    m_client->request(QStringLiteral("GET"), gatePath(gate, QStringLiteral("request")), {}, context,
                      [gate, callback](int status, const QJsonObject &body, const QStringList &errors) {
                          if (status == 404) {
                              callback(std::nullopt, {}); // no request yet
                              return;
                          }
                          if (!errors.isEmpty()) {
                              callback(std::nullopt, errors);
                              return;
                          }
                          QString error;
                          QJsonObject data = body.value(QLatin1String("data")).toObject();
                          data.remove(QStringLiteral("grant_code"));
                          std::optional<AccessRequest> r = AccessRequest::fromJson(gate, data, &error);
                          callback(r, r ? QStringList() : QStringList(error));
                      });
}

void GateActions::claim(const QString &gate, const QObject *context, ValueCallback callback)
{
    if (gate.isEmpty()) {
        failLater(this, context, std::move(callback), tr("No gate is chosen"));
        return;
    }
    const bool hasContext = context != nullptr;
    QPointer<const QObject> guard(context);
    auto alive = [hasContext, guard] { return !hasContext || guard; };
    m_client->request(
        QStringLiteral("GET"), gatePath(gate, QStringLiteral("request")), {}, this,
        [this, gate, alive, callback](int, const QJsonObject &body, const QStringList &errors) {
            if (!alive())
                return;
            if (!errors.isEmpty()) {
                callback(QString(), errors);
                return;
            }
            const QJsonObject data = body.value(QLatin1String("data")).toObject();
            QString code = data.value(QLatin1String("grant_code")).toString();
            if (code.isEmpty()) {
                callback(QString(), {tr("Your request on %1 is %2, not approved: there is nothing to claim")
                                         .arg(gate, data.value(QLatin1String("status")).toString())});
                return;
            }
            const QJsonObject claimBody{{QStringLiteral("grant_code"), code}};
            wipe(code);
            m_client->request(
                QStringLiteral("POST"), gatePath(gate, QStringLiteral("claim")), claimBody, this,
                [this, gate, alive, callback](int, const QJsonObject &answer, const QStringList &claimErrors) {
                    if (claimErrors.isEmpty())
                        emit succeeded(gate);
                    if (!alive())
                        return;
                    if (!claimErrors.isEmpty()) {
                        callback(QString(), claimErrors);
                        return;
                    }
                    QString token =
                        answer.value(QLatin1String("auth")).toObject().value(QLatin1String("client_token")).toString();
                    if (token.isEmpty())
                        callback(QString(), {tr("The server's claim answer holds no token")});
                    else
                        callback(token, {});
                    wipe(token);
                });
        });
}

void GateActions::post(const QString &gate, const QString &operation, const QJsonObject &body, const QObject *context,
                       ValueCallback callback, const QString &valueField)
{
    if (gate.isEmpty()) {
        failLater(this, context, std::move(callback), tr("No gate is chosen"));
        return;
    }
    const bool hasContext = context != nullptr;
    QPointer<const QObject> guard(context);
    m_client->request(QStringLiteral("POST"), gatePath(gate, operation), body, this,
                      [this, gate, hasContext, guard, valueField,
                       callback = std::move(callback)](int, const QJsonObject &answer, const QStringList &errors) {
                          if (errors.isEmpty())
                              emit succeeded(gate);
                          if (!callback || (hasContext && !guard))
                              return;
                          const QString value =
                              valueField.isEmpty()
                                  ? QString()
                                  : answer.value(QLatin1String("data")).toObject().value(valueField).toString();
                          callback(value, errors);
                      });
}

} // namespace gk
