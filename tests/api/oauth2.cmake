# Kontena OAuth2 endpoints over HTTP.
gk_add_test(tst_oauth2_api SOURCES tst_oauth2_api.cpp LIBS gk_server gk_testsupport LABELS api TIMEOUT 120)
