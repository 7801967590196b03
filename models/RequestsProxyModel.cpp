#include "RequestsProxyModel.h"

#include "RequestsModel.h"

namespace gk {

RequestsProxyModel::RequestsProxyModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(RequestsModel::SortRole);
    setFilterKeyColumn(-1);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setDynamicSortFilter(true);
}

RequestsProxyModel::~RequestsProxyModel() = default;

void RequestsProxyModel::setStatusFilter(const QString &status)
{
    if (status == m_status)
        return;
    m_status = status;
    invalidateRowsFilter();
}

bool RequestsProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_status.isEmpty()) {
        const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
        if (index.data(RequestsModel::StatusRole).toString() != m_status)
            return false;
    }
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

} // namespace gk
