# hal-cts sources of conformance/reporting/ (see conformance/CMakeLists.txt):
# the runner's record lines, the report, JUnit, the summary and --compare.
set(hal_cts_reporting_sources
  "${CMAKE_CURRENT_LIST_DIR}/record_json.cc"
)
target_sources(hal-cts PRIVATE ${hal_cts_reporting_sources})

# Unit tests of the reporting code, without devices: a small binary of their
# own, as hal-cts's main() discovers devices before any test runs.
add_executable(hal_cts_reporting_tests
  ${hal_cts_reporting_sources}
  "${CMAKE_CURRENT_LIST_DIR}/../report.cc"
  "${CMAKE_CURRENT_LIST_DIR}/record_json_test.cc"
)
target_include_directories(hal_cts_reporting_tests PRIVATE "${PROJECT_SOURCE_DIR}")
target_link_libraries(hal_cts_reporting_tests PRIVATE
  hal::hal hal_input hal_warnings GTest::gtest GTest::gmock GTest::gtest_main
  nlohmann_json::nlohmann_json absl::status absl::statusor absl::strings)
include(GoogleTest)
gtest_discover_tests(hal_cts_reporting_tests DISCOVERY_TIMEOUT 60)
