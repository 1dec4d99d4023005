# hal-cts sources of conformance/runner/ (see conformance/CMakeLists.txt):
# child processes, deadlines, --jobs, and the child's side of the protocol.
set(hal_cts_runner_sources
  "${CMAKE_CURRENT_LIST_DIR}/child_protocol.cc"
  "${CMAKE_CURRENT_LIST_DIR}/test_groups.cc"
  "${CMAKE_CURRENT_LIST_DIR}/group_run.cc"
)
target_sources(hal-cts PRIVATE
  ${hal_cts_runner_sources}
  "${CMAKE_CURRENT_LIST_DIR}/child_process.cc"
  "${CMAKE_CURRENT_LIST_DIR}/child_mode.cc"
  "${CMAKE_CURRENT_LIST_DIR}/runner.cc"
)

# Unit tests of the protocol, the grouping and a group's bookkeeping (crashes,
# hangs, garbage from a child), without processes or devices: a binary of
# their own, as hal-cts's main() discovers devices before any test runs.
add_executable(hal_cts_runner_tests
  ${hal_cts_runner_sources}
  "${CMAKE_CURRENT_LIST_DIR}/child_protocol_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/test_groups_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/group_run_test.cc"
)
target_include_directories(hal_cts_runner_tests PRIVATE "${PROJECT_SOURCE_DIR}")
target_link_libraries(hal_cts_runner_tests PRIVATE
  hal_cts_reporting hal::hal hal_input hal_warnings GTest::gtest GTest::gmock GTest::gtest_main
  nlohmann_json::nlohmann_json absl::status absl::statusor absl::strings absl::str_format)
include(GoogleTest)
gtest_discover_tests(hal_cts_runner_tests DISCOVERY_TIMEOUT 60)
