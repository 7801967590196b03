#include "engine/policy/PolicyStore.h"

#include "engine/policy/Acl.h"
#include "engine/policy/DefaultPolicy.h"
#include "engine/policy/PolicyParser.h"
#include "engine/storage/Storage.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutexLocker>

Q_LOGGING_CATEGORY(lcPolicy, "gatekeeper.policy")

namespace gk {

namespace {
const QString kPrefix = QStringLiteral("sys/policy/");
const QString kRoot = QStringLiteral("root");
const QString kDefault = QStringLiteral("default");
const QString kResponseWrapping = QStringLiteral("response-wrapping"); // built in, fixed
constexpr qsizetype kMaxCachedAcls = 1024; // distinct policy sets; the cache starts over beyond that

template <typename T> QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

// The text of a stored policy, or nullopt when the value is not what write() stores.
std::optional<QString> storedText(const QByteArray &value)
{
    const QJsonValue policy = QJsonDocument::fromJson(value).object().value(QStringLiteral("policy"));
    if (!policy.isString())
        return std::nullopt;
    return policy.toString();
}
} // namespace

PolicyStore::PolicyStore(Storage *barrier) : m_barrier(barrier) {}

PolicyStore::~PolicyStore() = default;

Result<QString> PolicyStore::normalizeName(const QString &name)
{
    // Checked before lower-casing, so that no non-ASCII letter (the Kelvin sign) turns into an ASCII one.
    const QString trimmed = name.trimmed();
    const auto allowed = [](QChar c, bool first) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'_' ||
               (!first && (c == u'.' || c == u'-'));
    };
    bool valid = !trimmed.isEmpty() && trimmed.size() <= 128;
    for (qsizetype i = 0; valid && i < trimmed.size(); ++i)
        valid = allowed(trimmed.at(i), i == 0);
    if (!valid)
        return Result<QString>::fail(QStringLiteral("invalid policy name \"%1\": use 1 to 128 of a-z, 0-9, '_', '.' "
                                                    "and '-', starting with a letter, a digit or '_'")
                                         .arg(name.left(128)),
                                     400);
    return trimmed.toLower();
}

QFuture<Result<QStringList>> PolicyStore::names()
{
    return m_barrier->list(kPrefix).then([](Result<QStringList> listed) -> Result<QStringList> {
        if (!listed)
            return listed.status();
        QStringList out;
        for (const QString &key : listed.value()) {
            if (!key.endsWith(u'/') && key != kRoot)
                out.append(key);
        }
        if (!out.contains(kDefault))
            out.append(kDefault);
        out.sort();
        out.append(kRoot);
        return out;
    });
}

QFuture<Result<std::optional<QString>>> PolicyStore::text(const QString &name)
{
    using R = Result<std::optional<QString>>;
    const Result<QString> normalized = normalizeName(name);
    if (!normalized)
        return ready(R(normalized.status()));
    const QString n = normalized.value();
    if (n == kRoot)
        return ready(R(std::optional<QString>(QString())));
    if (n == kResponseWrapping)
        return ready(R(std::optional<QString>(responseWrappingPolicyText())));
    return m_barrier->get(kPrefix + n).then([n](Result<std::optional<QByteArray>> got) -> R {
        if (!got)
            return got.status();
        if (!got.value().has_value())
            return n == kDefault ? std::optional<QString>(defaultPolicyText()) : std::nullopt;
        const std::optional<QString> text = storedText(*got.value());
        if (!text)
            return R::fail(QStringLiteral("policy \"%1\" is stored in an unknown format").arg(n));
        return text;
    });
}

QFuture<Status> PolicyStore::write(const QString &name, const QString &text)
{
    const Result<QString> normalized = normalizeName(name);
    if (!normalized)
        return ready(normalized.status());
    const QString n = normalized.value();
    if (n == kRoot || n == kResponseWrapping)
        return ready(Status::fail(QStringLiteral("cannot update the %1 policy").arg(n), 400));
    const Result<Policy> parsed = PolicyParser::parse(n, text);
    if (!parsed)
        return ready(parsed.status());
    const QJsonObject stored{{QStringLiteral("name"), n}, {QStringLiteral("policy"), text}};
    return m_barrier->put(kPrefix + n, QJsonDocument(stored).toJson(QJsonDocument::Compact)).then([this, n](Status st) {
        clear(); // also after a failed write: the store may or may not hold the new text
        if (st)
            qCInfo(lcPolicy) << "policy" << n << "written";
        return st;
    });
}

