// Memory pressure: a device filled up to its limit (PressureLimitBytes: its
// free memory or kPressureCapBytes, the smaller) with buffers of mixed sizes
// and back; the quota of a virtual device as large as that limit exhausted,
// with nothing already allocated disturbed; fragmentation (every other
// buffer freed, larger ones allocated in the holes' room); and repeated
// cycles that end the same way each time. Except in the cycles, which count
// allocations, every buffer is written by the device and read back whole.
//
// The suite is named MemoryPressure so that the runner gives its groups a
// device to themselves (conformance/runner keeps the list of exclusive
// suites): other tests' allocations would move the limit under it.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "conformance/buffer_io.h"
#include "conformance/byte_units.h"
#include "conformance/coverage/coverage.h"
#include "conformance/numerics/device_case_test.h"
#include "conformance/scale/scale_limits.h"
#include "conformance/scale/tenants.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

// Sizes of the buffers a pressure test allocates, in turn, until the limit.
struct SizeMix {
  std::string name;
  // Fractions of the limit (`sixteenths`, when nonzero) or fixed byte sizes,
  // taken in turn.
  uint64_t sixteenths = 0;
  std::vector<uint64_t> sizes;

  std::string Name() const { return name; }
  uint64_t Size(size_t index, uint64_t limit) const {
    return sixteenths ? limit / 16 * sixteenths : sizes[index % sizes.size()];
  }
  uint64_t Largest(uint64_t limit) const {
    return sixteenths ? Size(0, limit) : *std::max_element(sizes.begin(), sizes.end());
  }
};

const SizeMix kMixes[] = {
    // Sixteen equal buffers of a sixteenth of the limit each.
    {"sixteenths", 1, {}},
    // Odd and even sizes from a few hundred bytes to 8 MiB.
    {"mixed", 0, {257, 4 * kKiB + 1, 1 * kMiB + 3, 64 * kKiB, 8 * kMiB - 5}},
    // Many small buffers: a thousand at the cap.
    {"small", 0, {256 * kKiB}},
};

// The bytes of buffer `index`: a pattern of its own, repeated.
uint32_t PatternOf(size_t index) { return 0x9E3779B9u * static_cast<uint32_t>(index + 1); }

// Writes `pattern` over the whole buffer: the device fills the 4-byte
// multiple, the host copies the tail's few bytes.
absl::Status WritePattern(Queue& queue, const Buffer& buffer, uint32_t pattern) {
  const uint64_t whole = buffer.size() / 4 * 4;
  if (whole > 0) HAL_RETURN_IF_ERROR(queue.Fill(buffer, 0, whole, pattern));
  if (whole < buffer.size()) {
    HAL_RETURN_IF_ERROR(queue.CopyHostToDevice(&pattern, buffer, whole, buffer.size() - whole));
  }
  return queue.Synchronize();
}

// OK when every byte of `buffer` is `pattern`'s (little-endian, repeated).
absl::Status CheckPattern(Queue& queue, const Buffer& buffer, uint32_t pattern) {
  HAL_ASSIGN_OR_RETURN(const std::vector<uint8_t> bytes, DownloadBytes(queue, buffer));
  // Compared a block at a time (memcmp), the block being the pattern
  // repeated: a byte loop over hundreds of MiB is slow under the sanitizers.
  constexpr uint64_t kBlock = 64 * kKiB;
  std::vector<uint8_t> block(kBlock);
  for (uint64_t offset = 0; offset < kBlock; offset += sizeof(pattern)) {
    std::memcpy(block.data() + offset, &pattern, sizeof(pattern));
  }
  for (uint64_t offset = 0; offset < bytes.size(); offset += kBlock) {
    const uint64_t length = std::min<uint64_t>(kBlock, bytes.size() - offset);
    if (std::memcmp(bytes.data() + offset, block.data(), length) == 0) continue;
    for (uint64_t i = offset;; ++i) {
      if (bytes[i] != block[i - offset]) {
        return absl::InternalError(absl::StrCat("byte ", i, " of a buffer of ", bytes.size(),
                                                " bytes is ", bytes[i], ", not ",
                                                block[i - offset]));
      }
    }
  }
  return absl::OkStatus();
}

// The bytes an allocation of `size` is charged: rounded up to the device's
// allocation granularity, as the quota ledger charges it.
uint64_t Charged(uint64_t size, const DeviceProperties& properties) {
  const uint64_t granularity = std::max<uint64_t>(properties.allocation_granularity, 1);
  return (size + granularity - 1) / granularity * granularity;
}

