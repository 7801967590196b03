#include "PeersModel.h"

#include "ApiClient.h"
#include "ApiReply.h"

#include <QJsonArray>
#include <QLocale>

namespace gk {

namespace {

// A node's key across reads: its address, or its name when two share none.
QString keyOf(const PeersModel::Node &node)
{
    return node.address.toString() + QLatin1Char('|') + node.name;
}

} // namespace

std::optional<QList<PeersModel::Node>> PeersModel::parseHaStatus(const QJsonObject &json, const QUrl &ownAddress,
                                                                 const QDateTime &answeredAt, QString *error)
{
    using namespace Qt::StringLiterals;
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    const QJsonValue nodes = json.value("nodes"_L1);
    if (!nodes.isArray())
        return fail(QStringLiteral("ha-status has no \"nodes\" array"));
    QList<Node> result;
    for (const QJsonValue &value : nodes.toArray()) {
        if (!value.isObject())
            return fail(QStringLiteral("an ha-status node is not an object"));
        const QJsonObject object = value.toObject();
        Node node;
        node.name = object.value("hostname"_L1).toString();
        if (node.name.isEmpty())
            return fail(QStringLiteral("an ha-status node has no \"hostname\""));
        for (const auto key : {"api_address"_L1, "version"_L1, "last_echo"_L1}) {
            const QJsonValue field = object.value(key);
            if (!field.isUndefined() && !field.isNull() && !field.isString())
                return fail(QStringLiteral("ha-status node field \"%1\" is not a string").arg(key));
        }
        for (const auto key : {"active_node"_L1, "unsealed"_L1}) {
            const QJsonValue field = object.value(key);
            if (!field.isUndefined() && !field.isBool())
                return fail(QStringLiteral("ha-status node field \"%1\" is not a boolean").arg(key));
        }
        const QString address = object.value("api_address"_L1).toString();
        node.address = address.isEmpty() ? ownAddress : QUrl(address);
        node.active = object.value("active_node"_L1).toBool();
        // Vault's nodes have no "unsealed": a listed standby is unsealed, as is the active node that answers.
        node.unsealed = object.value("unsealed"_L1).toBool(true);
        node.version = object.value("version"_L1).toString();
        const QString echo = object.value("last_echo"_L1).toString();
        node.lastSeen =
            echo.isEmpty() ? (node.active ? answeredAt : QDateTime()) : QDateTime::fromString(echo, Qt::ISODateWithMs);
        result.append(node);
    }
    if (result.isEmpty())
        return fail(QStringLiteral("ha-status lists no node"));
    return result;
}

PeersModel::PeersModel(ApiClient *client, QObject *parent) : QAbstractTableModel(parent), m_client(client)
{
    Q_ASSERT(m_client);
}

PeersModel::~PeersModel()
{
    if (ApiReply *reply = m_reply) {
        m_reply = nullptr;
        reply->abort();
    }
}

void PeersModel::refresh()
{
    if (m_reply)
        return;
    ApiReply *reply = m_client->request(QStringLiteral("GET"), QStringLiteral("sys/ha-status"));
    m_reply = reply;
    reply->onFinished(this, [this, reply](int status, const QJsonObject &body, const QStringList &errors) {
        if (m_reply != reply)
            return;
        m_reply = nullptr;
        if (!errors.isEmpty()) {
            setError(errors.join(QStringLiteral("; ")));
        } else {
            QString parseError;
            const auto nodes = parseHaStatus(body, m_client->baseUrl(), QDateTime::currentDateTimeUtc(), &parseError);
            if (nodes) {
                apply(*nodes);
                setError({});
            } else {
                setError(tr("The server's answer (HTTP %1) was not understood: %2").arg(status).arg(parseError));
            }
        }
        emit refreshed();
    });
}

void PeersModel::apply(const QList<Node> &nodes)
{
    QList<QString> keys;
    for (const Node &node : nodes)
        keys.append(keyOf(node));
    for (int row = m_nodes.size() - 1; row >= 0; --row) {
        if (!keys.contains(keyOf(m_nodes.at(row)))) {
            beginRemoveRows({}, row, row);
            m_nodes.removeAt(row);
            endRemoveRows();
        }
    }
    for (const Node &node : nodes) {
        const QString key = keyOf(node);
        int row = 0;
        while (row < m_nodes.size() && keyOf(m_nodes.at(row)) != key)
            ++row;
        if (row == m_nodes.size()) {
            beginInsertRows({}, row, row);
            m_nodes.append(node);
            endInsertRows();
        } else if (m_nodes.at(row) != node) {
            m_nodes[row] = node;
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
        }
    }
}

void PeersModel::setError(const QString &error)
{
    if (error == m_error)
        return;
    m_error = error;
    emit errorChanged(m_error);
}

int PeersModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_nodes.size());
}

int PeersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PeersModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Node &node = m_nodes.at(index.row());
    switch (role) {
    case AddressRole:
        return node.address;
    case UnsealedRole:
        return node.unsealed;
    case ActiveRole:
        return node.active;
    case LastSeenRole:
        return node.lastSeen;
    case Qt::ToolTipRole:
        return node.version.isEmpty() ? QVariant() : tr("Version %1").arg(node.version);
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case NameColumn:
        return node.name;
    case AddressColumn:
        return node.address.toString(QUrl::RemoveUserInfo);
    case SealColumn:
        return node.unsealed ? tr("Unsealed") : tr("Sealed");
    case RoleColumn:
        return node.active ? tr("Active") : tr("Standby");
    case LastSeenColumn:
        return node.lastSeen.isValid() ? QLocale().toString(node.lastSeen.toLocalTime(), QLocale::ShortFormat)
                                       : tr("Never");
    default:
        return {};
    }
}

QVariant PeersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Node");
    case AddressColumn:
        return tr("Address");
    case SealColumn:
        return tr("Seal");
    case RoleColumn:
        return tr("Role");
    case LastSeenColumn:
        return tr("Last seen");
    default:
        return {};
    }
}

} // namespace gk
