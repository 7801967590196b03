#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>

namespace gk {

// Listening sockets on one address and port, one per server thread. With more than one, each has SO_REUSEADDR and
// SO_REUSEPORT and the kernel spreads new connections over them. Before that a probe bind without SO_REUSEPORT
// makes sure nobody listens there yet (another process of the same user could otherwise share the port silently)
// and, for port 0, picks the free port that all of them then bind. *port is updated to the port bound.
// Returns the descriptors (non-blocking, close-on-exec, listening), or an empty list with *error set.
QList<qintptr> openListenSockets(const QHostAddress &address, quint16 *port, int count, int backlog, QString *error);
void closeListenSocket(qintptr descriptor);

} // namespace gk
