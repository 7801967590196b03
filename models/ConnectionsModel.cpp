#include "ConnectionsModel.h"

#include "ModelsLogging.h"

#include <QSettings>

namespace gk {

namespace {

// The settings keys, in one place.
const QString groupKey = QStringLiteral("Connections");
const QString listKey = QStringLiteral("list");
const QString lastUsedKey = QStringLiteral("lastUsed");
const QString nameKey = QStringLiteral("name");
const QString kindKey = QStringLiteral("kind");
const QString urlKey = QStringLiteral("url");
const QString caFileKey = QStringLiteral("caFile");
const QString verifyTlsKey = QStringLiteral("verifyTls");
const QString keychainKey = QStringLiteral("keychain");
const QString embeddedKind = QStringLiteral("embedded");
const QString remoteKind = QStringLiteral("remote");

} // namespace

ConnectionsModel::ConnectionsModel(QSettings *settings, QObject *parent)
    : QAbstractListModel(parent), m_settings(settings)
{
    load();
}

ConnectionsModel::~ConnectionsModel() = default;

int ConnectionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_connections.size());
}

QVariant ConnectionsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Connection &c = m_connections.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
    case NameRole:
        return c.name;
    case Qt::ToolTipRole:
        return c.description();
    case EmbeddedRole:
        return c.isEmbedded();
    case UrlRole:
        return c.url;
    case KeychainRole:
        return c.keychain;
    case LastUsedRole:
        return c.name == m_lastUsed;
    default:
        return {};
    }
}

QHash<int, QByteArray> ConnectionsModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(NameRole, "name");
    names.insert(EmbeddedRole, "embedded");
    names.insert(UrlRole, "url");
    names.insert(KeychainRole, "keychain");
    names.insert(LastUsedRole, "lastUsed");
    return names;
}

int ConnectionsModel::indexOf(const QString &name) const
{
    for (int row = 0; row < m_connections.size(); ++row) {
        if (m_connections.at(row).name.compare(name, Qt::CaseInsensitive) == 0)
            return row;
    }
    return -1;
}

std::optional<Connection> ConnectionsModel::find(const QString &name) const
{
    const int row = indexOf(name);
    if (row < 0)
        return std::nullopt;
    return m_connections.at(row);
}

QString ConnectionsModel::check(const Connection &connection, int ignoreRow) const
{
    const QString invalid = connection.validate();
    if (!invalid.isEmpty())
        return invalid;
    const int row = indexOf(connection.name);
    if (row >= 0 && row != ignoreRow)
        return tr("There is already a connection called %1").arg(m_connections.at(row).name);
    return {};
}

bool ConnectionsModel::add(const Connection &connection, QString *error)
{
    const QString problem = check(connection, -1);
    if (error)
        *error = problem;
    if (!problem.isEmpty())
        return false;
    const int row = int(m_connections.size());
    beginInsertRows({}, row, row);
    m_connections.append(connection);
    endInsertRows();
    save();
    return true;
}

bool ConnectionsModel::update(const QString &name, const Connection &connection, QString *error)
{
    const int row = indexOf(name);
    QString problem = row < 0 ? tr("There is no connection called %1").arg(name) : check(connection, row);
    if (error)
        *error = problem;
    if (!problem.isEmpty())
        return false;
    const Connection before = m_connections.at(row);
    if (before == connection)
        return true;
    m_connections[row] = connection;
    if (m_lastUsed == before.name)
        m_lastUsed = connection.name;
    const QModelIndex changed = index(row);
    emit dataChanged(changed, changed);
    save();
    emit connectionChanged(before, connection);
    return true;
}

bool ConnectionsModel::rename(const QString &name, const QString &newName, QString *error)
{
    std::optional<Connection> connection = find(name);
    if (!connection) {
        if (error)
            *error = tr("There is no connection called %1").arg(name);
        return false;
    }
    connection->name = newName;
    return update(name, *connection, error);
}

