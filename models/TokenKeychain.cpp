#include "TokenKeychain.h"

#include "ModelsLogging.h"

#include <qt6keychain/keychain.h>

namespace gk {

namespace {

// What a user reads when the keychain fails: why, and that nothing was kept.
QString describe(const QKeychain::Job &job)
{
    switch (job.error()) {
    case QKeychain::NoError:
    case QKeychain::EntryNotFound:
        return {};
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        return TokenKeychain::tr("The system keychain refused access (%1); the token is kept in memory only.")
            .arg(job.errorString());
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::OtherError:
        break;
    }
    return TokenKeychain::tr("The system keychain cannot be reached (%1); the token is kept in memory only.")
        .arg(job.errorString());
}

// Starts job, and runs done with it and its error text once it finishes, unless context has gone.
template <typename JobType, typename Done>
void run(JobType *job, const QString &connection, const char *what, const QObject *context, Done done)
{
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never a plain-text file instead of the keychain
    job->setKey(connection);
    QObject::connect(job, &QKeychain::Job::finished, context, [what, done = std::move(done)](QKeychain::Job *finished) {
        const QString error = describe(*finished);
        if (!error.isEmpty())
            qCWarning(lcApi) << "keychain" << what << "failed:" << finished->error() << finished->errorString();
        done(*static_cast<JobType *>(finished), error);
    });
    job->start();
}

void read(const QString &service, const QString &connection, const QObject *context,
          TokenKeychain::ReadCallback callback)
{
    run(new QKeychain::ReadPasswordJob(service), connection, "read", context,
        [callback = std::move(callback)](QKeychain::ReadPasswordJob &job, const QString &error) {
            callback(job.error() == QKeychain::NoError ? job.textData() : QString(), error);
        });
}

void write(const QString &service, const QString &connection, const QString &token, const QObject *context,
           TokenKeychain::Callback callback)
{
    auto *job = new QKeychain::WritePasswordJob(service);
    job->setTextData(token);
    run(job, connection, "write", context,
        [callback = std::move(callback)](QKeychain::WritePasswordJob &, const QString &error) { callback(error); });
}

void remove(const QString &service, const QString &connection, const QObject *context, TokenKeychain::Callback callback)
{
    run(new QKeychain::DeletePasswordJob(service), connection, "delete", context,
        [callback = std::move(callback)](QKeychain::DeletePasswordJob &, const QString &error) { callback(error); });
}

} // namespace

TokenKeychain::TokenKeychain(const QString &service, QObject *parent) : QObject(parent), m_service(service) {}

TokenKeychain::~TokenKeychain() = default;

QString TokenKeychain::defaultService()
{
    return QStringLiteral("io.gatekeeper.Gatekeeper");
}

void TokenKeychain::readToken(const QString &connection, const QObject *context, ReadCallback callback)
{
    read(m_service, connection, context, std::move(callback));
}

void TokenKeychain::writeToken(const QString &connection, const QString &token, const QObject *context,
                               Callback callback)
{
    write(m_service, connection, token, context, std::move(callback));
}

void TokenKeychain::deleteToken(const QString &connection, const QObject *context, Callback callback)
{
    remove(m_service, connection, context, std::move(callback));
}

void TokenKeychain::moveToken(const QString &from, const QString &to, const QObject *context, Callback callback)
{
    read(m_service, from, context,
         [service = m_service, from, to, context, callback = std::move(callback)](const QString &token,
                                                                                  const QString &error) {
             if (!error.isEmpty() || token.isEmpty()) {
                 callback(error);
                 return;
             }
             write(service, to, token, context, [service, from, context, callback](const QString &writeError) {
                 if (!writeError.isEmpty())
                     callback(writeError);
                 else
                     remove(service, from, context, callback);
             });
         });
}

} // namespace gk
