// The on-disk layout of kernel bundles (docs/kernel-bundles.md) and a
// bounds-checked reader and a writer for it. Every bundle is hostile input:
// each offset and length is checked against the bytes really present, with
// arithmetic that cannot overflow.
#ifndef HAL_RUNTIME_KERNEL_BUNDLE_FORMAT_H_
#define HAL_RUNTIME_KERNEL_BUNDLE_FORMAT_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hal/kernel_bundle.h"

namespace hal::internal {

inline constexpr char kBundleMagic[4] = {'H', 'A', 'L', 'B'};
inline constexpr uint16_t kBundleMajor = 1;
inline constexpr uint16_t kBundleMinor = 0;
inline constexpr uint32_t kBundleHeaderSize = 32;
inline constexpr uint32_t kBundleKernelEntrySize = 32;
inline constexpr uint32_t kBundleImageEntrySize = 32;
inline constexpr uint32_t kBundleImageAlignment = 16;

struct BundleContents {
  std::vector<KernelInfo> kernels;
  std::vector<KernelImage> images;
};

// Decodes the layout. InvalidArgument names the byte offset and the field.
// Semantic rules (limits, unique names) are checked by ValidateBundle.
absl::StatusOr<BundleContents> DecodeBundle(absl::Span<const uint8_t> bytes);
std::vector<uint8_t> EncodeBundle(const BundleContents& contents);
// The rules every bundle obeys, whether parsed or built in memory.
absl::Status ValidateBundle(const BundleContents& contents);

}  // namespace hal::internal

#endif  // HAL_RUNTIME_KERNEL_BUNDLE_FORMAT_H_
