# hal-cts sources of conformance/numerics/ (see conformance/CMakeLists.txt).
target_sources(hal-cts PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/test_sizes_test.cc
)
