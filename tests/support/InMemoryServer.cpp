#include "InMemoryServer.h"

#include <QDebug>

namespace gk::test {

std::unique_ptr<Server> startInMemoryServer(bool dev)
{
    ServerOptions options;
    options.listenHost = QStringLiteral("127.0.0.1");
    options.listenPort = 0;
    options.storage = QStringLiteral("inmem:");
    options.dev = dev;
    auto server = std::make_unique<Server>(options);
    const Status status = server->start();
    if (!status) {
        qWarning() << "server did not start:" << status.error();
        return nullptr;
    }
    return server;
}

} // namespace gk::test