bool ConnectionsModel::remove(const QString &name, QString *error)
{
    const int row = indexOf(name);
    if (row < 0) {
        if (error)
            *error = tr("There is no connection called %1").arg(name);
        return false;
    }
    if (error)
        error->clear();
    beginRemoveRows({}, row, row);
    const Connection removed = m_connections.takeAt(row);
    endRemoveRows();
    if (m_lastUsed == removed.name)
        m_lastUsed.clear();
    save();
    emit connectionRemoved(removed);
    return true;
}

QString ConnectionsModel::lastUsed() const
{
    return m_lastUsed;
}

void ConnectionsModel::setLastUsed(const QString &name)
{
    const int row = indexOf(name);
    const QString lastUsed = row < 0 ? QString() : m_connections.at(row).name;
    if (lastUsed == m_lastUsed)
        return;
    const int previous = indexOf(m_lastUsed);
    m_lastUsed = lastUsed;
    for (const int changed : {previous, row}) {
        if (changed >= 0)
            emit dataChanged(index(changed), index(changed), {LastUsedRole});
    }
    save();
}

std::optional<Connection> ConnectionsModel::startConnection() const
{
    if (std::optional<Connection> last = find(m_lastUsed))
        return last;
    for (const Connection &c : m_connections) {
        if (c.isEmbedded())
            return c;
    }
    if (m_connections.isEmpty())
        return std::nullopt;
    return m_connections.constFirst();
}

void ConnectionsModel::load()
{
    if (!m_settings || !m_settings->childGroups().contains(groupKey)) {
        m_connections = {Connection::embedded(tr("This computer"))};
        return;
    }
    m_settings->beginGroup(groupKey);
    const int size = m_settings->beginReadArray(listKey);
    for (int i = 0; i < size; ++i) {
        m_settings->setArrayIndex(i);
        Connection c;
        c.name = m_settings->value(nameKey).toString();
        c.kind = m_settings->value(kindKey).toString() == embeddedKind ? Connection::Kind::Embedded
                                                                       : Connection::Kind::Remote;
        if (!c.isEmbedded()) {
            c.url = QUrl(m_settings->value(urlKey).toString());
            c.caFile = m_settings->value(caFileKey).toString();
            c.verifyTls = m_settings->value(verifyTlsKey, true).toBool();
        }
        c.keychain = m_settings->value(keychainKey, false).toBool();
        // A CA file that has gone away is reported when connecting, not a reason to forget the connection.
        Connection structural = c;
        structural.caFile.clear();
        const QString problem = structural.validate();
        if (!problem.isEmpty() || indexOf(c.name) >= 0) {
            qCWarning(lcApi).noquote() << "ignoring stored connection" << i << "-"
                                       << (problem.isEmpty() ? QStringLiteral("a duplicate name") : problem);
            continue;
        }
        m_connections.append(c);
    }
    m_settings->endArray();
    m_lastUsed = m_settings->value(lastUsedKey).toString();
    m_settings->endGroup();
    if (indexOf(m_lastUsed) < 0)
        m_lastUsed.clear();
}

void ConnectionsModel::save()
{
    if (!m_settings)
        return;
    m_settings->remove(groupKey);
    m_settings->beginGroup(groupKey);
    m_settings->beginWriteArray(listKey, int(m_connections.size()));
    for (int i = 0; i < m_connections.size(); ++i) {
        const Connection &c = m_connections.at(i);
        m_settings->setArrayIndex(i);
        m_settings->setValue(nameKey, c.name);
        m_settings->setValue(kindKey, c.isEmbedded() ? embeddedKind : remoteKind);
        if (!c.isEmbedded()) {
            m_settings->setValue(urlKey, c.url.toString());
            m_settings->setValue(caFileKey, c.caFile);
            m_settings->setValue(verifyTlsKey, c.verifyTls);
        }
        m_settings->setValue(keychainKey, c.keychain);
    }
    m_settings->endArray();
    m_settings->setValue(lastUsedKey, m_lastUsed);
    m_settings->endGroup();
    m_settings->sync();
    if (m_settings->status() != QSettings::NoError)
        qCWarning(lcApi) << "the connections could not be saved to" << m_settings->fileName();
}

} // namespace gk
