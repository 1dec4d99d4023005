// reduce_sum_f32: out[w] = sum of in[w*epw, min(n, (w+1)*epw)) for workgroup
// w < ceil(n/epw), w the linear workgroup index (kernels/README.md). Each
// thread sums a strided slice, then the workgroup reduces the 256 partial sums
// as a tree in shared memory: the same order as the GLSL version, so both give
// the same bits.
#include "grid.cuh"

struct ReduceSumF32PushConstants {
  uint32_t n;
  uint32_t elements_per_workgroup;
};
static_assert(sizeof(ReduceSumF32PushConstants) == 8,
              "kernels/standard_kernels.json: reduce_sum_f32");

extern "C" __global__ void __launch_bounds__(256)
    reduce_sum_f32(const float* __restrict__ in, float* __restrict__ out,
                   ReduceSumF32PushConstants pc) {
  constexpr uint32_t kWorkgroupSize = 256;
  __shared__ float partial[kWorkgroupSize];
  const uint64_t w = hal_kernels::LinearWorkgroup();
  const uint32_t lane = threadIdx.x;
  const uint32_t epw = pc.elements_per_workgroup;
  // Workgroups past ceil(n / epw) write nothing, as on every backend; the
  // whole workgroup returns, so the barriers below stay uniform.
  if (epw == 0 || w >= pc.n / epw + (pc.n % epw == 0 ? 0 : 1)) return;
  // w * epw < n, so begin fits in 32 bits; i runs in 64 so it cannot wrap.
  const uint32_t begin = static_cast<uint32_t>(w) * epw;
  const uint64_t end = begin + min(epw, pc.n - begin);
  float sum = 0.0f;
  for (uint64_t i = begin + lane; i < end; i += kWorkgroupSize) sum += in[i];
  partial[lane] = sum;
  __syncthreads();
  for (uint32_t width = kWorkgroupSize / 2; width > 0; width /= 2) {
    if (lane < width) partial[lane] += partial[lane + width];
    __syncthreads();
  }
  if (lane == 0) out[w] = partial[0];
}
