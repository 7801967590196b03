#include "engine/backends/AuthMountsBackend.h"

#include "engine/policy/VaultData.h"

namespace gk {

namespace {

QFuture<Response> ready(Response r)
{
    return QtFuture::makeReadyFuture(std::move(r));
}

Response answer(const Status &st)
{
    return st ? Response::noContent() : Response::error(st.httpStatus(), st.error());
}

} // namespace

QList<PathSpec> AuthMountsBackend::paths()
{
    const auto bind = [this](QFuture<Response> (AuthMountsBackend::*fn)(const Request &)) {
        return [this, fn](const Request &r) { return (this->*fn)(r); };
    };
    const bool auth = m_kind == MountKind::Auth;

    PathSpec all;
    all.pattern = QString();
    all.handlers = {{Operation::Read, bind(&AuthMountsBackend::list)}};
    all.listLike = true; // GET sys/auth and sys/mounts list the mounts: a blocking query like LIST
    all.help = auth
                   ? QStringLiteral("The enabled auth methods: {\"<path>/\": {\"type\", \"description\", \"accessor\", "
                                    "\"config\", \"local\", \"seal_wrap\", \"options\", \"uuid\"}, ...}, also under "
                                    "\"data\". The token store at token/ is always there.")
                   : QStringLiteral("The mounted secret engines: {\"<path>/\": {\"type\", \"description\", "
                                    "\"accessor\", \"config\", \"local\", \"seal_wrap\", \"options\", \"uuid\"}, ...}, "
                                    "also under \"data\". sys/ and identity/ are always there; secret/ is a kv "
                                    "(version 1) mount made at the first unseal.");

    PathSpec one;
    one.pattern = QStringLiteral("(.+)");
    one.handlers = {{Operation::Read, bind(&AuthMountsBackend::read)},
                    {Operation::Update, bind(&AuthMountsBackend::enable)},
                    {Operation::Delete, bind(&AuthMountsBackend::disable)}};
    one.help = auth ? QStringLiteral("POST {\"type\": \"userpass\" | \"approle\", \"description\", \"config\": "
                                     "{\"default_lease_ttl\", \"max_lease_ttl\", \"user_lockout_config\": "
                                     "{\"lockout_threshold\", \"lockout_duration\", \"lockout_counter_reset\", "
                                     "\"lockout_disable\"}, ...}} enables an auth method at auth/<path>/; DELETE "
                                     "disables it and deletes its users, roles and secret ids; GET reads its entry. "
                                     "Needs sudo.")
                    : QStringLiteral("POST {\"type\": \"kv\", \"description\", \"config\", \"options\": "
                                     "{\"version\": \"1\"}} mounts a kv secret engine at <path>/; DELETE unmounts it "
                                     "and deletes its secrets; GET reads its entry.");
    one.requiresSudo = auth;
    return {all, one};
}

QFuture<Response> AuthMountsBackend::list(const Request &)
{
    QJsonObject data;
    for (const MountEntry &e : m_table->entries(m_kind))
        data.insert(e.path, e.toListing());
    return ready(Response::ok(vaultData(data, true)));
}

QFuture<Response> AuthMountsBackend::read(const Request &request)
{
    const QString path = request.captures.value(0);
    const std::optional<MountEntry> entry = m_table->entry(m_kind, path);
    if (!entry)
        return ready(Response::error(
            400, QStringLiteral("no %1 mounted at \"%2\"")
                     .arg(m_kind == MountKind::Auth ? QStringLiteral("auth method") : QStringLiteral("secrets engine"),
                          path)));
    return ready(Response::ok(vaultData(entry->toListing(), true)));
}

QFuture<Response> AuthMountsBackend::enable(const Request &request)
{
    return m_table->enable(m_kind, request.captures.value(0), request.data).then(answer);
}

QFuture<Response> AuthMountsBackend::disable(const Request &request)
{
    return m_table->disable(m_kind, request.captures.value(0)).then(answer);
}

} // namespace gk
