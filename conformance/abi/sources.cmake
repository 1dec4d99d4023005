# hal-cts sources of conformance/abi/ (see conformance/CMakeLists.txt): the
# driver-table fixture and the table-level tests of devices, contexts, memory
# and optional capabilities (suites Abi*).
target_sources(hal-cts PRIVATE
  "${CMAKE_CURRENT_LIST_DIR}/driver_table_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/abi_device_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/abi_context_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/abi_memory_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/abi_capabilities_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/sanitizer_options.cc"
)
