#pragma once

#include "SealActions.h"
#include "SealStatus.h"

#include <QDialog>
#include <QList>
#include <QPointer>
#include <QUrl>

#include <functional>
#include <optional>

class QCheckBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace gk {

class ApiClient;

// Enters key shares, one at a time: a masked field (with a Show toggle), the t-of-n progress, Reset, and the server's
// error inline when a share is refused. The field is cleared and its text wiped after every submit. With "Unseal all
// peers" each share goes, in one pass, to every sealed server that sys/ha-status lists (one ApiClient per address),
// and a small table shows each peer's progress and answer. Nothing blocks: every call is asynchronous.
class UnsealDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UnsealDialog)

public:
    // Lists the peers to unseal (callback(peers, errors)). A seam, so that tests name the servers; by default
    // sys/ha-status through the dialog's client (which needs a token and an unsealed server: when it fails, the
    // dialog falls back to its own server and says why).
    using PeerSource = std::function<void(const QObject *context, SealActions::PeersCallback callback)>;

    // client is not owned and must outlive the dialog.
    explicit UnsealDialog(ApiClient *client, QWidget *parent = nullptr);
    ~UnsealDialog() override;

    void setPeerSource(PeerSource source) { m_peerSource = std::move(source); }

    // The seal state of the dialog's own server, as last read.
    std::optional<SealStatus> sealStatus() const;
    // The peers shown in all-peers mode (this server alone otherwise).
    QList<QUrl> peerAddresses() const;
    QString errorText() const;
    bool isBusy() const { return m_pendingCalls > 0; }
    bool allPeers() const;
    void setAllPeers(bool allPeers);

public slots:
    // Sends the entered share to this server, or to every sealed peer; then clears and wipes the field.
    void submitShare();
    // Forgets the shares entered so far (on every peer in all-peers mode).
    void resetProgress();
    // Reads the seal state (of every peer) again.
    void refresh();

signals:
    // The dialog's own server has changed its seal state (a share was taken, it is unsealed, the round was reset).
    void sealStatusChanged();

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Target
    {
        QUrl address;
        ApiClient *client = nullptr; // the dialog's own client, or one of its own per peer address
        SealActions *actions = nullptr;
        std::optional<SealStatus> status;
        QString answer; // the last answer or error, for the table
        bool refused = false;
    };

    void buildUi();
    void retranslateUi();
    void useTargets(const QList<QUrl> &addresses, const QString &note);
    void loadPeers();
    void readStatus(int index);
    // countsAsRound: a share or reset (its refusals are shown inline), not a status read.
    void finishCall(int generation, int index, bool countsAsRound, const std::optional<SealStatus> &status,
                    const QStringList &errors);
    SealActions::StatusCallback answerFor(int index, bool countsAsRound);
    void updateView();
    QString progressText(const std::optional<SealStatus> &status) const;
    Target *own();
    const Target *own() const;

    ApiClient *m_client;
    SealActions *m_ownActions;
    PeerSource m_peerSource;
    QList<Target> m_targets;
    int m_generation = 0; // answers of an older target list are dropped
    int m_pendingCalls = 0;
    QStringList m_roundErrors; // the refusals of the share (or reset) under way
    QString m_note;

    QLabel *m_shareCaptionLabel = nullptr;
    QLineEdit *m_shareLineEdit = nullptr;
    QCheckBox *m_showShareCheckBox = nullptr;
    QLabel *m_progressCaptionLabel = nullptr;
    QProgressBar *m_progressBar = nullptr;
    QLabel *m_stateLabel = nullptr;
    QLabel *m_errorLabel = nullptr;
    QCheckBox *m_allPeersCheckBox = nullptr;
    QLabel *m_noteLabel = nullptr;
    QTableWidget *m_peersTable = nullptr;
    QPushButton *m_submitButton = nullptr;
    QPushButton *m_resetButton = nullptr;
    QPushButton *m_closeButton = nullptr;
};

} // namespace gk
