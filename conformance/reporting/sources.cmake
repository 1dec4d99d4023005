# hal-cts sources of conformance/reporting/ (see conformance/CMakeLists.txt):
# the runner's record lines, the report, JUnit, the summary and --compare.
# A library with conformance/report.cc, so that the unit-test binaries of the
# harness (this folder's, the runner's) link one thing.
add_library(hal_cts_reporting STATIC
  "${CMAKE_CURRENT_LIST_DIR}/../report.cc"
  "${CMAKE_CURRENT_LIST_DIR}/build_info.cc"
  "${CMAKE_CURRENT_LIST_DIR}/compare.cc"
  "${CMAKE_CURRENT_LIST_DIR}/junit.cc"
  "${CMAKE_CURRENT_LIST_DIR}/record_json.cc"
  "${CMAKE_CURRENT_LIST_DIR}/report_json.cc"
  "${CMAKE_CURRENT_LIST_DIR}/report_reader.cc"
  "${CMAKE_CURRENT_LIST_DIR}/sha256.cc"
  "${CMAKE_CURRENT_LIST_DIR}/summary.cc"
  "${CMAKE_CURRENT_LIST_DIR}/xml_text.cc"
)
target_include_directories(hal_cts_reporting PUBLIC "${PROJECT_SOURCE_DIR}")
target_link_libraries(hal_cts_reporting
  PUBLIC hal::hal nlohmann_json::nlohmann_json absl::status absl::statusor absl::strings
  PRIVATE hal_input hal_warnings absl::str_format)
target_link_libraries(hal-cts PRIVATE hal_cts_reporting)

# The report names the commit the suite was configured from ("unknown"
# outside a git checkout; "-dirty" when the tree had changes).
set(hal_cts_build_hash unknown)
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse HEAD
                  WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}" RESULT_VARIABLE git_result
                  OUTPUT_VARIABLE git_head OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(git_result EQUAL 0)
    set(hal_cts_build_hash "${git_head}")
    execute_process(COMMAND "${GIT_EXECUTABLE}" diff --quiet HEAD --
                    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}" RESULT_VARIABLE git_dirty
                    OUTPUT_QUIET ERROR_QUIET)
    if(NOT git_dirty EQUAL 0)
      string(APPEND hal_cts_build_hash "-dirty")
    endif()
  endif()
endif()
set_source_files_properties("${CMAKE_CURRENT_LIST_DIR}/build_info.cc" PROPERTIES
  COMPILE_DEFINITIONS "HAL_CTS_SUITE_VERSION=\"${PROJECT_VERSION}\";HAL_CTS_BUILD_HASH=\"${hal_cts_build_hash}\"")

# Unit tests of the reporting code, without devices: a small binary of their
# own, as hal-cts's main() discovers devices before any test runs.
add_executable(hal_cts_reporting_tests
  "${CMAKE_CURRENT_LIST_DIR}/record_json_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/report_json_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/sha256_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/compare_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/junit_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/summary_test.cc"
  "${CMAKE_CURRENT_LIST_DIR}/xml_text_test.cc"
)
target_include_directories(hal_cts_reporting_tests PRIVATE "${PROJECT_SOURCE_DIR}")
# Each test file has its own record-making helpers of the same names.
set_target_properties(hal_cts_reporting_tests PROPERTIES UNITY_BUILD OFF)
target_link_libraries(hal_cts_reporting_tests PRIVATE
  hal_cts_reporting hal_warnings GTest::gtest GTest::gmock GTest::gtest_main
  nlohmann_json::nlohmann_json)
include(GoogleTest)
gtest_discover_tests(hal_cts_reporting_tests DISCOVERY_TIMEOUT 60)
