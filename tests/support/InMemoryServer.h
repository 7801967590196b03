#pragma once

#include "Server.h"

#include <QUrl>

#include <memory>

namespace gk::test {

// A whole gk::Server (engine and HTTP) on 127.0.0.1:0 with in-memory storage, as the console's tests talk to it:
// not initialised, or with dev initialised and unsealed with one key share. Null (with a warning) when it cannot start.
std::unique_ptr<Server> startInMemoryServer(bool dev = false);

// "http://127.0.0.1:PORT" of such a server.
inline QUrl urlOf(const Server &server)
{
    return QUrl(server.address());
}

} // namespace gk::test
