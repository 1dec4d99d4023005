# hald's operations side (issue 12, part H4), included by daemon/CMakeLists.txt:
# who may do what (the pool file's "hald" access rules), the pool status
# hal-info --pool shows, and the Prometheus metrics exporter.
# Token digests: OpenSSL's libcrypto (Debian libssl-dev).
find_package(OpenSSL REQUIRED COMPONENTS Crypto)

add_library(hal_daemon_operations STATIC
  "${CMAKE_CURRENT_LIST_DIR}/access_policy.cc"
  "${CMAKE_CURRENT_LIST_DIR}/metrics_exporter.cc"
  "${CMAKE_CURRENT_LIST_DIR}/pool_status.cc")
target_include_directories(hal_daemon_operations PUBLIC "${PROJECT_SOURCE_DIR}")
# The session registry it reads is hal_daemon_core's (daemon/session_registry.h);
# whatever links this library links that one too.
target_link_libraries(hal_daemon_operations
  PUBLIC hal::hal hal_remote_protocol absl::status absl::statusor absl::strings absl::time
  PRIVATE hal_input hal_warnings OpenSSL::Crypto prometheus-cpp::core prometheus-cpp::pull
          nlohmann_json::nlohmann_json)
# The version the daemon names itself by (pool status; Welcome may use it too).
target_compile_definitions(hal_daemon_operations PUBLIC HAL_DAEMON_VERSION="${PROJECT_VERSION}")

if(HAL_BUILD_TESTS AND TARGET GTest::gtest_main)
  add_executable(hal_daemon_operations_tests
    "${CMAKE_CURRENT_LIST_DIR}/access_policy_test.cc"
    "${CMAKE_CURRENT_LIST_DIR}/metrics_exporter_test.cc"
    "${CMAKE_CURRENT_LIST_DIR}/pool_status_test.cc")
  target_include_directories(hal_daemon_operations_tests PRIVATE "${PROJECT_SOURCE_DIR}")
  target_link_libraries(hal_daemon_operations_tests PRIVATE
    hal_daemon_operations hal_daemon_core hal_warnings GTest::gtest GTest::gmock
    GTest::gtest_main absl::strings)
  target_compile_definitions(hal_daemon_operations_tests PRIVATE
    HAL_TEST_BINARY_DIR="${PROJECT_BINARY_DIR}"
    HAL_TEST_CPU_DRIVER_MANIFEST_DIR="${HAL_BUILD_DATADIR}/drivers.d")
  add_dependencies(hal_daemon_operations_tests hal_driver_cpu)
  # The fixture loads the standard bundle (kernels/ is added after daemon/, so
  # no if(TARGET): the name is resolved when the build is generated).
  add_dependencies(hal_daemon_operations_tests hal_standard_kernels)
  include(GoogleTest)
  gtest_discover_tests(hal_daemon_operations_tests DISCOVERY_TIMEOUT 60)
endif()
