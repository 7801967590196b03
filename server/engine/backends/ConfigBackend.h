#pragma once

#include "engine/Backend.h"

namespace gk {

class Engine;

// GET|PATCH|PUT /v1/config: the server's runtime settings as a flat object of dotted keys (Kontena's shape).
class ConfigBackend final : public Backend
{
public:
    explicit ConfigBackend(Engine *engine) : m_engine(engine) {}
    Q_DISABLE_COPY_MOVE(ConfigBackend)

    QString type() const override { return QStringLiteral("config"); }
    QList<PathSpec> paths() override;

private:
    Engine *m_engine;
};

} // namespace gk
