// What the standard OpenCL C kernels share with their GLSL, CUDA and CPU
// versions (kernels/glsl/grid.glsl, kernels/cuda/grid.cuh,
// kernels/cpu/elementwise.h): workgroups are numbered x fastest, then y, then
// z, so a range larger than one grid dimension allows is dispatched as a 2-D
// or 3-D grid (kernels/README.md).
//
// Kernel ABI in OpenCL C (docs/kernel-bundles.md): __kernel void k(__global
// T0* b0, ..., PushConstants pc), the push constants one struct passed by
// value (no parameter when the kernel has none), the workgroup size the
// manifest's, as reqd_work_group_size. Nothing tells a kernel its bindings'
// sizes, so the kernels bound by n, as the GLSL and CUDA versions do.
//
// hal_add_kernel_bundle pastes this file in place of each kernel's #include
// of it (the opencl-c image is one self-contained source), so it is written
// for OpenCL C 1.2 as every vendor's compiler reads it: C99, no C11 asserts.
#ifndef HAL_KERNELS_OPENCL_GRID_H_
#define HAL_KERNELS_OPENCL_GRID_H_

// Fails to compile unless `type` is `bytes` long: each push-constant struct
// against its kernel's push_constant_size in kernels/standard_kernels.json.
#define HAL_EXPECT_SIZE(type, bytes) \
  typedef char type##_has_the_manifests_size[sizeof(type) == (bytes) ? 1 : -1]

// The linear workgroup index, in 64 bits: a grid may hold more than 2^32
// workgroups, and a wrapped index would revisit elements.
static inline ulong LinearWorkgroup(void) {
  return get_group_id(0) +
         get_num_groups(0) * (get_group_id(1) + get_num_groups(1) * get_group_id(2));
}

// The element of this work-item in a 1-D range of n elements covered by
// workgroups of `workgroup_size` work-items, or n for a workgroup past the
// end of the range (whose first element could wrap around 32 bits).
static inline uint ElementIndex(uint workgroup_size, uint n) {
  const ulong w = LinearWorkgroup();
  return w > n / workgroup_size ? n : (uint)w * workgroup_size + (uint)get_local_id(0);
}

#endif  // HAL_KERNELS_OPENCL_GRID_H_
