gk_add_test(tst_sys_api SOURCES tst_sys_api.cpp LIBS gk_server gk_testsupport LABELS api)
if(TARGET gatekeeper-server)
    gk_add_test(tst_server_process SOURCES tst_server_process.cpp LIBS gk_server LABELS api)
    target_compile_definitions(tst_server_process PRIVATE GK_SERVER_BINARY="$<TARGET_FILE:gatekeeper-server>"
                                                      $<$<BOOL:${GK_JEMALLOC}>:GK_SERVER_JEMALLOC>)
    add_dependencies(tst_server_process gatekeeper-server)
endif()
