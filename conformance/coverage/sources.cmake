# hal-cts sources of conformance/coverage/ (see conformance/CMakeLists.txt).
target_sources(hal-cts PRIVATE
  "${CMAKE_CURRENT_LIST_DIR}/coverage.cc"
  "${CMAKE_CURRENT_LIST_DIR}/coverage_spec.cc"
  "${CMAKE_CURRENT_LIST_DIR}/coverage_table.cc"
  "${CMAKE_CURRENT_LIST_DIR}/coverage_self_test.cc"
  "${CMAKE_CURRENT_BINARY_DIR}/coverage/built_driver_header.cc"
)

# The driver header the suite is built against, embedded so that the
# self-test finds entry points the spec lacks; reconfigured when it changes.
set(hal_cts_driver_header "${PROJECT_SOURCE_DIR}/include/hal/driver/hal_driver.h")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${hal_cts_driver_header}")
file(READ "${hal_cts_driver_header}" HAL_CTS_DRIVER_HEADER_TEXT)
configure_file("${CMAKE_CURRENT_LIST_DIR}/built_driver_header.cc.in"
               "${CMAKE_CURRENT_BINARY_DIR}/coverage/built_driver_header.cc" @ONLY)

# docs/cts.md holds the table `hal-cts --coverage` prints, between its
# coverage-table markers; this fails when they differ (regenerate with
# -DUPDATE=ON, see docs/cts.md "Coverage").
add_test(NAME hal_cts_coverage_docs
         COMMAND "${CMAKE_COMMAND}" -DHAL_CTS=$<TARGET_FILE:hal-cts>
                 "-DDOC=${PROJECT_SOURCE_DIR}/docs/cts.md"
                 -P "${CMAKE_CURRENT_LIST_DIR}/check_coverage_docs.cmake")
