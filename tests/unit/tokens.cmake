# The token store: creation rules, the token tree, revocation, accessors, TTLs, use counts, roles and tidy.
gk_add_test(tst_tokens SOURCES tst_tokens.cpp LIBS gk_server gk_models LABELS unit TIMEOUT 60)
