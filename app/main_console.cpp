// gatekeeper: the admin console (Qt Widgets). Reconnects to the connection used last (the embedded server, run in a
// worker thread, when there is none), or attaches to a remote server with --connect, and talks to either only
// through the HTTP API (ApiClient).

#include "ApiClient.h"
#include "AppIcon.h"
#include "ConnectionSwitcher.h"
#include "ConnectionsModel.h"
#include "MainWindow.h"
#include "ServerOptions.h"
#include "SessionKeeper.h"
#include "TokenKeychain.h"
#include "engine/crypto/Hardening.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QSocketNotifier>
#include <QTimer>
#include <QTranslator>
#include <QUrl>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string_view>
#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr const char *usageText =
    "Usage: gatekeeper [options]\n"
    "\n"
    "Gatekeeper's administration console. It reconnects to the connection used last (Connect to > Manage\n"
    "connections…); the first time, it starts an embedded server on 127.0.0.1 (a free port, SQLite storage under the\n"
    "XDG data folder) and shows its seal state.\n"
    "\n"
    "Options:\n"
    "  --connect URL      attach to the server at URL (http:// or https://) instead, as a connection not saved\n"
    "  --no-embedded      do not start a server; attach to $VAULT_ADDR, or http://127.0.0.1:8200\n"
    "  --ca-cert FILE     PEM CA certificates to trust for an https server (default: $VAULT_CACERT, else the\n"
    "                     system's)\n"
    "  --storage URL      storage of the embedded server (default: sqlite under the XDG data folder; inmem:)\n"
    "  -h, --help         show this help\n"
    "  -v, --version      show the version\n"
    "\n"
    "Environment:\n"
    "  GK_EXIT_AFTER_FIRST_PAINT=1   print the time of the window's first paint and quit (for benchmarks)\n"
    "\n"
    "The console needs a display (X11 or Wayland). Without one, run the headless server instead:\n"
    "  gatekeeper-server --dev                  (in-memory, unsealed, for trying things out)\n"
    "  gatekeeper-server --listen HOST:PORT     (see gatekeeper-server --help)\n";

constexpr const char *noDisplayText =
    "gatekeeper: no display available (DISPLAY and WAYLAND_DISPLAY are not set), so the console cannot open a window.\n"
    "Run the headless server instead: gatekeeper-server --dev (for trying things out) or\n"
    "gatekeeper-server --listen HOST:PORT (see gatekeeper-server --help).\n"
    "To run the console without a screen anyway, set QT_QPA_PLATFORM=offscreen.\n";

bool envSet(const char *name)
{
    const char *value = std::getenv(name);
    return value && *value;
}

// The platform asked for on the command line (-platform NAME, --platform NAME, -platform=NAME) or by
// QT_QPA_PLATFORM, as QGuiApplication reads them.
std::string_view requestedPlatform(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg.starts_with("--"))
            arg.remove_prefix(1);
        if (arg == "-platform" && i + 1 < argc)
            return argv[i + 1];
        if (arg.starts_with("-platform="))
            return arg.substr(std::strlen("-platform="));
    }
    const char *env = std::getenv("QT_QPA_PLATFORM");
    return env ? std::string_view(env) : std::string_view();
}

// Whether QApplication can be constructed without aborting: a window system to talk to, or a platform plugin that
// needs none (offscreen, minimal, vnc, linuxfb, eglfs...). Decided before QApplication exists.
bool displayAvailable(int argc, char *argv[])
{
    std::string_view platforms = requestedPlatform(argc, argv);
    if (platforms.empty())
        return envSet("DISPLAY") || envSet("WAYLAND_DISPLAY");
    // "wayland;xcb" lists fall-backs; "vnc:size=800x600" carries plugin arguments.
    while (!platforms.empty()) {
        const size_t end = platforms.find(';');
        std::string_view candidate = platforms.substr(0, end);
        platforms = end == std::string_view::npos ? std::string_view() : platforms.substr(end + 1);
        candidate = candidate.substr(0, candidate.find(':'));
        while (!candidate.empty() && candidate.front() == ' ')
            candidate.remove_prefix(1);
        while (!candidate.empty() && candidate.back() == ' ')
            candidate.remove_suffix(1);
        if (candidate.empty())
            continue;
        if (candidate == "xcb") {
            if (envSet("DISPLAY"))
                return true;
        } else if (candidate.starts_with("wayland")) {
            if (envSet("WAYLAND_DISPLAY"))
                return true;
        } else {
            return true;
        }
    }
    return false;
}

