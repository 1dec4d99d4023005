// Byte counts the tests size buffers and quotas in.
#ifndef HAL_CONFORMANCE_BYTE_UNITS_H_
#define HAL_CONFORMANCE_BYTE_UNITS_H_

#include <cstdint>

namespace hal::cts {

inline constexpr uint64_t kKiB = uint64_t{1} << 10;
inline constexpr uint64_t kMiB = uint64_t{1} << 20;

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_BYTE_UNITS_H_
