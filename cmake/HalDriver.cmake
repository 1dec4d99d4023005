# The ABI version the manifests declare comes from the ABI header itself.
file(STRINGS "${PROJECT_SOURCE_DIR}/include/hal/driver/hal_driver.h" _hal_abi_lines
     REGEX "#define HAL_DRIVER_ABI_VERSION_(MAJOR|MINOR) ")
foreach(line IN LISTS _hal_abi_lines)
  if(line MATCHES "MAJOR ([0-9]+)")
    set(HAL_ABI_MAJOR "${CMAKE_MATCH_1}")
  elseif(line MATCHES "MINOR ([0-9]+)")
    set(HAL_ABI_MINOR "${CMAKE_MATCH_1}")
  endif()
endforeach()

# hal_add_driver(NAME <selector-name> TARGET <module-target>)
# Makes <module-target> a driver plugin: only the ABI entry point is exported,
# and a manifest share/hal/drivers.d/<name>.json is written to the build tree
# and installed, pointing at the library relative to the manifest's folder.
function(hal_add_driver)
  cmake_parse_arguments(ARG "" "NAME;TARGET" "" ${ARGN})
  set(version_script "${PROJECT_SOURCE_DIR}/cmake/hal_driver.map")
  set_target_properties(${ARG_TARGET} PROPERTIES
    PREFIX "lib" OUTPUT_NAME "hal_driver_${ARG_NAME}"
    LINK_DEPENDS "${version_script}")
  target_link_options(${ARG_TARGET} PRIVATE "-Wl,--version-script=${version_script}"
                      "-Wl,--no-undefined")
  target_include_directories(${ARG_TARGET} PRIVATE "${PROJECT_SOURCE_DIR}/include")
  file(RELATIVE_PATH lib_from_manifest "/${CMAKE_INSTALL_DATADIR}/hal/drivers.d"
       "/${CMAKE_INSTALL_LIBDIR}/libhal_driver_${ARG_NAME}.so")
  set(HAL_DRIVER_NAME "${ARG_NAME}")
  set(HAL_DRIVER_LIBRARY "${lib_from_manifest}")
  configure_file("${PROJECT_SOURCE_DIR}/cmake/driver-manifest.json.in"
                 "${HAL_BUILD_DATADIR}/drivers.d/${ARG_NAME}.json" @ONLY)
  install(TARGETS ${ARG_TARGET} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(FILES "${HAL_BUILD_DATADIR}/drivers.d/${ARG_NAME}.json"
          DESTINATION "${CMAKE_INSTALL_DATADIR}/hal/drivers.d")
endfunction()
