#pragma once

#include "AccessRequest.h"
#include "EventWatcher.h"

#include <QAbstractTableModel>
#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <optional>

class QTimer;

namespace gk {

class ApiClient;
class GateActions;

// The access requests of every policy gate the token may list, one row per request, kept live.
//
// Gates are the auth mounts of type policy-gate (GET sys/auth); sys/capabilities-self tells which of them the token
// may list (LIST auth/<gate>/request), approve on, deny on, ask on. Changes come from an EventWatcher (sys/events
// blocking queries, no polling): an event under a gate re-lists that gate, a change of auth mounts or policies
// discovers the gates again, a resync re-lists everything. Every re-list is applied as row inserts, updates and
// removals, never a reset, so selections and the view's state survive. A one-second tick refreshes the age and
// expiry columns. Needs read on sys/auth and sys/events besides the gate's own rules.
class RequestsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RequestsModel)

public:
    enum Column
    {
        RequesterColumn,
        GateColumn,
        ReasonColumn,
        AgeColumn,
        ExpiresColumn,
        ApprovalsColumn,
        MyVoteColumn,
        StatusColumn,
        ColumnCount
    };

    enum Role
    {
        // A value that orders as the column reads (numbers for numbers, ms for times): QSortFilterProxyModel's
        // sort role. Age: ms since the request was made; expires-in: ms left (negative once past).
        SortRole = Qt::UserRole,
        RequestIdRole,
        GateRole,
        RequesterRole,
        ReasonRole,
        StatusRole, // the server's status word ("pending")
        IssuedAtRole,
        ExpiresAtRole,
        NumApprovalsRole,
        RequiredApprovalsRole,
        HaveApprovedRole,
        ApproversRole,
        // Orders the rows of a column as SortRole does, with values that do not change as time passes: age by the time
        // the request was made (newest first), expires-in by the expiry time. A request without that time sorts first.
        // RequestsProxyModel sorts by it, so the one-second tick (which changes SortRole, not this) does not re-sort.
        OrderRole,
    };

    struct GateInfo
    {
        QString name; // mount path without the trailing slash
        bool canList = false;
        bool canApprove = false;
        bool canDeny = false;
        bool canAsk = false;
        bool canCancel = false;

        friend bool operator==(const GateInfo &, const GateInfo &) = default;
    };

    // client is not owned and must outlive the model.
    explicit RequestsModel(ApiClient *client, QObject *parent = nullptr);
    ~RequestsModel() override;

    // The calls on requests, through the same client; a successful one re-lists its gate at once.
    GateActions *actions() const { return m_actions; }
    EventWatcher *watcher() const { return m_watcher; }

    // Discovers the gates, lists them and follows the live index. stop() ends all of it (the rows stay).
    void start();
    void stop();
    bool isRunning() const { return m_running; }
    // Discovers the gates and lists them again (also what a resync of the live index does).
    void reload();

    QList<GateInfo> gates() const { return m_gates; }
    std::optional<GateInfo> gate(const QString &name) const;
    const AccessRequest &requestAt(int row) const { return m_rows.at(row); }
    // The row of a request, or -1.
    int rowOf(const QString &gate, const QString &requestId) const;
    // Pending requests this token has not approved yet: the console's badge.
    int pendingCount() const { return m_pendingCount; }
    // Why the last discovery or listing failed, or why live updates fail; empty when all works.
    QString errorString() const;
    // Whether the model is loaded and the live index is followed without errors.
    bool isLive() const;

    // The age and expiry columns are refreshed this often (default 1000 ms).
    void setTickIntervalMs(int intervalMs);

    // Applies a listing of gate as the server's answer would be applied (rows inserted, updated and removed, never a
    // reset). A seam for tests and benchmarks that fill the model without a server.
    void applyGate(const QString &gate, const QList<AccessRequest> &requests);
    // Whether the request at row has text in its requester, gate, reason, request id or status as the table shows it,
    // ignoring case: what RequestsProxyModel filters by. Searches a case-folded copy of the text fields kept per row,
    // without a QVariant or an allocation per row.
    bool rowContains(int row, QStringView text) const;
    // Whether the request at leftRow sorts before the one at rightRow by column, as OrderRole values compare
    // (numbers as numbers, text ignoring case), without a QVariant: what RequestsProxyModel sorts by. Once more
    // comparisons by a column have been asked for than there are rows (a sort of many rows), ranks every row by that
    // column, and then compares two ranks until several rows are inserted at once or a row's value in that column
    // changes.
    bool lessThan(int leftRow, int rightRow, int column) const;

    // As QAbstractTableModel's, without its virtual calls to rowCount and columnCount: a sort of the whole table asks
    // for two indexes per comparison.
    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QHash<int, QByteArray> roleNames() const override;

    // A short duration as the table shows it: "45s", "12m 5s", "3h 20m", "2d 4h".
    static QString shortDuration(qint64 seconds);
    // A status word ("pending") as the table shows it ("Pending").
    static QString statusText(const QString &status);

