#include "ServerOptions.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QUrl>

namespace gk {

namespace {

struct Flag
{
    const char *name;
    const char *valueName; // nullptr for switches
    const char *help;
};

const Flag kFlags[] = {
    {"listen", "HOST:PORT", "Listener address (default 127.0.0.1:8200; port 0 picks a free port)."},
    {"storage", "URL", "sqlite:PATH, postgresql://..., or inmem: (default: sqlite in the XDG data dir)."},
    {"tls-cert", "FILE", "PEM certificate: serve HTTPS (with --tls-key)."},
    {"tls-key", "FILE", "PEM private key for --tls-cert."},
    {"insecure-listener", nullptr, "Allow plain HTTP on a non-loopback address."},
    {"api-addr", "URL", "The address clients and peers are told to use."},
    {"dev", nullptr, "Dev mode: in-memory, initialised with one key share, unsealed; prints the unseal key and "
                     "root token."},
    {"dev-root-token", "ID", "With --dev: the root token's id."},
    {"audit-log", "FILE", "Enable the file audit device at start."},
    {"http-threads", "N", "HTTP server threads sharing the port (default 2)."},
    {"config", "FILE", "JSON file with the same keys as these flags (flags win)."},
};

bool isSwitch(const QString &name)
{
    for (const Flag &f : kFlags)
        if (name == QLatin1String(f.name))
            return f.valueName == nullptr;
    return false;
}

bool knownKey(const QString &name)
{
    for (const Flag &f : kFlags)
        if (name == QLatin1String(f.name) && name != QLatin1String("config"))
            return true;
    return false;
}

// Applies one setting (from a flag or the config file) to options. origin names it in errors: "--listen" or
// "config key \"listen\"".
QString apply(ServerOptions &o, const QString &name, const QString &value, const QString &origin)
{
    if (name == QLatin1String("listen")) {
        const qsizetype colon = value.lastIndexOf(QLatin1Char(':'));
        if (colon <= 0)
            return QStringLiteral("%1: expected HOST:PORT, got \"%2\"").arg(origin, value);
        QString host = value.left(colon);
        if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
            host = host.mid(1, host.size() - 2);
        bool ok = false;
        const uint port = value.mid(colon + 1).toUInt(&ok);
        if (!ok || port > 65535)
            return QStringLiteral("%1: the port in \"%2\" must be a number from 0 to 65535").arg(origin, value);
        if (host != QLatin1String("localhost") && QHostAddress(host).isNull())
            return QStringLiteral("%1: \"%2\" is not an IP address or localhost").arg(origin, host);
        o.listenHost = host;
        o.listenPort = static_cast<quint16>(port);
    } else if (name == QLatin1String("storage")) {
        o.storage = value;
    } else if (name == QLatin1String("tls-cert")) {
        o.tlsCert = value;
    } else if (name == QLatin1String("tls-key")) {
        o.tlsKey = value;
    } else if (name == QLatin1String("api-addr")) {
        const QUrl url(value, QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) ||
            url.host().isEmpty())
            return QStringLiteral("%1: \"%2\" is not an http:// or https:// URL").arg(origin, value);
        o.apiAddr = value;
    } else if (name == QLatin1String("dev-root-token")) {
        if (value.isEmpty())
            return QStringLiteral("%1: the root token id must not be empty").arg(origin);
        o.devRootToken = value;
    } else if (name == QLatin1String("audit-log")) {
        o.auditLog = value;
    } else if (name == QLatin1String("http-threads")) {
        bool ok = false;
        const int n = value.toInt(&ok);
        if (!ok || n < 1 || n > 64)
            return QStringLiteral("%1: expected a number of threads from 1 to 64, got \"%2\"").arg(origin, value);
        o.httpThreads = n;
    }
    return {};
}

QString applySwitch(ServerOptions &o, const QString &name, bool on)
{
    if (name == QLatin1String("insecure-listener"))
        o.insecureListener = on;
    else if (name == QLatin1String("dev"))
        o.dev = on;
    return {};
}

QString readConfigFile(const QString &path, QJsonObject &out)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("--config: cannot read \"%1\": %2").arg(path, file.errorString());
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(file.read(1 << 20), &error);
    if (error.error != QJsonParseError::NoError)
        return QStringLiteral("--config: \"%1\" is not valid JSON: %2 at offset %3")
            .arg(path, error.errorString())
            .arg(error.offset);
    if (!doc.isObject())
        return QStringLiteral("--config: \"%1\" must hold a JSON object").arg(path);
    out = doc.object();
    return {};
}

QString validate(const ServerOptions &o)
{
    if (o.tlsCert.isEmpty() != o.tlsKey.isEmpty())
        return o.tlsCert.isEmpty() ? QStringLiteral("--tls-key needs --tls-cert")
                                   : QStringLiteral("--tls-cert needs --tls-key");
    for (const auto &[flag, file] : {std::pair{QStringLiteral("--tls-cert"), o.tlsCert},
                                     std::pair{QStringLiteral("--tls-key"), o.tlsKey}}) {
        if (!file.isEmpty() && !QFileInfo(file).isReadable())
            return QStringLiteral("%1: cannot read \"%2\"").arg(flag, file);
    }
    const QHostAddress host(o.listenHost);
    const bool loopback = o.listenHost == QLatin1String("localhost") || host.isLoopback();
    if (!loopback && o.tlsCert.isEmpty() && !o.insecureListener)
        return QStringLiteral("--listen: %1 is not a loopback address; serve it with --tls-cert and --tls-key, or "
                              "accept plain HTTP with --insecure-listener")
            .arg(o.listenHost);
    if (!o.devRootToken.isEmpty() && !o.dev)
        return QStringLiteral("--dev-root-token needs --dev");
    if (o.dev && !o.storage.isEmpty() && o.storage != QLatin1String("inmem:"))
        return QStringLiteral("--storage: --dev always uses in-memory storage");
    return {};
}

} // namespace

