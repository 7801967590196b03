#include "Session.h"

#include "ApiClient.h"
#include "ApiReply.h"
#include "ModelsLogging.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTimer>
#include <QUrl>

#include <algorithm>

namespace gk {

namespace {

constexpr qint64 minimumRenewalDelayMs = 500;

QString mountOr(const QString &mount, const QString &fallback)
{
    const QString trimmed = mount.trimmed();
    return trimmed.isEmpty() ? fallback : trimmed;
}

QStringList stringList(const QJsonValue &value)
{
    QStringList list;
    const QJsonArray array = value.toArray();
    for (const QJsonValue &item : array)
        list.append(item.toString());
    return list;
}

QString joined(const QStringList &errors)
{
    return errors.join(QStringLiteral("; "));
}

} // namespace

Session::Session(ApiClient *client, QObject *parent)
    : QObject(parent), m_client(client), m_probe(new ApiClient(this)), m_renewTimer(new QTimer(this))
{
    Q_ASSERT(m_client);
    m_renewTimer->setSingleShot(true);
    m_renewTimer->setTimerType(Qt::PreciseTimer);
    connect(m_renewTimer, &QTimer::timeout, this, [this] {
        if (m_renewable)
            renew();
        else
            expire(tr("The token has expired"));
    });
}

Session::~Session()
{
    dropReply();
}

void Session::dropReply()
{
    if (ApiReply *reply = m_reply) {
        m_reply = nullptr; // its callback sees that it was dropped
        reply->abort();
    }
}

bool Session::takeReply(ApiReply *reply)
{
    if (m_reply != reply)
        return false; // dropped: a newer call took its place
    m_reply = nullptr;
    return true;
}

void Session::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void Session::clearIdentity()
{
    m_renewTimer->stop();
    m_displayName.clear();
    m_entityId.clear();
    m_policies.clear();
    m_renewable = false;
    m_expireTime = {};
    m_lastRenewal = {};
}

void Session::signIn(const Credentials &credentials)
{
    dropReply();
    m_probe->clearToken();
    m_probe->setBaseUrl(m_client->baseUrl());
    m_probe->setTlsVerification(m_client->tlsVerification());
    m_probe->setTimeoutMs(m_client->timeoutMs());
    QString caError;
    setState(State::SigningIn);
    if (!m_probe->setCaCertificateFile(m_client->caCertificateFile(), &caError)) {
        failSignIn(caError);
        return;
    }

    if (credentials.method == Method::Token) {
        const QString token = credentials.secret.trimmed();
        if (token.isEmpty()) {
            failSignIn(tr("A token is required"));
            return;
        }
        lookUp(token);
        return;
    }

    QString path;
    QJsonObject body;
    if (credentials.method == Method::Userpass) {
        const QString user = credentials.name.trimmed();
        path = QStringLiteral("auth/%1/login/%2")
                   .arg(mountOr(credentials.mount, QStringLiteral("userpass")),
                        QString::fromUtf8(QUrl::toPercentEncoding(user)));
        body.insert(QStringLiteral("password"), credentials.secret);
    } else {
        path = QStringLiteral("auth/%1/login").arg(mountOr(credentials.mount, QStringLiteral("approle")));
        body.insert(QStringLiteral("role_id"), credentials.name.trimmed());
        body.insert(QStringLiteral("secret_id"), credentials.secret);
    }
    ApiReply *reply = m_probe->request(QStringLiteral("POST"), path, body);
    m_reply = reply;
    reply->onFinished(this, [this, reply](int, const QJsonObject &answer, const QStringList &errors) {
        if (!takeReply(reply))
            return;
        const QString token =
            answer.value(QStringLiteral("auth")).toObject().value(QStringLiteral("client_token")).toString();
        if (!errors.isEmpty() || token.isEmpty()) {
            failSignIn(errors.isEmpty() ? tr("The server's login answer has no token") : joined(errors));
            return;
        }
        lookUp(token);
    });
}

void Session::failSignIn(const QString &error)
{
    // The session in place before the attempt, if any, goes on.
    setState(m_client->hasToken() && !m_displayName.isEmpty() ? State::SignedIn : State::SignedOut);
    emit signInFailed(error);
}

void Session::lookUp(const QString &token)
{
    m_probe->setToken(token);
    ApiReply *reply = m_probe->request(QStringLiteral("GET"), QStringLiteral("auth/token/lookup-self"));
    m_probe->clearToken();
    m_reply = reply;
    reply->onFinished(this, [this, reply, token](int, const QJsonObject &answer, const QStringList &errors) {
        if (!takeReply(reply))
            return;
        if (!errors.isEmpty()) {
            failSignIn(joined(errors));
            return;
        }
        applyLookup(token, answer.value(QStringLiteral("data")).toObject());
    });
}

void Session::applyLookup(const QString &token, const QJsonObject &data)
{
    clearIdentity();
    m_client->setToken(token);
    m_displayName = data.value(QStringLiteral("display_name")).toString();
    m_entityId = data.value(QStringLiteral("entity_id")).toString();
    m_policies = stringList(data.value(QStringLiteral("policies")));
    m_renewable = data.value(QStringLiteral("renewable")).toBool();
    const QJsonValue expire = data.value(QStringLiteral("expire_time"));
    const qint64 ttl = data.value(QStringLiteral("ttl")).toInteger();
    if (ttl > 0)
        m_expireTime = QDateTime::currentDateTimeUtc().addSecs(ttl);
    else if (expire.isString())
        m_expireTime = QDateTime::fromString(expire.toString(), Qt::ISODateWithMs);
    if (m_expireTime.isValid())
        scheduleRenewal(ttl > 0 ? ttl : QDateTime::currentDateTimeUtc().secsTo(m_expireTime));
    qCInfo(lcApi) << "signed in as" << m_displayName << "with policies" << m_policies;
    setState(State::SignedIn);
    emit signedIn();
}

void Session::scheduleRenewal(qint64 ttlSeconds)
{
    // A renewable token is renewed at two thirds of what is left; any other runs out at its expiry. The server counts
    // whole seconds, so up to one second less than ttlSeconds may be left: count from that.
    const qint64 leftMs = std::max<qint64>(0, ttlSeconds - 1) * 1000;
    const qint64 delayMs = m_renewable ? leftMs * 2 / 3 : leftMs;
    m_renewTimer->start(static_cast<int>(std::clamp<qint64>(delayMs, minimumRenewalDelayMs, 24LL * 3600 * 1000)));
}

void Session::renew()
{
    if (m_state != State::SignedIn || !m_client->hasToken())
        return;
    dropReply();
    ApiReply *reply = m_client->request(QStringLiteral("POST"), QStringLiteral("auth/token/renew-self"));
    m_reply = reply;
    reply->onFinished(this, [this, reply](int, const QJsonObject &answer, const QStringList &errors) {
        if (!takeReply(reply))
            return;
        if (!errors.isEmpty()) {
            expire(joined(errors));
            return;
        }
        const QJsonObject auth = answer.value(QStringLiteral("auth")).toObject();
        const qint64 ttl = auth.value(QStringLiteral("lease_duration")).toInteger();
        m_lastRenewal = QDateTime::currentDateTimeUtc();
        if (ttl <= 0) {
            m_expireTime = {};
            m_renewTimer->stop();
        } else {
            m_renewable = auth.value(QStringLiteral("renewable")).toBool(m_renewable);
            m_expireTime = m_lastRenewal.addSecs(ttl);
            scheduleRenewal(ttl);
        }
        emit renewed();
    });
}

void Session::expire(const QString &error)
{
    qCWarning(lcApi) << "the session ended:" << error;
    dropReply();
    m_client->clearToken();
    clearIdentity();
    setState(State::Expired);
    emit expired(error);
}

void Session::signOut(bool revoke)
{
    dropReply();
    if (revoke && m_client->hasToken()) {
        // The request carries the token when it is made; it is cleared from the client right after.
        m_client->request(QStringLiteral("POST"), QStringLiteral("auth/token/revoke-self"))
            ->onFinished(this, [](int, const QJsonObject &, const QStringList &errors) {
                if (!errors.isEmpty())
                    qCWarning(lcApi) << "revoking the token on sign-out failed:" << joined(errors);
            });
    }
    m_client->clearToken();
    m_probe->clearToken();
    clearIdentity();
    setState(State::SignedOut);
    emit signedOut();
}

} // namespace gk
