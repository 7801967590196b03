#include "engine/crypto/Hardening.h"

#include <QLoggingCategory>

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>

namespace gk {

namespace {

Q_LOGGING_CATEGORY(lcHardening, "gatekeeper.hardening")

} // namespace

void disableCoreDumps()
{
    const rlimit none{0, 0};
    if (setrlimit(RLIMIT_CORE, &none) != 0)
        qCWarning(lcHardening) << "cannot disable core dumps (setrlimit):" << std::strerror(errno);
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        qCWarning(lcHardening) << "cannot clear the dumpable flag (prctl):" << std::strerror(errno);
}

} // namespace gk
