# The deliberately broken test driver (broken_driver.cc): the CPU driver's
# objects with three entries broken, for hal_cts_broken_driver_test. Its
# manifest and library live in the build tree's tests/broken_driver.d, which
# only that test names in HAL_DRIVER_PATH; nothing of it is installed.
set(hal_broken_driver_dir "${CMAKE_CURRENT_BINARY_DIR}/broken_driver.d")
add_library(hal_test_driver_broken MODULE "${CMAKE_CURRENT_LIST_DIR}/broken_driver.cc")
target_link_libraries(hal_test_driver_broken PRIVATE hal_driver_cpu_objects hal_warnings)
# Exports the entry point alone, like every driver (cmake/HalDriver.cmake).
set(hal_driver_version_script "${PROJECT_SOURCE_DIR}/cmake/hal_driver.map")
set_target_properties(hal_test_driver_broken PROPERTIES
  PREFIX "lib" OUTPUT_NAME "hal_driver_broken"
  LIBRARY_OUTPUT_DIRECTORY "${hal_broken_driver_dir}"
  LINK_DEPENDS "${hal_driver_version_script}")
target_link_options(hal_test_driver_broken PRIVATE
                    "-Wl,--version-script=${hal_driver_version_script}" "-Wl,--no-undefined")
set(HAL_DRIVER_NAME broken)
set(HAL_DRIVER_LIBRARY libhal_driver_broken.so)
configure_file("${PROJECT_SOURCE_DIR}/cmake/driver-manifest.json.in"
               "${hal_broken_driver_dir}/broken.json" @ONLY)

add_dependencies(hal_tests hal_test_driver_broken)
target_compile_definitions(hal_tests PRIVATE
  HAL_TEST_BROKEN_DRIVER_DIR="${hal_broken_driver_dir}")
