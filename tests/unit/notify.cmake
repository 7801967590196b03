# Webhook targets, event bodies (JSON and Slack) and the notifier's delivery, retries, bounds and counters.
gk_add_test(tst_webhooks SOURCES tst_webhooks.cpp LIBS gk_server gk_testsupport LABELS unit TIMEOUT 60)
