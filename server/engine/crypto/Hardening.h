#pragma once

namespace gk {

// Keeps key material out of core dumps and away from same-user debuggers: sets RLIMIT_CORE to 0 and clears the
// process's dumpable flag (PR_SET_DUMPABLE 0, which also blocks ptrace attach by non-root users and makes
// /proc/self/mem unreadable to them). Called once at start in release builds. Failures are logged, not fatal.
void disableCoreDumps();

} // namespace gk
