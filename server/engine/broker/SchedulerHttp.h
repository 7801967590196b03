#pragma once

#include "engine/HomeThread.h"
#include "engine/Result.h"
#include "engine/broker/Grid.h"
#include "engine/broker/SchedulerAdapter.h"

#include <QByteArray>
#include <QFuture>
#include <QJsonValue>
#include <QString>

#include <functional>
#include <memory>

class QObject;

namespace gk {

// The HTTP side shared by the remote scheduler adapters (Nomad, Mesos, Kubernetes): a GET of a JSON object from the
// grid's scheduler address, with the grid's token in the header that scheduler reads and the grid's CA certificate
// (PEM) added to the trusted ones (peer verification stays on). Requests run on the context's thread, in one
// QNetworkAccessManager kept as a child of that context, so the calling thread (an HTTP worker) never waits.
// Outcomes: the JSON object or array (HTTP 200); a 404 failure when the scheduler answers 404; a 500 failure when it
// is down, answers another status, or something that is not JSON.
class SchedulerHttp final
{
public:
    // tokenHeader: the header that carries the grid's token ("X-Nomad-Token", "Authorization"); tokenPrefix goes
    // before the token in it ("Bearer ").
    SchedulerHttp(const Grid &grid, QObject *context, QByteArray tokenHeader, QByteArray tokenPrefix = {});

    // pathAndQuery starts with '/'; its parts must already be percent-encoded.
    QFuture<Result<QJsonValue>> getJson(const QString &pathAndQuery) const;

    const QString &gridName() const { return m_gridName; }
    // A 500 failure that names the grid's scheduler: "the scheduler of grid G <why>".
    template <typename T> Result<T> fault(const QString &why) const
    {
        return Result<T>::fail(QStringLiteral("the scheduler of grid %1 %2").arg(m_gridName, why), 500);
    }

    // Host addresses of scheduler nodes (a Nomad node, a Mesos agent), kept for a short while across lookups: a
    // burst of /token calls from one host asks the scheduler for its node once. Keys are prefixed with the address.
    QString cachedHost(const QString &node) const;
    void rememberHost(const QString &node, const QString &host) const;

    // Unix seconds of an RFC 3339 time ("2024-05-01T10:00:00.123456789Z", "…+02:00"); 0 when empty, unreadable or
    // before 1970 (Go's zero time, which schedulers answer for "not yet").
    static qint64 parseRfc3339(const QString &text);
    // One path segment, percent-encoded; empty when the text may not be a segment ("", ".", "..").
    static QString segment(const QString &text);

    // Settles promise with info on the host of the scheduler node named node: the cached address, or the one that
    // read() finds in the answer to GET pathAndQuery (remembered for a while); a 500 failure when there is none.
    void settleWithHost(const HomePromise<Result<TaskInfo>> &promise, TaskInfo info, const QString &node,
                        const QString &pathAndQuery, std::function<QString(const QJsonValue &)> read) const;

    // The scheduler's nodes: GET pathAndQuery, whose answer holds them as an array under listKey (the answer itself
    // when listKey is empty), each made a NodeInfo by toNode. Any failure is a 500.
    QFuture<Result<QList<NodeInfo>>> getNodes(const QString &pathAndQuery, const QString &listKey,
                                              std::function<NodeInfo(const QJsonObject &)> toNode) const;

    // The host part of an "ip:port" or "[v6]:port" address.
    static QString hostOf(const QString &hostPort);

private:
    QString m_base; // the scheduler address without a trailing '/'
    QString m_gridName;
    QByteArray m_tokenHeader;
    QByteArray m_tokenValue; // empty when the grid has no token
    QByteArray m_caCert;
    QObject *m_context;
};

// The base of the remote scheduler adapters: the grid's scheduler over HTTP.
class RemoteScheduler : public SchedulerAdapter
{
protected:
    RemoteScheduler(const Grid &grid, QObject *context, QByteArray tokenHeader, QByteArray tokenPrefix = {})
        : m_http(grid, context, std::move(tokenHeader), std::move(tokenPrefix))
    {}
    SchedulerHttp m_http;
};

} // namespace gk
