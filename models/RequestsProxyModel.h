#pragma once

#include <QSortFilterProxyModel>
#include <QString>

namespace gk {

// Sorts a RequestsModel by its sort role (numbers and times as numbers) and filters it by a text, matched
// case-insensitively against every column, and optionally by one status.
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

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_status;
};

} // namespace gk
