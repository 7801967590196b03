#pragma once

#include "SealStatus.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <optional>

namespace gk {

class ApiClient;

// The seal workflow's calls through ApiClient, asynchronously: initialise (sys/init), enter key shares and reset the
// round (sys/unseal), seal (sys/seal), list the peers (sys/ha-status), and the broker's own seal (/unseal, /seal).
// Every callback runs once, later, unless its context has been destroyed; errors is empty exactly on success and
// otherwise holds the server's errors text (or why the call was not made). Key shares, root tokens and credentials are
// taken by reference and wiped as soon as the request body is made; the answers' secrets go to the callback only and
// are wiped when it returns. Nothing here logs or stores them.
class SealActions final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SealActions)

public:
    // What sys/init answers, shown once. Wiped by SealActions after the callback returns: copy nothing out of it
    // that outlives what the user sees.
    struct InitResult
    {
        QStringList keys;       // hex
        QStringList keysBase64; // the same shares in base64
        QString rootToken;
        void wipe();
    };

    // One server of the cluster as sys/ha-status lists it.
    struct Peer
    {
        QUrl address;
        bool unsealed = false;
    };

    // The broker's credential for POST /unseal. secret is the token (Token, WrappedToken) or the secret_id
    // (AppRole); roleId and mount are for AppRole only (an empty mount is the default, "approle").
    struct BrokerCredentials
    {
        enum class Method
        {
            Token,
            WrappedToken,
            AppRole
        };
        Method method = Method::Token;
        QString secret;
        QString roleId;
        QString mount;
        void wipe();
    };

    using Callback = std::function<void(const QStringList &errors)>;
    using InitCallback = std::function<void(const InitResult &result, const QStringList &errors)>;
    // status: the seal state after the call (sys/unseal answers it); nullopt on failure.
    using StatusCallback = std::function<void(const std::optional<SealStatus> &status, const QStringList &errors)>;
    using PeersCallback = std::function<void(const QList<Peer> &peers, const QStringList &errors)>;
    // The broker's standard answer: whether it is unsealed now and its message.
    using BrokerCallback = std::function<void(bool unsealed, const QString &message, const QStringList &errors)>;

    // client is not owned and must outlive this object.
    explicit SealActions(ApiClient *client, QObject *parent = nullptr);
    ~SealActions() override;

    ApiClient *client() const { return m_client; }

    // Why shares and threshold cannot be used (the server's rule, as Vault's: 1 <= threshold <= shares <= 255 and
    // threshold >= 2 when shares > 1), or an empty string when they can.
    static QString initError(int shares, int threshold);

    void status(const QObject *context, StatusCallback callback);
    // PUT sys/init. Refused without a call when initError() says so.
    void initialize(int shares, int threshold, const QObject *context, InitCallback callback);
    // PUT sys/unseal {key}. share is wiped before this returns.
    void submitShare(QString &share, const QObject *context, StatusCallback callback);
    // PUT sys/unseal {reset: true}: forgets the shares entered so far.
    void resetUnseal(const QObject *context, StatusCallback callback);
    // PUT sys/seal; needs a token with sudo on sys/seal.
    void seal(const QObject *context, Callback callback);
    // GET sys/ha-status (needs a token and an unsealed server): every node with its api_address. A node without an
    // address is the server the client talks to.
    void peers(const QObject *context, PeersCallback callback);

    // The broker's POST /unseal. credentials are wiped before this returns.
    void brokerUnseal(BrokerCredentials &credentials, const QObject *context, BrokerCallback callback);
    // The broker's POST /seal; needs update on gatekeeper/seal.
    void brokerSeal(const QObject *context, BrokerCallback callback);

private:
    ApiClient *m_client;
};

} // namespace gk
