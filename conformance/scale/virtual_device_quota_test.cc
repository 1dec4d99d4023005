// The memory quota of a virtual device, exactly: allocations up to the
// quota succeed to the last byte, one byte more is ResourceExhausted naming
// the virtual device, the bytes charged are the buffers' allocated sizes, a
// freed buffer's room is usable again at once; and threads allocating at
// once fill the quota exactly, never past it. For quotas of a few to
// thousands of allocation granules, device and host-staging buffers.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "conformance/coverage/coverage.h"
#include "conformance/numerics/device_case_test.h"
#include "conformance/scale/tenants.h"
#include "conformance/status_matchers.h"

namespace hal::cts {
namespace {

struct QuotaCase {
  uint64_t granules;  // the quota, in the device's allocation granules
  BufferKind kind;
  std::string Name() const {
    return absl::StrCat("granules_", granules,
                        kind == BufferKind::kDevice ? "_device" : "_host_staging");
  }
};
const QuotaCase kQuotaCases[] = {
    {16, BufferKind::kDevice},   {16, BufferKind::kHostStaging},
    {257, BufferKind::kDevice},  {257, BufferKind::kHostStaging},
    {4096, BufferKind::kDevice}, {4096, BufferKind::kHostStaging},
};

class VirtualDeviceQuota : public DeviceCaseTest<QuotaCase> {
 protected:
  void SetUp() override {
    DeviceCaseTest::SetUp();
    if (IsSkipped()) return;
    quota_ = test_case().granules * granularity();
    HAL_CTS_ASSERT_OK_AND_ASSIGN(solo_, CreateSoloTenant(physical_device(), "quota", quota_));
  }

  uint64_t granularity() const { return properties().allocation_granularity; }
  uint64_t quota() const { return quota_; }
  uint64_t used() const { return solo_.tenant.virtual_device->memory_used(); }
  absl::StatusOr<std::shared_ptr<Buffer>> Allocate(uint64_t size) {
    return solo_.tenant.device().Allocate(size, test_case().kind);
  }

  SoloTenant solo_;

 private:
  uint64_t quota_ = 0;
};

HAL_CTS_COVERS("VirtualDeviceQuota.FillsToTheLastByteThenRefuses", {"buffer_allocate", "success"},
               {"buffer_free", "success"});
TEST_P(VirtualDeviceQuota, FillsToTheLastByteThenRefuses) {
  ASSERT_GT(granularity(), 0u);
  // Odd sizes a little under a third of the quota, then exactly what is left.
  const uint64_t step = (test_case().granules / 3 + 1) * granularity() - 3;
  std::vector<std::shared_ptr<Buffer>> buffers;
  uint64_t allocated = 0;
  for (uint64_t size = 1; used() < quota(); size = std::min(step, quota() - used())) {
    SCOPED_TRACE(testing::Message() << size << " bytes with " << used() << " in use");
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer, Allocate(size));
    allocated += buffer->allocated_size();
    buffers.push_back(std::move(buffer));
    ASSERT_EQ(used(), allocated) << "the charge is not the allocated sizes";
    ASSERT_LE(buffers.size(), test_case().granules) << "the quota was not enforced";
  }
  EXPECT_EQ(used(), quota());

  absl::StatusOr<std::shared_ptr<Buffer>> one_more = Allocate(1);
  EXPECT_THAT(one_more, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_NE(one_more.status().message().find("\"quota\""), std::string::npos)
      << "the refusal does not name the virtual device: " << one_more.status();
  EXPECT_EQ(solo_.tenant.virtual_device->quota_refusals(), 1u);
  EXPECT_EQ(used(), quota()) << "the refusal changed the charge";

  // A freed buffer's room is usable again, to the byte.
  const uint64_t freed = buffers[buffers.size() / 2]->allocated_size();
  buffers[buffers.size() / 2].reset();
  EXPECT_EQ(used(), quota() - freed);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(buffers[buffers.size() / 2], Allocate(freed));
  EXPECT_EQ(used(), quota());
  EXPECT_THAT(Allocate(1), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(solo_.tenant.virtual_device->quota_refusals(), 2u);

  buffers.clear();
  EXPECT_EQ(used(), 0u);
}

// Four threads allocate one granule at a time until refused: together they
// take the quota exactly (no charge lost to a race, none past the quota).
HAL_CTS_COVERS("VirtualDeviceQuota.ThreadsFillItExactly", {"buffer_allocate", "success"},
               {"buffer_free", "success"});
TEST_P(VirtualDeviceQuota, ThreadsFillItExactly) {
  constexpr int kThreads = 4;
  std::vector<std::vector<std::shared_ptr<Buffer>>> taken(kThreads);
  std::vector<absl::Status> refusals(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (true) {
        absl::StatusOr<std::shared_ptr<Buffer>> buffer = Allocate(granularity());
        if (!buffer.ok()) {
          refusals[t] = buffer.status();
          return;
        }
        taken[t].push_back(*std::move(buffer));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  uint64_t allocated = 0;
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_THAT(refusals[t], StatusIs(absl::StatusCode::kResourceExhausted)) << "thread " << t;
    for (const auto& buffer : taken[t]) allocated += buffer->allocated_size();
  }
  EXPECT_EQ(allocated, quota());
  EXPECT_EQ(used(), quota());
  taken.clear();
  EXPECT_EQ(used(), 0u);
}

HAL_CTS_INSTANTIATE_DEVICE_CASE_TESTS(VirtualDeviceQuota, kQuotaCases);

}  // namespace
}  // namespace hal::cts
