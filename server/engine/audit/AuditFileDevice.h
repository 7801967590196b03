#pragma once

#include "engine/Result.h"

#include <QByteArray>
#include <QFuture>
#include <QString>

#include <memory>
#include <thread>

namespace gk {

// A file audit device: appends chained lines (AuditChain) to one file from its own writer thread, so that no
// request thread ever waits on the disk. write() queues an entry and answers once it is in the file (or could
// not be written); entries are written in the order write() was called, in batches.
//
// Before each batch the writer checks that the path still names the open file: when the file was removed or
// replaced (log rotation, or its directory went away) it is opened (created) anew at the path, and a file that
// cannot be opened fails the batch. Opening an existing file continues its chain from its last line.
class AuditFileDevice final
{
public:
    AuditFileDevice(QString filePath, int mode);
    ~AuditFileDevice();
    Q_DISABLE_COPY_MOVE(AuditFileDevice)

    const QString &filePath() const { return m_filePath; }
    // Opens (creates) the file now: fails with the reason when it cannot be opened for appending.
    QFuture<Status> open();
    // Appends entry (the compact JSON text of a non-empty object) as one chained line.
    QFuture<Status> write(QByteArray entry);

private:
    struct State;
    QString m_filePath;
    std::shared_ptr<State> m_state; // shared with the writer thread, which may outlive this object
    std::thread m_thread;
};

} // namespace gk
