#include "engine/audit/AuditCommand.h"

#include "engine/audit/AuditChain.h"

#include <QFileInfo>
#include <QTextStream>

namespace gk {

int runAuditCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    if (arguments.size() != 2 || arguments.at(0) != QLatin1String("verify")) {
        err << "usage: gatekeeper-server audit verify FILE" << Qt::endl;
        return 2;
    }
    const QString path = arguments.at(1);
    if (!QFileInfo(path).isFile()) {
        err << "gatekeeper-server: audit verify: \"" << path << "\" is not a file" << Qt::endl;
        return 2;
    }
    const audit::VerifyResult result = audit::verifyFile(path);
    if (!result.readable) {
        err << "gatekeeper-server: audit verify: cannot read \"" << path << "\": " << result.reason << Qt::endl;
        return 2;
    }
    if (!result.intact()) {
        out << "BROKEN: line " << result.brokenLine << ": " << result.reason << Qt::endl;
        return 1;
    }
    out << "OK: " << result.lines << " lines" << Qt::endl;
    return 0;
}

} // namespace gk
