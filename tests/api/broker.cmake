# The task token broker (Gatekeeper's API, grids, nodes and task policies) over HTTP, on SQLite, across a restart.
gk_add_test(tst_broker_api SOURCES tst_broker_api.cpp LIBS gk_server gk_testsupport LABELS api TIMEOUT 180)
# The nomad, mesos and kubernetes adapters against fake schedulers on loopback (plain HTTP and HTTPS).
gk_add_test(tst_scheduler_adapters SOURCES tst_scheduler_adapters.cpp LIBS gk_server gk_testsupport LABELS api TIMEOUT 120)
