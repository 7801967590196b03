#include "TestCertificate.h"

#include <QDir>
#include <QProcess>
#include <QStandardPaths>

namespace gk::test {

bool TestCertificate::opensslAvailable()
{
    return !QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty();
}

bool TestCertificate::create(const QString &directory, QString *certFile, QString *keyFile, QString *error)
{
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    if (openssl.isEmpty()) {
        if (error)
            *error = QStringLiteral("the openssl command line tool is not installed");
        return false;
    }
    const QDir dir(directory);
    *certFile = dir.filePath(QStringLiteral("cert.pem"));
    *keyFile = dir.filePath(QStringLiteral("key.pem"));
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(openssl, {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-nodes"),
                            QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                            QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-days"),
                            QStringLiteral("1"), QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"),
                            QStringLiteral("-addext"), QStringLiteral("subjectAltName=IP:127.0.0.1,DNS:localhost"),
                            QStringLiteral("-keyout"), *keyFile, QStringLiteral("-out"), *certFile});
    if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        if (error)
            *error = QStringLiteral("openssl failed: %1").arg(QString::fromLocal8Bit(process.readAll()));
        return false;
    }
    return true;
}

} // namespace gk::test
