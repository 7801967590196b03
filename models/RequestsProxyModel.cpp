#include "RequestsProxyModel.h"

#include "RequestsModel.h"

namespace gk {

RequestsProxyModel::RequestsProxyModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(RequestsModel::OrderRole);
    connect(this, &QSortFilterProxyModel::sortRoleChanged, this,
            [this](int role) { m_byOrderRole = role == RequestsModel::OrderRole; });
    setFilterKeyColumn(-1);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setDynamicSortFilter(true);
}

RequestsProxyModel::~RequestsProxyModel() = default;

void RequestsProxyModel::setSourceModel(QAbstractItemModel *sourceModel)
{
    m_requests = qobject_cast<const RequestsModel *>(sourceModel);
    QSortFilterProxyModel::setSourceModel(sourceModel);
}

void RequestsProxyModel::setStatusFilter(const QString &status)
{
    if (status == m_status)
        return;
    m_status = status;
    invalidate();
}

void RequestsProxyModel::setFilterText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    invalidate();
}

bool RequestsProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_requests && !sourceParent.isValid()) {
        if (!m_status.isEmpty() && m_requests->requestAt(sourceRow).status != m_status)
            return false;
        if (!m_requests->rowContains(sourceRow, m_text))
            return false;
    }
    // A regular expression set through QSortFilterProxyModel's own API still applies, to every column.
    return filterRegularExpression().pattern().isEmpty() ||
           QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

} // namespace gk

namespace gk {

bool RequestsProxyModel::lessThan(const QModelIndex &sourceLeft, const QModelIndex &sourceRight) const
{
    if (m_byOrderRole && m_requests && sourceLeft.model() == m_requests && sourceRight.model() == m_requests)
        return m_requests->lessThan(sourceLeft.row(), sourceRight.row(), sourceLeft.column());
    return QSortFilterProxyModel::lessThan(sourceLeft, sourceRight);
}

} // namespace gk
