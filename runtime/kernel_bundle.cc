#include "hal/kernel_bundle.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "runtime/file_reading.h"
#include "runtime/install_paths.h"
#include "runtime/kernel_bundle_format.h"

namespace hal {
namespace {

uint64_t NextBundleId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

// Bundles built in memory (Create) are checked here; parsed ones in Parse,
// where a violation can name its byte offset in the file.
absl::StatusOr<KernelBundle> KernelBundle::Validate(Contents contents) {
  absl::Status status =
      internal::ValidateBundle(contents.kernels, contents.images, internal::BundleSource::kMemory);
  if (!status.ok()) return status;
  contents.id = NextBundleId();
  return KernelBundle(std::make_shared<const Contents>(std::move(contents)));
}

absl::StatusOr<KernelBundle> KernelBundle::Parse(absl::Span<const uint8_t> bytes) {
  auto decoded = internal::DecodeBundle(bytes);
  if (!decoded.ok()) return decoded.status();
  absl::Status status =
      internal::ValidateBundle(decoded->kernels, decoded->images, internal::BundleSource::kFile);
  if (!status.ok()) return status;
  Contents contents;
  contents.id = NextBundleId();
  contents.kernels = std::move(decoded->kernels);
  contents.images = std::move(decoded->images);
  return KernelBundle(std::make_shared<const Contents>(std::move(contents)));
}

absl::StatusOr<KernelBundle> KernelBundle::ReadFile(const std::string& path) {
  absl::StatusOr<std::string> bytes =
      internal::ReadRegularFile(path, internal::kMaxBundleFileBytes, "kernel bundle");
  if (!bytes.ok()) return bytes.status();
  auto bundle = Parse(
      absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()));
  if (!bundle.ok()) {
    return absl::Status(bundle.status().code(),
                        absl::StrCat(bundle.status().message(), " (in ", path, ")"));
  }
  return bundle;
}

absl::StatusOr<KernelBundle> KernelBundle::Create(std::vector<KernelInfo> kernels,
                                                  std::vector<KernelImage> images) {
  Contents contents;
  contents.kernels = std::move(kernels);
  contents.images = std::move(images);
  return Validate(std::move(contents));
}

std::string KernelBundle::StandardBundlePath() {
  return internal::HalDataDir() + "/kernels/standard.halb";
}

std::vector<uint8_t> KernelBundle::Serialize() const {
  return internal::EncodeBundle(contents_->kernels, contents_->images);
}

const KernelInfo* KernelBundle::FindKernel(absl::string_view name) const {
  for (const KernelInfo& kernel : contents_->kernels) {
    if (kernel.name == name) return &kernel;
  }
  return nullptr;
}

}  // namespace hal
