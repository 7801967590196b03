#pragma once

#include <QString>
#include <QStringList>

namespace gk {

// Everything gatekeeper-server can be told, from flags and/or a JSON config file (flags win).
struct ServerOptions
{
    QString listenHost = QStringLiteral("127.0.0.1");
    quint16 listenPort = 8200;
    QString storage;            // "sqlite:PATH", "postgresql://...", "inmem:"; empty = sqlite under the XDG data dir
    QString tlsCert;
    QString tlsKey;
    bool insecureListener = false;
    QString apiAddr;            // empty = derived from the listener
    bool dev = false;
    QString devRootToken;
    QString auditLog;
    int httpThreads = 2;
    QString configFile;
};

// The outcome of reading the command line: options, or a usage error naming the flag or key (exit code 2),
// or a request for help/version text (exit code 0).
struct ParsedOptions
{
    ServerOptions options;
    QString error;    // non-empty: bad usage, exit 2
    QString message;  // non-empty with no error: print and exit 0 (--help, --version)
};

// Parses arguments (without the program name) and, when --config is given, the JSON file it names. The file
// takes the same keys as the flags without the dashes ("listen", "storage", "tls-cert", ...).
ParsedOptions parseServerOptions(const QStringList &arguments);
QString serverUsage();
// The default storage URL: sqlite in the XDG data location.
QString defaultStorageUrl();

} // namespace gk
