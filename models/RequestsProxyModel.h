#pragma once

#include <QSortFilterProxyModel>
#include <QString>

namespace gk {

class RequestsModel;

// Sorts a RequestsModel by its order role (numbers and times as numbers) and filters it by a text, matched
// case-insensitively against the requester, gate, reason, request id and status (RequestsModel::rowContains), and
// optionally by one status. Both filters read the source model's rows in place, without a QVariant per cell, so that a
// keystroke in the filter stays quick with 100,000 rows; they apply only when the source model is a RequestsModel,
// whose rows are then also compared in place (RequestsModel::lessThan). A change of either filter re-sorts the rows
// kept in one pass (a layout change) rather than removing and inserting them run by run: with rows scattered over a
// long table, thousands of runs each cost the view a pass over all its rows; the source model ranks its rows by the
// sort column when many are sorted, so that such a pass compares integers. The order role does not change as time
// passes, so the model's tick over the age and expiry columns (which changes SortRole, not OrderRole) leaves the order
// alone without comparing rows.
class RequestsProxyModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RequestsProxyModel)

public:
    explicit RequestsProxyModel(QObject *parent = nullptr);
    ~RequestsProxyModel() override;

    // The server's status word ("pending"), or empty for every status.
    QString statusFilter() const { return m_status; }
    void setStatusFilter(const QString &status);
    // The text the rows must contain (ignoring case), or empty for every row.
    QString filterText() const { return m_text; }
    void setFilterText(const QString &text);

    void setSourceModel(QAbstractItemModel *sourceModel) override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &sourceLeft, const QModelIndex &sourceRight) const override;

private:
    const RequestsModel *m_requests = nullptr; // the source model, when it is a RequestsModel
    bool m_byOrderRole = true;                 // sortRole() is RequestsModel::OrderRole
    QString m_status;
    QString m_text;
};

} // namespace gk
