// The standard kernel set as the CTS dispatches it: names, push-constant
// layouts and workgroup sizes of the bundle's manifest (kernels/README.md).
// Elementwise kernels: workgroup w covers elements [w*256, min(n, (w+1)*256)),
// w the linear workgroup index (x fastest, then y, then z); workgroups past
// the end of the range do nothing, so any grid of at least ceil(n/256)
// workgroups computes the same.
#ifndef HAL_CONFORMANCE_STANDARD_KERNELS_H_
#define HAL_CONFORMANCE_STANDARD_KERNELS_H_

#include <algorithm>
#include <cstdint>

#include "hal/types.h"

namespace hal::cts {

inline constexpr uint32_t kElementwiseWorkgroupSize = 256;
inline constexpr uint32_t kGemmTile = 16;  // gemm_f32 workgroups are 16x16

// Workgroups that cover `n` elements, `per_workgroup` each.
constexpr uint32_t WorkgroupsFor(uint64_t n, uint64_t per_workgroup) {
  return static_cast<uint32_t>((n + per_workgroup - 1) / per_workgroup);
}

// A grid of at least `workgroups` workgroups whose x is at most `max_x`
// (a device's max_workgroup_count[0]): one row while it fits, then as many
// rows as needed. Up to max_x - 1 workgroups of the last row lie past the end.
constexpr GridSize GridFor(uint64_t workgroups, uint32_t max_x) {
  const uint64_t x = std::min<uint64_t>(workgroups, max_x);
  return {static_cast<uint32_t>(x), static_cast<uint32_t>((workgroups + x - 1) / x), 1};
}

// fill_f32: b0 out[n] = value.
struct FillF32Constants {
  float value;
  uint32_t n;
};

// saxpy_f32: b0 x, b1 y; y = a*x + y.
struct SaxpyF32Constants {
  float a;
  uint32_t n;
};

// reduce_sum_f32: b0 in[n], b1 out[workgroups]; workgroup w writes the sum of
// in[w*epw, min(n, (w+1)*epw)) to out[w].
struct ReduceSumF32Constants {
  uint32_t n;
  uint32_t elements_per_workgroup;
};

// gemm_f32: b0 A (MxK), b1 B (KxN), b2 C (MxN), row-major;
// C = alpha*A*B + beta*C. Workgroup (x, y) computes the 16x16 tile of C at
// column x*16, row y*16.
struct GemmF32Constants {
  uint32_t m, n, k;
  float alpha, beta;
};

// vector_add_i32: b0 a, b1 b, b2 c; c = a + b, wrapping on overflow.
struct VectorAddI32Constants {
  uint32_t n;
};

// noop: no bindings, no push constants, workgroup size 1.

static_assert(sizeof(FillF32Constants) == 8);
static_assert(sizeof(SaxpyF32Constants) == 8);
static_assert(sizeof(ReduceSumF32Constants) == 8);
static_assert(sizeof(GemmF32Constants) == 20);
static_assert(sizeof(VectorAddI32Constants) == 4);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_STANDARD_KERNELS_H_
