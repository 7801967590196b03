#include "engine/backends/IdentityBackend.h"

#include "engine/backends/IdentityStore.h"
#include "engine/policy/VaultData.h"

#include <QJsonArray>

namespace gk {

namespace {

QFuture<Response> ready(Response r)
{
    return QtFuture::makeReadyFuture(std::move(r));
}

} // namespace

QList<PathSpec> IdentityBackend::paths()
{
    const auto bind = [this](QFuture<Response> (IdentityBackend::*fn)(const Request &)) {
        return [this, fn](const Request &r) { return (this->*fn)(r); };
    };

    PathSpec list;
    list.pattern = QStringLiteral("entity/id/?");
    list.handlers = {{Operation::List, bind(&IdentityBackend::listEntities)}};
    list.help = QStringLiteral("LIST the identity entities: {\"data\": {\"keys\": [ids], \"key_info\": {id: {\"name\", "
                               "\"aliases\"}}}}. 404 when there are none.");

    PathSpec one;
    one.pattern = QStringLiteral("entity/id/([^/]+)");
    one.handlers = {{Operation::Read, bind(&IdentityBackend::readEntity)}};
    one.help = QStringLiteral("Read an identity entity by id: id, name, aliases (one per auth mount the entity logged "
                              "in with: id, name, mount_accessor, mount_type, mount_path), policies, creation_time, "
                              "last_update_time.");
    return {list, one};
}

QFuture<Response> IdentityBackend::readEntity(const Request &request)
{
    const QString id = request.captures.value(0);
    return m_store->entity(id).then([id](Result<std::optional<Entity>> entity) {
        if (!entity)
            return Response::error(entity.httpStatus(), entity.error());
        if (!entity.value().has_value())
            return Response::error(404, QStringLiteral("no entity with id \"%1\"").arg(id));
        return Response::ok(vaultData(entity.value()->toApi()));
    });
}

QFuture<Response> IdentityBackend::listEntities(const Request &)
{
    IdentityStore *const store = m_store;
    return store->entityIds()
        .then([store](Result<QStringList> ids) -> QFuture<Response> {
            if (!ids)
                return ready(Response::error(ids.httpStatus(), ids.error()));
            if (ids.value().isEmpty())
                return ready(Response::error(404, QStringLiteral("no entities")));
            // key_info needs each entity; they are read one after another.
            auto info = std::make_shared<QJsonObject>();
            QFuture<Status> all = QtFuture::makeReadyFuture(Status::ok());
            for (const QString &id : ids.value()) {
                all =
                    all.then([store, id, info](Status st) -> QFuture<Status> {
                           if (!st)
                               return QtFuture::makeReadyFuture(st);
                           return store->entity(id).then([id, info](Result<std::optional<Entity>> e) -> Status {
                               if (!e)
                                   return e.status();
                               if (e.value().has_value()) {
                                   const QJsonObject api = e.value()->toApi();
                                   info->insert(
                                       id,
                                       QJsonObject{{QStringLiteral("name"), api.value(QStringLiteral("name"))},
                                                   {QStringLiteral("aliases"), api.value(QStringLiteral("aliases"))}});
                               }
                               return Status::ok();
                           });
                       })
                        .unwrap();
            }
            return all.then([ids = ids.value(), info](Status st) {
                if (!st)
                    return Response::error(st.httpStatus(), st.error());
                return Response::ok(vaultData(
                    {{QStringLiteral("keys"), QJsonArray::fromStringList(ids)}, {QStringLiteral("key_info"), *info}}));
            });
        })
        .unwrap();
}

} // namespace gk
