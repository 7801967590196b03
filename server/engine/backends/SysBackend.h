#pragma once

#include "engine/Backend.h"

namespace gk {

class Engine;

// Vault's sys/ routes for the seal and the server itself: init, seal-status, unseal, seal, health, leader,
// ha-status, metrics, key-status and rotate.
class SysBackend final : public Backend
{
public:
    explicit SysBackend(Engine *engine) : m_engine(engine) {}
    Q_DISABLE_COPY_MOVE(SysBackend)

    QString type() const override { return QStringLiteral("system"); }
    QList<PathSpec> paths() override;

private:
    QFuture<Response> readInit(const Request &request);
    QFuture<Response> init(const Request &request);
    QFuture<Response> sealStatus(const Request &request);
    QFuture<Response> unseal(const Request &request);
    QFuture<Response> seal(const Request &request);
    QFuture<Response> health(const Request &request);
    QFuture<Response> leader(const Request &request);
    QFuture<Response> haStatus(const Request &request);
    QFuture<Response> metrics(const Request &request);
    QFuture<Response> keyStatus(const Request &request);
    QFuture<Response> rotate(const Request &request);

    QJsonObject sealStatusJson() const;

    Engine *m_engine;
};

} // namespace gk
