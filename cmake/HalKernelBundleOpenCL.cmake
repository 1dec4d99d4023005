# hal_add_kernel_bundle's OPENCL_SOURCES (included by HalKernelBundle.cmake).
#
# Each OpenCL C kernel source (.cl, OpenCL C 1.2) becomes two images of the
# kernel its file is named after, the kernel function of that name in it:
#  - opencl-c@<stem>: the source made self-contained (HalOpenClSource.cmake
#    pastes its quoted #includes), for devices that compile OpenCL C and take
#    no SPIR-V (pocl 3.1 answers clCreateProgramWithIL with -30);
#  - spirv-opencl@<stem>: that same text compiled by clang -target spir64 and
#    translated by llvm-spirv into SPIR-V 1.0, for OpenCL devices taking IL
#    and Level Zero. spirv-val checks it for OpenCL 1.2 when it is there (the
#    runtime checks it again before any driver sees it).
# clang and llvm-spirv must be of one LLVM version (llvm-spirv reads that
# version's bitcode): Debian 12's clang-15 and llvm-spirv-15, or
# HAL_OPENCL_CLANG and HAL_LLVM_SPIRV set to another pair.

set(_HAL_OPENCL_SOURCE_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/HalOpenClSource.cmake")

# Sets HAL_OPENCL_CLANG and HAL_LLVM_SPIRV (cache) to the OpenCL toolchain
# found, or to *-NOTFOUND; a caller may test them to make OpenCL images
# optional, as kernels/CMakeLists.txt does.
function(hal_find_opencl_kernel_compiler)
  find_program(HAL_OPENCL_CLANG clang-15 DOC "clang compiling OpenCL C to SPIR (LLVM 15)")
  find_program(HAL_LLVM_SPIRV llvm-spirv-15 DOC "llvm-spirv of HAL_OPENCL_CLANG's LLVM version")
endfunction()

function(_hal_bundle_opencl_images target out_specs out_files)
  hal_find_opencl_kernel_compiler()
  if(NOT HAL_OPENCL_CLANG OR NOT HAL_LLVM_SPIRV)
    message(FATAL_ERROR "hal_add_kernel_bundle(${target}): OPENCL_SOURCES need clang-15 and "
                        "llvm-spirv-15 (Debian packages clang-15 and llvm-spirv-15)")
  endif()
  find_program(HAL_SPIRV_VAL spirv-val)
  set(image_dir "${CMAKE_CURRENT_BINARY_DIR}/${target}.images")
  set(specs)
  set(files)
  foreach(source IN LISTS ARGN)
    get_filename_component(kernel "${source}" NAME_WE)
    get_filename_component(source_path "${source}" ABSOLUTE)
    set(text "${image_dir}/${kernel}.cl")
    set(spirv "${image_dir}/${kernel}.opencl.spv")
    add_custom_command(
      OUTPUT "${text}"
      COMMAND ${CMAKE_COMMAND} "-DSOURCE=${source_path}" "-DOUTPUT=${text}"
              "-DDEPFILE=${text}.d" -P "${_HAL_OPENCL_SOURCE_SCRIPT}"
      DEPENDS "${source_path}" "${_HAL_OPENCL_SOURCE_SCRIPT}"
      DEPFILE "${text}.d"
      COMMENT "Pasting the includes of OpenCL C kernel ${kernel}"
      VERBATIM)
    # The validator reads the module before it takes its final name, so a
    # module it refuses is rebuilt by the next build rather than kept.
    set(validate)
    if(HAL_SPIRV_VAL)
      set(validate COMMAND "${HAL_SPIRV_VAL}" --target-env opencl1.2 "${spirv}.tmp")
    endif()
    # SPIR-V 1.0: llvm-spirv otherwise moves to 1.4 for a kernel with local
    # memory, which OpenCL 1.2 does not take.
    add_custom_command(
      OUTPUT "${spirv}"
      COMMAND "${HAL_OPENCL_CLANG}" -cl-std=CL1.2 -target spir64 -emit-llvm -c -O2
              -o "${spirv}.bc" "${text}"
      COMMAND "${HAL_LLVM_SPIRV}" --spirv-max-version=1.0 -o "${spirv}.tmp" "${spirv}.bc"
      ${validate}
      COMMAND ${CMAKE_COMMAND} -E rename "${spirv}.tmp" "${spirv}"
      DEPENDS "${text}"
      COMMENT "Compiling OpenCL C kernel ${kernel} to SPIR-V"
      VERBATIM)
    list(APPEND specs --image "opencl-c@${kernel}=${text}"
                      --image "spirv-opencl@${kernel}=${spirv}")
    list(APPEND files "${text}" "${spirv}")
  endforeach()
  set(${out_specs} ${specs} PARENT_SCOPE)
  set(${out_files} ${files} PARENT_SCOPE)
endfunction()
