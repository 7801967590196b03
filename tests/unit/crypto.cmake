# Crypto layer: Shamir, AEAD and HMAC, the storage barrier, the seal.
gk_add_test(tst_shamir SOURCES tst_shamir.cpp LIBS gk_server OpenSSL::Crypto LABELS unit)
gk_add_test(tst_aead SOURCES tst_aead.cpp LIBS gk_server OpenSSL::Crypto LABELS unit)
gk_add_test(tst_barrier SOURCES tst_barrier.cpp LIBS gk_server OpenSSL::Crypto Qt6::Concurrent LABELS unit)
gk_add_test(tst_seal SOURCES tst_seal.cpp LIBS gk_server OpenSSL::Crypto LABELS unit)
