#pragma once

#include "SealStatus.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <functional>
#include <optional>

class QObject;

namespace gk {

class ApiClient;
struct ServerStatusSnapshot;

// The task token broker's GET /status (Gatekeeper's shape: id, version, uptime, its own seal, the /token counters).
// A value type: copy it freely. fetch() reads it together with the barrier's GET /v1/sys/seal-status.
struct ServerStatus
{
    // The broker's /token counters since the server started.
    struct Counters
    {
        qint64 requests = 0;
        qint64 successful = 0;
        qint64 denied = 0;
        qint64 failed = 0;

        friend bool operator==(const Counters &, const Counters &) = default;
    };

    QString id; // a random UUID per server start
    QString version;
    QString uptime; // as the server wrote it (a Go duration, "1h2m3s")
    qint64 uptimeSeconds = 0;
    QDateTime started;
    bool brokerUnsealed = false;
    Counters counters;

    // Parses /status's answer (also its 503 answer while the broker is sealed, which has the same body). id,
    // version, uptime, unsealed and stats are required; on failure *error (when given) says what is wrong.
    static std::optional<ServerStatus> fromJson(const QJsonObject &json, QString *error = nullptr);

    using SnapshotCallback = std::function<void(const ServerStatusSnapshot &snapshot)>;

    // GET /status and GET /v1/sys/seal-status at once, through client (neither needs a token). callback runs once,
    // later, when both have answered, unless context has been destroyed by then.
    static void fetch(ApiClient *client, const QObject *context, SnapshotCallback callback);

    friend bool operator==(const ServerStatus &, const ServerStatus &) = default;
};

// One reading of /status and seal-status (ServerStatus::fetch): either part may be missing, with the server's errors
// text (or why its answer was not understood) in its error string.
struct ServerStatusSnapshot
{
    std::optional<ServerStatus> broker;
    QString brokerError;
    std::optional<SealStatus> barrier;
    QString barrierError;
    QDateTime takenAt; // when the later of the two answers came
};

} // namespace gk
