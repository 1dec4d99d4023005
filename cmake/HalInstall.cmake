# Installs the SDK as a relocatable package: headers, libhal, the programs
# (each installs itself into the export set hal-targets), drivers and their
# manifests (cmake/HalDriver.cmake), the standard kernels, a CMake package
# (find_package(hal CONFIG) -> hal::hal, hal::hal-pack, hal_add_kernel_bundle())
# and pkg-config's hal.pc.
include(CMakePackageConfigHelpers)

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/hal" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS hal EXPORT hal-targets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(hal_cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/hal")
install(EXPORT hal-targets NAMESPACE hal:: DESTINATION "${hal_cmake_dir}")
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/halConfig.cmake.in"
                              "${PROJECT_BINARY_DIR}/halConfig.cmake"
                              INSTALL_DESTINATION "${hal_cmake_dir}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/halConfigVersion.cmake"
                                 COMPATIBILITY SameMajorVersion)
install(FILES "${PROJECT_BINARY_DIR}/halConfig.cmake" "${PROJECT_BINARY_DIR}/halConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/HalKernelBundle.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/HalKernelBundleOpenCL.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/HalOpenClSource.cmake"
        DESTINATION "${hal_cmake_dir}")

# pkg-config: paths relative to ${pcfiledir} keep the install relocatable.
file(RELATIVE_PATH hal_pc_prefix "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" hal_pc_prefix "${hal_pc_prefix}")
configure_file("${PROJECT_SOURCE_DIR}/cmake/hal.pc.in" "${PROJECT_BINARY_DIR}/hal.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/hal.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/samples/"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/hal/samples")

if(HAL_BUILD_TESTS AND HAL_BUILD_SAMPLES)
  # Installs this build into a scratch prefix and builds the samples against
  # it as a user would, with find_package(hal) and with pkg-config.
  add_test(NAME install_builds_samples
           COMMAND "${PROJECT_SOURCE_DIR}/cmake/install_test.sh" "${PROJECT_BINARY_DIR}"
                   "${PROJECT_SOURCE_DIR}")
  set_tests_properties(install_builds_samples PROPERTIES TIMEOUT 600 RUN_SERIAL TRUE)
endif()
