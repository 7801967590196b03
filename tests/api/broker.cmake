# The task token broker (Gatekeeper's API, grids, nodes and task policies) over HTTP, on SQLite, across a restart.
gk_add_test(tst_broker_api SOURCES tst_broker_api.cpp LIBS gk_server gk_testsupport LABELS api TIMEOUT 180)
