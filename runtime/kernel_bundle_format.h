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

// Byte offsets of the fields inside the header and the table entries.
namespace field {
inline constexpr uint32_t kMajor = 4;
inline constexpr uint32_t kMinor = 6;
inline constexpr uint32_t kKernelCount = 8;
inline constexpr uint32_t kImageCount = 12;
inline constexpr uint32_t kStringsOffset = 16;
inline constexpr uint32_t kStringsSize = 20;
inline constexpr uint32_t kFileSize = 24;

inline constexpr uint32_t kKernelName = 0;  // u32 string offset, u32 length
inline constexpr uint32_t kKernelBindingCount = 8;
inline constexpr uint32_t kKernelPushConstantSize = 12;
inline constexpr uint32_t kKernelWorkgroupSize = 16;  // 3 x u32

inline constexpr uint32_t kImageFormat = 0;       // u32 string offset, u32 length
inline constexpr uint32_t kImageKernelName = 8;   // u32 string offset, u32 length
inline constexpr uint32_t kImageDataOffset = 16;  // u64
inline constexpr uint32_t kImageDataSize = 24;    // u64
// The reader takes each (offset, length/size) pair as one field.
static_assert(kImageDataSize == kImageDataOffset + 8);
}  // namespace field

// The kernel table follows the header and the image table follows the kernel
// table, so where entry i lies depends on the counts alone.
inline constexpr uint64_t KernelEntryOffset(uint64_t kernel) {
  return kBundleHeaderSize + kernel * kBundleKernelEntrySize;
}
inline constexpr uint64_t ImageEntryOffset(uint64_t kernel_count, uint64_t image) {
  return KernelEntryOffset(kernel_count) + image * kBundleImageEntrySize;
}

struct BundleContents {
  std::vector<KernelInfo> kernels;
  std::vector<KernelImage> images;
};

// Decodes the layout. InvalidArgument names the byte offset and the field.
// Semantic rules (limits, unique names) are checked by ValidateBundle.
absl::StatusOr<BundleContents> DecodeBundle(absl::Span<const uint8_t> bytes);
std::vector<uint8_t> EncodeBundle(absl::Span<const KernelInfo> kernels,
                                  absl::Span<const KernelImage> images);

// Where the contents came from: a violation in a parsed file names the byte
// offset of the offending field; one in a bundle built in memory cannot.
enum class BundleSource { kFile, kMemory };
// The rules every bundle obeys, whether parsed or built in memory.
absl::Status ValidateBundle(absl::Span<const KernelInfo> kernels,
                            absl::Span<const KernelImage> images, BundleSource source);

}  // namespace hal::internal

#endif  // HAL_RUNTIME_KERNEL_BUNDLE_FORMAT_H_
