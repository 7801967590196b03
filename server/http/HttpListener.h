#pragma once

#include "http/HttpWorker.h"

#include <QTcpSocket>

namespace gk {

// The QTcpServer (or QSslServer) handed to QAbstractHttpServer::bind(). Overriding nextPendingConnection() lets the
// worker attach its HttpConnection, and so connect its readyRead slot, before QHttpServer connects its own.
// No Q_OBJECT: it adds no signals or slots, and qobject_cast to the base still works.
template <class Base> class HttpListener final : public Base
{
public:
    explicit HttpListener(HttpWorker *worker) : m_worker(worker) {}
    Q_DISABLE_COPY_MOVE(HttpListener)

    QTcpSocket *nextPendingConnection() override
    {
        QTcpSocket *socket = Base::nextPendingConnection();
        if (socket)
            m_worker->adopt(socket);
        return socket;
    }

private:
    HttpWorker *m_worker;
};

} // namespace gk
