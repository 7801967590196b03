# Response wrapping over HTTP.
gk_add_test(tst_wrapping_api SOURCES tst_wrapping_api.cpp LIBS gk_server gk_testsupport LABELS api TIMEOUT 120)
