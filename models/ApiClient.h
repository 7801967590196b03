#pragma once

#include "ApiReply.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QString>
#include <QUrl>

class QNetworkAccessManager;

namespace gk {

// Talks to a Gatekeeper (or Vault) server over its HTTP API, fully asynchronously. Used by the console for the
// embedded server and a remote one alike. The token is held in memory only and is never logged; nothing here
// writes to disk. Lives in, and must be used from, one thread.
class ApiClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiClient)

public:
    explicit ApiClient(QObject *parent = nullptr);
    ~ApiClient() override;

    // "http(s)://host:port", optionally with a path prefix (behind a reverse proxy). Calls made before a base URL
    // is set fail with a clear error.
    QUrl baseUrl() const { return m_baseUrl; }
    void setBaseUrl(const QUrl &url);

    // Sent as X-Vault-Token on every call. Memory only.
    bool hasToken() const { return !m_token.isEmpty(); }
    void setToken(const QString &token);
    void clearToken();
    // The token itself, for the system keychain (SessionKeeper) only: never log it or write it anywhere else.
    QString token() const { return m_token; }

    // TLS: a PEM file of CA certificates that replaces the system's trust store for this client (as VAULT_CACERT
    // does). Returns false, with *error set, when the file cannot be read or holds no certificate.
    bool setCaCertificateFile(const QString &path, QString *error = nullptr);
    QString caCertificateFile() const { return m_caFile; }
    // Peer verification is on by default; turning it off is for tests and first contact only.
    void setTlsVerification(bool verify) { m_tlsVerification = verify; }
    bool tlsVerification() const { return m_tlsVerification; }

    // Time allowed for one call without progress, in milliseconds (default 30 000; 0 = no limit).
    void setTimeoutMs(int timeoutMs) { m_timeoutMs = timeoutMs; }
    int timeoutMs() const { return m_timeoutMs; }

    // Any call. method: GET, PUT, POST, PATCH, DELETE, HEAD or LIST (sent as GET with list=true, Vault's
    // equivalent). path: "/v1/sys/seal-status" or "/status", relative to the base URL, optionally with a query;
    // a path without a leading slash is taken under /v1/ ("sys/seal-status"). body: sent as JSON when not empty.
    // A status >= 400 is an error: errors then holds the server's {"errors": [...]} messages.
    ApiReply *request(const QString &method, const QString &path, const QJsonObject &body = {});
    void request(const QString &method, const QString &path, const QJsonObject &body, const QObject *context,
                 ApiCallback callback);

    // Vault's sys/ calls (API-CONTRACT §2). Parse seal-status and unseal answers with SealStatus::fromJson.
    ApiReply *sealStatus();
    // GET /v1/sys/health. Vault's non-200 codes (429 standby, 472/473, 501 not initialised, 503 sealed) are answers,
    // not errors: the reply is ok with that status and the health object.
    ApiReply *health();
    ApiReply *init(int shares, int threshold);
    ApiReply *unseal(const QString &key);
    ApiReply *resetUnseal();
    ApiReply *seal(); // needs a token with sudo on sys/seal

signals:
    void baseUrlChanged(const QUrl &url);

private:
    ApiReply *send(const QString &method, const QString &path, const QJsonObject &body, QList<int> extraOkStatuses);

    QNetworkAccessManager *m_network;
    QUrl m_baseUrl;
    QString m_token;
    QString m_caFile;
    QList<QSslCertificate> m_caCertificates;
    bool m_tlsVerification = true;
    int m_timeoutMs = 30000;
};

} // namespace gk
