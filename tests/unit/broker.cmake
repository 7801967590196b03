# The task token broker: the task policy matcher and the grid checks.
gk_add_test(tst_taskpolicy SOURCES tst_taskpolicy.cpp LIBS gk_server gk_models LABELS unit TIMEOUT 30)
