#include "engine/backends/ConfigBackend.h"

#include "engine/Engine.h"
#include "engine/RuntimeConfig.h"

#include <QJsonArray>

namespace gk {

QList<PathSpec> ConfigBackend::paths()
{
    const auto update = [this](bool replace) {
        return [this, replace](const Request &request) {
            return m_engine->config().update(request.data, replace).then([](Result<QJsonObject> r) {
                if (!r)
                    return Response::error(r.httpStatus(), r.error());
                return Response::ok(r.value());
            });
        };
    };

    PathSpec root;
    root.pattern = QString();
    root.handlers = {
        {Operation::Read,
         [this](const Request &) { return QtFuture::makeReadyFuture(Response::ok(m_engine->config().values())); }},
        {Operation::Patch, update(false)},
        {Operation::Update, update(true)},
    };
    QStringList lines{QStringLiteral("The server's runtime settings. GET reads them all, PATCH changes the keys it "
                                     "names, PUT replaces them (keys it leaves out return to their default). Keys:")};
    for (const RuntimeConfig::Key &key : RuntimeConfig::keys())
        lines.append(QStringLiteral("%1 (default %2): %3")
                         .arg(key.name, key.defaultValue.toVariant().toString(), key.help));
    root.help = lines.join(QLatin1Char('\n'));

    PathSpec schema;
    schema.pattern = QStringLiteral("schema");
    schema.handlers = {{Operation::Read, [](const Request &) {
                            QJsonObject out;
                            for (const RuntimeConfig::Key &key : RuntimeConfig::keys()) {
                                static const char *typeNames[] = {"string", "bool", "int", "duration", "choice"};
                                QJsonObject k{{QStringLiteral("type"),
                                               QLatin1String(typeNames[static_cast<int>(key.type)])},
                                              {QStringLiteral("default"), key.defaultValue},
                                              {QStringLiteral("help"), key.help}};
                                if (!key.choices.isEmpty())
                                    k.insert(QStringLiteral("choices"), QJsonArray::fromStringList(key.choices));
                                out.insert(key.name, k);
                            }
                            return QtFuture::makeReadyFuture(Response::ok(out));
                        }}};
    schema.help = QStringLiteral("The table of known runtime settings: type, default and meaning of each key.");
    return {root, schema};
}

} // namespace gk
