# Policy gates (GatePlane's access requests) over HTTP, on SQLite, across restarts.
gk_add_test(tst_gate_api SOURCES tst_gate_api.cpp LIBS gk_server gk_testsupport LABELS api TIMEOUT 180)
