# Mount tables, auth methods, identity and kv over HTTP, on SQLite, across a restart.
gk_add_test(tst_auth_api SOURCES tst_auth_api.cpp LIBS gk_server gk_testsupport LABELS api TIMEOUT 120)
