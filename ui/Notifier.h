#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>

#include <functional>
#include <optional>

class QModelIndex;
class QSystemTrayIcon;

namespace gk {

class RequestsModel;
struct AccessRequest;

// Desktop notifications of the access requests, through QSystemTrayIcon: a new pending request on a gate where this
// token may approve (one it did not make and has not approved yet), and a decision (approved, denied) on one of its
// own requests. Nothing is shown for what the first load of the requests finds (nor after a resync of the live
// index): only what changes afterwards. Own requests are read per gate (GateActions::ownRequest) at that load and
// whenever something changes under the gate. Clicking a notification emits requestActivated(). Without a system tray
// (QSystemTrayIcon::isSystemTrayAvailable() false, as offscreen) nothing is shown.
class Notifier final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Notifier)

public:
    enum class Kind
    {
        NewRequest,
        Decision
    };

    struct Notification
    {
        Kind kind = Kind::NewRequest;
        QString gate;
        QString requestId;
        QString title;
        QString message;
    };

    // Shows one notification. A seam, so that tests see notifications offscreen; by default the system tray's
    // balloon (nothing without a tray).
    using Presenter = std::function<void(const Notification &notification)>;

    // model is not owned and must outlive the notifier.
    explicit Notifier(RequestsModel *model, QObject *parent = nullptr);
    ~Notifier() override;

    void setPresenter(Presenter presenter) { m_presenter = std::move(presenter); }
    // The last notification shown (what a click opens), if any.
    const std::optional<Notification> &lastNotification() const { return m_last; }

public slots:
    // What a click on the last notification does (QSystemTrayIcon::messageClicked): emits requestActivated().
    void activateLast();

signals:
    void requestActivated(const QString &gate, const QString &requestId);

private:
    struct OwnRequest
    {
        QString id;
        QString status;
    };
    struct Candidate
    {
        QString id;
        int needsQuery = 0; // the own-request query that must have answered before it is judged
    };

    void disarm();
    void arm();
    void handleRowsInserted(const QModelIndex &parent, int first, int last);
    void queryOwn(const QString &gate);
    void handleOwn(int generation, int query, const QString &gate, const std::optional<AccessRequest> &request,
                   bool ok);
    void notifyNew(const AccessRequest &request);
    void notify(Notification notification);
    void showInTray(const Notification &notification);

    RequestsModel *m_model;
    Presenter m_presenter;
    QSystemTrayIcon *m_tray = nullptr;
    std::optional<Notification> m_last;
    bool m_armed = false;
    int m_generation = 0;                   // answers of an earlier generation (before a resync) are dropped
    QHash<QString, OwnRequest> m_own;       // per gate, once read
    QHash<QString, QList<Candidate>> m_new; // per gate: new pending rows waiting to be told from own requests
    QHash<QString, int> m_queries;          // per gate: own-request queries issued
    QSet<QString> m_querying;
    QSet<QString> m_queryAgain;
};

} // namespace gk
