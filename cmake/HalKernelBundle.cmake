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

function(_hal_bundle_unsupported language)
  message(FATAL_ERROR "hal_add_kernel_bundle: ${language} sources are not supported yet "
                      "(CPU_SOURCES and GLSL_SOURCES are); see docs/kernel-bundles.md")
endfunction()

function(hal_add_kernel_bundle target)
  cmake_parse_arguments(ARG "" "OUTPUT;MANIFEST"
                        "CPU_SOURCES;CUDA_SOURCES;GLSL_SOURCES;HIP_SOURCES;SPIRV_OPENCL_SOURCES"
                        ${ARGN})
  if(NOT ARG_OUTPUT OR NOT ARG_MANIFEST)
    message(FATAL_ERROR "hal_add_kernel_bundle(${target}): OUTPUT and MANIFEST are required")
  endif()
  foreach(language IN ITEMS CUDA HIP SPIRV_OPENCL)
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
