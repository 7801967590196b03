#pragma once

#include "ServerStatus.h"

#include <QString>
#include <QWidget>

#include <optional>

class QLabel;
class QTableView;

namespace gk {

class ApiClient;
class PeersModel;
class RateChart;

// The server's status: the broker's id, version and uptime (GET /status), the barrier's seal state
// (GET /v1/sys/seal-status) and the broker's, the broker's /token counters with a live chart of requests per minute
// (RateChart, fed by the counters' deltas), and the cluster's nodes (PeersModel, GET /v1/sys/ha-status, which needs a
// token). refresh() reads everything once, asynchronously; the owner calls poll() on its refresh cadence, which reads
// only while the view is on screen (shown, its window not minimised), and the view reads at once when it is shown
// again. Errors are shown inline with the server's text.
class StatusView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusView)

public:
    // client is not owned and must outlive the view.
    explicit StatusView(ApiClient *client, QWidget *parent = nullptr);
    ~StatusView() override;

    PeersModel *peersModel() const { return m_peers; }
    RateChart *rateChart() const { return m_chart; }
    // The last reading, if any.
    const std::optional<ServerStatusSnapshot> &snapshot() const { return m_snapshot; }
    // The errors shown inline, if any.
    QString errorText() const;

public slots:
    // Reads /status and seal-status, and the peers when the client has a token. A read under way is not repeated.
    void refresh();
    // refresh(), but only while the view is on screen: nothing is read for a hidden tab or a minimised window.
    void poll();
    // Forgets everything read (another server): answers still under way are dropped.
    void clear();

signals:
    // A reading of /status and seal-status has been shown.
    void refreshed();

protected:
    void changeEvent(QEvent *event) override;
    // Also on restoring the minimised window (a spontaneous show).
    void showEvent(QShowEvent *event) override;

private:
    void buildUi();
    void retranslateUi();
    void apply(const ServerStatusSnapshot &snapshot);
    void updateView();
    void updatePeersError();

    ApiClient *m_client;
    PeersModel *m_peers;
    int m_generation = 0; // answers of an earlier generation (before clear) are dropped
    bool m_fetching = false;
    std::optional<ServerStatusSnapshot> m_snapshot;
    QString m_chartServerId; // the server start the chart's counters belong to

    QLabel *m_errorLabel = nullptr;
    QLabel *m_idCaptionLabel = nullptr;
    QLabel *m_idLabel = nullptr;
    QLabel *m_versionCaptionLabel = nullptr;
    QLabel *m_versionLabel = nullptr;
    QLabel *m_uptimeCaptionLabel = nullptr;
    QLabel *m_uptimeLabel = nullptr;
    QLabel *m_barrierCaptionLabel = nullptr;
    QLabel *m_barrierLabel = nullptr;
    QLabel *m_brokerCaptionLabel = nullptr;
    QLabel *m_brokerLabel = nullptr;
    QLabel *m_countersCaptionLabel = nullptr;
    QLabel *m_countersLabel = nullptr;
    QLabel *m_chartCaptionLabel = nullptr;
    RateChart *m_chart = nullptr;
    QLabel *m_peersCaptionLabel = nullptr;
    QLabel *m_peersErrorLabel = nullptr;
    QTableView *m_peersTable = nullptr;
};

} // namespace gk
