// gatekeeper-server: the headless server (QCoreApplication, no GUI libraries).

#include "Server.h"
#include "ServerOptions.h"
#include "engine/HomeThread.h"
#include "engine/audit/AuditCommand.h"
#include "engine/crypto/Hardening.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTextStream>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int g_signalFds[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    // Only async-signal-safe calls here; the Qt side reads the byte.
    [[maybe_unused]] const ssize_t n = ::write(g_signalFds[0], &byte, 1);
}

bool installSignalHandlers()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFds) != 0)
        return false;
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return ::sigaction(SIGTERM, &action, nullptr) == 0 && ::sigaction(SIGINT, &action, nullptr) == 0;
}

} // namespace

int main(int argc, char *argv[])
{
#ifdef NDEBUG
    gk::disableCoreDumps();
#endif
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("gatekeeper"));
    QCoreApplication::setApplicationVersion(QStringLiteral(GK_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);

    if (app.arguments().value(1) == QLatin1String("audit"))
        return gk::runAuditCommand(app.arguments().mid(2), out, err);

    const gk::ParsedOptions parsed = gk::parseServerOptions(app.arguments().mid(1));
    if (!parsed.error.isEmpty()) {
        err << "gatekeeper-server: " << parsed.error << Qt::endl;
        return 2;
    }
    if (!parsed.message.isEmpty()) {
        out << parsed.message << Qt::flush;
        return 0;
    }
    if (!installSignalHandlers()) {
        err << "gatekeeper-server: cannot install signal handlers" << Qt::endl;
        return 1;
    }

    gk::Server server(parsed.options);
    const gk::Status started = server.start();
    if (!started) {
        err << "gatekeeper-server: " << started.error() << Qt::endl;
        return started.httpStatus() == 400 ? 2 : 1;
    }

    out << "Gatekeeper server listening on " << server.address() << Qt::endl;
    if (parsed.options.dev) {
        out << "\nDev mode: in-memory storage, unsealed. Do not use it for real secrets.\n"
            << "Unseal Key: " << server.devUnsealKey() << '\n'
            << "Root Token: " << server.devRootToken() << '\n'
            << Qt::endl;
    }

    QSocketNotifier notifier(g_signalFds[1], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [&] {
        char byte = 0;
        [[maybe_unused]] const ssize_t n = ::read(g_signalFds[1], &byte, 1);
        notifier.setEnabled(false);
        out << "Shutting down: answering in-flight requests" << Qt::endl;
        server.shutdown(15000, [] { QCoreApplication::exit(0); });
    });
    // Timers of this thread (tidy, sweeps, broker renewals) chain on storage futures too. Startup above and the
    // destructors below wait for futures, so this thread is a home only while the event loop runs.
    int rc = 0;
    {
        const gk::HomeThread home;
        rc = QCoreApplication::exec();
    }
    return rc;
}
