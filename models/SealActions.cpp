#include "SealActions.h"

#include "ApiClient.h"
#include "ApiReply.h"
#include "Wipe.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QMetaObject>
#include <QPointer>

namespace gk {

namespace {

constexpr int maxShares = 255;

// Runs callback later (callbacks are always asynchronous), unless context is gone by then.
void later(QObject *receiver, const QObject *context, std::function<void()> callback)
{
    const bool hasContext = context != nullptr;
    QMetaObject::invokeMethod(
        receiver,
        [guard = QPointer<const QObject>(context), hasContext, callback = std::move(callback)] {
            if (callback && (!hasContext || guard))
                callback();
        },
        Qt::QueuedConnection);
}

// A seal-status shaped answer (seal-status, unseal, reset) for a StatusCallback.
ApiCallback statusAnswer(SealActions::StatusCallback callback)
{
    return [callback = std::move(callback)](int status, const QJsonObject &body, const QStringList &errors) {
        if (!callback)
            return;
        if (!errors.isEmpty()) {
            callback(std::nullopt, errors);
            return;
        }
        QString parseError;
        const std::optional<SealStatus> sealStatus = SealStatus::fromJson(body, &parseError);
        if (!sealStatus) {
            callback(
                std::nullopt,
                {SealActions::tr("The server's answer (HTTP %1) was not understood: %2").arg(status).arg(parseError)});
            return;
        }
        callback(sealStatus, {});
    };
}

QStringList stringsOf(const QJsonValue &value)
{
    QStringList strings;
    for (const QJsonValue &item : value.toArray())
        strings.append(item.toString());
    return strings;
}

// The broker's standard answer {"unsealed", "message", "error"}; its refusals carry "error", not "errors".
ApiCallback brokerAnswer(SealActions::BrokerCallback callback)
{
    return [callback = std::move(callback)](int status, const QJsonObject &body, const QStringList &errors) {
        if (!callback)
            return;
        const bool unsealed = body.value(QLatin1String("unsealed")).toBool();
        const QString message = body.value(QLatin1String("message")).toString();
        if (errors.isEmpty()) {
            callback(unsealed, message, {});
            return;
        }
        const QString error = body.value(QLatin1String("error")).toString();
        if (!error.isEmpty() && !body.contains(QLatin1String("errors")))
            callback(unsealed, message, {SealActions::tr("%1 (HTTP %2)").arg(error).arg(status)});
        else
            callback(unsealed, message, errors);
    };
}

QString brokerMethodName(SealActions::BrokerCredentials::Method method)
{
    switch (method) {
    case SealActions::BrokerCredentials::Method::Token:
        return QStringLiteral("token");
    case SealActions::BrokerCredentials::Method::WrappedToken:
        return QStringLiteral("token-wrapped");
    case SealActions::BrokerCredentials::Method::AppRole:
        break;
    }
    return QStringLiteral("approle");
}

} // namespace

void SealActions::InitResult::wipe()
{
    gk::wipe(keys);
    gk::wipe(keysBase64);
    gk::wipe(rootToken);
}

void SealActions::BrokerCredentials::wipe()
{
    gk::wipe(secret);
    gk::wipe(roleId);
}

SealActions::SealActions(ApiClient *client, QObject *parent) : QObject(parent), m_client(client)
{
    Q_ASSERT(m_client);
}

SealActions::~SealActions() = default;

QString SealActions::initError(int shares, int threshold)
{
    if (shares < 1 || shares > maxShares)
        return tr("The number of key shares must be between 1 and %1").arg(maxShares);
    if (threshold < 1 || threshold > shares)
        return tr("The threshold must be between 1 and the number of key shares (%1)").arg(shares);
    if (shares > 1 && threshold < 2)
        return tr("With more than one key share, the threshold must be at least 2");
    return {};
}

void SealActions::status(const QObject *context, StatusCallback callback)
{
    m_client->sealStatus()->onFinished(context, statusAnswer(std::move(callback)));
}

void SealActions::initialize(int shares, int threshold, const QObject *context, InitCallback callback)
{
    const QString error = initError(shares, threshold);
    if (!error.isEmpty()) {
        later(this, context, [callback, error] {
            if (callback)
                callback({}, {error});
        });
        return;
    }
    m_client->init(shares, threshold)
        ->onFinished(context,
                     [callback = std::move(callback)](int, const QJsonObject &body, const QStringList &errors) {
                         if (!callback)
                             return;
                         InitResult result;
                         if (errors.isEmpty()) {
                             result.keys = stringsOf(body.value(QLatin1String("keys")));
                             result.keysBase64 = stringsOf(body.value(QLatin1String("keys_base64")));
                             result.rootToken = body.value(QLatin1String("root_token")).toString();
                         }
                         if (errors.isEmpty() && (result.keys.isEmpty() || result.rootToken.isEmpty()))
                             callback({}, {tr("The server's init answer holds no key shares or no root token")});
                         else
                             callback(result, errors);
                         result.wipe();
                     });
}

void SealActions::submitShare(QString &share, const QObject *context, StatusCallback callback)
{
    QString trimmed = share.trimmed(); // may share share's buffer: wipe both, share first
    if (trimmed.isEmpty()) {
        wipe(share);
        wipe(trimmed);
        later(this, context, [callback] {
            if (callback)
                callback(std::nullopt, {tr("Enter a key share first")});
        });
        return;
    }
    ApiReply *reply = m_client->unseal(trimmed);
    wipe(share);
    wipe(trimmed);
    reply->onFinished(context, statusAnswer(std::move(callback)));
}

void SealActions::resetUnseal(const QObject *context, StatusCallback callback)
{
    m_client->resetUnseal()->onFinished(context, statusAnswer(std::move(callback)));
}

void SealActions::seal(const QObject *context, Callback callback)
{
    m_client->seal()->onFinished(context,
                                 [callback = std::move(callback)](int, const QJsonObject &, const QStringList &errors) {
                                     if (callback)
                                         callback(errors);
                                 });
}

void SealActions::peers(const QObject *context, PeersCallback callback)
{
    const QUrl own = m_client->baseUrl();
    m_client->request(QStringLiteral("GET"), QStringLiteral("sys/ha-status"), {}, context,
                      [own, callback = std::move(callback)](int, const QJsonObject &body, const QStringList &errors) {
                          if (!callback)
                              return;
                          QList<Peer> peers;
                          if (errors.isEmpty()) {
                              for (const QJsonValue &node : body.value(QLatin1String("nodes")).toArray()) {
                                  const QJsonObject object = node.toObject();
                                  const QString address = object.value(QLatin1String("api_address")).toString();
                                  peers.append({address.isEmpty() ? own : QUrl(address),
                                                object.value(QLatin1String("unsealed")).toBool()});
                              }
                          }
                          if (errors.isEmpty() && peers.isEmpty())
                              callback({}, {tr("The server's ha-status answer lists no node")});
                          else
                              callback(peers, errors);
                      });
}

void SealActions::brokerUnseal(BrokerCredentials &credentials, const QObject *context, BrokerCallback callback)
{
    QJsonObject body{{QStringLiteral("method"), brokerMethodName(credentials.method)}};
    if (credentials.method == BrokerCredentials::Method::AppRole) {
        body.insert(QStringLiteral("role_id"), credentials.roleId.trimmed());
        body.insert(QStringLiteral("secret_id"), credentials.secret.trimmed());
        if (!credentials.mount.trimmed().isEmpty())
            body.insert(QStringLiteral("mount"), credentials.mount.trimmed());
    } else {
        body.insert(QStringLiteral("token"), credentials.secret.trimmed());
    }
    credentials.wipe();
    m_client->request(QStringLiteral("POST"), QStringLiteral("/unseal"), body, context,
                      brokerAnswer(std::move(callback)));
}

void SealActions::brokerSeal(const QObject *context, BrokerCallback callback)
{
    m_client->request(QStringLiteral("POST"), QStringLiteral("/seal"), {}, context, brokerAnswer(std::move(callback)));
}

} // namespace gk
