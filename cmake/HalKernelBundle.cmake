# hal_add_kernel_bundle(<target>
#   OUTPUT <file.halb> MANIFEST <kernels.json>
#   [CPU_SOURCES <file.cc>...]
#   [CUDA_SOURCES ...] [GLSL_SOURCES ...] [HIP_SOURCES ...] [SPIRV_OPENCL_SOURCES ...])
#
# Compiles each kernel source with its toolchain and packs the images into one
# bundle with hal-pack (docs/kernel-bundles.md). <target> is a custom target
# producing OUTPUT; the CPU sources build the MODULE target <target>_cpu, to
# which a caller may add include directories or definitions. Each language is
# one small function below; a language whose toolchain is not wired in yet
# fails at configure time with a clear message instead of producing a bundle
# that silently lacks it.
#
# Works inside the hal build (targets hal-pack, hal) and for users of the
# installed package (imported targets hal::hal-pack, hal::hal).

# CPU images: the sources become one shared object; each kernel is an
# extern "C" function declared with HAL_CPU_KERNEL (hal/driver/hal_cpu_kernel.h).
function(_hal_bundle_cpu_image target out_spec)
  set(module "${target}_cpu")
  add_library(${module} MODULE ${ARGN})
  set_target_properties(${module} PROPERTIES
    PREFIX "" OUTPUT_NAME "${target}_cpu"
    LIBRARY_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/${target}.images"
    CXX_VISIBILITY_PRESET hidden POSITION_INDEPENDENT_CODE ON)
  target_compile_options(${module} PRIVATE -O3)
  if(TARGET hal::hal)
    target_include_directories(${module} PRIVATE
      $<TARGET_PROPERTY:hal::hal,INTERFACE_INCLUDE_DIRECTORIES>)
  endif()
  # Kernels must not depend on anything the CPU driver would have to load.
  target_link_options(${module} PRIVATE "-Wl,--no-undefined")
  set(${out_spec} "cpu-elf:${CMAKE_SYSTEM_PROCESSOR}=$<TARGET_FILE:${module}>" PARENT_SCOPE)
  set(${out_spec}_DEPENDS ${module} PARENT_SCOPE)
endfunction()

# Vulkan images: each GLSL compute shader (.comp) becomes one SPIR-V module,
# packed as an image of the kernel its file is named after
# (spirv-vulkan@<stem>), entry point "main". Files it #includes
# (GL_GOOGLE_include_directive) are tracked through glslc's depfile.
function(_hal_bundle_glsl_images target out_specs out_files)
  find_program(HAL_GLSLC glslc)
  if(NOT HAL_GLSLC)
    message(FATAL_ERROR "hal_add_kernel_bundle(${target}): GLSL_SOURCES need glslc "
                        "(Debian package glslc)")
  endif()
  set(specs)
  set(files)
  foreach(source IN LISTS ARGN)
    get_filename_component(kernel "${source}" NAME_WE)
    get_filename_component(source_path "${source}" ABSOLUTE)
    set(spirv "${CMAKE_CURRENT_BINARY_DIR}/${target}.images/${kernel}.spv")
    add_custom_command(
      OUTPUT "${spirv}"
      COMMAND "${HAL_GLSLC}" --target-env=vulkan1.2 -O -MD -MF "${spirv}.d" -o "${spirv}"
              "${source_path}"
      DEPENDS "${source_path}"
      DEPFILE "${spirv}.d"
      COMMENT "Compiling ${kernel} to SPIR-V"
      VERBATIM)
    list(APPEND specs --image "spirv-vulkan@${kernel}=${spirv}")
    list(APPEND files "${spirv}")
  endforeach()
  set(${out_specs} ${specs} PARENT_SCOPE)
  set(${out_files} ${files} PARENT_SCOPE)
endfunction()

