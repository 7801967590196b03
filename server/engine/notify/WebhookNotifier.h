#pragma once

#include "engine/notify/Webhook.h"
#include "engine/notify/WebhookEvent.h"

#include <QByteArray>

#include <memory>

class QNetworkAccessManager;
class QObject;
class QThread;

namespace gk {

class Metrics;

// Delivers webhook events: one HTTP POST per event and receiver, from a thread of the notifier's own (with its own
// event loop and QNetworkAccessManager), so that neither the request that caused an event nor the thread it runs on
// ever waits for a receiver.
//
// An attempt succeeds on any 2xx answer. A network error (also a timeout), a 5xx, 408 or 429 is retried after
// retryDelayMs, then twice that, and so on (capped at maxRetryDelayMs), for at most `attempts` attempts in all; any
// other answer (3xx: redirects are not followed, 4xx) ends the delivery at once. At most maxPending deliveries wait
// at a time; beyond that new ones are dropped. Every outcome is counted (see the counters below and Metrics).
//
// send() may be called from any thread. Deliveries still waiting when the notifier is destroyed are abandoned.
class WebhookNotifier final
{
public:
    struct Options
    {
        int attempts = 5;
        int retryDelayMs = 1000;
        int maxRetryDelayMs = 5 * 60 * 1000;
        int timeoutMs = 10 * 1000; // one attempt, from sending to the whole answer
        int maxPending = 1000;
        QByteArray userAgent = QByteArrayLiteral("gatekeeper-webhook");
    };

    // With metrics, registers the counters and the pending gauge (gatekeeper_gate_webhook_*).
    explicit WebhookNotifier(Options options, Metrics *metrics = nullptr);
    ~WebhookNotifier();
    Q_DISABLE_COPY_MOVE(WebhookNotifier)

    // Queues event for each of hooks (in the hook's format) and returns at once.
    void send(const QList<Webhook> &hooks, const WebhookEvent &event);

    struct Counters
    {
        quint64 deliveries = 0; // events a receiver accepted (2xx)
        quint64 failures = 0;   // attempts that failed (network error, timeout, or a non-2xx answer)
        quint64 retries = 0;    // attempts made again after a failure
        quint64 dropped = 0;    // events given up: out of attempts, a final answer, or the queue was full
    };
    Counters counters() const;
    // Deliveries queued, in flight or waiting for a retry.
    int pending() const;

private:
    struct Delivery;
    struct Shared;
    // In m_thread: one POST of the delivery, and what follows its answer.
    void attempt(const std::shared_ptr<Delivery> &delivery);
    void answered(const std::shared_ptr<Delivery> &delivery, int httpStatus, const QString &error);

    const Options m_options;
    std::shared_ptr<Shared> m_shared; // the counters, also read by the metrics
    std::unique_ptr<QThread> m_thread;
    QObject *m_context = nullptr;               // lives in m_thread: parent of the network manager and the timers
    QNetworkAccessManager *m_network = nullptr; // made in m_thread on first use
};

} // namespace gk
