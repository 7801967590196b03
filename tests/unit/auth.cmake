# Mount tables, auth methods (userpass, approle), identity entities and kv version 1, through the engine.
gk_add_test(tst_auth_methods SOURCES tst_auth_methods.cpp LIBS gk_server gk_models Qt6::Concurrent LABELS unit TIMEOUT 120)
gk_add_test(tst_kv SOURCES tst_kv.cpp LIBS gk_server gk_models LABELS unit TIMEOUT 60)
