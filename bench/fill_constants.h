// The push constants of the standard kernel set's fill_f32 (kernels/).
#ifndef HAL_BENCH_FILL_CONSTANTS_H_
#define HAL_BENCH_FILL_CONSTANTS_H_

#include <cstdint>

namespace hal::bench {

struct FillConstants {
  float value;
  uint32_t n;
};

}  // namespace hal::bench

#endif  // HAL_BENCH_FILL_CONSTANTS_H_
