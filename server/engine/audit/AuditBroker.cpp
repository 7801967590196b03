#include "engine/audit/AuditBroker.h"

#include "engine/Chain.h"
#include "engine/audit/AuditFileDevice.h"
#include "engine/audit/AuditTrail.h"
#include "engine/backends/MountTable.h"
#include "engine/crypto/Crypto.h"
#include "engine/storage/Storage.h"

#include <QDir>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMutexLocker>

Q_LOGGING_CATEGORY(lcAudit, "gatekeeper.audit")

namespace gk {

namespace {

const QString kKeyKey = QStringLiteral("sys/audit/hmac-key");
const QString kTableKey = QStringLiteral("sys/audit/devices");
const QString kStartupPath = QStringLiteral("file/");
constexpr int kKeyBytes = 32;

template <typename T> QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

Status bad(const QString &message)
{
    return Status::fail(message, 400);
}

QString modeText(int mode)
{
    return QStringLiteral("%1").arg(mode, 4, 8, QLatin1Char('0'));
}

std::optional<int> parseMode(const QString &text)
{
    if (text.size() < 3 || text.size() > 4)
        return std::nullopt;
    bool ok = false;
    const int mode = text.toInt(&ok, 8);
    if (!ok || mode < 0 || mode > 0777)
        return std::nullopt;
    return mode;
}

// Validates the body of PUT sys/audit/:path.
Result<AuditDeviceEntry> parseEnable(const QString &path, const QJsonObject &request)
{
    using R = Result<AuditDeviceEntry>;
    AuditDeviceEntry entry;
    const std::optional<QString> normal = MountTable::normalizePath(path);
    if (!normal)
        return R::fail(QStringLiteral("invalid audit device path \"%1\"").arg(path), 400);
    entry.path = *normal;
    const QJsonValue type = request.value(QStringLiteral("type"));
    if (type.isUndefined() || type.isNull() || type.toString().isEmpty())
        return R::fail(QStringLiteral("type must be given: \"file\""), 400);
    if (!type.isString() || type.toString() != QLatin1String("file"))
        return R::fail(QStringLiteral("unknown audit device type \"%1\": only \"file\" is supported")
                           .arg(type.isString() ? type.toString() : QStringLiteral("?")),
                       400);
    const QJsonValue description = request.value(QStringLiteral("description"));
    if (!description.isUndefined() && !description.isNull() && !description.isString())
        return R::fail(QStringLiteral("description must be a string"), 400);
    entry.description = description.toString();
    const auto local = fields::boolean(request, QStringLiteral("local"));
    if (!local)
        return R::fail(local.error(), 400);
    entry.local = local.value().value_or(false);

    const QJsonValue optionsValue = request.value(QStringLiteral("options"));
    if (!optionsValue.isUndefined() && !optionsValue.isNull() && !optionsValue.isObject())
        return R::fail(QStringLiteral("options must be an object"), 400);
    const QJsonObject options = optionsValue.toObject();
    for (auto it = options.begin(); it != options.end(); ++it) {
        if (it.key() == QLatin1String("file_path")) {
            if (!it.value().isString())
                return R::fail(QStringLiteral("options.file_path must be a string"), 400);
        } else if (it.key() == QLatin1String("mode")) {
            const std::optional<int> mode = it.value().isString() ? parseMode(it.value().toString()) : std::nullopt;
            if (!mode)
                return R::fail(QStringLiteral("options.mode must be an octal file mode such as \"0600\""), 400);
            entry.mode = *mode;
        } else {
            return R::fail(QStringLiteral("unsupported option \"%1\" for a file audit device").arg(it.key()), 400);
        }
    }
    const QString filePath = options.value(QStringLiteral("file_path")).toString();
    if (filePath.isEmpty())
        return R::fail(QStringLiteral("options.file_path must be given"), 400);
    if (!QDir::isAbsolutePath(filePath))
        return R::fail(QStringLiteral("options.file_path must be an absolute path"), 400);
    entry.filePath = QDir::cleanPath(filePath);
    return entry;
}

} // namespace

QJsonObject AuditDeviceEntry::toListing() const
{
    return {{QStringLiteral("type"), type},
            {QStringLiteral("description"), description},
            {QStringLiteral("options"),
             QJsonObject{{QStringLiteral("file_path"), filePath}, {QStringLiteral("mode"), modeText(mode)}}},
            {QStringLiteral("path"), path},
            {QStringLiteral("local"), local}};
}

AuditDeviceEntry AuditDeviceEntry::fromJson(const QJsonObject &json)
{
    AuditDeviceEntry e;
    e.path = json.value(QStringLiteral("path")).toString();
    e.type = json.value(QStringLiteral("type")).toString();
    e.description = json.value(QStringLiteral("description")).toString();
    const QJsonObject options = json.value(QStringLiteral("options")).toObject();
    e.filePath = options.value(QStringLiteral("file_path")).toString();
    e.mode = parseMode(options.value(QStringLiteral("mode")).toString()).value_or(0600);
    e.local = json.value(QStringLiteral("local")).toBool();
    return e;
}

AuditBroker::AuditBroker(Storage *barrier) : m_barrier(barrier), m_order(std::make_shared<QMutex>()) {}

AuditBroker::~AuditBroker() = default;

std::shared_ptr<AuditFileDevice> AuditBroker::deviceFor(const QString &filePath, int mode)
{
    QMutexLocker lock(&m_mutex);
    if (std::shared_ptr<AuditFileDevice> live = m_files.value(filePath).lock())
        return live;
    m_files.removeIf([](const auto &it) { return it.value().expired(); });
    auto device = std::make_shared<AuditFileDevice>(filePath, mode);
    m_files.insert(filePath, device);
    return device;
}

QFuture<Status> AuditBroker::enableStartupDevice(const QString &filePath)
{
    AuditDeviceEntry entry;
    entry.path = kStartupPath;
    entry.description = QStringLiteral("--audit-log");
    entry.filePath = QDir::cleanPath(QDir::current().absoluteFilePath(filePath));
    std::shared_ptr<AuditFileDevice> device = deviceFor(entry.filePath, entry.mode);
    return device->open().then([this, entry, device](Status st) {
        if (!st)
            return st;
        QMutexLocker lock(&m_mutex);
        m_startup = Device{entry, device};
        return Status::ok();
    });
}

QFuture<Status> AuditBroker::load()
{
    return m_changes.run<Status>(
        QStringLiteral("table"), [this] { return loadNow(); },
        Status::fail(QStringLiteral("audit table load cancelled")));
}

QFuture<Status> AuditBroker::loadNow()
{
    return m_barrier->get(kKeyKey)
        .then([this](Result<std::optional<QByteArray>> got) -> QFuture<Result<SecureBytes>> {
            using R = Result<SecureBytes>;
            if (!got)
                return ready(R(got.status()));
            if (got.value()) {
                SecureBytes key = SecureBytes::fromByteArray(*got.value());
                SecureBytes::wipe(*got.value());
                return ready(R(key));
            }
            SecureBytes fresh = crypto::randomBytes(kKeyBytes);
            QByteArray bytes = fresh.toByteArray();
            QFuture<Status> stored = m_barrier->put(kKeyKey, bytes);
            SecureBytes::wipe(bytes);
            return stored.then([fresh](Status st) -> R {
                if (!st)
                    return st;
                return fresh;
            });
        })
        .unwrap()
        .then([this](Result<SecureBytes> key) -> QFuture<Status> {
            if (!key)
                return ready(key.status());
            return m_barrier->get(kTableKey).then([this, key = key.value()](Result<std::optional<QByteArray>> got) {
                if (!got)
                    return got.status();
                QMap<QString, AuditDeviceEntry> stored;
                if (got.value()) {
                    const QJsonObject table = QJsonDocument::fromJson(*got.value()).object();
                    for (auto it = table.begin(); it != table.end(); ++it)
                        stored.insert(it.key(), AuditDeviceEntry::fromJson(it.value().toObject()));
                }
                std::optional<AuditDeviceEntry> startup;
                {
                    QMutexLocker lock(&m_mutex);
                    if (m_startup)
                        startup = m_startup->entry;
                }
                QMap<QString, Device> devices;
                for (const AuditDeviceEntry &e : std::as_const(stored)) {
                    if (startup && (startup->path == e.path || startup->filePath == e.filePath)) {
                        qCWarning(lcAudit) << "audit device" << e.path << "is not enabled: --audit-log holds"
                                           << (startup->path == e.path ? "its path" : "its file");
                        continue;
                    }
                    std::shared_ptr<AuditFileDevice> file = deviceFor(e.filePath, e.mode);
                    file->open().then([path = e.path](Status st) {
                        if (!st)
                            qCWarning(lcAudit) << "audit device" << path << "cannot write:" << st.error();
                    });
                    devices.insert(e.path, Device{e, file});
                }
                QMutexLocker lock(&m_mutex);
                m_key = key;
                m_table = std::move(devices);
                m_stored = std::move(stored);
                return Status::ok();
            });
        })
        .unwrap();
}

void AuditBroker::seal()
{
    QMutexLocker lock(&m_mutex);
    m_key = SecureBytes();
    m_table.clear();
    m_stored.clear();
}

QString AuditBroker::conflictFor(const AuditDeviceEntry &entry) const
{
    QList<const AuditDeviceEntry *> all;
    if (m_startup)
        all.append(&m_startup->entry);
    for (const Device &d : m_table)
        all.append(&d.entry);
    for (const AuditDeviceEntry *e : std::as_const(all)) {
        if (e->path == entry.path)
            return QStringLiteral("an audit device is already enabled at \"%1\"").arg(entry.path);
        if (e->filePath == entry.filePath)
            return QStringLiteral("the audit device at \"%1\" already writes \"%2\"").arg(e->path, entry.filePath);
    }
    return {};
}

QFuture<Status> AuditBroker::enable(const QString &path, const QJsonObject &request)
{
    Result<AuditDeviceEntry> entry = parseEnable(path, request);
    if (!entry)
        return ready(entry.status());
    return m_changes.run<Status>(
        QStringLiteral("table"), [this, e = entry.value()] { return enableNow(e); },
        Status::fail(QStringLiteral("audit table change cancelled")));
}

QFuture<Status> AuditBroker::enableNow(AuditDeviceEntry entry)
{
    {
        QMutexLocker lock(&m_mutex);
        if (m_key.isEmpty())
            return ready(Status::fail(QStringLiteral("Vault is sealed"), 503));
        if (const QString conflict = conflictFor(entry); !conflict.isEmpty())
            return ready(bad(conflict));
    }
    std::shared_ptr<AuditFileDevice> file = deviceFor(entry.filePath, entry.mode);
    return file->open()
        .then([this, entry, file](Status opened) -> QFuture<Status> {
            if (!opened)
                return ready(bad(QStringLiteral("cannot open the audit file: ") + opened.error()));
            QMap<QString, AuditDeviceEntry> table;
            {
                QMutexLocker lock(&m_mutex);
                table = m_stored;
            }
            table.insert(entry.path, entry);
            return store(table).then([this, entry, file, table](Status st) {
                if (!st)
                    return st;
                QMutexLocker lock(&m_mutex);
                m_stored = table;
                m_table.insert(entry.path, Device{entry, file});
                qCInfo(lcAudit) << "audit device enabled at" << entry.path;
                return Status::ok();
            });
        })
        .unwrap();
}

QFuture<Status> AuditBroker::disable(const QString &path)
{
    const std::optional<QString> normal = MountTable::normalizePath(path);
    if (!normal)
        return ready(bad(QStringLiteral("invalid audit device path \"%1\"").arg(path)));
    return m_changes.run<Status>(
        QStringLiteral("table"), [this, p = *normal] { return disableNow(p); },
        Status::fail(QStringLiteral("audit table change cancelled")));
}

QFuture<Status> AuditBroker::disableNow(const QString &path)
{
    QMap<QString, AuditDeviceEntry> table;
    {
        QMutexLocker lock(&m_mutex);
        if (m_startup && m_startup->entry.path == path) {
            // The --audit-log device is not stored: it is gone until the next start.
            m_startup.reset();
            qCInfo(lcAudit) << "the --audit-log device is disabled until the next start";
        }
        if (!m_stored.contains(path)) {
            m_table.remove(path);
            return ready(Status::ok());
        }
        table = m_stored;
    }
    table.remove(path);
    return store(table).then([this, path, table](Status st) {
        if (!st)
            return st;
        QMutexLocker lock(&m_mutex);
        m_stored = table;
        m_table.remove(path);
        qCInfo(lcAudit) << "audit device disabled at" << path;
        return Status::ok();
    });
}

QFuture<Status> AuditBroker::store(const QMap<QString, AuditDeviceEntry> &table)
{
    QJsonObject json;
    for (const AuditDeviceEntry &e : table)
        json.insert(e.path, e.toJson());
    return m_barrier->put(kTableKey, QJsonDocument(json).toJson(QJsonDocument::Compact));
}

QList<AuditDeviceEntry> AuditBroker::entries() const
{
    QMutexLocker lock(&m_mutex);
    QMap<QString, AuditDeviceEntry> all;
    for (const Device &d : m_table)
        all.insert(d.entry.path, d.entry);
    if (m_startup)
        all.insert(m_startup->entry.path, m_startup->entry);
    return all.values();
}

Result<QString> AuditBroker::hash(const QString &path, const QString &input) const
{
    const std::optional<QString> normal = MountTable::normalizePath(path);
    QMutexLocker lock(&m_mutex);
    if (!normal || (!m_table.contains(*normal) && !(m_startup && m_startup->entry.path == *normal)))
        return Result<QString>::fail(QStringLiteral("no audit device at \"%1\"").arg(path), 400);
    if (m_key.isEmpty())
        return Result<QString>::fail(QStringLiteral("Vault is sealed"), 503);
    return AuditHasher(m_key).hash(input);
}

std::shared_ptr<AuditTrail> AuditBroker::begin() const
{
    QMutexLocker lock(&m_mutex);
    if (m_key.isEmpty())
        return nullptr;
    QList<std::shared_ptr<AuditFileDevice>> files;
    if (m_startup)
        files.append(m_startup->file);
    for (const Device &d : m_table)
        files.append(d.file);
    if (files.isEmpty())
        return nullptr;
    return std::make_shared<AuditTrail>(std::move(files), m_key, m_order);
}

QFuture<Response> AuditBroker::audited(Request request, const std::function<QFuture<Response>(Request)> &dispatch)
{
    std::shared_ptr<AuditTrail> trail = begin();
    if (!trail)
        return dispatch(std::move(request));
    const Request original = request;
    request.audit = trail;
    return chain(dispatch(std::move(request)),
                 [trail, original](Response r) { return trail->afterResponse(original, r); });
}

QFuture<Status> AuditBroker::recordEvent(const QJsonObject &event)
{
    const std::shared_ptr<AuditTrail> trail = begin();
    if (!trail)
        return ready(Status::ok());
    return trail->writeEvent(event).then([trail](Status st) { return st; }); // the trail lives until it is written
}

QFuture<Response> AuditBroker::beforeHandler(const Request &request, const Handler &handler)
{
    if (!request.audit)
        return handler(request);
    return request.audit->beforeHandler(request, handler);
}

} // namespace gk
