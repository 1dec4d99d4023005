// A parsed kernel bundle (docs/kernel-bundles.md): a manifest of kernels and
// images of them in several formats. Parsing treats the bytes as hostile: a
// malformed bundle is InvalidArgument naming the offset and what was wrong.
// Immutable after parsing; thread-safe.
#ifndef HAL_KERNEL_BUNDLE_H_
#define HAL_KERNEL_BUNDLE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "hal/export.h"

namespace hal {

struct KernelInfo {
  std::string name;
  uint32_t binding_count = 0;
  uint32_t push_constant_size = 0;
  std::array<uint32_t, 3> workgroup_size{1, 1, 1};
};

struct KernelImage {
  std::string format;       // "cpu-elf:x86_64", "ptx", "cubin:sm_90", "spirv-vulkan", ...
  std::string kernel_name;  // empty: the image holds every kernel of the bundle
  std::vector<uint8_t> data;
};

class HAL_API KernelBundle {
 public:
  static absl::StatusOr<KernelBundle> Parse(absl::Span<const uint8_t> bytes);
  static absl::StatusOr<KernelBundle> ReadFile(const std::string& path);
  // The standard kernel set shipped with hal: <prefix>/share/hal/kernels/
  // standard.halb of the install (or build tree) that this libhal belongs to.
  static std::string StandardBundlePath();
  // Builds a bundle in memory (validating it as Parse would).
  static absl::StatusOr<KernelBundle> Create(std::vector<KernelInfo> kernels,
                                             std::vector<KernelImage> images);
  // The on-disk form; Parse(Serialize()) gives back an equal bundle.
  std::vector<uint8_t> Serialize() const;

  const std::vector<KernelInfo>& kernels() const { return contents_->kernels; }
  const std::vector<KernelImage>& images() const { return contents_->images; }
  const KernelInfo* FindKernel(absl::string_view name) const;
  // Process-unique id of this bundle's contents (copies share it), used to
  // cache loaded modules per device.
  uint64_t id() const { return contents_->id; }

 private:
  struct Contents {
    uint64_t id = 0;
    std::vector<KernelInfo> kernels;
    std::vector<KernelImage> images;
  };
  explicit KernelBundle(std::shared_ptr<const Contents> contents)
      : contents_(std::move(contents)) {}
  static absl::StatusOr<KernelBundle> Validate(Contents contents);
  std::shared_ptr<const Contents> contents_;
};

}  // namespace hal

#endif  // HAL_KERNEL_BUNDLE_H_
