// What a CPU benchmark runs on: the runtime restricted to the CPU driver, one
// device context, one queue, and one kernel of the standard bundle. Members
// are declared so that destruction releases the kernel and queue before the
// device, and the runtime last (it must outlive every object made from it).
#ifndef HAL_BENCH_CPU_BENCH_CONTEXT_H_
#define HAL_BENCH_CPU_BENCH_CONTEXT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hal/hal.h"

namespace hal::bench {

struct CpuBenchContext {
  std::unique_ptr<Runtime> runtime;
  std::shared_ptr<Device> device;
  std::unique_ptr<Queue> queue;
  std::shared_ptr<Kernel> kernel;
};

// The standard bundle: --bundle when given, otherwise the one of the install
// (or build tree) this libhal belongs to (KernelBundle::StandardBundlePath).
std::string StandardBundlePath();

// Opens the first CPU device (selector "cpu") and loads `kernel_name` from the
// standard bundle. NotFound when no CPU device or kernel is found; the bundle
// reader's status when the bundle is missing or malformed.
absl::StatusOr<CpuBenchContext> OpenCpuBenchContext(absl::string_view kernel_name);

}  // namespace hal::bench

#endif  // HAL_BENCH_CPU_BENCH_CONTEXT_H_
