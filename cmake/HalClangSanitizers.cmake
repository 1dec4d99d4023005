# clang links a sanitizer's runtime statically into executables only, so a
# shared library (every driver, linked with --no-undefined) cannot resolve the
# runtime's symbols. Link every binary against the shared runtime instead, as
# gcc does by default, and find it through an rpath: clang keeps it in its
# own runtime folder, off the loader's search path.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND CMAKE_CXX_FLAGS MATCHES "-fsanitize=")
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-runtime-dir
                  OUTPUT_VARIABLE hal_clang_runtime_dir OUTPUT_STRIP_TRAILING_WHITESPACE
                  COMMAND_ERROR_IS_FATAL ANY)
  add_link_options(-shared-libsan "LINKER:-rpath,${hal_clang_runtime_dir}")
  message(STATUS "hal: clang sanitizer runtimes from ${hal_clang_runtime_dir}")
endif()
