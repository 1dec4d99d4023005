#include "bench/bench_context.h"

#include <utility>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

ABSL_FLAG(std::string, bundle, "",
          "Kernel bundle to load the benchmark kernels from (default: "
          "<program folder>/../share/hal/kernels/standard.halb).");

namespace hal::bench {
namespace {

// Why no device was found: the drivers that did not load, with their reasons.
std::string UnavailableDrivers(const Runtime& runtime) {
  std::string reasons;
  for (const Driver* driver : runtime.drivers()) {
    if (driver->available()) continue;
    absl::StrAppend(&reasons, reasons.empty() ? "" : "; ", driver->name(),
                    " driver unavailable: ", driver->unavailable_reason());
  }
  return reasons.empty() ? "every driver loaded" : reasons;
}

}  // namespace

absl::StatusOr<SelectedDevice> SelectDevice(absl::string_view selector) {
  RuntimeOptions options;
  options.selector = std::string(selector);
  HAL_ASSIGN_OR_RETURN(std::unique_ptr<Runtime> runtime, Runtime::Create(options),
                       "creating the runtime");
  const std::vector<const PhysicalDevice*> devices = runtime->devices();
  if (devices.empty()) {
    return absl::NotFoundError(absl::StrCat("no device found with selector \"", selector, "\" (",
                                            UnavailableDrivers(*runtime), ")"));
  }
  return SelectedDevice{std::move(runtime), devices.front()};
}

std::string StandardBundlePath() {
  std::string flag_path = absl::GetFlag(FLAGS_bundle);
  if (!flag_path.empty()) return flag_path;
  return KernelBundle::StandardBundlePath();
}

absl::StatusOr<BenchContext> OpenBenchContext(absl::string_view selector,
                                              absl::string_view kernel_name) {
  HAL_ASSIGN_OR_RETURN(auto selected, SelectDevice(selector));
  BenchContext context;
  context.runtime = std::move(selected.runtime);
  const PhysicalDevice& physical_device = *selected.device;
  HAL_ASSIGN_OR_RETURN(context.device, physical_device.Open(), "opening device ",
                       physical_device.id());
  HAL_ASSIGN_OR_RETURN(context.queue, context.device->CreateQueue(), "creating a queue on device ",
                       context.device->label());
  const std::string bundle_path = StandardBundlePath();
  HAL_ASSIGN_OR_RETURN(const KernelBundle bundle, KernelBundle::ReadFile(bundle_path),
                       "reading the kernel bundle ", bundle_path);
  HAL_ASSIGN_OR_RETURN(context.kernel, context.device->LoadKernel(bundle, kernel_name),
                       "loading kernel \"", kernel_name, "\" from ", bundle_path);
  return context;
}

absl::StatusOr<std::array<uint8_t, 16>> BenchDeviceUuid(absl::string_view selector) {
  HAL_ASSIGN_OR_RETURN(const auto selected, SelectDevice(selector));
  return selected.device->properties().uuid;
}

}  // namespace hal::bench
