#pragma once

#include "engine/Response.h"

#include <QPointer>

#include <atomic>
#include <memory>

namespace gk {

class ThreadMailbox;
class DrainTracker;
class HttpConnection;

// A request whose future has not finished yet. deliver() carries the answer into the connection's thread, where it
// is written only if the connection still exists and is connected (the client may have gone). The request leaves
// the in-flight count when the last reference goes; if it goes without an answer (a cancelled future, an
// exception), the client gets a 500 instead of waiting forever.
class PendingAnswer final : public std::enable_shared_from_this<PendingAnswer>
{
public:
    PendingAnswer(HttpConnection *connection, std::shared_ptr<ThreadMailbox> mailbox,
                  std::shared_ptr<DrainTracker> tracker);
    ~PendingAnswer();
    Q_DISABLE_COPY_MOVE(PendingAnswer)

    void deliver(Response response);

private:
    QPointer<HttpConnection> m_connection; // dereferenced only in the connection's thread
    std::shared_ptr<ThreadMailbox> m_mailbox;
    std::shared_ptr<DrainTracker> m_tracker;
    std::atomic<bool> m_delivered{false};
};

} // namespace gk