# The CUDA architectures to build cubins for: HAL_CUDA_ARCHITECTURES if set,
# else every one of 75;80;86;89;90;100;120 that this nvcc can compile (a cubin
# runs on GPUs of its major version with the same or a higher minor, so these
# cover every Turing-or-newer data-centre and desktop GPU; the PTX image covers
# the rest). Each architecture costs one nvcc run of the whole CUDA source set.
function(_hal_cuda_architectures nvcc out)
  execute_process(COMMAND "${nvcc}" --list-gpu-code
                  OUTPUT_VARIABLE listed RESULT_VARIABLE failed ERROR_QUIET)
  if(failed)
    message(FATAL_ERROR "hal_add_kernel_bundle: '${nvcc} --list-gpu-code' failed; "
                        "nvcc from CUDA 11.8 or newer is needed")
  endif()
  string(REGEX MATCHALL "sm_[0-9]+" listed "${listed}")
  if(NOT DEFINED HAL_CUDA_ARCHITECTURES)
    set(defaults)
    foreach(arch IN ITEMS 75 80 86 89 90 100 120)
      if("sm_${arch}" IN_LIST listed)
        list(APPEND defaults ${arch})
      endif()
    endforeach()
    set(HAL_CUDA_ARCHITECTURES "${defaults}" CACHE STRING
        "CUDA architectures (e.g. 80;90) of the cubin images in kernel bundles")
  endif()
  foreach(arch IN LISTS HAL_CUDA_ARCHITECTURES)
    if(NOT "sm_${arch}" IN_LIST listed)
      message(FATAL_ERROR "HAL_CUDA_ARCHITECTURES names ${arch}, which ${nvcc} cannot "
                          "compile for (it lists ${listed})")
    endif()
  endforeach()
  set(${out} ${HAL_CUDA_ARCHITECTURES} PARENT_SCOPE)
endfunction()

# One nvcc run of the unity source of the enclosing _hal_bundle_cuda_images
# (variables nvcc, unity, sources, image_dir) into the image FORMAT; appends
# to its specs and files.
macro(_hal_cuda_image target format suffix)
  set(_hal_image "${image_dir}/${target}.${suffix}")
  add_custom_command(
    OUTPUT "${_hal_image}"
    COMMAND "${nvcc}" ${ARGN} -MD -MF "${_hal_image}.d" -o "${_hal_image}" "${unity}"
    DEPENDS "${unity}" ${sources}
    DEPFILE "${_hal_image}.d"
    COMMENT "Compiling ${target}'s CUDA kernels (${format})"
    VERBATIM)
  list(APPEND specs --image "${format}=${_hal_image}")
  list(APPEND files "${_hal_image}")
endmacro()

# CUDA images: the sources are compiled together, as one translation unit that
# #includes each of them, into one cubin per architecture
# (cubin:sm_<NN>, every kernel in it) and one PTX module for compute_75 (ptx),
# the lowest target nvcc 13 accepts, which the CUDA driver JIT-compiles on any
# newer GPU. One translation unit because a bundle holds at most one image per
# format for all its kernels, and a source file may hold several kernels; so
# the sources must not define the same internal name twice. Headers they
# include are tracked through nvcc's depfile.
function(_hal_bundle_cuda_images target out_specs out_files)
  if(NOT CUDAToolkit_NVCC_EXECUTABLE)
    find_package(CUDAToolkit QUIET)
  endif()
  if(NOT CUDAToolkit_NVCC_EXECUTABLE)
    message(FATAL_ERROR "hal_add_kernel_bundle(${target}): CUDA_SOURCES need nvcc "
                        "(the CUDA toolkit; CMake's FindCUDAToolkit did not find it)")
  endif()
  set(nvcc "${CUDAToolkit_NVCC_EXECUTABLE}")
  _hal_cuda_architectures("${nvcc}" architectures)
  set(image_dir "${CMAKE_CURRENT_BINARY_DIR}/${target}.images")
  set(unity "${image_dir}/${target}_cuda.cu")
  set(includes "// Generated by hal_add_kernel_bundle(${target}): its CUDA_SOURCES.\n")
  set(sources)
  foreach(source IN LISTS ARGN)
    get_filename_component(source_path "${source}" ABSOLUTE)
    string(APPEND includes "#include \"${source_path}\"\n")
    list(APPEND sources "${source_path}")
  endforeach()
  # Written only when it changes, so reconfiguring does not rebuild the images.
  file(CONFIGURE OUTPUT "${unity}" CONTENT "${includes}" @ONLY)

  set(specs)
  set(files)
  foreach(arch IN LISTS architectures)
    _hal_cuda_image(${target} "cubin:sm_${arch}" "sm_${arch}.cubin" -cubin -arch=sm_${arch})
  endforeach()
  _hal_cuda_image(${target} ptx ptx -ptx -arch=compute_75)
  set(${out_specs} ${specs} PARENT_SCOPE)
  set(${out_files} ${files} PARENT_SCOPE)
