#pragma once

#include <QString>

namespace gk::test {

// A throwaway self-signed certificate for 127.0.0.1 and localhost (EC P-256 key, valid one day), made with the
// openssl command line tool, for tests that serve HTTPS.
class TestCertificate final
{
public:
    TestCertificate() = delete;

    static bool opensslAvailable();
    // Writes cert.pem and key.pem into directory. False with *error when openssl is missing or fails.
    static bool create(const QString &directory, QString *certFile, QString *keyFile, QString *error = nullptr);
};

} // namespace gk::test
