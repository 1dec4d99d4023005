# hal-cts sources of conformance/abi_commands/ (see conformance/CMakeLists.txt):
# table-level tests of streams, copies, fills, events, modules, kernels and
# dispatch (suites AbiStream, AbiCopy, AbiFill, AbiEvent, AbiModule, AbiKernel,
# AbiDispatch).
target_sources(hal-cts PRIVATE
  "${CMAKE_CURRENT_LIST_DIR}/abi_commands_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/abi_stream_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/abi_copy_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/abi_fill_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/abi_event_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/abi_module_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/abi_kernel_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/abi_dispatch_test.cc"
)
