#pragma once

#include <QByteArray>
#include <QString>

class QIODevice;

namespace gk::audit {

// The audit file format: one JSON object per line, chained.
//
// A line is {"prev_hash":"sha256:<P>", <the entry's fields>, "hash":"sha256:<H>"} where
//   P = SHA-256 of the previous line's bytes (without its newline), or 64 zeros for the first line of a file;
//   H = SHA-256 of the line's own bytes with the trailing ,"hash":"sha256:<H>" removed (the line then ends in "}").
// H detects a changed line (also the last one); P detects a deleted, inserted or reordered line.

// "sha256:" and 64 zeros: what the first line of a file chains to.
QByteArray genesisHash();
// "sha256:<hex>" of a line's bytes (without the newline).
QByteArray lineDigest(const QByteArray &line);
// The line (without newline) for entry, the compact JSON text of a non-empty object, following prevHash.
QByteArray chainLine(const QByteArray &entry, const QByteArray &prevHash);

struct VerifyResult
{
    bool readable = true;  // false: the file could not be read (reason says why)
    qint64 lines = 0;      // lines checked (all of them when intact)
    qint64 brokenLine = 0; // 1-based number of the first broken line, 0 when the chain is intact
    QString reason;
    bool intact() const { return readable && brokenLine == 0; }
};
VerifyResult verify(QIODevice &in);
VerifyResult verifyFile(const QString &path);

} // namespace gk::audit
