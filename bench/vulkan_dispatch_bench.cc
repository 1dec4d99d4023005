// What one dispatch costs through hal's Vulkan driver against the same work
// written directly against the Vulkan API, in the same run and on the same
// device: the standard bundle's "noop" kernel (no bindings, no push
// constants, one workgroup of one invocation) dispatched and waited for, one
// dispatch per wait. Target: hal's median round trip within 1.2x of raw
// Vulkan's.
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "bench/bench_context.h"
#include "bench/bench_main.h"
#include "bench/iteration_latency.h"
#include "bench/noop_dispatch.h"
#include "bench/ratio_reporter.h"
#include "bench/raw_vulkan.h"
#include "benchmark/benchmark.h"

namespace hal::bench {
namespace {

constexpr char kKernel[] = "noop";
constexpr char kSpirvFormat[] = "spirv-vulkan";

void BM_VulkanNoopDispatchHal(benchmark::State& state) {
  BenchmarkHalNoopDispatch(state, "vulkan");
}
BENCHMARK(BM_VulkanNoopDispatchHal)->UseRealTime();

// The SPIR-V image hal loads for `kernel` from the standard bundle, so that
// the baseline runs the very same shader.
absl::StatusOr<std::vector<uint8_t>> StandardSpirv(absl::string_view kernel) {
  const std::string path = StandardBundlePath();
  HAL_ASSIGN_OR_RETURN(const KernelBundle bundle, KernelBundle::ReadFile(path),
                       "reading the kernel bundle ", path);
  for (const KernelImage& image : bundle.images()) {
    if (image.format == kSpirvFormat && image.kernel_name == kernel) return image.data;
  }
  return absl::NotFoundError(
      absl::StrCat(path, " has no ", kSpirvFormat, " image of kernel \"", kernel, "\""));
}

// The raw baseline's objects: one pipeline, one command buffer re-recorded
// per dispatch (as hal records one per batch), a timeline semaphore.
struct RawDispatch {
  std::unique_ptr<RawVulkan> vulkan;
  VkPipeline pipeline = VK_NULL_HANDLE;
  VkCommandBuffer command_buffer = VK_NULL_HANDLE;
  VkSemaphore timeline = VK_NULL_HANDLE;
  uint64_t value = 0;  // the timeline value of the latest submission
};

absl::StatusOr<RawDispatch> OpenRawDispatch() {
  RawDispatch raw;
  HAL_ASSIGN_OR_RETURN(const auto uuid, BenchDeviceUuid("vulkan"));
  HAL_ASSIGN_OR_RETURN(const std::vector<uint8_t> spirv, StandardSpirv(kKernel));
  HAL_ASSIGN_OR_RETURN(raw.vulkan, RawVulkan::Open(uuid));
  HAL_ASSIGN_OR_RETURN(raw.pipeline, raw.vulkan->CreateComputePipeline(spirv));
  HAL_ASSIGN_OR_RETURN(const std::vector<VkCommandBuffer> command_buffers,
                       raw.vulkan->CreateCommandBuffers(1));
  raw.command_buffer = command_buffers.front();
  HAL_ASSIGN_OR_RETURN(raw.timeline, raw.vulkan->CreateTimelineSemaphore());
  return raw;
}

// Record, submit, wait: what a Vulkan program does for one dispatch.
absl::Status RawDispatchAndWait(RawDispatch& raw) {
  const RawVulkanSymbols& vk = raw.vulkan->vk();
  HAL_RETURN_IF_ERROR(raw.vulkan->Begin(raw.command_buffer));
  vk.vkCmdBindPipeline(raw.command_buffer, VK_PIPELINE_BIND_POINT_COMPUTE, raw.pipeline);
  vk.vkCmdDispatch(raw.command_buffer, 1, 1, 1);
  HAL_RETURN_IF_ERROR(raw.vulkan->End(raw.command_buffer));
  HAL_RETURN_IF_ERROR(raw.vulkan->Submit(raw.command_buffer, raw.timeline, ++raw.value));
  return raw.vulkan->Wait(raw.timeline, raw.value);
}

void BM_VulkanNoopDispatchRaw(benchmark::State& state) {
  absl::StatusOr<RawDispatch> raw = OpenRawDispatch();
  absl::Status status = raw.status();
  if (status.ok()) status = RawDispatchAndWait(*raw);  // warm-up, as for hal
  if (!status.ok()) {
    state.SkipWithError(status.ToString().c_str());
    return;
  }
  IterationLatency latency(state);
  for (auto _ : state) {
    if (status = latency.Time([&] { return RawDispatchAndWait(*raw); }); !status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      return;
    }
  }
  latency.SetDispatchCounters(state, 1);
}
BENCHMARK(BM_VulkanNoopDispatchRaw)->UseRealTime();

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) {
  hal::bench::RatioReporter reporter({
      .measured_function = "BM_VulkanNoopDispatchHal",
      .baseline_function = "BM_VulkanNoopDispatchRaw",
      .description = "noop dispatch + wait, median time, hal Vulkan driver / raw Vulkan",
      .counter = "median_us_per_dispatch",
      .display_scale = 1,
      .display_unit = "us",
      .higher_is_better = false,
      .target_ratio = 1.2,
  });
  return hal::bench::RunBenchmarkMain(argc, argv, &reporter);
}
