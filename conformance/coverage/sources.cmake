# hal-cts sources of conformance/coverage/ (see conformance/CMakeLists.txt).
target_sources(hal-cts PRIVATE
  "${CMAKE_CURRENT_LIST_DIR}/coverage.cc"
)
