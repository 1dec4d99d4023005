#include "tests/fake_vendor/twin_bundles.h"

#include <sys/stat.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "hal/kernel_bundle.h"

namespace hal::fake {
namespace {

// Bundles parsed once per process (a test suite loads the same module
// often); a file rewritten in place is read again.
absl::StatusOr<std::shared_ptr<const KernelBundle>> ReadBundle(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    return absl::NotFoundError(absl::StrCat("bundle ", path, " does not exist"));
  }
  using Key = std::tuple<std::string, int64_t, int64_t, int64_t>;
  const Key key{path, static_cast<int64_t>(info.st_size), static_cast<int64_t>(info.st_mtim.tv_sec),
                static_cast<int64_t>(info.st_mtim.tv_nsec)};
  static std::mutex mutex;
  static auto* cache = new std::map<Key, std::shared_ptr<const KernelBundle>>();
  std::lock_guard lock(mutex);
  if (const auto it = cache->find(key); it != cache->end()) return it->second;
  absl::StatusOr<KernelBundle> bundle = KernelBundle::ReadFile(path);
  if (!bundle.ok()) return bundle.status();
  auto shared = std::make_shared<const KernelBundle>(*std::move(bundle));
  cache->emplace(key, shared);
  return shared;
}

const KernelImage* FindCpuImage(const KernelBundle& bundle, const std::string& kernel) {
  for (const KernelImage& image : bundle.images()) {
    if (absl::StartsWith(image.format, "cpu-elf:") &&
        (image.kernel_name.empty() || image.kernel_name == kernel)) {
      return &image;
    }
  }
  return nullptr;
}

absl::StatusOr<DeviceImageTwin> TwinOf(const KernelBundle& bundle, const KernelImage& device_image,
                                       const std::string& path) {
  DeviceImageTwin twin{path, device_image.format, {}};
  std::map<const KernelImage*, std::shared_ptr<CpuTwinImage>> loaded;
  for (const KernelInfo& info : bundle.kernels()) {
    if (!device_image.kernel_name.empty() && device_image.kernel_name != info.name) continue;
    const KernelImage* cpu_image = FindCpuImage(bundle, info.name);
    if (cpu_image == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("bundle ", path, " has no cpu-elf image of kernel \"", info.name, "\""));
    }
    auto& image = loaded[cpu_image];
    if (image == nullptr) {
      absl::StatusOr<std::shared_ptr<CpuTwinImage>> load = CpuTwinImage::Load(cpu_image->data);
      if (!load.ok()) return load.status();
      image = *std::move(load);
    }
    absl::StatusOr<CpuTwinKernel> kernel = image->Kernel(info.name);
    if (!kernel.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("bundle ", path, ": ", kernel.status().message()));
    }
    twin.kernels.emplace(info.name, *std::move(kernel));
  }
  return twin;
}

}  // namespace

absl::StatusOr<DeviceImageTwin> FindTwin(absl::Span<const uint8_t> image,
                                         absl::string_view bundle_paths) {
  for (absl::string_view piece : absl::StrSplit(bundle_paths, ':', absl::SkipEmpty())) {
    const std::string path(piece);
    absl::StatusOr<std::shared_ptr<const KernelBundle>> bundle = ReadBundle(path);
    if (!bundle.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("bundle ", path, " cannot be read: ", bundle.status().message()));
    }
    for (const KernelImage& candidate : (*bundle)->images()) {
      if (candidate.data.size() == image.size() &&
          std::equal(image.begin(), image.end(), candidate.data.begin())) {
        return TwinOf(**bundle, candidate, path);
      }
    }
  }
  return absl::NotFoundError(absl::StrCat(
      "no bundle listed holds this ", image.size(),
      "-byte image (searched: \"", bundle_paths, "\")"));
}

}  // namespace hal::fake