// A display that is set but cannot be opened makes QGuiApplication call qFatal (and abort, rc 134). While the
// application is being constructed, turn that into the same clear message and exit code 1.
void platformFailureHandler(QtMsgType type, const QMessageLogContext &, const QString &message)
{
    std::fprintf(stderr, "%s\n", qUtf8Printable(message));
    if (type == QtFatalMsg) {
        std::fputs(
            "gatekeeper: cannot open a window on this display.\n"
            "Run the headless server instead: gatekeeper-server --dev or gatekeeper-server --listen HOST:PORT.\n",
            stderr);
        std::fflush(stderr);
        std::_Exit(1);
    }
}

int g_signalFds[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = ::write(g_signalFds[0], &byte, 1);
}

// SIGINT/SIGTERM quit the event loop, so that the embedded server is shut down as on closing the window.
void installSignalHandlers(QObject *context)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFds) != 0)
        return;
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGTERM, &action, nullptr);
    ::sigaction(SIGINT, &action, nullptr);
    auto *notifier = new QSocketNotifier(g_signalFds[1], QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context, [notifier] {
        char byte = 0;
        [[maybe_unused]] const ssize_t n = ::read(g_signalFds[1], &byte, 1);
        notifier->setEnabled(false);
        QCoreApplication::quit();
    });
}

// GK_EXIT_AFTER_FIRST_PAINT=1: once the window has painted for the first time, prints when (the wall clock in µs since
// the epoch, for a caller that noted when it started the process, and the ms since main()) and quits.
class FirstPaintProbe final : public QObject
{
public:
    explicit FirstPaintProbe(const QElapsedTimer &sinceMain) : m_sinceMain(sinceMain) {}

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && !m_seen) {
            m_seen = true;
            // Reported once this paint, and the whole window's with it, is done.
            QTimer::singleShot(0, this, [this] {
                timespec now = {};
                ::clock_gettime(CLOCK_REALTIME, &now);
                std::printf("first paint: %lld us since the epoch, %.1f ms since main()\n",
                            static_cast<long long>(now.tv_sec) * 1000000 + now.tv_nsec / 1000,
                            m_sinceMain.nsecsElapsed() / 1e6);
                std::fflush(stdout);
                QCoreApplication::quit();
            });
        }
        return QObject::eventFilter(watched, event);
    }

private:
    const QElapsedTimer &m_sinceMain;
    bool m_seen = false;
};

} // namespace

int main(int argc, char *argv[])
{
    QElapsedTimer sinceMain;
    sinceMain.start();
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help" || arg == "-?") {
            std::fputs(usageText, stdout);
            return 0;
        }
        if (arg == "-v" || arg == "--version") {
            std::printf("gatekeeper %s\n", GK_VERSION);
            return 0;
        }
    }
    if (!displayAvailable(argc, argv)) {
        std::fputs(noDisplayText, stderr);
        return 1;
    }
#ifdef NDEBUG
    gk::disableCoreDumps();
