# Storage: the shared contract suite (every backend), and durability under SIGKILL for SQLite.
gk_add_test(tst_storage SOURCES tst_storage.cpp LIBS gk_server PkgConfig::SQLITE3 LABELS unit TIMEOUT 120)

add_executable(storage_writer storage_writer.cpp)
target_link_libraries(storage_writer PRIVATE gk_server)

gk_add_test(tst_storage_kill SOURCES tst_storage_kill.cpp LIBS gk_server PkgConfig::SQLITE3 LABELS unit TIMEOUT 60)
add_dependencies(tst_storage_kill storage_writer)
target_compile_definitions(tst_storage_kill PRIVATE GK_STORAGE_WRITER="$<TARGET_FILE:storage_writer>")
