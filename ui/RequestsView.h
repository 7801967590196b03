#pragma once

#include "AccessRequest.h"

#include <QString>
#include <QWidget>

#include <functional>
#include <optional>

class QAction;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace gk {

class ApiClient;
class RequestsModel;
class RequestsProxyModel;

// The access requests view: a live table of the requests of every gate the token may list (RequestsModel through a
// RequestsProxyModel), a text and status filter, a detail pane with the approval history, Approve (Ctrl+Return) and
// Deny (Ctrl+D, with a required reason), the requester's Ask / Cancel / Claim for a chosen gate, a pending badge,
// and errors inline with the server's text. Every call is asynchronous; nothing here blocks.
class RequestsView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RequestsView)

public:
    // Asks for a text (the reason of a deny or of a request): nullopt when the user cancels. A seam, so that tests
    // answer it without a modal dialog.
    using ReasonPrompt =
        std::function<std::optional<QString>(QWidget *parent, const QString &title, const QString &label)>;
    // Shows a claimed token to the user, once. The token must not be kept. A seam like ReasonPrompt.
    using TokenPresenter = std::function<void(QWidget *parent, const QString &gate, const QString &token)>;

    // client is not owned and must outlive the view.
    explicit RequestsView(ApiClient *client, QWidget *parent = nullptr);
    ~RequestsView() override;

    RequestsModel *model() const { return m_model; }
    RequestsProxyModel *proxyModel() const { return m_proxy; }

    void setReasonPrompt(ReasonPrompt prompt) { m_reasonPrompt = std::move(prompt); }
    void setTokenPresenter(TokenPresenter presenter) { m_tokenPresenter = std::move(presenter); }

    // Loads and follows the requests (RequestsModel::start), or stops following them; while stopped the view says
    // why (setInactiveMessage; "Not connected." by default).
    void start();
    void stop();
    void setInactiveMessage(const QString &message);

    // "3 pending", or empty when none: what the badge shows.
    QString badgeText() const;
    // The error shown inline, if any.
    QString errorText() const;
    // Makes a request the current row (clearing the filters when they hide it) and shows it; false when it is not
    // listed.
    bool selectRequest(const QString &gate, const QString &requestId);

public slots:
    void approveSelected();
    void denySelected();
    void askForAccess();
    void cancelOwnRequest();
    void claimAccess();

signals:
    void pendingCountChanged(int count);

protected:
    void changeEvent(QEvent *event) override;

private:
    void buildUi();
    void retranslateUi();
    void updateDetails();
    void updateGates();
    void updateError();
    void updateBadge();
    // Reads the user's own request on the chosen gate, and shows it.
    void refreshOwnRequest();
    void updateOwnRequest();
    // The selected request, if any is selected and still listed.
    const AccessRequest *selectedRequest() const;
    void runAction(const QString &what, const std::function<void(std::function<void(const QStringList &)>)> &call);
    std::optional<QString> promptReason(const QString &title, const QString &label);

    RequestsModel *m_model;
    RequestsProxyModel *m_proxy;
    ReasonPrompt m_reasonPrompt;
    TokenPresenter m_tokenPresenter;
    QString m_selectedGate;
    QString m_selectedId;
    QString m_actionError;
    QString m_inactiveMessage;
    int m_busy = 0;                            // actions under way
    std::optional<AccessRequest> m_ownRequest; // on the chosen gate
    QString m_ownError;
    int m_ownQuery = 0; // answers to earlier queries are dropped

    QLineEdit *m_filterLineEdit = nullptr;
    QComboBox *m_statusComboBox = nullptr;
    QLabel *m_pendingBadgeLabel = nullptr;
    QLabel *m_errorLabel = nullptr;
    QTableView *m_requestsTable = nullptr;
    QGroupBox *m_detailsGroupBox = nullptr;
    QLabel *m_requesterCaptionLabel = nullptr;
    QLabel *m_requesterLabel = nullptr;
    QLabel *m_gateCaptionLabel = nullptr;
    QLabel *m_gateLabel = nullptr;
    QLabel *m_statusCaptionLabel = nullptr;
    QLabel *m_statusLabel = nullptr;
    QLabel *m_reasonCaptionLabel = nullptr;
    QLabel *m_reasonLabel = nullptr;
    QLabel *m_approvalsCaptionLabel = nullptr;
    QLabel *m_approvalsLabel = nullptr;
    QLabel *m_historyCaptionLabel = nullptr;
    QLabel *m_historyLabel = nullptr;
    QLabel *m_issuedCaptionLabel = nullptr;
    QLabel *m_issuedLabel = nullptr;
    QLabel *m_expiresCaptionLabel = nullptr;
    QLabel *m_expiresLabel = nullptr;
    QPushButton *m_approveButton = nullptr;
    QPushButton *m_denyButton = nullptr;
    QGroupBox *m_ownGroupBox = nullptr;
    QLabel *m_askGateCaptionLabel = nullptr;
    QComboBox *m_askGateComboBox = nullptr;
    QLabel *m_ownStatusLabel = nullptr;
    QPushButton *m_askButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QPushButton *m_claimButton = nullptr;
    QAction *m_approveAction = nullptr;
    QAction *m_denyAction = nullptr;
};

} // namespace gk
