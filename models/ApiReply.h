#pragma once

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>

class QNetworkReply;

namespace gk {

// (HTTP status or 0 when the server could not be reached, the JSON body, the error messages). errors is empty
// exactly when the call succeeded.
using ApiCallback = std::function<void(int status, const QJsonObject &body, const QStringList &errors)>;

// One call made through ApiClient. Emits finished() once, always asynchronously (never from inside the call that
// made it). Owned by the ApiClient until onFinished() hands it over; otherwise delete it (deleteLater) once done.
class ApiReply final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiReply)

public:
    ~ApiReply() override;

    bool isFinished() const { return m_finished; }
    // True when finished with a 2xx status and no error.
    bool isOk() const { return m_finished && m_errors.isEmpty(); }
    int status() const { return m_status; }
    const QJsonObject &json() const { return m_json; }
    const QStringList &errors() const { return m_errors; }
    // The errors joined into one line, for a status bar or a dialog.
    QString errorString() const { return m_errors.join(QStringLiteral("; ")); }

    // Calls callback once the reply has finished (at once, queued, when it already has) unless context has been
    // destroyed by then, and deletes the reply afterwards.
    void onFinished(const QObject *context, ApiCallback callback);
    // Cancels the call; finished() follows with status 0 and an "aborted" error.
    void abort();

signals:
    void finished();

private:
    friend class ApiClient;
    ApiReply(QString method, QString path, QObject *parent);

    void attach(QNetworkReply *reply, QList<int> extraOkStatuses);
    void finishWith(int status, QJsonObject json, QStringList errors);
    void handleNetworkReply();

    QString m_method;
    QString m_path;
    QPointer<QNetworkReply> m_networkReply;
    QList<int> m_extraOkStatuses; // non-2xx statuses that still carry a normal answer (sys/health's 429, 503...)
    bool m_aborted = false;
    bool m_finished = false;
    int m_status = 0;
    QJsonObject m_json;
    QStringList m_errors;
};

} // namespace gk