QString defaultStorageUrl()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
                        QStringLiteral("/gatekeeper");
    return QStringLiteral("sqlite:") + QDir(dir).filePath(QStringLiteral("gatekeeper.db"));
}

QString serverUsage()
{
    QString out = QStringLiteral("Usage: gatekeeper-server [flags]\n\nGatekeeper's headless server: a token authority "
                                 "with Vault's HTTP API.\n\nFlags:\n");
    for (const Flag &f : kFlags) {
        QString left = QStringLiteral("  --") + QLatin1String(f.name);
        if (f.valueName)
            left += QLatin1Char(' ') + QLatin1String(f.valueName);
        out += left.leftJustified(28) + QLatin1String(f.help) + QLatin1Char('\n');
    }
    out += QStringLiteral("  --help                    This text.\n  --version                 The version.\n\n"
                          "  gatekeeper-server audit verify FILE\n"
                          "                            Check an audit file's hash chain (exit 0 intact, 1 broken, "
                          "2 unreadable).\n\n"
                          "Exit codes: 0 clean stop, 1 runtime failure, 2 bad usage or configuration.\n");
    return out;
}

ParsedOptions parseServerOptions(const QStringList &arguments)
{
    ParsedOptions parsed;
    ServerOptions &o = parsed.options;

    // Flags as given, in order: name -> value ("" for switches). "--name=value" and "--name value" both work.
    QList<std::pair<QString, QString>> given;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &arg = arguments.at(i);
        if (arg == QLatin1String("--help") || arg == QLatin1String("-h")) {
            parsed.message = serverUsage();
            return parsed;
        }
        if (arg == QLatin1String("--version")) {
            parsed.message = QStringLiteral("gatekeeper-server " GK_VERSION "\n");
            return parsed;
        }
        if (!arg.startsWith(QLatin1String("--"))) {
            parsed.error = QStringLiteral("unexpected argument \"%1\" (see --help)").arg(arg);
            return parsed;
        }
        QString name = arg.mid(2);
        QString value;
        const qsizetype eq = name.indexOf(QLatin1Char('='));
        const bool inlineValue = eq >= 0;
        if (inlineValue) {
            value = name.mid(eq + 1);
            name = name.left(eq);
        }
        if (!knownKey(name) && name != QLatin1String("config")) {
            parsed.error = QStringLiteral("unknown flag --%1 (see --help)").arg(name);
            return parsed;
        }
        if (isSwitch(name)) {
            if (inlineValue && value != QLatin1String("true") && value != QLatin1String("false")) {
                parsed.error = QStringLiteral("--%1 takes no value").arg(name);
                return parsed;
            }
            given.append({name, inlineValue ? value : QStringLiteral("true")});
            continue;
        }
        if (!inlineValue) {
            if (i + 1 >= arguments.size()) {
                parsed.error = QStringLiteral("--%1 needs a value").arg(name);
                return parsed;
            }
            value = arguments.at(++i);
        }
        given.append({name, value});
    }

    // The config file first, then the flags over it.
    for (const auto &[name, value] : given) {
        if (name != QLatin1String("config"))
            continue;
        o.configFile = value;
        QJsonObject file;
        if (QString err = readConfigFile(value, file); !err.isEmpty()) {
            parsed.error = err;
            return parsed;
        }
        for (auto it = file.begin(); it != file.end(); ++it) {
            const QString key = QString(it.key()).replace(QLatin1Char('_'), QLatin1Char('-'));
            const QString origin = QStringLiteral("config key \"%1\"").arg(it.key());
            if (!knownKey(key)) {
                parsed.error = QStringLiteral("%1 in %2 is not a known setting").arg(origin, value);
                return parsed;
            }
            QString err;
            if (isSwitch(key)) {
                if (!it.value().isBool())
                    err = QStringLiteral("%1 must be true or false").arg(origin);
                else
                    err = applySwitch(o, key, it.value().toBool());
            } else if (key == QLatin1String("http-threads") && it.value().isDouble()) {
                err = apply(o, key, QString::number(it.value().toInt()), origin);
            } else if (!it.value().isString()) {
                err = QStringLiteral("%1 must be a string").arg(origin);
            } else {
                err = apply(o, key, it.value().toString(), origin);
            }
            if (!err.isEmpty()) {
                parsed.error = err;
                return parsed;
            }
        }
    }
    for (const auto &[name, value] : given) {
        if (name == QLatin1String("config"))
            continue;
        const QString err = isSwitch(name) ? applySwitch(o, name, value == QLatin1String("true"))
                                           : apply(o, name, value, QStringLiteral("--") + name);
        if (!err.isEmpty()) {
            parsed.error = err;
            return parsed;
        }
    }
    parsed.error = validate(o);
    return parsed;
}

} // namespace gk
