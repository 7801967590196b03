#pragma once

#include <QStringList>

class QTextStream;

namespace gk {

// gatekeeper-server audit verify FILE: checks the chain of an audit file. Prints "OK: N lines" and answers 0 when
// it is intact; names the first broken line and answers 1 when it is not; answers 2 for bad usage or a file that
// cannot be read. arguments are those after "audit".
int runAuditCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace gk
