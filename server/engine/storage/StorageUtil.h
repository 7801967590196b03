#pragma once

#include "engine/Result.h"

#include <QLoggingCategory>
#include <QString>
#include <QStringList>

namespace gk {

Q_DECLARE_LOGGING_CATEGORY(lcStorage)

struct StorageOp;

// Turns sorted full keys below prefix into Vault's list answer: the next segment of each, with "/" for
// folders, each once, in order.
QStringList childrenBelow(const QString &prefix, const QStringList &sortedKeys);

// A key every backend can store and give back unchanged: not empty, and well-formed UTF-16 (no lone
// surrogate, which would not survive the UTF-8 round trip of a database). Fails with 400 otherwise.
Status validateKey(const QString &key);
// validateKey() for every op of a batch.
Status validateOps(const QList<StorageOp> &ops);

} // namespace gk
