#pragma once

#include "engine/Backend.h"

#include <QByteArray>

namespace gk {

class ResponseWrapper;

// Vault's sys/wrapping/ routes, mounted at "sys/wrapping/": unwrap, lookup, wrap and rewrap over a ResponseWrapper.
class WrappingBackend final : public Backend
{
public:
    explicit WrappingBackend(ResponseWrapper *wrapper) : m_wrapper(wrapper) {}
    Q_DISABLE_COPY_MOVE(WrappingBackend)

    QString type() const override { return QStringLiteral("wrapping"); }
    QList<PathSpec> paths() override;

    // True for an unwrap whose wrapping token is the request's own X-Vault-Token (no "token" in the body): the
    // pipeline then skips its token check, since that token is checked, and spent, by the unwrap itself.
    static bool unwrapsOwnToken(const Request &request);

private:
    QFuture<Response> unwrap(const Request &request);
    QFuture<Response> lookup(const Request &request);
    QFuture<Response> wrap(const Request &request);
    QFuture<Response> rewrap(const Request &request);

    ResponseWrapper *m_wrapper;
};

} // namespace gk
