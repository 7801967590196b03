# Audit devices over HTTP (the real Engine on SQLite): sys/audit, sys/audit-hash, the lines written, hashing,
# fail-closed behaviour and the chain.
gk_add_test(tst_audit_api SOURCES tst_audit_api.cpp LIBS gk_server gk_testsupport LABELS api TIMEOUT 120)
if(TARGET gatekeeper-server)
    # The real server process on SQLite with --audit-log: no token, password or secret in plain text anywhere.
    gk_add_test(tst_audit_noleaks SOURCES tst_audit_noleaks.cpp LIBS gk_server gk_testsupport LABELS api TIMEOUT 120)
    target_compile_definitions(tst_audit_noleaks PRIVATE GK_SERVER_BINARY="$<TARGET_FILE:gatekeeper-server>")
    add_dependencies(tst_audit_noleaks gatekeeper-server)
endif()