QFuture<Status> PolicyStore::remove(const QString &name)
{
    const Result<QString> normalized = normalizeName(name);
    if (!normalized)
        return ready(normalized.status());
    const QString n = normalized.value();
    if (n == kRoot || n == kDefault || n == kResponseWrapping)
        return ready(Status::fail(QStringLiteral("cannot delete the %1 policy").arg(n), 400));
    return m_barrier->remove(kPrefix + n).then([this, n](Status st) {
        clear();
        if (st)
            qCInfo(lcPolicy) << "policy" << n << "deleted";
        return st;
    });
}

QFuture<Result<PolicyStore::PolicyPtr>> PolicyStore::load(const QString &name)
{
    using R = Result<PolicyPtr>;
    return m_barrier->get(kPrefix + name).then([name](Result<std::optional<QByteArray>> got) -> R {
        if (!got)
            return got.status();
        QString text;
        if (name == kResponseWrapping) {
            text = responseWrappingPolicyText(); // whatever may be stored under that name
        } else if (got.value().has_value()) {
            const std::optional<QString> stored = storedText(*got.value());
            if (!stored) {
                qCWarning(lcPolicy) << "policy" << name << "is stored in an unknown format";
                return R::fail(QStringLiteral("policy \"%1\" is stored in an unknown format").arg(name));
            }
            text = *stored;
        } else if (name == kDefault) {
            text = defaultPolicyText();
        } else {
            return PolicyPtr(); // unknown names are ignored
        }
        Result<Policy> parsed = PolicyParser::parse(name, text);
        if (!parsed) {
            qCWarning(lcPolicy) << "stored policy" << name << "does not parse:" << parsed.error();
            return R::fail(QStringLiteral("policy \"%1\" is stored but does not parse").arg(name));
        }
        return PolicyPtr(std::make_shared<const Policy>(parsed.takeValue()));
    });
}

QFuture<Result<std::shared_ptr<const Acl>>> PolicyStore::aclFor(const QStringList &names)
{
    using R = Result<std::shared_ptr<const Acl>>;
    // Only the exact name "root" makes a root token (as TokenEntry::isRoot() says); "Root" or " root" are not
    // root, and since they cannot name a stored policy either, they are ignored like every unknown name.
    if (names.contains(kRoot))
        return ready(R(Acl::root()));
    QStringList wanted;
    for (const QString &name : names) {
        const Result<QString> normalized = normalizeName(name);
        if (normalized && normalized.value() != kRoot && !wanted.contains(normalized.value()))
            wanted.append(normalized.value());
    }
    wanted.sort();
    const QString key = wanted.join(u'\n');

    QList<PolicyPtr> known;
    QStringList missing;
    quint64 generation = 0;
    {
        QMutexLocker lock(&m_mutex);
        if (const auto it = m_acls.constFind(key); it != m_acls.cend())
            return ready(R(it.value()));
        generation = m_generation;
        for (const QString &name : std::as_const(wanted)) {
            if (const auto it = m_policies.constFind(name); it != m_policies.cend())
                known.append(it.value());
            else
                missing.append(name);
        }
        if (missing.isEmpty()) {
            std::shared_ptr<const Acl> acl = Acl::compile(known);
            if (m_acls.size() >= kMaxCachedAcls)
                m_acls.clear();
            m_acls.insert(key, acl);
            return ready(R(std::move(acl)));
        }
    }

    QList<QFuture<Result<PolicyPtr>>> loads;
    for (const QString &name : std::as_const(missing))
        loads.append(load(name));
    return QtFuture::whenAll(loads.begin(), loads.end())
        .then([this, key, known, missing, generation](const QList<QFuture<Result<PolicyPtr>>> &done) -> R {
            QList<PolicyPtr> all = known;
            QList<PolicyPtr> loaded;
            for (const QFuture<Result<PolicyPtr>> &future : done) {
                const Result<PolicyPtr> policy = future.result();
                if (!policy)
                    return policy.status();
                loaded.append(policy.value());
            }
            all.append(loaded);
            std::shared_ptr<const Acl> acl = Acl::compile(all);
            QMutexLocker lock(&m_mutex);
            if (generation == m_generation) { // no policy changed while these were read
                for (qsizetype i = 0; i < missing.size(); ++i)
                    m_policies.insert(missing.at(i), loaded.at(i));
                if (m_acls.size() >= kMaxCachedAcls)
                    m_acls.clear();
                m_acls.insert(key, acl);
            }
            return acl;
        });
}

void PolicyStore::clear()
{
    QMutexLocker lock(&m_mutex);
    ++m_generation;
    m_policies.clear();
    m_acls.clear();
}

} // namespace gk
