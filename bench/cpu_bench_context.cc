#include "bench/cpu_bench_context.h"

#include <utility>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

ABSL_FLAG(std::string, bundle, "",
          "Kernel bundle to load the benchmark kernels from (default: "
          "<program folder>/../share/hal/kernels/standard.halb).");

namespace hal::bench {

std::string StandardBundlePath() {
  std::string flag_path = absl::GetFlag(FLAGS_bundle);
  if (!flag_path.empty()) return flag_path;
  return KernelBundle::StandardBundlePath();
}

absl::StatusOr<CpuBenchContext> OpenCpuBenchContext(absl::string_view kernel_name) {
  CpuBenchContext context;
  RuntimeOptions options;
  options.selector = "cpu";
  HAL_ASSIGN_OR_RETURN(context.runtime, Runtime::Create(options), "creating the runtime");
  const std::vector<const PhysicalDevice*> devices = context.runtime->devices();
  if (devices.empty()) {
    return absl::NotFoundError(
        "no CPU device found with selector \"cpu\"; is the CPU driver built and its manifest in "
        "share/hal/drivers.d?");
  }
  const PhysicalDevice& physical_device = *devices.front();
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

}  // namespace hal::bench