signals:
    void pendingCountChanged(int count);
    void gatesChanged();
    void errorChanged(const QString &error);
    void liveChanged(bool live);
    // Every listed gate has been listed once since the last start() or reload().
    void loaded();
    // Something changed under gate (listable or not): a requester's own request there may have changed.
    void gateActivity(const QString &gate);

private:
    void discover();
    void handleMounts(int generation, const QJsonObject &body, const QStringList &errors);
    void handleCapabilities(int generation, const QStringList &names, const QJsonObject &body,
                            const QStringList &errors);
    void setGates(QList<GateInfo> gates);
    void listGate(const QString &gate);
    void handleList(int generation, const QString &gate, int status, const QJsonObject &body,
                    const QStringList &errors);
    void handleEvents(const QList<EventWatcher::Event> &events);
    void tick();
    void rebuildIndex();
    void updatePendingCount();
    void setError(const QString &error);
    void handleWatcherState();
    void emitErrorIfChanged();
    bool isRow(const QModelIndex &index) const;
    QVariant displayData(const AccessRequest &r, int column) const;
    QVariant sortData(const AccessRequest &r, int column) const;
    qint64 sortNumber(const AccessRequest &r, int column) const;
    // The OrderRole value of a numeric column (0 for the others).
    qint64 orderNumber(const AccessRequest &r, int column) const;
    // Below, equal to or above zero as left orders before, with or after right by column.
    int orderCompare(const AccessRequest &left, const AccessRequest &right, int column) const;
    // The field a text column orders by, or nullptr for a numeric column.
    static auto orderText(int column) -> const QString *(*)(const AccessRequest &);
    // The index of a status word in the known words, or -1.
    static qint8 statusCodeOf(const QString &status);
    void rankRows(int column) const;
    // The rank a new request takes among the ranked rows, between its neighbours in their order; nullopt when no rank
    // is left between them.
    std::optional<int> rankAmongRows(const AccessRequest &request) const;
    static constexpr int rankGap = 256; // between the ranks rankRows gives
    void dropOrder()
    {
        m_rankedColumn = -1;
        m_unrankedComparisons = 0;
    }
    // What rowContains searches, case-folded UTF-8: requester, gate, reason and id, one per line.
    static QByteArray haystackOf(const AccessRequest &r);

    ApiClient *m_client;
    GateActions *m_actions;
    EventWatcher *m_watcher;
    QTimer *m_ticker;
    qint64 m_nowMs = 0;

    bool m_running = false;
    int m_generation = 0; // answers of an earlier generation (before stop/start) are dropped
    bool m_discovering = false;
    bool m_discoverAgain = false;
    QSet<QString> m_listing;     // gates with a LIST under way
    QSet<QString> m_listAgain;   // gates that changed while being listed
    QSet<QString> m_waitingLoad; // gates not yet listed since start()/reload()
    bool m_loadPending = false;

    QList<GateInfo> m_gates;
    QList<AccessRequest> m_rows;
    QList<QByteArray> m_haystacks; // haystackOf each row, in step with m_rows
    QList<qint8> m_statusCodes;    // statusCodeOf each row, in step with m_rows
    // lessThan: the column the rows are ranked by (-1: none, or dropped since by several rows inserted at once or a
    // change of a row's value in that column), each row's rank, and the comparisons made without ranks since then.
    mutable int m_rankedColumn = -1;
    mutable QList<int> m_ranks;
    mutable qsizetype m_unrankedComparisons = 0;
    QHash<QString, int> m_rowByKey;
    int m_pendingCount = 0;
    QString m_error;
    QString m_listError; // the last gate listing failure
    QString m_shownError;
    bool m_shownLive = false;
    bool m_loadedOnce = false;
    // rowContains: the last text asked for, case-folded, and the known status words whose text as shown contains it
    // (bit n for word n).
    mutable QString m_statusMatchText;
    mutable QByteArray m_foldedMatchText;
    mutable quint32 m_statusMatchBits = 0;
};

} // namespace gk
