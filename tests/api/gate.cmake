# Policy gates (GatePlane's access requests) over HTTP, on SQLite, across restarts.
gk_add_test(tst_gate_api SOURCES tst_gate_api.cpp LIBS gk_server gk_testsupport LABELS api TIMEOUT 180)
# Gate webhooks: a receiver of the test's own gets every transition in both formats, retries, metrics, no secrets.
gk_add_test(tst_gate_webhooks SOURCES tst_gate_webhooks.cpp LIBS gk_server gk_testsupport LABELS api TIMEOUT 120)
