#pragma once

#include "TestServer.h"

#include "engine/Engine.h"

#include <QByteArray>
#include <QJsonValue>
#include <QTemporaryDir>

#include <memory>

namespace gk::test {

// The real Engine on SQLite in a temporary directory behind a TestServer, initialised with one key share: the
// usual start of an API test. start() leaves it sealed; unseal() opens it with the share.
class UnsealedServer final
{
public:
    explicit UnsealedServer(EngineOptions options = {});
    ~UnsealedServer();
    Q_DISABLE_COPY_MOVE(UnsealedServer)

    // Starts the engine and the server and initialises the seal (sealed afterwards). False on any failure.
    bool start();
    bool unseal();
    void stop();
    // Stops, then starts a new engine and server on the same storage, sealed (a server restart).
    bool reopen();
    // reopen(), then unseal().
    bool restart();
    // The directory that holds the SQLite files.
    QString storageDir() const { return m_dir.path(); }

    TestServer &server() const { return *m_server; }
    Engine &engine() const { return *m_engine; }
    const QByteArray &rootToken() const { return m_root; }

private:
    bool startServing();

    EngineOptions m_options;
    QTemporaryDir m_dir;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<TestServer> m_server;
    QByteArray m_root;
    QJsonValue m_key;
};

} // namespace gk::test
