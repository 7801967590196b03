#include "engine/HomeThread.h"

#include <QObject>

namespace gk {

namespace {

thread_local std::shared_ptr<ThreadMailbox> t_home;

} // namespace

HomeThread::HomeThread()
    : m_target(std::make_unique<QObject>()), m_mailbox(std::make_shared<ThreadMailbox>(m_target.get())),
      m_previous(std::exchange(t_home, m_mailbox))
{}

HomeThread::~HomeThread()
{
    // Completions that arrive from now on are run where they happen; those already queued are dropped with the
    // target, which cancels their futures.
    m_mailbox->close();
    t_home = std::move(m_previous);
}

std::shared_ptr<ThreadMailbox> HomeThread::current()
{
    return t_home;
}

} // namespace gk
