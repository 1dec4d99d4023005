// Host -> device -> host round trips of 256 MiB through hal's Vulkan driver
// against the same transfers written directly against the Vulkan API, in the
// same run and on the same device. Target: hal's throughput at least 0.9x raw
// Vulkan's. Both check the data after timing, so a fast but wrong run reports
// an error instead of a figure.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "bench/bench_context.h"
#include "bench/bench_main.h"
#include "bench/ratio_reporter.h"
#include "bench/raw_vulkan.h"
#include "bench/round_trip.h"
#include "benchmark/benchmark.h"

namespace hal::bench {
namespace {

void BM_VulkanRoundTripHal(benchmark::State& state) {
  ReportIfFailed(state, MeasureHalRoundTrips(state, "vulkan"));
}
BENCHMARK(BM_VulkanRoundTripHal)->UseRealTime()->Unit(benchmark::kMillisecond);

// The baseline as a Vulkan programmer would write it: a DEVICE_LOCAL buffer
// and a ring of host-visible staging slots, each with its own command
// buffer. Chunks are pipelined through the slots, so the host's memcpy of
// one chunk overlaps the device's copy of another, in both directions.
class RawRoundTrip {
 public:
  static constexpr uint64_t kChunkBytes = 2ull << 20;
  static constexpr uint32_t kSlots = 8;

  static absl::StatusOr<std::unique_ptr<RawRoundTrip>> Open() {
    std::unique_ptr<RawRoundTrip> raw(new RawRoundTrip());
    HAL_ASSIGN_OR_RETURN(const auto uuid, BenchDeviceUuid("vulkan"));
    HAL_ASSIGN_OR_RETURN(raw->vulkan_, RawVulkan::Open(uuid));
    RawVulkan& vulkan = *raw->vulkan_;
    HAL_ASSIGN_OR_RETURN(raw->device_buffer_,
                         vulkan.CreateBuffer(kCopyBytes, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0));
    // Cached staging makes the host's reads of downloaded data fast.
    HAL_ASSIGN_OR_RETURN(raw->staging_,
                         vulkan.CreateBuffer(kChunkBytes * kSlots,
                                             VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                                 VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                                             VK_MEMORY_PROPERTY_HOST_CACHED_BIT));
    HAL_ASSIGN_OR_RETURN(raw->command_buffers_, vulkan.CreateCommandBuffers(kSlots));
    HAL_ASSIGN_OR_RETURN(raw->timeline_, vulkan.CreateTimelineSemaphore());
    return raw;
  }

  absl::Status Run(const std::byte* source, std::byte* destination) {
    HAL_RETURN_IF_ERROR(Upload(source));
    return Download(destination);
  }

 private:
  static constexpr uint64_t kChunks = kCopyBytes / kChunkBytes;
  static_assert(kCopyBytes % kChunkBytes == 0);

  enum class Direction { kUpload, kDownload };

  RawRoundTrip() = default;

  std::byte* slot_memory(uint32_t slot) const { return staging_.mapped + slot * kChunkBytes; }

  // Waits until the device is done with `slot`'s previous chunk.
  absl::Status WaitForSlot(uint32_t slot) const {
    return vulkan_->Wait(timeline_, slot_value_[slot]);
  }

