# hal-cts sources of conformance/abi/ (see conformance/CMakeLists.txt).
target_sources(hal-cts PRIVATE
  "${CMAKE_CURRENT_LIST_DIR}/driver_table_test.cc"
)