// Buffers written with their own patterns, as a test allocated them.
struct Written {
  // False for a test that only counts allocations: buffers are added
  // unwritten (their patterns are what they would hold).
  bool write = true;
  std::vector<std::shared_ptr<Buffer>> buffers;
  std::vector<uint32_t> patterns;
  uint64_t allocated = 0;  // sum of allocated_size()

  absl::Status Add(Queue& queue, std::shared_ptr<Buffer> buffer, uint32_t pattern) {
    if (write) {
      HAL_RETURN_IF_ERROR(WritePattern(queue, *buffer, pattern));
    }
    allocated += buffer->allocated_size();
    buffers.push_back(std::move(buffer));
    patterns.push_back(pattern);
    return absl::OkStatus();
  }
  absl::Status CheckAll(Queue& queue) const {
    for (size_t i = 0; i < buffers.size(); ++i) {
      if (!buffers[i]) continue;
      absl::Status status = CheckPattern(queue, *buffers[i], patterns[i]);
      if (!status.ok()) {
        return absl::InternalError(absl::StrCat("buffer ", i, ": ", status.message()));
      }
    }
    return absl::OkStatus();
  }
};

class MemoryPressure : public DeviceCaseTest<SizeMix> {
 protected:
  void SetUp() override {
    DeviceCaseTest::SetUp();
    if (IsSkipped()) return;
    absl::StatusOr<uint64_t> limit = PressureLimitBytes(physical_device());
    ASSERT_TRUE(limit.ok()) << "the driver cannot say how much memory is free: " << limit.status();
    limit_ = *limit;
    ASSERT_GE(limit_, 4 * mix().Largest(limit_))
        << "the device's free memory holds fewer than four of the mix's largest buffers";
  }

  const SizeMix& mix() const { return test_case(); }
  uint64_t limit() const { return limit_; }
  uint64_t Charged(uint64_t size) const { return hal::cts::Charged(size, properties()); }

  // A virtual device whose quota is the limit, alone in a pool capped at it.
  void MakeTenant() {
    HAL_CTS_ASSERT_OK_AND_ASSIGN(solo_, CreateSoloTenant(physical_device(), "pressure", limit_));
  }

  // Allocates the mix's sizes (or `fixed_size`) on the tenant, writing each
  // and adding it to `written`, until the quota refuses one: the refusal must
  // be ResourceExhausted and come exactly when the charge would pass the quota.
  void FillTenantUntilRefused(Written& written, size_t first_index = 0, uint64_t fixed_size = 0) {
    Device& device = solo_.tenant.device();
    for (size_t i = first_index;; ++i) {
      const uint64_t size = fixed_size ? fixed_size : mix().Size(i, limit_);
      const uint64_t before = used();
      absl::StatusOr<std::shared_ptr<Buffer>> buffer = device.Allocate(size);
      if (!buffer.ok()) {
        ASSERT_EQ(buffer.status().code(), absl::StatusCode::kResourceExhausted) << buffer.status();
        EXPECT_GT(before + Charged(size), limit_)
            << "refused " << size << " bytes with " << before << " of " << limit_ << " in use";
        EXPECT_EQ(used(), before) << "a refused allocation changed the use";
        return;
      }
      ASSERT_LE(used(), limit_) << "the quota was passed";
      HAL_CTS_ASSERT_OK(written.Add(*solo_.tenant.queue, *std::move(buffer), PatternOf(i)));
    }
  }

  // Bytes charged to the tenant now.
  uint64_t used() const { return solo_.tenant.virtual_device->memory_used(); }

  SoloTenant solo_;

 private:
  uint64_t limit_ = 0;
};

HAL_CTS_COVERS("MemoryPressure.FillsToTheLimitAndBack", {"buffer_allocate", "success"},
               {"buffer_free", "success"}, {"device_get_memory_info", "success"},
               {"stream_fill", "success"}, {"stream_copy_device_to_host", "success"});
TEST_P(MemoryPressure, FillsToTheLimitAndBack) {
  const uint64_t baseline = device().allocated_bytes();
  Written written;
  for (size_t i = 0;; ++i) {
    const uint64_t size = mix().Size(i, limit());
    if (written.allocated + Charged(size) > limit()) break;
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer, device().Allocate(size));
    HAL_CTS_ASSERT_OK(written.Add(queue(), std::move(buffer), PatternOf(i)));
    ASSERT_EQ(device().allocated_bytes(), baseline + written.allocated);
  }
  EXPECT_GE(written.allocated, limit() - Charged(mix().Largest(limit())))
      << "stopped short of the limit";
  // Read after everything is allocated: no later allocation disturbed an
  // earlier buffer.
  HAL_CTS_EXPECT_OK(written.CheckAll(queue()));
  // Back: odd buffers first, then even ones.
  for (size_t start : {1, 0}) {
    for (size_t i = start; i < written.buffers.size(); i += 2) written.buffers[i].reset();
  }
  EXPECT_EQ(device().allocated_bytes(), baseline);
}

