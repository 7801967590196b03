# Audit: the chained line format and its verifier, the file device's writer (order, reopening, failures), hashing.
gk_add_test(tst_audit SOURCES tst_audit.cpp LIBS gk_server LABELS unit TIMEOUT 60)
