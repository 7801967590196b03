#include "http/ListenSockets.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gk {

namespace {

struct SocketAddress
{
    sockaddr_storage storage{};
    socklen_t length = 0;
    int family = AF_UNSPEC;
    bool dualStack = false;
};

bool toSocketAddress(const QHostAddress &address, quint16 port, SocketAddress *out)
{
    *out = SocketAddress();
    switch (address.protocol()) {
    case QAbstractSocket::AnyIPProtocol: { // QHostAddress::Any: IPv6 and IPv4
        auto *a = reinterpret_cast<sockaddr_in6 *>(&out->storage);
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_any;
        a->sin6_port = htons(port);
        out->length = sizeof(sockaddr_in6);
        out->family = AF_INET6;
        out->dualStack = true;
        return true;
    }
    case QAbstractSocket::IPv4Protocol: {
        auto *a = reinterpret_cast<sockaddr_in *>(&out->storage);
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(address.toIPv4Address());
        a->sin_port = htons(port);
        out->length = sizeof(sockaddr_in);
        out->family = AF_INET;
        return true;
    }
    case QAbstractSocket::IPv6Protocol: {
        auto *a = reinterpret_cast<sockaddr_in6 *>(&out->storage);
        a->sin6_family = AF_INET6;
        const Q_IPV6ADDR ip = address.toIPv6Address();
        std::memcpy(&a->sin6_addr, &ip, sizeof(ip));
        a->sin6_port = htons(port);
        const QString scope = address.scopeId();
        if (!scope.isEmpty()) {
            bool numeric = false;
            const uint index = scope.toUInt(&numeric);
            a->sin6_scope_id = numeric ? index : if_nametoindex(scope.toLocal8Bit().constData());
        }
        out->length = sizeof(sockaddr_in6);
        out->family = AF_INET6;
        return true;
    }
    default:
        return false;
    }
}

QString systemError(const char *what)
{
    return QStringLiteral("%1: %2").arg(QLatin1String(what), QString::fromLocal8Bit(std::strerror(errno)));
}

// A bound socket (listening when backlog >= 0), or -1 with *error set and errno kept.
int openSocket(const SocketAddress &address, bool reusePort, int backlog, QString *error)
{
    const int fd = ::socket(address.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = systemError("socket");
        return -1;
    }
    const int one = 1;
    bool ok = ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0;
    if (ok && reusePort)
        ok = ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) == 0;
    if (ok && address.family == AF_INET6) {
        const int v6only = address.dualStack ? 0 : 1;
        ok = ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) == 0;
    }
    if (!ok) {
        *error = systemError("setsockopt");
    } else if (::bind(fd, reinterpret_cast<const sockaddr *>(&address.storage), address.length) != 0) {
        *error = systemError("bind");
        ok = false;
    } else if (backlog >= 0 && ::listen(fd, backlog) != 0) {
        *error = systemError("listen");
        ok = false;
    }
    if (!ok) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

quint16 boundPort(int fd)
{
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&storage), &length) != 0)
        return 0;
    if (storage.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in *>(&storage)->sin_port);
    return ntohs(reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_port);
}

void setPort(SocketAddress *address, quint16 port)
{
    if (address->family == AF_INET)
        reinterpret_cast<sockaddr_in *>(&address->storage)->sin_port = htons(port);
    else
        reinterpret_cast<sockaddr_in6 *>(&address->storage)->sin6_port = htons(port);
}

} // namespace

void closeListenSocket(qintptr descriptor)
{
    if (descriptor >= 0)
        ::close(int(descriptor));
}

QList<qintptr> openListenSockets(const QHostAddress &address, quint16 *port, int count, int backlog, QString *error)
{
    QString ignored;
    QString &message = error ? *error : ignored;
    SocketAddress socketAddress;
    if (!toSocketAddress(address, *port, &socketAddress)) {
        message = QStringLiteral("cannot listen on address %1").arg(address.toString());
        return {};
    }
    count = qMax(1, count);
    if (count == 1) {
        const int fd = openSocket(socketAddress, false, backlog, &message);
        if (fd < 0)
            return {};
        *port = boundPort(fd);
        return {qintptr(fd)};
    }

    // A port 0 probe may lose its port to someone else before the shared binds: try again a few times.
    const int attempts = *port == 0 ? 8 : 1;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        setPort(&socketAddress, *port == 0 ? 0 : *port);
        const int probe = openSocket(socketAddress, false, -1, &message);
        if (probe < 0)
            return {};
        const quint16 chosen = boundPort(probe);
        ::close(probe);
        setPort(&socketAddress, chosen);

        QList<qintptr> descriptors;
        bool inUse = false;
        for (int i = 0; i < count; ++i) {
            const int fd = openSocket(socketAddress, true, backlog, &message);
            if (fd < 0) {
                inUse = errno == EADDRINUSE;
                break;
            }
            descriptors.append(fd);
        }
        if (descriptors.size() == count) {
            *port = chosen;
            return descriptors;
        }
        for (qintptr fd : std::as_const(descriptors))
            ::close(int(fd));
        if (!inUse)
            break;
    }
    return {};
}

} // namespace gk
