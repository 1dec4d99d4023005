# Vendor SDK headers and kernel toolchains, found at configure time. Drivers
# compile against the headers only: no vendor library is ever linked, each is
# loaded at run time. A missing SDK only means that driver (or that kernel
# language) is not built; the summary says which.
find_package(Vulkan QUIET)                      # Vulkan::Headers, glslc
find_path(HAL_LEVEL_ZERO_INCLUDE_DIR level_zero/ze_api.h)
find_package(CUDAToolkit QUIET)                 # CUDA::toolkit headers, nvcc
find_path(HAL_HIP_INCLUDE_DIR hip/hip_runtime_api.h PATHS /opt/rocm/include)  # ROCm's HIP headers

set(_hal_vk "no")
if(Vulkan_FOUND)
  set(_hal_vk "headers ${Vulkan_INCLUDE_DIRS}")
endif()
set(_hal_ze "no")
if(HAL_LEVEL_ZERO_INCLUDE_DIR)
  set(_hal_ze "headers ${HAL_LEVEL_ZERO_INCLUDE_DIR}")
endif()
set(_hal_cuda "no")
if(CUDAToolkit_FOUND)
  set(_hal_cuda "${CUDAToolkit_VERSION} headers ${CUDAToolkit_INCLUDE_DIRS}")
endif()
set(_hal_hip "no")
if(HAL_HIP_INCLUDE_DIR)
  set(_hal_hip "headers ${HAL_HIP_INCLUDE_DIR}")
endif()
message(STATUS "hal vendor SDKs: Vulkan: ${_hal_vk}; Level Zero: ${_hal_ze}; CUDA: ${_hal_cuda}; HIP: ${_hal_hip}")
