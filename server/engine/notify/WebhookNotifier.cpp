#include "engine/notify/WebhookNotifier.h"

#include "engine/Metrics.h"

#include <QLoggingCategory>
#include <QMetaEnum>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <chrono>

Q_LOGGING_CATEGORY(lcNotify, "gatekeeper.notify")

namespace gk {

struct WebhookNotifier::Shared
{
    std::atomic<quint64> deliveries{0};
    std::atomic<quint64> failures{0};
    std::atomic<quint64> retries{0};
    std::atomic<quint64> dropped{0};
    std::atomic<int> pending{0};
};

struct WebhookNotifier::Delivery
{
    Webhook hook;
    QByteArray body;
    QByteArray eventName;
    QByteArray deliveryId;
    int attempts = 0; // made so far
};

WebhookNotifier::WebhookNotifier(Options options, Metrics *metrics)
    : m_options(std::move(options)), m_shared(std::make_shared<Shared>()), m_thread(std::make_unique<QThread>())
{
    m_thread->setObjectName(QStringLiteral("gk-webhooks"));
    m_context = new QObject;
    m_context->moveToThread(m_thread.get());
    QObject::connect(m_thread.get(), &QThread::finished, m_context, &QObject::deleteLater);
    m_thread->start();

    if (!metrics)
        return;
    const std::shared_ptr<Shared> shared = m_shared;
    const auto counter = [metrics, shared](const char *name, const char *help, std::atomic<quint64> Shared::*field) {
        metrics->addCounter(QLatin1String(name), QLatin1String(help),
                            [shared, field] { return static_cast<double>(((*shared).*field).load()); });
    };
    counter("gatekeeper_gate_webhook_deliveries_total", "Gate webhook events a receiver accepted (2xx).",
            &Shared::deliveries);
    counter("gatekeeper_gate_webhook_failures_total",
            "Gate webhook delivery attempts that failed (network error, timeout or non-2xx answer).",
            &Shared::failures);
    counter("gatekeeper_gate_webhook_retries_total", "Gate webhook delivery attempts made again after a failure.",
            &Shared::retries);
    counter("gatekeeper_gate_webhook_dropped_total",
            "Gate webhook events given up (attempts exhausted, a final answer, or the queue full).", &Shared::dropped);
    metrics->addGauge(QStringLiteral("gatekeeper_gate_webhook_pending"),
                      QStringLiteral("Gate webhook deliveries queued, in flight or waiting for a retry."),
                      [shared] { return static_cast<double>(shared->pending.load()); });
}

WebhookNotifier::~WebhookNotifier()
{
    // The context (with the network manager, its replies and the retry timers) is deleted in the thread as it ends.
    m_thread->quit();
    m_thread->wait();
}

WebhookNotifier::Counters WebhookNotifier::counters() const
{
    return {m_shared->deliveries.load(), m_shared->failures.load(), m_shared->retries.load(), m_shared->dropped.load()};
}

int WebhookNotifier::pending() const
{
    return m_shared->pending.load();
}

void WebhookNotifier::send(const QList<Webhook> &hooks, const WebhookEvent &event)
{
    for (const Webhook &hook : hooks) {
        if (m_shared->pending.fetch_add(1) >= m_options.maxPending) {
            m_shared->pending.fetch_sub(1);
            m_shared->dropped.fetch_add(1);
            qCWarning(lcNotify).noquote()
                << "webhook queue full: event" << event.name() << "for" << hook.display() << "dropped";
            continue;
        }
        auto delivery = std::make_shared<Delivery>();
        delivery->hook = hook;
        delivery->body = event.body(hook.format);
        delivery->eventName = event.name().toUtf8();
        delivery->deliveryId = event.deliveryId.toUtf8();
        QMetaObject::invokeMethod(
            m_context, [this, delivery] { attempt(delivery); }, Qt::QueuedConnection);
    }
}

void WebhookNotifier::attempt(const std::shared_ptr<Delivery> &delivery)
{
    if (!m_network)
        m_network = new QNetworkAccessManager(m_context);
    QNetworkRequest request(delivery->hook.url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setHeader(QNetworkRequest::UserAgentHeader, m_options.userAgent);
    request.setRawHeader("X-Gatekeeper-Event", delivery->eventName);
    request.setRawHeader("X-Gatekeeper-Delivery", delivery->deliveryId);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setTransferTimeout(m_options.timeoutMs);
    ++delivery->attempts;
    QNetworkReply *reply = m_network->post(request, delivery->body);
    // The answer's body is of no interest: read and dropped as it comes, so a large one holds no memory.
    QObject::connect(reply, &QIODevice::readyRead, reply, [reply] { reply->skip(reply->bytesAvailable()); });
    QObject::connect(reply, &QNetworkReply::finished, m_context, [this, delivery, reply] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        // The error's name, not its text: Qt's texts may quote the URL, which can be a secret of its own.
        answered(delivery, status,
                 status == 0 ? QString::fromLatin1(
                                   QMetaEnum::fromType<QNetworkReply::NetworkError>().valueToKey(reply->error()))
                             : QString());
    });
}

void WebhookNotifier::answered(const std::shared_ptr<Delivery> &delivery, int httpStatus, const QString &error)
{
    if (httpStatus >= 200 && httpStatus < 300) {
        m_shared->deliveries.fetch_add(1);
        m_shared->pending.fetch_sub(1);
        qCDebug(lcNotify).noquote() << "webhook" << delivery->hook.display() << "took"
                                    << QString::fromUtf8(delivery->eventName) << "after" << delivery->attempts
                                    << "attempt(s)";
        return;
    }
    m_shared->failures.fetch_add(1);
    const QString what = httpStatus == 0 ? error : QStringLiteral("HTTP %1").arg(httpStatus);
    const bool retryable = httpStatus == 0 || httpStatus >= 500 || httpStatus == 408 || httpStatus == 429;
    if (retryable && delivery->attempts < m_options.attempts) {
        m_shared->retries.fetch_add(1);
        const qint64 delay =
            std::min<qint64>(static_cast<qint64>(m_options.retryDelayMs) << std::min(delivery->attempts - 1, 30),
                             m_options.maxRetryDelayMs);
        qCInfo(lcNotify).noquote() << "webhook" << delivery->hook.display() << QStringLiteral("failed (%1):").arg(what)
                                   << "retry in" << delay << "ms";
        QTimer::singleShot(std::chrono::milliseconds(delay), m_context, [this, delivery] { attempt(delivery); });
        return;
    }
    m_shared->dropped.fetch_add(1);
    m_shared->pending.fetch_sub(1);
    qCWarning(lcNotify).noquote() << "webhook" << delivery->hook.display() << "did not take"
                                  << QString::fromUtf8(delivery->eventName) << QStringLiteral("(%1) after").arg(what)
                                  << delivery->attempts << "attempt(s): given up";
}

} // namespace gk
