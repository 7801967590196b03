gk_add_test(tst_duration SOURCES tst_duration.cpp LIBS gk_models LABELS unit)
gk_add_test(tst_serveroptions SOURCES tst_serveroptions.cpp LIBS gk_server LABELS unit)
gk_add_test(tst_engine SOURCES tst_engine.cpp LIBS gk_server gk_models LABELS unit)
gk_add_test(tst_eventlog SOURCES tst_eventlog.cpp LIBS gk_server gk_models LABELS unit TIMEOUT 60)
