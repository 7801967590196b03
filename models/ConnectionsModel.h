#pragma once

#include "Connection.h"

#include <QAbstractListModel>
#include <QList>
#include <QString>

#include <optional>

class QSettings;

namespace gk {

// The console's named connections (Connection), one row each, kept in QSettings: names, kinds, URLs, CA files, the
// TLS and keychain flags and which one was used last. Never a token. Names are unique (compared without case) and
// not empty; every change is validated first and refused, with the reason, when it would break that.
class ConnectionsModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionsModel)

public:
    enum Role
    {
        NameRole = Qt::UserRole + 1,
        EmbeddedRole,
        UrlRole,
        KeychainRole,
        LastUsedRole,
    };

    // settings: where the connections are read from and written to (not owned, must outlive the model); null keeps
    // them in memory only. With nothing stored yet, the model starts with one embedded connection.
    explicit ConnectionsModel(QSettings *settings, QObject *parent = nullptr);
    ~ConnectionsModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    QList<Connection> connections() const { return m_connections; }
    // The row of the connection called name (case-insensitive), or -1.
    int indexOf(const QString &name) const;
    std::optional<Connection> find(const QString &name) const;

    // Adds, replaces (the connection called name, possibly under a new name) or removes a connection. False, with
    // *error set, when the change is refused; nothing changes then.
    bool add(const Connection &connection, QString *error = nullptr);
    bool update(const QString &name, const Connection &connection, QString *error = nullptr);
    bool rename(const QString &name, const QString &newName, QString *error = nullptr);
    bool remove(const QString &name, QString *error = nullptr);

    // The name of the connection used last, if it is still there.
    QString lastUsed() const;
    void setLastUsed(const QString &name);
    // What the console should connect to at start: the one used last, else the first embedded one, else the first.
    std::optional<Connection> startConnection() const;

signals:
    // After an update (edit or rename): the connection before and after.
    void connectionChanged(const gk::Connection &before, const gk::Connection &after);
    void connectionRemoved(const gk::Connection &connection);

private:
    QString check(const Connection &connection, int ignoreRow) const;
    void load();
    void save();

    QSettings *m_settings;
    QList<Connection> m_connections;
    QString m_lastUsed;
};

} // namespace gk