  // Records the copy of `chunk` between the device buffer and `slot` in the
  // slot's command buffer and submits it.
  absl::Status SubmitChunk(uint64_t chunk, uint32_t slot, Direction direction) {
    const RawVulkanSymbols& vk = vulkan_->vk();
    const VkCommandBuffer command_buffer = command_buffers_[slot];
    HAL_RETURN_IF_ERROR(vulkan_->Begin(command_buffer));
    const uint64_t device_offset = chunk * kChunkBytes;
    const uint64_t staging_offset = slot * kChunkBytes;
    if (direction == Direction::kUpload) {
      // The host's writes are visible to the device once submitted.
      const VkBufferCopy region{staging_offset, device_offset, kChunkBytes};
      vk.vkCmdCopyBuffer(command_buffer, staging_.buffer, device_buffer_.buffer, 1, &region);
    } else {
      // The upload's writes to the device buffer before this read, ...
      VkMemoryBarrier before{.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER};
      before.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
      before.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
      vk.vkCmdPipelineBarrier(command_buffer, VK_PIPELINE_STAGE_TRANSFER_BIT,
                              VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &before, 0, nullptr, 0,
                              nullptr);
      const VkBufferCopy region{device_offset, staging_offset, kChunkBytes};
      vk.vkCmdCopyBuffer(command_buffer, device_buffer_.buffer, staging_.buffer, 1, &region);
      // ... and this copy's writes to staging before the host reads them.
      VkMemoryBarrier after{.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER};
      after.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
      after.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
      vk.vkCmdPipelineBarrier(command_buffer, VK_PIPELINE_STAGE_TRANSFER_BIT,
                              VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &after, 0, nullptr, 0, nullptr);
    }
    HAL_RETURN_IF_ERROR(vulkan_->End(command_buffer));
    slot_value_[slot] = ++value_;
    return vulkan_->Submit(command_buffer, timeline_, value_);
  }

  absl::Status Upload(const std::byte* source) {
    for (uint64_t chunk = 0; chunk < kChunks; ++chunk) {
      const uint32_t slot = chunk % kSlots;
      HAL_RETURN_IF_ERROR(WaitForSlot(slot));
      std::memcpy(slot_memory(slot), source + chunk * kChunkBytes, kChunkBytes);
      HAL_RETURN_IF_ERROR(SubmitChunk(chunk, slot, Direction::kUpload));
    }
    return absl::OkStatus();
  }

  // Keeps every slot busy: up to kSlots chunks are in flight while the host
  // copies out the oldest.
  absl::Status Download(std::byte* destination) {
    uint64_t submitted = 0;
    for (uint64_t chunk = 0; chunk < kChunks; ++chunk) {
      for (; submitted < kChunks && submitted < chunk + kSlots; ++submitted) {
        const uint32_t slot = submitted % kSlots;
        HAL_RETURN_IF_ERROR(WaitForSlot(slot));
        HAL_RETURN_IF_ERROR(SubmitChunk(submitted, slot, Direction::kDownload));
      }
      const uint32_t slot = chunk % kSlots;
      HAL_RETURN_IF_ERROR(WaitForSlot(slot));
      std::memcpy(destination + chunk * kChunkBytes, slot_memory(slot), kChunkBytes);
    }
    return absl::OkStatus();
  }

  std::unique_ptr<RawVulkan> vulkan_;
  RawBuffer device_buffer_;
  RawBuffer staging_;                             // kSlots slots of kChunkBytes
  std::vector<VkCommandBuffer> command_buffers_;  // one per slot
  VkSemaphore timeline_ = VK_NULL_HANDLE;
  uint64_t value_ = 0;                // of the latest submission
  uint64_t slot_value_[kSlots] = {};  // of each slot's latest submission
};

absl::Status MeasureRaw(benchmark::State& state) {
  HAL_ASSIGN_OR_RETURN(std::unique_ptr<RawRoundTrip> raw, RawRoundTrip::Open());
  RoundTripData data;
  return MeasureRoundTrips(state, data,
                           [&] { return raw->Run(data.source(), data.destination()); });
}

void BM_VulkanRoundTripRaw(benchmark::State& state) { ReportIfFailed(state, MeasureRaw(state)); }
BENCHMARK(BM_VulkanRoundTripRaw)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) {
  hal::bench::RatioReporter reporter({
      .measured_function = "BM_VulkanRoundTripHal",
      .baseline_function = "BM_VulkanRoundTripRaw",
      .description = "256 MiB host->device->host round trip throughput, hal Vulkan driver / raw "
                     "Vulkan",
      .target_ratio = 0.9,
  });
  return hal::bench::RunBenchmarkMain(argc, argv, &reporter);
}
