#include "engine/Operation.h"

#include <QStringList>

namespace gk {

QString operationName(Operation op)
{
    switch (op) {
    case Operation::Read: return QStringLiteral("read");
    case Operation::List: return QStringLiteral("list");
    case Operation::Update: return QStringLiteral("update");
    case Operation::Delete: return QStringLiteral("delete");
    case Operation::Patch: return QStringLiteral("patch");
    case Operation::Help: return QStringLiteral("help");
    case Operation::Unknown: break;
    }
    return QStringLiteral("unknown");
}

QStringList operationMethods(Operation op)
{
    switch (op) {
    case Operation::Read: return {QStringLiteral("GET"), QStringLiteral("HEAD")};
    case Operation::List: return {QStringLiteral("LIST")};
    case Operation::Update: return {QStringLiteral("POST"), QStringLiteral("PUT")};
    case Operation::Delete: return {QStringLiteral("DELETE")};
    case Operation::Patch: return {QStringLiteral("PATCH")};
    case Operation::Help:
    case Operation::Unknown: break;
    }
    return {};
}

} // namespace gk
