#include "UnsealedServer.h"

#include "engine/Engine.h"
#include "engine/storage/Storage.h"
#include "engine/storage/StorageFactory.h"

#include <QJsonArray>

namespace gk::test {

UnsealedServer::UnsealedServer(EngineOptions options) : m_options(std::move(options)) {}

UnsealedServer::~UnsealedServer()
{
    stop();
}

bool UnsealedServer::startServing()
{
    if (!m_dir.isValid())
        return false;
    auto storage = openStorage(QStringLiteral("sqlite:") + m_dir.filePath(QStringLiteral("gk.db")));
    if (!storage)
        return false;
    m_engine = std::make_unique<Engine>(storage.takeValue(), m_options);
    if (!m_engine->start().result())
        return false;
    m_server = std::make_unique<TestServer>(m_engine.get());
    return m_server->start();
}

bool UnsealedServer::reopen()
{
    stop();
    return startServing();
}

bool UnsealedServer::restart()
{
    return reopen() && unseal();
}

bool UnsealedServer::start()
{
    if (!startServing())
        return false;
    const HttpAnswer a = m_server->requestJson(
        "PUT", "/v1/sys/init", {{QStringLiteral("secret_shares"), 1}, {QStringLiteral("secret_threshold"), 1}});
    m_root = a.json().value(QStringLiteral("root_token")).toString().toUtf8();
    m_key = a.json().value(QStringLiteral("keys")).toArray().first();
    return a.status == 200 && !m_root.isEmpty();
}

bool UnsealedServer::unseal()
{
    const HttpAnswer a = m_server->requestJson("PUT", "/v1/sys/unseal", {{QStringLiteral("key"), m_key}});
    return a.status == 200 && !a.json().value(QStringLiteral("sealed")).toBool(true);
}

void UnsealedServer::stop()
{
    m_server.reset();
    m_engine.reset();
}

} // namespace gk::test
