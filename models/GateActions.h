#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace gk {

class ApiClient;
struct AccessRequest;

// The decisions and requests of policy gates (auth/<gate>/approve, deny, request, cancel, claim), through
// ApiClient, asynchronously. Every callback runs once, later, unless its context has been destroyed; errors is empty
// exactly on success and otherwise holds the server's errors text (or why the call was not made). Nothing here keeps
// a grant code or a token: claim hands the token to its callback and forgets it.
class GateActions final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GateActions)

public:
    using Callback = std::function<void(const QStringList &errors)>;
    // value: the new request's id (ask) or the claimed token (claim); empty on failure.
    using ValueCallback = std::function<void(const QString &value, const QStringList &errors)>;

    // client is not owned and must outlive this object.
    explicit GateActions(ApiClient *client, QObject *parent = nullptr);
    ~GateActions() override;

    // Approver side.
    void approve(const QString &gate, const QString &requestId, const QObject *context, Callback callback);
    // reason is required (the console asks for one); an empty one fails without a call.
    void deny(const QString &gate, const QString &requestId, const QString &reason, const QObject *context,
              Callback callback);

    // Requester side. ask: a new request on gate (replacing the caller's open one there).
    void ask(const QString &gate, const QString &reason, const QObject *context, ValueCallback callback);
    // The caller's own (latest) request on gate, without its grant code; nullopt when there is none.
    using OwnRequestCallback =
        std::function<void(const std::optional<AccessRequest> &request, const QStringList &errors)>;
    void ownRequest(const QString &gate, const QObject *context, OwnRequestCallback callback);
    // Withdraws the caller's own pending request on gate.
    void cancel(const QString &gate, const QObject *context, Callback callback);
    // Reads the caller's own request on gate for its grant code and exchanges the code for a token, once. The token
    // goes to callback only: it is never stored, logged or emitted.
    void claim(const QString &gate, const QObject *context, ValueCallback callback);

signals:
    // A call on gate succeeded (the requests there have changed).
    void succeeded(const QString &gate);

private:
    void post(const QString &gate, const QString &operation, const QJsonObject &body, const QObject *context,
              ValueCallback callback, const QString &valueField = {});

    ApiClient *m_client;
};

} // namespace gk
