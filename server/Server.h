#pragma once

#include "ServerOptions.h"
#include "engine/Result.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace gk {

class Engine;
class HttpServer;

// A whole server: storage, engine and HTTP listeners, as gatekeeper-server runs it and as the console embeds it.
// Lives in the thread that created it; the HTTP listeners run their own threads.
class Server final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Server)

public:
    explicit Server(ServerOptions options, QObject *parent = nullptr);
    ~Server() override;

    // Opens storage, starts the engine, initialises dev mode, and listens. Blocks only for start-up I/O.
    // On failure the Status says what failed; httpStatus() 400 means bad configuration (exit code 2).
    Status start();
    quint16 port() const;
    QString address() const; // "http(s)://host:port"
    QString devUnsealKey() const { return m_devUnsealKey; }
    QString devRootToken() const { return m_devRootToken; }
    Engine *engine() const { return m_engine.get(); }

    // Stops accepting connections and calls done once in-flight requests have been answered (or after timeoutMs).
    void shutdown(int timeoutMs, std::function<void()> done);

private:
    ServerOptions m_options;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<HttpServer> m_http;
    QString m_devUnsealKey;
    QString m_devRootToken;
};

} // namespace gk