HAL_CTS_COVERS("MemoryPressure.QuotaExhaustionDisturbsNothing", {"buffer_allocate", "success"},
               {"buffer_free", "success"}, {"stream_fill", "success"},
               {"stream_copy_device_to_host", "success"});
TEST_P(MemoryPressure, QuotaExhaustionDisturbsNothing) {
  ASSERT_NO_FATAL_FAILURE(MakeTenant());
  Written written;
  ASSERT_NO_FATAL_FAILURE(FillTenantUntilRefused(written));
  EXPECT_EQ(used(), written.allocated);
  EXPECT_EQ(solo_.tenant.virtual_device->quota_refusals(), 1u);
  // A second refusal of the smallest allocation, if no byte is left.
  if (used() + Charged(1) > limit()) {
    EXPECT_THAT(solo_.tenant.device().Allocate(1), StatusIs(absl::StatusCode::kResourceExhausted));
  }
  HAL_CTS_EXPECT_OK(written.CheckAll(*solo_.tenant.queue));
  written.buffers.clear();
  EXPECT_EQ(used(), 0u);
  EXPECT_EQ(solo_.tenant.device().allocated_bytes(), 0u);
}

HAL_CTS_COVERS("MemoryPressure.FragmentationThenLargerBuffers", {"buffer_allocate", "success"},
               {"buffer_free", "success"});
TEST_P(MemoryPressure, FragmentationThenLargerBuffers) {
  ASSERT_NO_FATAL_FAILURE(MakeTenant());
  Written written;
  ASSERT_NO_FATAL_FAILURE(FillTenantUntilRefused(written));
  ASSERT_GE(written.buffers.size(), 2u);
  for (size_t i = 0; i < written.buffers.size(); i += 2) {
    written.allocated -= written.buffers[i]->allocated_size();
    written.buffers[i].reset();
  }
  ASSERT_EQ(used(), written.allocated);
  // Buffers half again as large as the mix's largest: none fits in one hole
  // of the mix's size, all the room the holes left together takes them.
  const uint64_t larger = mix().Largest(limit()) / 2 * 3;
  const uint64_t expected_count = (limit() - used()) / Charged(larger);
  const size_t before = written.buffers.size();
  ASSERT_NO_FATAL_FAILURE(FillTenantUntilRefused(written, before, larger));
  EXPECT_EQ(written.buffers.size() - before, expected_count)
      << "buffers of " << larger << " bytes in the room freed";
  HAL_CTS_EXPECT_OK(written.CheckAll(*solo_.tenant.queue));
  written.buffers.clear();
  EXPECT_EQ(used(), 0u);
}

HAL_CTS_COVERS("MemoryPressure.RepeatedCyclesEndAlike", {"buffer_allocate", "success"},
               {"buffer_free", "success"});
TEST_P(MemoryPressure, RepeatedCyclesEndAlike) {
  const uint64_t baseline = device().allocated_bytes();
  ASSERT_NO_FATAL_FAILURE(MakeTenant());
  size_t first_count = 0;
  uint64_t first_used = 0;
  for (int cycle = 0; cycle < 3; ++cycle) {
    SCOPED_TRACE(::testing::Message() << "cycle " << cycle);
    Written written;
    written.write = false;
    ASSERT_NO_FATAL_FAILURE(FillTenantUntilRefused(written));
    if (cycle == 0) {
      first_count = written.buffers.size();
      first_used = used();
    }
    // A leak of an earlier cycle would leave less room for this one.
    EXPECT_EQ(written.buffers.size(), first_count);
    EXPECT_EQ(used(), first_used);
    // The last buffer allocated, just below the quota, works.
    HAL_CTS_ASSERT_OK(
        WritePattern(*solo_.tenant.queue, *written.buffers.back(), written.patterns.back()));
    HAL_CTS_EXPECT_OK(
        CheckPattern(*solo_.tenant.queue, *written.buffers.back(), written.patterns.back()));
    written.buffers.clear();
    EXPECT_EQ(used(), 0u);
  }
  EXPECT_EQ(solo_.tenant.virtual_device->quota_refusals(), 3u);
  EXPECT_EQ(device().allocated_bytes(), baseline) << "the shared context was charged";
}

HAL_CTS_INSTANTIATE_DEVICE_CASE_TESTS(MemoryPressure, kMixes);

}  // namespace
}  // namespace hal::cts
