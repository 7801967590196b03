#pragma once

#include "engine/Result.h"

#include <QString>

#include <memory>

namespace gk {

class Storage;

// Opens the physical storage a URL names:
//   inmem:                  in memory, gone at exit (dev mode, tests)
//   sqlite:PATH             a SQLite file; PATH is absolute or relative to the working directory, taken as
//                           is (no percent-decoding). sqlite:///ABSOLUTE/PATH is accepted too.
//   postgresql://... (or postgres://...)
//                           not supported yet: fails with httpStatus 501. The caller (gatekeeper-server)
//                           maps that failure to exit code 2, like any other unusable configuration.
// Any other URL fails with 400 and a message naming its scheme. Messages never repeat the rest of the URL,
// which may hold a password.
Result<std::unique_ptr<Storage>> openStorage(const QString &url);

} // namespace gk
