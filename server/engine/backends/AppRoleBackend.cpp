#include "engine/backends/AppRoleBackend.h"

#include "Duration.h"
#include "engine/crypto/Crypto.h"
#include "engine/crypto/SecureBytes.h"
#include "engine/policy/VaultData.h"
#include "engine/storage/Storage.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>

Q_LOGGING_CATEGORY(lcAppRole, "gatekeeper.approle")

namespace gk {

namespace {

using Got = Result<std::optional<QByteArray>>;
const QString kInvalidRoleId = QStringLiteral("invalid role ID");
const QString kInvalidSecretId = QStringLiteral("invalid secret id");
constexpr qsizetype kMaxIdChars = 4096;

QFuture<Response> ready(Response r)
{
    return QtFuture::makeReadyFuture(std::move(r));
}

template <typename T> QFuture<T> readyValue(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

Response failure(const Status &st)
{
    return Response::error(st.httpStatus(), st.error());
}

Response interrupted()
{
    return Response::error(500, QStringLiteral("the request was interrupted"));
}

QByteArray compact(const QJsonObject &json)
{
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

QJsonObject parse(const QByteArray &bytes)
{
    return QJsonDocument::fromJson(bytes).object();
}

QString rfc3339Ms(qint64 msecs)
{
    if (msecs <= 0)
        return QStringLiteral("0001-01-01T00:00:00Z");
    return formatRfc3339Ms(msecs);
}

// Vault's role names: word characters with '.' and '-' inside; lower-cased.
std::optional<QString> normalizeRoleName(const QString &name)
{
    static const QRegularExpression valid(QStringLiteral("\\A\\w(?:[\\w.-]{0,126}\\w)?\\z"));
    const QString lower = name.toLower();
    if (!valid.match(lower).hasMatch())
        return std::nullopt;
    return lower;
}

Response badRoleName()
{
    return Response::error(400, QStringLiteral("invalid role name: use letters, digits, '_', and '.' or '-' inside, at "
                                               "most 128 characters"));
}

// A non-empty string field of at most kMaxIdChars characters; nullopt when missing or empty.
std::optional<QString> idField(const QJsonObject &data, const QString &name)
{
    const QJsonValue v = data.value(name);
    if (!v.isString() || v.toString().isEmpty() || v.toString().size() > kMaxIdChars)
        return std::nullopt;
    return v.toString();
}

struct Keys
{
    QString prefix;
    QString salt() const { return prefix + QStringLiteral("salt"); }
    QString role(const QString &name) const { return prefix + QStringLiteral("role/") + name; }
    QString roleId(const QString &hmac) const { return prefix + QStringLiteral("role-id/") + hmac; }
    QString secretDir(const QString &name) const
    {
        return prefix + QStringLiteral("secret-id/") + name + QLatin1Char('/');
    }
    QString secret(const QString &name, const QString &hmac) const { return secretDir(name) + hmac; }
    QString accessorDir(const QString &name) const
    {
        return prefix + QStringLiteral("accessor/") + name + QLatin1Char('/');
    }
    QString accessor(const QString &name, const QString &accessor) const { return accessorDir(name) + accessor; }
};

QString hmacHex(const SecureBytes &key, const QString &value)
{
    return QString::fromLatin1(crypto::hmacSha256(key, value.toUtf8()).toHex());
}

// The mount's HMAC key, created on first use (creation serialised, so two first uses agree on one key). It is read
// from the barrier each time rather than cached, so that nothing of it stays in memory while sealed.
QFuture<Result<SecureBytes>> hmacKey(Storage *barrier, const Keys &keys, const std::shared_ptr<KeyedSequencer> &seq)
{
    using R = Result<SecureBytes>;
    const QString key = keys.salt();
    const auto fromStored = [](QByteArray &bytes) {
        SecureBytes out = SecureBytes::fromByteArray(bytes);
        SecureBytes::wipe(bytes);
        return out;
    };
    return barrier->get(key)
        .then([barrier, key, seq, fromStored](Got got) -> QFuture<R> {
            if (!got)
                return readyValue(R(got.status()));
            if (got.value().has_value())
                return readyValue(R(fromStored(*got.value())));
            return seq->run<R>(
                QStringLiteral("salt"),
                [barrier, key, fromStored]() {
                    return barrier->get(key)
                        .then([barrier, key, fromStored](Got again) -> QFuture<R> {
                            if (!again)
                                return readyValue(R(again.status()));
                            if (again.value().has_value())
                                return readyValue(R(fromStored(*again.value())));
                            const SecureBytes fresh = crypto::randomBytes(32);
                            QByteArray bytes = fresh.toByteArray();
                            QFuture<Status> stored = barrier->put(key, bytes);
                            SecureBytes::wipe(bytes);
                            return stored.then([fresh](Status st) -> R {
                                if (!st)
                                    return st;
                                return fresh;
                            });
                        })
                        .unwrap();
                },
                R::fail(QStringLiteral("creating the approle key was interrupted")));
        })
        .unwrap();
}

QJsonObject secretIdInfo(const QJsonObject &entry)
{
    return {{QStringLiteral("secret_id_accessor"), entry.value(QStringLiteral("accessor"))},
            {QStringLiteral("secret_id_num_uses"), entry.value(QStringLiteral("num_uses"))},
            {QStringLiteral("secret_id_ttl"), entry.value(QStringLiteral("ttl"))},
            {QStringLiteral("creation_time"), rfc3339Ms(entry.value(QStringLiteral("creation_ms")).toInteger())},
            {QStringLiteral("last_updated_time"), rfc3339Ms(entry.value(QStringLiteral("updated_ms")).toInteger())},
            {QStringLiteral("expiration_time"), rfc3339Ms(entry.value(QStringLiteral("expiration_ms")).toInteger())},
            {QStringLiteral("metadata"), entry.value(QStringLiteral("metadata")).toObject()},
            {QStringLiteral("cidr_list"), QJsonArray()},
            {QStringLiteral("token_bound_cidrs"), QJsonArray()}};
}

// Secret-id metadata: an object of strings, or that object as JSON text (as hvac sends it).
Result<QJsonObject> metadataField(const QJsonObject &data)
{
    QJsonValue v = data.value(QStringLiteral("metadata"));
    if (v.isUndefined() || v.isNull() || (v.isString() && v.toString().isEmpty()))
        return QJsonObject();
    if (v.isString()) {
        const QJsonDocument doc = QJsonDocument::fromJson(v.toString().toUtf8());
        if (!doc.isObject())
            return Result<QJsonObject>::fail(QStringLiteral("metadata must be a JSON object of strings"), 400);
        v = doc.object();
    }
    if (!v.isObject())
        return Result<QJsonObject>::fail(QStringLiteral("metadata must be a JSON object of strings"), 400);
    const QJsonObject object = v.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!it.value().isString())
            return Result<QJsonObject>::fail(QStringLiteral("metadata value \"%1\" must be a string").arg(it.key()),
                                             400);
    }
    return object;
}

// Deletes a secret id and its accessor index; a secret id already gone is fine.
QFuture<Status> removeSecretId(Storage *barrier, const Keys &keys, const QString &role, const QString &hmac)
{
    return barrier->get(keys.secret(role, hmac))
        .then([barrier, keys, role, hmac](Got got) -> QFuture<Status> {
            if (!got)
                return readyValue(got.status());
            if (!got.value().has_value())
                return readyValue(Status::ok());
            const QString accessor = parse(*got.value()).value(QStringLiteral("accessor")).toString();
            QList<StorageOp> ops{StorageOp::remove(keys.secret(role, hmac))};
            if (!accessor.isEmpty())
                ops.append(StorageOp::remove(keys.accessor(role, accessor)));
            return barrier->batch(ops);
        })
        .unwrap();
}

} // namespace

AppRoleBackend::AppRoleBackend(const MountContext &context)
    : m_context(context), m_sequencer(std::make_shared<KeyedSequencer>())
{}

QList<PathSpec> AppRoleBackend::paths()
{
    // The handlers keep the backend alive: a request routed before the mount was disabled may still call one.
    const auto bind = [self = shared_from_this()](QFuture<Response> (AppRoleBackend::*fn)(const Request &)) {
        return [self, fn](const Request &r) { return (self.get()->*fn)(r); };
    };
    const auto spec = [](QString pattern, std::map<Operation, Handler> handlers, QString help) {
        PathSpec s;
        s.pattern = std::move(pattern);
        s.handlers = std::move(handlers);
        s.help = std::move(help);
        return s;
    };
    QList<PathSpec> specs;
    specs.append(spec(QStringLiteral("role/?"), {{Operation::List, bind(&AppRoleBackend::listRoles)}},
                      QStringLiteral("LIST the role names; 404 when there are none.")));
    specs.append(spec(QStringLiteral("role/([^/]+)"),
                      {{Operation::Read, bind(&AppRoleBackend::readRole)},
                       {Operation::Update, bind(&AppRoleBackend::writeRole)},
                       {Operation::Delete, bind(&AppRoleBackend::deleteRole)}},
                      QStringLiteral("Create or update (POST: secret_id_num_uses, secret_id_ttl, bind_secret_id, "
                                     "token_policies or policies, token_ttl, token_max_ttl, token_num_uses, "
                                     "token_no_default_policy, role_id), read or delete a role. Deleting a role "
                                     "deletes its secret ids.")));
    specs.append(spec(
        QStringLiteral("role/([^/]+)/role-id"),
        {{Operation::Read, bind(&AppRoleBackend::readRoleId)}, {Operation::Update, bind(&AppRoleBackend::writeRoleId)}},
        QStringLiteral("Read the role's role_id, or set it (POST {\"role_id\"}; unique per mount).")));
    PathSpec secretId = spec(QStringLiteral("role/([^/]+)/secret-id/?"),
                             {{Operation::Update, bind(&AppRoleBackend::generateSecretId)},
                              {Operation::List, bind(&AppRoleBackend::listSecretIds)}},
                             QStringLiteral("POST makes a secret id (metadata, ttl, num_uses, within the role's "
                                            "limits): {\"data\": {\"secret_id\", \"secret_id_accessor\", "
                                            "\"secret_id_ttl\", \"secret_id_num_uses\"}}. LIST names the accessors of "
                                            "the role's secret ids."));
    secretId.sensitiveFields = {QStringLiteral("secret_id")};
    specs.append(secretId);
    PathSpec custom = spec(QStringLiteral("role/([^/]+)/custom-secret-id"),
                           {{Operation::Update, bind(&AppRoleBackend::customSecretId)}},
                           QStringLiteral("As secret-id, with the secret id given in \"secret_id\"."));
    custom.sensitiveFields = {QStringLiteral("secret_id")};
    specs.append(custom);
    PathSpec lookup = spec(QStringLiteral("role/([^/]+)/secret-id/lookup"),
                           {{Operation::Update, bind(&AppRoleBackend::lookupSecretId)}},
                           QStringLiteral("Read a secret id's properties (not the id): {\"secret_id\"}."));
    lookup.sensitiveFields = {QStringLiteral("secret_id")};
    specs.append(lookup);
    PathSpec destroy = spec(QStringLiteral("role/([^/]+)/secret-id/destroy"),
                            {{Operation::Update, bind(&AppRoleBackend::destroySecretId)},
                             {Operation::Delete, bind(&AppRoleBackend::destroySecretId)}},
                            QStringLiteral("Destroy a secret id: {\"secret_id\"}."));
    destroy.sensitiveFields = {QStringLiteral("secret_id")};
    specs.append(destroy);
    specs.append(spec(QStringLiteral("role/([^/]+)/secret-id-accessor/lookup"),
                      {{Operation::Update, bind(&AppRoleBackend::lookupAccessor)}},
                      QStringLiteral("Read a secret id's properties by its accessor: {\"secret_id_accessor\"}.")));
    specs.append(spec(QStringLiteral("role/([^/]+)/secret-id-accessor/destroy"),
                      {{Operation::Update, bind(&AppRoleBackend::destroyAccessor)},
                       {Operation::Delete, bind(&AppRoleBackend::destroyAccessor)}},
                      QStringLiteral("Destroy a secret id by its accessor: {\"secret_id_accessor\"}.")));
    PathSpec login = spec(QStringLiteral("login"), {{Operation::Update, bind(&AppRoleBackend::login)}},
                          QStringLiteral("Log in with {\"role_id\", \"secret_id\"}: answers {\"auth\": "
                                         "{\"client_token\", \"policies\", \"metadata\": {\"role_name\"}, "
                                         "\"entity_id\", ...}}. Each login uses up one of the secret id's uses."));
    login.unauthenticated = true;
    login.sensitiveFields = {QStringLiteral("secret_id"), QStringLiteral("client_token")};
    specs.append(login);
    return specs;
}

QFuture<Response> AppRoleBackend::listRoles(const Request &)
{
    return m_context.barrier->list(Keys{m_context.storagePrefix}.role(QString())).then([](Result<QStringList> names) {
        if (!names)
            return failure(names.status());
        if (names.value().isEmpty())
            return Response::error(404, QStringLiteral("no roles"));
        return Response::ok(vaultData({{QStringLiteral("keys"), QJsonArray::fromStringList(names.value())}}));
    });
}

QFuture<Response> AppRoleBackend::readRole(const Request &request)
{
    const std::optional<QString> name = normalizeRoleName(request.captures.value(0));
    if (!name)
        return ready(badRoleName());
    return m_context.barrier->get(Keys{m_context.storagePrefix}.role(*name)).then([name = *name](Got got) {
        if (!got)
            return failure(got.status());
        if (!got.value().has_value())
            return Response::error(404, QStringLiteral("no role named \"%1\"").arg(name));
        const QJsonObject role = parse(*got.value());
        QJsonObject data{{QStringLiteral("bind_secret_id"), true},
                         {QStringLiteral("secret_id_num_uses"), role.value(QStringLiteral("secret_id_num_uses"))},
                         {QStringLiteral("secret_id_ttl"), role.value(QStringLiteral("secret_id_ttl"))},
                         {QStringLiteral("secret_id_bound_cidrs"), QJsonArray()},
                         {QStringLiteral("local_secret_ids"), false},
                         {QStringLiteral("period"), 0}};
        TokenParams::fromJson(role).addTo(data);
        return Response::ok(vaultData(data));
    });
}

QFuture<Response> AppRoleBackend::writeRole(const Request &request)
{
    return updateRole(request.captures.value(0), request.data, false);
}

QFuture<Response> AppRoleBackend::writeRoleId(const Request &request)
{
    if (!idField(request.data, QStringLiteral("role_id")))
        return ready(Response::error(400, QStringLiteral("missing role_id")));
    const std::optional<QString> name = normalizeRoleName(request.captures.value(0));
    if (!name)
        return ready(badRoleName());
    return updateRole(*name, {{QStringLiteral("role_id"), request.data.value(QStringLiteral("role_id"))}}, true);
}

QFuture<Response> AppRoleBackend::updateRole(const QString &rawName, const QJsonObject &data, bool mustExist)
{
    const std::optional<QString> name = normalizeRoleName(rawName);
    if (!name)
        return ready(badRoleName());
    // Validate what does not depend on the stored role up front.
    const auto bindSecretId = fields::boolean(data, QStringLiteral("bind_secret_id"));
    const auto numUses = fields::integer(data, QStringLiteral("secret_id_num_uses"));
    const auto secretTtl = fields::duration(data, QStringLiteral("secret_id_ttl"));
    const auto cidrs = fields::stringList(data, QStringLiteral("secret_id_bound_cidrs"));
    for (const Status &st : {bindSecretId.status(), numUses.status(), secretTtl.status(), cidrs.status()}) {
        if (!st)
            return ready(failure(st));
    }
    if (bindSecretId.value() && !*bindSecretId.value())
        return ready(Response::error(400, QStringLiteral("bind_secret_id cannot be false: a role needs a secret id, as "
                                                         "Gatekeeper has no other constraint (such as bound CIDRs) to "
                                                         "bind it")));
    if (cidrs.value() && !cidrs.value()->isEmpty())
        return ready(Response::error(400, QStringLiteral("secret_id_bound_cidrs is not supported")));
    std::optional<QString> givenRoleId;
    if (data.contains(QStringLiteral("role_id"))) {
        givenRoleId = idField(data, QStringLiteral("role_id"));
        if (!givenRoleId)
            return ready(Response::error(400, QStringLiteral("role_id must be a non-empty string")));
    }

    const Keys keys{m_context.storagePrefix};
    Storage *const barrier = m_context.barrier;
    const std::shared_ptr<KeyedSequencer> seq = m_sequencer;
    auto task = [=, name = *name]() -> QFuture<Response> {
        return hmacKey(barrier, keys, seq)
            .then([=](Result<SecureBytes> hkey) -> QFuture<Response> {
                if (!hkey)
                    return ready(failure(hkey.status()));
                return barrier->get(keys.role(name))
                    .then([=, hkey = hkey.value()](Got got) -> QFuture<Response> {
                        if (!got)
                            return ready(failure(got.status()));
                        const bool exists = got.value().has_value();
                        if (!exists && mustExist)
                            return ready(Response::error(404, QStringLiteral("no role named \"%1\"").arg(name)));
                        QJsonObject role = exists ? parse(*got.value()) : QJsonObject();
                        TokenParams params = TokenParams::fromJson(role);
                        if (!mustExist) {
                            if (Status st = params.update(data); !st)
                                return ready(failure(st));
                        }
                        const QString oldRoleId = role.value(QStringLiteral("role_id")).toString();
                        const QString newRoleId =
                            givenRoleId.value_or(oldRoleId.isEmpty() ? crypto::randomUuid() : oldRoleId);
                        QJsonObject next = params.toJson();
                        next.insert(QStringLiteral("role_id"), newRoleId);
                        next.insert(
                            QStringLiteral("secret_id_num_uses"),
                            numUses.value().value_or(role.value(QStringLiteral("secret_id_num_uses")).toInteger()));
                        next.insert(
                            QStringLiteral("secret_id_ttl"),
                            secretTtl.value().value_or(role.value(QStringLiteral("secret_id_ttl")).toInteger()));
                        const QString newIndex = keys.roleId(hmacHex(hkey, newRoleId));
                        QList<StorageOp> ops{StorageOp::put(keys.role(name), compact(next)),
                                             StorageOp::put(newIndex, compact({{QStringLiteral("name"), name}}))};
                        if (!oldRoleId.isEmpty() && oldRoleId != newRoleId)
                            ops.append(StorageOp::remove(keys.roleId(hmacHex(hkey, oldRoleId))));
                        const auto written = [](Status st) { return st ? Response::noContent() : failure(st); };
                        if (newRoleId == oldRoleId)
                            return barrier->batch(ops).then(written);
                        // A new role id must not be another role's: checked and claimed under the id's own key.
                        return seq->run<Response>(
                            QStringLiteral("role-id:") + newIndex,
                            [=]() {
                                return barrier->get(newIndex)
                                    .then([=](Got taken) -> QFuture<Response> {
                                        if (!taken)
                                            return ready(failure(taken.status()));
                                        if (taken.value().has_value() &&
                                            parse(*taken.value()).value(QStringLiteral("name")).toString() != name)
                                            return ready(Response::error(400, QStringLiteral("role_id is already in "
                                                                                             "use by another role")));
                                        return barrier->batch(ops).then(written);
                                    })
                                    .unwrap();
                            },
                            interrupted());
                    })
                    .unwrap();
            })
            .unwrap();
    };
    return m_sequencer->run<Response>(QStringLiteral("role:") + *name, std::move(task), interrupted());
}

QFuture<Response> AppRoleBackend::deleteRole(const Request &request)
{
    const std::optional<QString> name = normalizeRoleName(request.captures.value(0));
    if (!name)
        return ready(badRoleName());
    const Keys keys{m_context.storagePrefix};
    Storage *const barrier = m_context.barrier;
    const std::shared_ptr<KeyedSequencer> seq = m_sequencer;
    auto task = [=, name = *name]() -> QFuture<Response> {
        return hmacKey(barrier, keys, seq)
            .then([=](Result<SecureBytes> hkey) -> QFuture<Response> {
                if (!hkey)
                    return ready(failure(hkey.status()));
                return barrier->get(keys.role(name))
                    .then([=, hkey = hkey.value()](Got got) -> QFuture<Status> {
                        if (!got)
                            return readyValue(got.status());
                        if (!got.value().has_value())
                            return readyValue(Status::ok());
                        const QString roleId = parse(*got.value()).value(QStringLiteral("role_id")).toString();
                        return barrier
                            ->batch({StorageOp::remove(keys.role(name)),
                                     StorageOp::remove(keys.roleId(hmacHex(hkey, roleId)))})
                            .then([=](Status st) -> QFuture<Status> {
                                if (!st)
                                    return readyValue(st);
                                return MountTable::deletePrefix(barrier, keys.secretDir(name));
                            })
                            .unwrap()
                            .then([=](Status st) -> QFuture<Status> {
                                if (!st)
                                    return readyValue(st);
                                return MountTable::deletePrefix(barrier, keys.accessorDir(name));
                            })
                            .unwrap();
                    })
                    .unwrap()
                    .then([](Status st) { return st ? Response::noContent() : failure(st); });
            })
            .unwrap();
    };
    return m_sequencer->run<Response>(QStringLiteral("role:") + *name, std::move(task), interrupted());
}

QFuture<Response> AppRoleBackend::readRoleId(const Request &request)
{
    const std::optional<QString> name = normalizeRoleName(request.captures.value(0));
    if (!name)
        return ready(badRoleName());
    return m_context.barrier->get(Keys{m_context.storagePrefix}.role(*name)).then([name = *name](Got got) {
        if (!got)
            return failure(got.status());
        if (!got.value().has_value())
            return Response::error(404, QStringLiteral("no role named \"%1\"").arg(name));
        return Response::ok(
            vaultData({{QStringLiteral("role_id"), parse(*got.value()).value(QStringLiteral("role_id"))}}));
    });
}

QFuture<Response> AppRoleBackend::generateSecretId(const Request &request)
{
    return createSecretId(request.captures.value(0), request.data, QString());
}

QFuture<Response> AppRoleBackend::customSecretId(const Request &request)
{
    const std::optional<QString> chosen = idField(request.data, QStringLiteral("secret_id"));
    if (!chosen)
        return ready(Response::error(400, QStringLiteral("missing secret_id")));
    return createSecretId(request.captures.value(0), request.data, *chosen);
}

QFuture<Response> AppRoleBackend::createSecretId(const QString &rawName, const QJsonObject &data, const QString &chosen)
{
    const std::optional<QString> name = normalizeRoleName(rawName);
    if (!name)
        return ready(badRoleName());
    const Result<QJsonObject> metadata = metadataField(data);
    const auto ttl = fields::duration(data, QStringLiteral("ttl"));
    const auto uses = fields::integer(data, QStringLiteral("num_uses"));
    const auto cidrs = fields::stringList(data, QStringLiteral("cidr_list"));
    const auto tokenCidrs = fields::stringList(data, QStringLiteral("token_bound_cidrs"));
    for (const Status &st : {metadata.status(), ttl.status(), uses.status(), cidrs.status(), tokenCidrs.status()}) {
        if (!st)
            return ready(failure(st));
    }
    if ((cidrs.value() && !cidrs.value()->isEmpty()) || (tokenCidrs.value() && !tokenCidrs.value()->isEmpty()))
        return ready(Response::error(400, QStringLiteral("cidr_list and token_bound_cidrs are not supported")));

    const Keys keys{m_context.storagePrefix};
    Storage *const barrier = m_context.barrier;
    const std::shared_ptr<KeyedSequencer> seq = m_sequencer;
    const QJsonObject meta = metadata.value();
    const std::optional<qint64> wantedTtl = ttl.value();
    const std::optional<qint64> wantedUses = uses.value();
    return barrier->get(keys.role(*name))
        .then([=, name = *name](Got got) -> QFuture<Response> {
            if (!got)
                return ready(failure(got.status()));
            if (!got.value().has_value())
                return ready(Response::error(404, QStringLiteral("no role named \"%1\"").arg(name)));
            const QJsonObject role = parse(*got.value());
            const qint64 roleTtl = role.value(QStringLiteral("secret_id_ttl")).toInteger();
            const qint64 roleUses = role.value(QStringLiteral("secret_id_num_uses")).toInteger();
            qint64 secretTtl = roleTtl;
            if (wantedTtl && *wantedTtl > 0) {
                if (roleTtl > 0 && *wantedTtl > roleTtl)
                    return ready(Response::error(400, QStringLiteral("ttl must not be greater than the role's "
                                                                     "secret_id_ttl")));
                secretTtl = *wantedTtl;
            }
            qint64 secretUses = roleUses;
            if (wantedUses && *wantedUses > 0) {
                if (roleUses > 0 && *wantedUses > roleUses)
                    return ready(Response::error(400, QStringLiteral("num_uses must not be greater than the role's "
                                                                     "secret_id_num_uses")));
                secretUses = *wantedUses;
            }
            const QString secretId = chosen.isEmpty() ? crypto::randomUuid() : chosen;
            return hmacKey(barrier, keys, seq)
                .then([=](Result<SecureBytes> hkey) -> QFuture<Response> {
                    if (!hkey)
                        return ready(failure(hkey.status()));
                    const QString hmac = hmacHex(hkey.value(), secretId);
                    const qint64 now = QDateTime::currentMSecsSinceEpoch();
                    const QString accessor = crypto::randomUuid();
                    const QJsonObject entry{
                        {QStringLiteral("accessor"), accessor},
                        {QStringLiteral("num_uses"), secretUses},
                        {QStringLiteral("ttl"), secretTtl},
                        {QStringLiteral("creation_ms"), now},
                        {QStringLiteral("updated_ms"), now},
                        {QStringLiteral("expiration_ms"), secretTtl > 0 ? now + secretTtl * 1000 : 0},
                        {QStringLiteral("metadata"), meta}};
                    const QJsonObject answer{{QStringLiteral("secret_id"), secretId},
                                             {QStringLiteral("secret_id_accessor"), accessor},
                                             {QStringLiteral("secret_id_ttl"), secretTtl},
                                             {QStringLiteral("secret_id_num_uses"), secretUses}};
                    const auto store = [=]() {
                        return barrier
                            ->batch({StorageOp::put(keys.secret(name, hmac), compact(entry)),
                                     StorageOp::put(keys.accessor(name, accessor),
                                                    compact({{QStringLiteral("hmac"), hmac}}))})
                            .then([answer](Status st) { return st ? Response::ok(vaultData(answer)) : failure(st); });
                    };
                    if (chosen.isEmpty())
                        return store();
                    // A chosen secret id must be new.
                    return seq->run<Response>(
                        QStringLiteral("secret:") + hmac,
                        [=]() {
                            return barrier->get(keys.secret(name, hmac))
                                .then([=](Got existing) -> QFuture<Response> {
                                    if (!existing)
                                        return ready(failure(existing.status()));
                                    if (existing.value().has_value())
                                        return ready(Response::error(400, QStringLiteral("secret_id already exists")));
                                    return store();
                                })
                                .unwrap();
                        },
                        interrupted());
                })
                .unwrap();
        })
        .unwrap();
}

QFuture<Response> AppRoleBackend::listSecretIds(const Request &request)
{
    const std::optional<QString> name = normalizeRoleName(request.captures.value(0));
    if (!name)
        return ready(badRoleName());
    return m_context.barrier->list(Keys{m_context.storagePrefix}.accessorDir(*name))
        .then([](Result<QStringList> names) {
            if (!names)
                return failure(names.status());
            if (names.value().isEmpty())
                return Response::error(404, QStringLiteral("no secret ids"));
            return Response::ok(vaultData({{QStringLiteral("keys"), QJsonArray::fromStringList(names.value())}}));
        });
}

QFuture<Response> AppRoleBackend::lookupSecretId(const Request &request)
{
    const std::optional<QString> name = normalizeRoleName(request.captures.value(0));
    if (!name)
        return ready(badRoleName());
    const std::optional<QString> secretId = idField(request.data, QStringLiteral("secret_id"));
    if (!secretId)
        return ready(Response::error(400, QStringLiteral("missing secret_id")));
    const Keys keys{m_context.storagePrefix};
    Storage *const barrier = m_context.barrier;
    return hmacKey(barrier, keys, m_sequencer)
        .then([=, name = *name, secretId = *secretId](Result<SecureBytes> hkey) -> QFuture<Response> {
            if (!hkey)
                return ready(failure(hkey.status()));
            return barrier->get(keys.secret(name, hmacHex(hkey.value(), secretId))).then([](Got got) {
                if (!got)
                    return failure(got.status());
                if (!got.value().has_value())
                    return Response::error(404, QStringLiteral("no such secret id"));
                return Response::ok(vaultData(secretIdInfo(parse(*got.value()))));
            });
        })
        .unwrap();
}

QFuture<Response> AppRoleBackend::destroySecretId(const Request &request)
{
    const std::optional<QString> name = normalizeRoleName(request.captures.value(0));
    if (!name)
        return ready(badRoleName());
    const std::optional<QString> secretId = idField(request.data, QStringLiteral("secret_id"));
    if (!secretId)
        return ready(Response::error(400, QStringLiteral("missing secret_id")));
    const Keys keys{m_context.storagePrefix};
    Storage *const barrier = m_context.barrier;
    const std::shared_ptr<KeyedSequencer> seq = m_sequencer;
    return hmacKey(barrier, keys, seq)
        .then([=, name = *name, secretId = *secretId](Result<SecureBytes> hkey) -> QFuture<Response> {
            if (!hkey)
                return ready(failure(hkey.status()));
            const QString hmac = hmacHex(hkey.value(), secretId);
            return seq->run<Response>(
                QStringLiteral("secret:") + hmac,
                [=]() {
                    return removeSecretId(barrier, keys, name, hmac).then([](Status st) {
                        return st ? Response::noContent() : failure(st);
                    });
                },
                interrupted());
        })
        .unwrap();
}

QFuture<Response> AppRoleBackend::lookupAccessor(const Request &request)
{
    const std::optional<QString> name = normalizeRoleName(request.captures.value(0));
    if (!name)
        return ready(badRoleName());
    const std::optional<QString> accessor = idField(request.data, QStringLiteral("secret_id_accessor"));
    if (!accessor || accessor->contains(QLatin1Char('/')))
        return ready(Response::error(400, QStringLiteral("missing secret_id_accessor")));
    const Keys keys{m_context.storagePrefix};
    Storage *const barrier = m_context.barrier;
    return barrier->get(keys.accessor(*name, *accessor))
        .then([=, name = *name](Got index) -> QFuture<Response> {
            if (!index)
                return ready(failure(index.status()));
            if (!index.value().has_value())
                return ready(Response::error(404, QStringLiteral("no such secret id accessor")));
            const QString hmac = parse(*index.value()).value(QStringLiteral("hmac")).toString();
            return barrier->get(keys.secret(name, hmac)).then([](Got got) {
                if (!got)
                    return failure(got.status());
                if (!got.value().has_value())
                    return Response::error(404, QStringLiteral("no such secret id accessor"));
                return Response::ok(vaultData(secretIdInfo(parse(*got.value()))));
            });
        })
        .unwrap();
}

QFuture<Response> AppRoleBackend::destroyAccessor(const Request &request)
{
    const std::optional<QString> name = normalizeRoleName(request.captures.value(0));
    if (!name)
        return ready(badRoleName());
    const std::optional<QString> accessor = idField(request.data, QStringLiteral("secret_id_accessor"));
    if (!accessor || accessor->contains(QLatin1Char('/')))
        return ready(Response::error(400, QStringLiteral("missing secret_id_accessor")));
    const Keys keys{m_context.storagePrefix};
    Storage *const barrier = m_context.barrier;
    const std::shared_ptr<KeyedSequencer> seq = m_sequencer;
    return barrier->get(keys.accessor(*name, *accessor))
        .then([=, name = *name](Got index) -> QFuture<Response> {
            if (!index)
                return ready(failure(index.status()));
            if (!index.value().has_value())
                return ready(Response::noContent());
            const QString hmac = parse(*index.value()).value(QStringLiteral("hmac")).toString();
            return seq->run<Response>(
                QStringLiteral("secret:") + hmac,
                [=]() {
                    return removeSecretId(barrier, keys, name, hmac).then([](Status st) {
                        return st ? Response::noContent() : failure(st);
                    });
                },
                interrupted());
        })
        .unwrap();
}

QFuture<Response> AppRoleBackend::login(const Request &request)
{
    const std::optional<QString> roleId = idField(request.data, QStringLiteral("role_id"));
    if (!roleId)
        return ready(Response::error(400, QStringLiteral("missing role_id")));
    const std::optional<QString> secretId = idField(request.data, QStringLiteral("secret_id"));
    const MountContext ctx = m_context;
    const Keys keys{ctx.storagePrefix};
    Storage *const barrier = ctx.barrier;
    const std::shared_ptr<KeyedSequencer> seq = m_sequencer;
    const QString requestPath = request.path;
    return hmacKey(barrier, keys, seq)
        .then([=, roleId = *roleId](Result<SecureBytes> hkey) -> QFuture<Response> {
            if (!hkey)
                return ready(failure(hkey.status()));
            const SecureBytes key = hkey.value();
            return barrier->get(keys.roleId(hmacHex(key, roleId)))
                .then([=](Got index) -> QFuture<Response> {
                    if (!index)
                        return ready(failure(index.status()));
                    if (!index.value().has_value())
                        return ready(Response::error(400, kInvalidRoleId));
                    const QString name = parse(*index.value()).value(QStringLiteral("name")).toString();
                    return barrier->get(keys.role(name))
                        .then([=](Got stored) -> QFuture<Response> {
                            if (!stored)
                                return ready(failure(stored.status()));
                            if (!stored.value().has_value())
                                return ready(Response::error(400, kInvalidRoleId));
                            const QJsonObject role = parse(*stored.value());
                            if (!secretId)
                                return ready(Response::error(400, QStringLiteral("missing secret_id")));
                            const QString hmac = hmacHex(key, *secretId);
                            // Check and use up the secret id, one login at a time per secret id.
                            using Used = Result<QJsonObject>;
                            QFuture<Used> used = seq->run<Used>(
                                QStringLiteral("secret:") + hmac,
                                [=]() {
                                    return barrier->get(keys.secret(name, hmac))
                                        .then([=](Got got) -> QFuture<Used> {
                                            if (!got)
                                                return readyValue(Used(got.status()));
                                            if (!got.value().has_value())
                                                return readyValue(Used::fail(kInvalidSecretId, 400));
                                            QJsonObject entry = parse(*got.value());
                                            const qint64 now = QDateTime::currentMSecsSinceEpoch();
                                            const qint64 expires =
                                                entry.value(QStringLiteral("expiration_ms")).toInteger();
                                            const qint64 uses = entry.value(QStringLiteral("num_uses")).toInteger();
                                            const QString accessor = entry.value(QStringLiteral("accessor")).toString();
                                            const QList<StorageOp> removal{
                                                StorageOp::remove(keys.secret(name, hmac)),
                                                StorageOp::remove(keys.accessor(name, accessor))};
                                            if (expires > 0 && now >= expires) {
                                                return barrier->batch(removal).then(
                                                    [](Status) { return Used::fail(kInvalidSecretId, 400); });
                                            }
                                            QFuture<Status> written = QtFuture::makeReadyFuture(Status::ok());
                                            if (uses == 1) {
                                                written = barrier->batch(removal);
                                            } else if (uses > 1) {
                                                entry.insert(QStringLiteral("num_uses"), uses - 1);
                                                entry.insert(QStringLiteral("updated_ms"), now);
                                                written = barrier->put(keys.secret(name, hmac), compact(entry));
                                            }
                                            return written.then([entry](Status st) -> Used {
                                                if (!st)
                                                    return st;
                                                return entry;
                                            });
                                        })
                                        .unwrap();
                                },
                                Used::fail(QStringLiteral("the login was interrupted")));
                            return used
                                .then([=](Used entry) -> QFuture<Response> {
                                    if (!entry)
                                        return ready(failure(entry.status()));
                                    LoginGrant grant;
                                    grant.aliasName = name;
                                    grant.token = TokenParams::fromJson(role);
                                    const QJsonObject meta = entry.value().value(QStringLiteral("metadata")).toObject();
                                    for (auto it = meta.begin(); it != meta.end(); ++it)
                                        grant.metadata.insert(it.key(), it.value().toString());
                                    grant.metadata.insert(QStringLiteral("role_name"), name);
                                    grant.requestPath = requestPath;
                                    return ctx.issueToken(std::move(grant));
                                })
                                .unwrap();
                        })
                        .unwrap();
                })
                .unwrap();
        })
        .unwrap();
}

} // namespace gk
