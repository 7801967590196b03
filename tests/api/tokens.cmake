# The token store over HTTP.
gk_add_test(tst_token_api SOURCES tst_token_api.cpp LIBS gk_server gk_testsupport LABELS api TIMEOUT 60)
# The live index: blocking queries, X-Gatekeeper-Index, sys/events.
gk_add_test(tst_events_api SOURCES tst_events_api.cpp LIBS gk_server gk_testsupport LABELS api TIMEOUT 90)
# Nomad's ACL token API over the token store.
gk_add_test(tst_nomad_acl_api SOURCES tst_nomad_acl_api.cpp LIBS gk_server gk_testsupport LABELS api TIMEOUT 90)
