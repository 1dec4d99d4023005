// The 256 MiB host -> device -> host round trip the copy benchmarks time
// (vulkan_copy_bench, opencl_copy_bench), the same on hal's side and on a raw
// API's: the host data, stamped per round and checked after the timed loop,
// the loop itself, and hal's side of it.
#ifndef HAL_BENCH_ROUND_TRIP_H_
#define HAL_BENCH_ROUND_TRIP_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "bench/bench_context.h"
#include "benchmark/benchmark.h"
#include "hal/status_macros.h"

namespace hal::bench {

inline constexpr uint64_t kCopyBytes = 256ull << 20;
inline constexpr size_t kWords = kCopyBytes / sizeof(uint32_t);
// One stamp per 4 KiB page of the source (see RoundTripData::Stamp).
inline constexpr size_t kStampStride = 4096 / sizeof(uint32_t);

// The host side of a round trip, the same for both: a source and a
// destination of kCopyBytes, every page touched before timing.
class RoundTripData {
 public:
  RoundTripData() : source_(kWords), destination_(kWords) {
    // Word i differs from word j for any two offsets a chunk could be
    // misplaced by, so a chunk copied to the wrong place fails the check.
    for (size_t i = 0; i < kWords; ++i) source_[i] = static_cast<uint32_t>(i * 2654435761u);
  }

  const std::byte* source() const { return reinterpret_cast<const std::byte*>(source_.data()); }
  std::byte* destination() { return reinterpret_cast<std::byte*>(destination_.data()); }

  // Writes `round` into every page of the source before a round trip, so that
  // data left behind by an earlier round (a stale staging chunk, say) fails
  // the check after the last one.
  void Stamp(uint32_t round) {
    for (size_t i = 0; i < kWords; i += kStampStride) source_[i] = round;
  }

  // OK when the destination holds the source.
  absl::Status Check() const {
    const auto mismatch = std::mismatch(source_.begin(), source_.end(), destination_.begin());
    if (mismatch.first == source_.end()) return absl::OkStatus();
    const auto word = mismatch.first - source_.begin();
    return absl::InternalError(absl::StrCat("round trip data is wrong: word ", word, " (byte ",
                                            word * sizeof(uint32_t), ") is ", *mismatch.second,
                                            ", expected ", *mismatch.first));
  }

 private:
  std::vector<uint32_t> source_;
  std::vector<uint32_t> destination_;
};

// One round trip is `round_trip()`; it runs once untimed (first-use
// allocations, page faults in device memory), then in the timed loop with
// a fresh stamp each time, and the data is checked after the loop.
template <typename RoundTrip>
absl::Status MeasureRoundTrips(benchmark::State& state, RoundTripData& data,
                               const RoundTrip& round_trip) {
  uint32_t round = 0;
  data.Stamp(round);
  HAL_RETURN_IF_ERROR(round_trip(), "warming up");
  for (auto _ : state) {
    state.PauseTiming();
    data.Stamp(++round);
    state.ResumeTiming();
    HAL_RETURN_IF_ERROR(round_trip());
  }
  HAL_RETURN_IF_ERROR(data.Check());
  // Each round trip moves kCopyBytes each way.
  state.SetBytesProcessed(state.iterations() * 2 * static_cast<int64_t>(kCopyBytes));
  return absl::OkStatus();
}

inline void ReportIfFailed(benchmark::State& state, const absl::Status& status) {
  if (!status.ok()) state.SkipWithError(status.ToString().c_str());
}

// The round trip through hal on the first device `selector` keeps ("vulkan",
// "opencl"): one device buffer, copied into and back out of on one queue.
inline absl::Status MeasureHalRoundTrips(benchmark::State& state, absl::string_view selector) {
  HAL_ASSIGN_OR_RETURN(BenchContext context, OpenBenchContext(selector, "noop"));
  Queue& queue = *context.queue;
  HAL_ASSIGN_OR_RETURN(const std::shared_ptr<Buffer> buffer, context.device->Allocate(kCopyBytes),
                       "allocating the device buffer");
  RoundTripData data;
  return MeasureRoundTrips(state, data, [&]() -> absl::Status {
    HAL_RETURN_IF_ERROR(queue.CopyHostToDevice(data.source(), *buffer, 0, kCopyBytes));
    HAL_RETURN_IF_ERROR(queue.CopyDeviceToHost(*buffer, 0, data.destination(), kCopyBytes));
    return queue.Synchronize();
  });
}

}  // namespace hal::bench

#endif  // HAL_BENCH_ROUND_TRIP_H_
