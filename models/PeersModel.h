#pragma once

#include <QAbstractTableModel>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <optional>

namespace gk {

class ApiClient;
class ApiReply;

// The servers of the cluster as GET /v1/sys/ha-status lists them, one row per node: its name, API address, seal
// state, role (active or standby) and when it was last seen. refresh() reads the list again and applies it as row
// inserts, updates and removals (never a reset), so a selection survives. ha-status needs a token and an unsealed
// server; a failure keeps the rows and says why in errorString().
class PeersModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PeersModel)

public:
    enum Column
    {
        NameColumn,
        AddressColumn,
        SealColumn,
        RoleColumn,
        LastSeenColumn,
        ColumnCount
    };

    enum Role
    {
        AddressRole = Qt::UserRole, // QUrl
        UnsealedRole,               // bool
        ActiveRole,                 // bool
        LastSeenRole,               // QDateTime (UTC); invalid when never seen
    };

    // One node of ha-status's "nodes".
    struct Node
    {
        QString name; // the node's hostname
        QUrl address; // api_address; a node without one is the server the client talks to
        bool unsealed = false;
        bool active = false;
        QDateTime lastSeen; // last_echo for a standby; the time of the answer for the active node
        QString version;

        friend bool operator==(const Node &, const Node &) = default;
    };

    // Parses ha-status's answer. ownAddress stands for a node without api_address; answeredAt is the active node's
    // last-seen time. On failure (no "nodes" array, a node that is not an object or has no hostname, a field of the
    // wrong type) *error (when given) says what is wrong.
    static std::optional<QList<Node>> parseHaStatus(const QJsonObject &json, const QUrl &ownAddress,
                                                    const QDateTime &answeredAt, QString *error = nullptr);

    // client is not owned and must outlive the model.
    explicit PeersModel(ApiClient *client, QObject *parent = nullptr);
    ~PeersModel() override;

    // Reads ha-status again (nothing when a read is already under way). refreshed() follows.
    void refresh();
    bool isRefreshing() const { return m_reply != nullptr; }
    // Why the last read failed (the server's errors text); empty after a success.
    QString errorString() const { return m_error; }
    const Node &nodeAt(int row) const { return m_nodes.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

signals:
    // A read has ended, successfully or not (errorString()).
    void refreshed();
    void errorChanged(const QString &error);

private:
    void apply(const QList<Node> &nodes);
    void setError(const QString &error);

    ApiClient *m_client;
    QPointer<ApiReply> m_reply;
    QList<Node> m_nodes;
    QString m_error;
};

} // namespace gk
