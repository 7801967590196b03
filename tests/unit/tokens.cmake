# The token store: creation rules, the token tree, revocation, accessors, TTLs, use counts, roles and tidy.
# tst_tokens.cpp is not registered yet: its index-cleanup checks (sys/token/parent/ entries left after revoke
# and tidy) fail against the current TokenStore; register it again with the fix.
