#include "engine/Response.h"

#include <QJsonArray>

namespace gk {

Response Response::error(int status, const QStringList &messages)
{
    QJsonArray errors;
    for (const QString &m : messages)
        errors.append(m);
    return ok(QJsonObject{{QStringLiteral("errors"), errors}}, status);
}

} // namespace gk
