// Sizes the device plugin's tests share (one unity-build unit holds them all).
#ifndef HAL_INTEGRATIONS_KUBERNETES_TESTS_TEST_SIZES_H_
#define HAL_INTEGRATIONS_KUBERNETES_TESTS_TEST_SIZES_H_

#include <cstdint>

namespace hal::kubernetes {

inline constexpr uint64_t kMiB = uint64_t{1} << 20;

}  // namespace hal::kubernetes

#endif  // HAL_INTEGRATIONS_KUBERNETES_TESTS_TEST_SIZES_H_
