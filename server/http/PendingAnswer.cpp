#include "http/PendingAnswer.h"

#include "engine/ThreadMailbox.h"
#include "http/DrainTracker.h"
#include "http/HttpConnection.h"

namespace gk {

PendingAnswer::PendingAnswer(HttpConnection *connection, std::shared_ptr<ThreadMailbox> mailbox,
                             std::shared_ptr<DrainTracker> tracker)
    : m_connection(connection), m_mailbox(std::move(mailbox)), m_tracker(std::move(tracker))
{}

PendingAnswer::~PendingAnswer()
{
    if (!m_delivered.load()) {
        QPointer<HttpConnection> connection = m_connection;
        m_mailbox->post([connection]() {
            if (HttpConnection *c = connection.data())
                c->answer(Response::error(500, QStringLiteral("internal error: the request got no answer")));
        });
    }
    m_tracker->end();
}

void PendingAnswer::deliver(Response response)
{
    if (m_delivered.exchange(true))
        return;
    // The lambda keeps this object (and so the in-flight count) alive until the answer is written or dropped.
    m_mailbox->post([self = shared_from_this(), response = std::move(response)]() {
        if (HttpConnection *c = self->m_connection.data())
            c->answer(response);
    });
}

} // namespace gk
