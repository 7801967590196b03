#pragma once

#include "engine/Result.h"

#include <QString>

#include <memory>

namespace gk {

class Storage;

// Opens the physical storage a URL names:
//   inmem:                  in memory, gone at exit (dev mode, tests)
//   sqlite:PATH             a SQLite file; PATH is absolute or relative to the working directory, taken as
//                           is (no percent-decoding). sqlite:///ABSOLUTE/PATH is accepted too. Behind a
//                           CachingStorage of kSqliteReadCacheBytes: this process is the file's only writer.
//   postgresql://... (or postgres://...)
//                           not supported yet: fails with httpStatus 501. The caller (gatekeeper-server)
//                           maps that failure to exit code 2, like any other unusable configuration.
// Any other URL fails with 400 and a message naming its scheme. Messages never repeat the rest of the URL,
// which may hold a password.
Result<std::unique_ptr<Storage>> openStorage(const QString &url);

// The read cache in front of a SQLite store: keys and (encrypted) values of the most recently read keys.
constexpr qsizetype kSqliteReadCacheBytes = 64 * 1024 * 1024;

} // namespace gk
