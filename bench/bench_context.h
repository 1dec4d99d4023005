// What a benchmark runs on through hal: the runtime restricted to one
// selector, the first device it keeps, one queue, and one kernel of the
// standard bundle. Members are declared so that destruction releases the
// kernel and queue before the device, and the runtime last (it must outlive
// every object made from it).
#ifndef HAL_BENCH_BENCH_CONTEXT_H_
#define HAL_BENCH_BENCH_CONTEXT_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hal/hal.h"

namespace hal::bench {

struct BenchContext {
  std::unique_ptr<Runtime> runtime;
  std::shared_ptr<Device> device;
  std::unique_ptr<Queue> queue;
  std::shared_ptr<Kernel> kernel;
};

// The runtime restricted to a selector, and the first device it keeps.
struct SelectedDevice {
  std::unique_ptr<Runtime> runtime;
  const PhysicalDevice* device = nullptr;  // owned by `runtime`
};

// The first device `selector` keeps ("cpu", "vulkan"), whatever
// HAL_DEVICE_SELECTOR says. NotFound when there is none, naming why
// unavailable drivers are.
absl::StatusOr<SelectedDevice> SelectDevice(absl::string_view selector);

// The standard bundle: --bundle when given, otherwise the one of the install
// (or build tree) this libhal belongs to (KernelBundle::StandardBundlePath).
std::string StandardBundlePath();

// Opens the first device `selector` keeps ("cpu", "vulkan"), whatever
// HAL_DEVICE_SELECTOR says, and loads `kernel_name` from the standard bundle.
// NotFound when no device or kernel is found (naming why unavailable drivers
// are); the bundle reader's status when the bundle is missing or malformed.
absl::StatusOr<BenchContext> OpenBenchContext(absl::string_view selector,
                                              absl::string_view kernel_name);

// The UUID of the device OpenBenchContext(selector, ...) opens, without
// opening it: what a baseline outside hal selects its device by, so that both
// sides of a comparison run on the same device.
absl::StatusOr<std::array<uint8_t, 16>> BenchDeviceUuid(absl::string_view selector);

}  // namespace hal::bench

#endif  // HAL_BENCH_BENCH_CONTEXT_H_
