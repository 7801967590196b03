#pragma once

#include "engine/Backend.h"
#include "engine/Result.h"
#include "engine/backends/KeyedSequencer.h"
#include "engine/crypto/SecureBytes.h"

#include <QFuture>
#include <QHash>
#include <QJsonObject>
#include <QMap>
#include <QMutex>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace gk {

class AuditFileDevice;
class AuditTrail;
class Storage;

// One audit device as sys/audit lists it and the barrier keeps it.
struct AuditDeviceEntry
{
    QString path; // "file/"
    QString type = QStringLiteral("file");
    QString description;
    QString filePath;
    int mode = 0600;
    bool local = false;

    QJsonObject toListing() const; // Vault's shape: type, description, options {file_path, mode}, path, local
    QJsonObject toJson() const { return toListing(); }
    static AuditDeviceEntry fromJson(const QJsonObject &json);
};

// The audit devices and what the request pipeline calls. The device table ("sys/audit/devices") and the HMAC key
// of the trail ("sys/audit/hmac-key", 32 random bytes, one per server) live in the barrier: devices write only
// while the server is unsealed. A device given on the command line (--audit-log) sits at "file/", is not stored,
// and is active whenever the server is unsealed.
//
// With no device enabled requests run as they would without audit. With devices, each request gets an AuditTrail:
// its request line is written before its handler runs and its response line after; when no device could write a
// line the request fails with 500 (fail closed) and, for the request line, its handler does not run.
// Every method may be called from any thread; changes to the table run one at a time.
class AuditBroker final
{
public:
    explicit AuditBroker(Storage *barrier);
    ~AuditBroker();
    Q_DISABLE_COPY_MOVE(AuditBroker)

    // --audit-log FILE: opens the file now (a failure names the reason).
    QFuture<Status> enableStartupDevice(const QString &filePath);
    // After an unseal: the key (made on first use) and the device table.
    QFuture<Status> load();
    // On seal: the key and the table's devices leave memory.
    void seal();

    // PUT sys/audit/:path {"type": "file", "description", "options": {"file_path", "mode"}, "local"}. 400 for bad
    // input, a path in use, a file another device writes, or a file that cannot be opened; nothing changes then.
    QFuture<Status> enable(const QString &path, const QJsonObject &request);
    // DELETE sys/audit/:path. Disabling a path with no device succeeds.
    QFuture<Status> disable(const QString &path);
    QList<AuditDeviceEntry> entries() const;
    // sys/audit-hash/:path: the "hmac-sha256:..." the device at path writes for input; 400 when there is none.
    Result<QString> hash(const QString &path, const QString &input) const;

    // The pipeline: runs dispatch with request.audit set when a device is active (and writes the response line
    // after it), or runs it as it is.
    QFuture<Response> audited(Request request, const std::function<QFuture<Response>(Request)> &dispatch);
    // A change made outside any request (a gate's sweep expiring a request, ...), or a transition worth its own line:
    // one "event" line ({"time", "type": "event", "event": event}) on every active device. event is written as given
    // and must hold no secret value. Ok at once when no device is enabled; a failure when none could write it.
    QFuture<Status> recordEvent(const QJsonObject &event);
    // Called by the pipeline right before a handler: writes the request line first when request.audit is set.
    static QFuture<Response> beforeHandler(const Request &request, const Handler &handler);

private:
    struct Device
    {
        AuditDeviceEntry entry;
        std::shared_ptr<AuditFileDevice> file;
    };
    std::shared_ptr<AuditTrail> begin() const;
    std::shared_ptr<AuditFileDevice> deviceFor(const QString &filePath, int mode);
    QFuture<Status> store(const QMap<QString, AuditDeviceEntry> &table);
    QFuture<Status> loadNow();
    QFuture<Status> enableNow(AuditDeviceEntry entry);
    QFuture<Status> disableNow(const QString &path);
    QString conflictFor(const AuditDeviceEntry &entry) const;

    Storage *m_barrier;
    KeyedSequencer m_changes;
    std::shared_ptr<QMutex> m_order; // the order of lines across devices
    mutable QMutex m_mutex;          // guards the members below
    SecureBytes m_key;               // empty while sealed
    std::optional<Device> m_startup;
    QMap<QString, Device> m_table;            // by path
    QMap<QString, AuditDeviceEntry> m_stored; // the stored table (also entries shadowed by the startup device)
    QHash<QString, std::weak_ptr<AuditFileDevice>> m_files; // one writer per file
};

} // namespace gk
