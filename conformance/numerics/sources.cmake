# hal-cts sources of conformance/numerics/ (see conformance/CMakeLists.txt):
# the device-and-case fixture, shared sizes and test data, and the suites of
# kernel numerics and copy/fill alignment classes.
target_sources(hal-cts PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/test_data.cc
  ${CMAKE_CURRENT_LIST_DIR}/test_data_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/test_sizes_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/numerics_self_check_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/kernel_numerics_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/gemm_numerics_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/copy_alignment_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/fill_alignment_test.cc
)
