// What the standard CUDA kernels share with their GLSL and CPU versions
// (kernels/glsl/grid.glsl, kernels/cpu/elementwise.h): workgroups (blocks)
// are numbered x fastest, then y, then z, so a range larger than one grid
// dimension allows is dispatched as a 2-D or 3-D grid (kernels/README.md).
//
// Kernel ABI (include/hal/driver/hal_driver.h, docs/kernel-bundles.md):
// extern "C" __global__ void k(T0* b0, ..., PushConstants pc), blockDim = the
// manifest's workgroup size. CUDA tells a kernel nothing about the size of its
// bindings, so the kernels rely on n, as the GLSL versions do; each
// PushConstants struct is static_asserted to the manifest's size
// (kernels/standard_kernels.json). The sources are compiled together as one
// translation unit (hal_add_kernel_bundle's CUDA_SOURCES), so each kernel's
// struct has its own name.
#ifndef HAL_KERNELS_CUDA_GRID_CUH_
#define HAL_KERNELS_CUDA_GRID_CUH_

#include <cstdint>

namespace hal_kernels {

// The linear workgroup index, in 64 bits: a grid may hold more than 2^32
// workgroups, and a wrapped index would revisit elements.
__device__ inline uint64_t LinearWorkgroup() {
  return blockIdx.x + uint64_t{gridDim.x} * (blockIdx.y + uint64_t{gridDim.y} * blockIdx.z);
}

// The element of this thread in a 1-D range of n elements covered by
// workgroups of kWorkgroupSize threads, or n for a workgroup past the end of
// the range (grid.glsl's ElementIndex).
template <uint32_t kWorkgroupSize>
__device__ inline uint32_t ElementIndex(uint32_t n) {
  const uint64_t w = LinearWorkgroup();
  return w > n / kWorkgroupSize ? n : static_cast<uint32_t>(w) * kWorkgroupSize + threadIdx.x;
}

}  // namespace hal_kernels

#endif  // HAL_KERNELS_CUDA_GRID_CUH_
