# ACL policies: the language, evaluation, and enforcement through the engine.
gk_add_test(tst_policyparser SOURCES tst_policyparser.cpp LIBS gk_server gk_models LABELS unit TIMEOUT 30)
gk_add_test(tst_acl SOURCES tst_acl.cpp LIBS gk_server gk_models LABELS unit TIMEOUT 30)
gk_add_test(tst_policyengine SOURCES tst_policyengine.cpp LIBS gk_server gk_models LABELS unit TIMEOUT 60)
