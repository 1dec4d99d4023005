// The CPU twin of a device kernel: the bundle's cpu-elf image of the same
// kernel, loaded from its bytes (memfd + dlopen) and run once per workgroup
// through the kernel ABI of hal/driver/hal_cpu_kernel.h. This is how a fake
// vendor library "executes" device code.
#ifndef HAL_TESTS_FAKE_VENDOR_CPU_TWIN_H_
#define HAL_TESTS_FAKE_VENDOR_CPU_TWIN_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "backends/common/memory_shared_object.h"
#include "hal/driver/hal_cpu_kernel.h"

namespace hal::fake {

class CpuTwinImage;

struct CpuTwinKernel {
  std::string name;
  hal_cpu_kernel_fn function = nullptr;
  hal_cpu_kernel_signature signature{};
  std::shared_ptr<const CpuTwinImage> image;  // keeps `function` loaded
};

class CpuTwinImage : public std::enable_shared_from_this<CpuTwinImage> {
 public:
  static absl::StatusOr<std::shared_ptr<CpuTwinImage>> Load(absl::Span<const uint8_t> bytes);
  CpuTwinImage(const CpuTwinImage&) = delete;
  CpuTwinImage& operator=(const CpuTwinImage&) = delete;

  // NotFound when the image exports no such kernel or no signature for it.
  absl::StatusOr<CpuTwinKernel> Kernel(absl::string_view name) const;

 private:
  explicit CpuTwinImage(std::unique_ptr<driver_support::MemorySharedObject> object)
      : object_(std::move(object)) {}
  std::unique_ptr<driver_support::MemorySharedObject> object_;
};

struct CpuLaunch {
  std::array<uint32_t, 3> workgroup_count{1, 1, 1};
  std::vector<void*> bindings;
  std::vector<uint64_t> binding_sizes;
  std::vector<uint8_t> push_constants;
};

// Runs every workgroup of the grid in turn on the calling thread.
void RunOnCpu(const CpuTwinKernel& kernel, const CpuLaunch& launch);

}  // namespace hal::fake

#endif  // HAL_TESTS_FAKE_VENDOR_CPU_TWIN_H_