endfunction()

function(_hal_bundle_unsupported language)
  message(FATAL_ERROR "hal_add_kernel_bundle: ${language} sources are not supported yet "
                      "(CPU_SOURCES, CUDA_SOURCES and GLSL_SOURCES are); see "
                      "docs/kernel-bundles.md")
endfunction()

function(hal_add_kernel_bundle target)
  cmake_parse_arguments(ARG "" "OUTPUT;MANIFEST"
                        "CPU_SOURCES;CUDA_SOURCES;GLSL_SOURCES;HIP_SOURCES;SPIRV_OPENCL_SOURCES"
                        ${ARGN})
  if(NOT ARG_OUTPUT OR NOT ARG_MANIFEST)
    message(FATAL_ERROR "hal_add_kernel_bundle(${target}): OUTPUT and MANIFEST are required")
  endif()
  foreach(language IN ITEMS HIP SPIRV_OPENCL)
    if(ARG_${language}_SOURCES)
      _hal_bundle_unsupported(${language})
    endif()
  endforeach()
  if(TARGET hal-pack)
    set(pack_tool hal-pack)
  elseif(TARGET hal::hal-pack)
    set(pack_tool hal::hal-pack)
  else()
    message(FATAL_ERROR "hal_add_kernel_bundle: no hal-pack target (find_package(hal) first)")
  endif()

  set(image_args)
  set(image_depends)
  if(ARG_CPU_SOURCES)
    _hal_bundle_cpu_image(${target} cpu_spec ${ARG_CPU_SOURCES})
    list(APPEND image_args --image "${cpu_spec}")
    list(APPEND image_depends ${cpu_spec_DEPENDS})
  endif()
  if(ARG_CUDA_SOURCES)
    _hal_bundle_cuda_images(${target} cuda_specs cuda_files ${ARG_CUDA_SOURCES})
    list(APPEND image_args ${cuda_specs})
    list(APPEND image_depends ${cuda_files})
  endif()
  if(ARG_GLSL_SOURCES)
    _hal_bundle_glsl_images(${target} glsl_specs glsl_files ${ARG_GLSL_SOURCES})
    list(APPEND image_args ${glsl_specs})
    list(APPEND image_depends ${glsl_files})
  endif()
  if(NOT image_args)
    message(FATAL_ERROR "hal_add_kernel_bundle(${target}): no kernel sources given")
  endif()

  get_filename_component(output_dir "${ARG_OUTPUT}" DIRECTORY)
  add_custom_command(
    OUTPUT "${ARG_OUTPUT}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${output_dir}"
    COMMAND ${pack_tool} --manifest "${ARG_MANIFEST}" ${image_args} -o "${ARG_OUTPUT}"
    DEPENDS ${pack_tool} ${image_depends} "${ARG_MANIFEST}"
    COMMENT "Packing kernel bundle ${ARG_OUTPUT}"
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS "${ARG_OUTPUT}")
endfunction()
