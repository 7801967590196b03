#pragma once

#include <QString>

namespace gk {

// What a request asks of a path, independent of the HTTP verb that carried it (Vault's logical operations).
enum class Operation {
    Read,   // GET, HEAD
    List,   // LIST, GET ?list=true
    Update, // PUT, POST
    Delete, // DELETE
    Patch,  // PATCH
    Help,   // any verb with ?help=1
    Unknown // any other verb: answered with 405
};

QString operationName(Operation op);
// The HTTP verbs that carry an operation, for the Allow header.
QStringList operationMethods(Operation op);

} // namespace gk
