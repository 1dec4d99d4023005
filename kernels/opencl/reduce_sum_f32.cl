// reduce_sum_f32: out[w] = sum of in[w*epw, min(n, (w+1)*epw)) for workgroup
// w < ceil(n/epw), w the linear workgroup index (kernels/README.md). Each
// work-item sums a strided slice, then the workgroup reduces the 256 partial
// sums as a tree in local memory: the same order as the GLSL and CUDA
// versions, so all three give the same bits.
#include "grid.h"

typedef struct {
  uint n;
  uint elements_per_workgroup;
} ReduceSumF32PushConstants;
HAL_EXPECT_SIZE(ReduceSumF32PushConstants, 8);

__kernel __attribute__((reqd_work_group_size(256, 1, 1)))
void reduce_sum_f32(__global const float* restrict in, __global float* restrict out,
                    ReduceSumF32PushConstants pc) {
  __local float partial[256];
  const ulong w = LinearWorkgroup();
  const uint lane = (uint)get_local_id(0);
  const uint epw = pc.elements_per_workgroup;
  // Workgroups past ceil(n / epw) write nothing, as on every backend; the
  // whole workgroup returns, so the barriers below stay uniform. w < n bounds
  // w * epw below 2^64; no division, whose n % epw llvm-spirv 15 cannot
  // translate once clang has optimized it (a freeze instruction).
  if (epw == 0 || w >= pc.n || w * epw >= pc.n) return;
  // w * epw < n, so begin fits in 32 bits; i runs in 64 so it cannot wrap.
  const uint begin = (uint)w * epw;
  const ulong end = begin + min(epw, pc.n - begin);
  float sum = 0.0f;
  for (ulong i = begin + lane; i < end; i += 256) sum += in[i];
  partial[lane] = sum;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (uint width = 128; width > 0; width /= 2) {
    if (lane < width) partial[lane] += partial[lane + width];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (lane == 0) out[w] = partial[0];
}
