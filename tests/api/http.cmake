# The HTTP layer (server/http) over a fixture handler; also exercises the test-support library.
# Run twice: over QHttpServer (the default request path) and over the built-in parser.
gk_add_test(tst_http SOURCES tst_http.cpp LIBS gk_server gk_testsupport LABELS api TIMEOUT 120)
add_test(NAME tst_http_builtin COMMAND tst_http)
set_tests_properties(tst_http_builtin PROPERTIES TIMEOUT 120 LABELS api
                     ENVIRONMENT "QT_QPA_PLATFORM=offscreen;GK_TEST_HTTP_BUILTIN=1")