#endif

    const QtMessageHandler previousHandler = qInstallMessageHandler(platformFailureHandler);
    QApplication app(argc, argv);
    qInstallMessageHandler(previousHandler);
    QApplication::setApplicationName(QStringLiteral("gatekeeper"));
    QApplication::setApplicationDisplayName(QStringLiteral("Gatekeeper"));
    QApplication::setApplicationVersion(QStringLiteral(GK_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.gatekeeper.Gatekeeper"));
    QApplication::setWindowIcon(gk::applicationIcon());

    QTranslator qtTranslator;
    if (qtTranslator.load(QLocale(), QStringLiteral("qtbase"), QStringLiteral("_"),
                          QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(&qtTranslator);
    QTranslator translator;
    if (translator.load(QLocale(), QStringLiteral("gatekeeper"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QApplication::installTranslator(&translator);

    QCommandLineParser parser;
    const QCommandLineOption connectOption(QStringLiteral("connect"), QString(), QStringLiteral("URL"));
    const QCommandLineOption noEmbeddedOption(QStringLiteral("no-embedded"));
    const QCommandLineOption caCertOption(QStringLiteral("ca-cert"), QString(), QStringLiteral("FILE"));
    const QCommandLineOption storageOption(QStringLiteral("storage"), QString(), QStringLiteral("URL"));
    parser.addOptions({connectOption, noEmbeddedOption, caCertOption, storageOption});
    if (!parser.parse(QApplication::arguments())) {
        std::fprintf(stderr, "gatekeeper: %s\n%s", qUtf8Printable(parser.errorText()), usageText);
        return 2;
    }
    if (!parser.positionalArguments().isEmpty()) {
        std::fprintf(stderr, "gatekeeper: unexpected argument \"%s\"\n%s",
                     qUtf8Printable(parser.positionalArguments().constFirst()), usageText);
        return 2;
    }

    std::optional<QUrl> remote;
    if (parser.isSet(connectOption) || parser.isSet(noEmbeddedOption)) {
        QString text = parser.value(connectOption);
        if (text.isEmpty())
            text = qEnvironmentVariable("VAULT_ADDR", QStringLiteral("http://127.0.0.1:8200"));
        remote = gk::Connection::parseUrl(text);
        if (!remote) {
            std::fprintf(stderr, "gatekeeper: --connect needs an http:// or https:// URL, not \"%s\"\n",
                         qUtf8Printable(text));
            return 2;
        }
    }

    gk::ApiClient client;
    const QString caFile =
        parser.isSet(caCertOption) ? parser.value(caCertOption) : qEnvironmentVariable("VAULT_CACERT");
    QString caError;
    if (!client.setCaCertificateFile(caFile, &caError)) {
        std::fprintf(stderr, "gatekeeper: --ca-cert: %s\n", qUtf8Printable(caError));
        return 2;
    }

    // Window geometry and the connections (names, addresses, CA files, flags): never tokens or keys.
    QSettings settings(QSettings::NativeFormat, QSettings::UserScope, QStringLiteral("gatekeeper"),
                       QStringLiteral("console"));
    gk::ConnectionsModel connections(&settings);
    gk::MainWindow window(&client, &settings);
    window.setConnections(&connections);
    gk::TokenKeychain keychain;
    gk::SessionKeeper keeper(window.session(), &client, &keychain, &connections);
    gk::ConnectionSwitcher switcher(&window, &client, &keeper, &connections);
    gk::ServerOptions embeddedOptions;
    if (parser.isSet(storageOption))
        embeddedOptions.storage = parser.value(storageOption);
    switcher.setEmbeddedOptions(embeddedOptions);
    QObject::connect(&switcher, &gk::ConnectionSwitcher::embeddedStarted, &window, [](const QUrl &address) {
        std::printf("Embedded server listening on %s\n", qUtf8Printable(address.toString()));
        std::fflush(stdout);
    });
    QObject::connect(&switcher, &gk::ConnectionSwitcher::embeddedFailed, &window, [](const QString &message) {
        std::fprintf(stderr, "gatekeeper: the embedded server did not start: %s\n", qUtf8Printable(message));
    });
    FirstPaintProbe firstPaint(sinceMain);
    if (qEnvironmentVariableIntValue("GK_EXIT_AFTER_FIRST_PAINT") == 1)
        window.installEventFilter(&firstPaint);
    window.show();

    if (remote) {
        gk::Connection adHoc = gk::Connection::remote(remote->toString(QUrl::RemoveUserInfo), *remote);
        adHoc.caFile = caFile;
        switcher.connectTo(adHoc);
    } else {
        switcher.connectTo(connections.startConnection().value_or(
            gk::Connection::embedded(QApplication::translate("main", "This computer"))));
    }

    installSignalHandlers(&app);
    // The one place that waits for the embedded servers: their storage is closed before the process ends.
    QObject::connect(&app, &QCoreApplication::aboutToQuit, &switcher, &gk::ConnectionSwitcher::shutdownEmbedded);
    return QApplication::exec();
}
