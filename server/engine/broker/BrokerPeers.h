#pragma once

#include "engine/Request.h"
#include "engine/Response.h"

#include <QFuture>
#include <QList>
#include <QString>

#include <optional>

namespace gk {

// The broker's seam for high availability. Several servers on one shared storage each have a broker with its own
// seal; this is where one reaches the others. The built-in NoPeers knows none. An implementation (a later change)
// lists the peers for GET /status, forwards a /token call that reaches a sealed broker to an unsealed peer (as
// Gatekeeper does), and repeats a policy reload on every unsealed peer. Called from any thread.
class BrokerPeers
{
public:
    struct Peer
    {
        QString id;
        QString address;
        bool unsealed = false;
    };
    virtual ~BrokerPeers() = default;
    virtual QList<Peer> peers() const = 0;
    // The answer of an unsealed peer to this /token request, or nullopt when none could take it (answer 503).
    virtual QFuture<std::optional<Response>> forwardToken(const Request &request) = 0;
    // Called after this broker reloaded its task policies.
    virtual void fanOutReload() = 0;
};

class NoPeers final : public BrokerPeers
{
public:
    QList<Peer> peers() const override { return {}; }
    QFuture<std::optional<Response>> forwardToken(const Request &) override
    {
        return QtFuture::makeReadyFuture(std::optional<Response>());
    }
    void fanOutReload() override {}
};

} // namespace gk
