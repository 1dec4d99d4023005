// The memory quota of a virtual device, exactly as the contract promises:
// the bytes charged are the sum of the buffers' allocated sizes; a request is
// refused (ResourceExhausted naming the virtual device) exactly when the
// bytes it would take, added to those in use, exceed the quota; nothing is
// ever charged past the quota; a freed buffer's room is usable again at once;
// and threads allocating at once fill the quota as far as their allocations
// fit, never past it. A driver may round allocations to size classes (a
// caching allocator, host pages), so a quota need not fill to the last byte:
// the bytes a request takes are learned by allocating the same size on the
// shared device, outside the quota. For quotas of a few to thousands of
// allocation granules, device and host-staging buffers.
#include <algorithm>
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
  // What a request of `size` takes, learned outside the quota.
  absl::StatusOr<uint64_t> Takes(uint64_t size) {
    return AllocatedSizeOf(device(), size, test_case().kind);
  }
  // Expects `size` refused for the quota, leaving the charge alone.
  void ExpectRefused(uint64_t size) {
    const uint64_t before = used();
    absl::StatusOr<std::shared_ptr<Buffer>> refused = Allocate(size);
    EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted));
    EXPECT_NE(refused.status().message().find("\"quota\""), std::string::npos)
        << "the refusal does not name the virtual device: " << refused.status();
    EXPECT_EQ(used(), before) << "the refusal changed the charge";
  }

  SoloTenant solo_;

 private:
  uint64_t quota_ = 0;
};

// Odd sizes a little under a third of the quota, then what is left, each
// granted exactly when it fits; after the first refusal, single bytes (which
// take the least) until one is refused: "the last byte" is the last one a
// request can take.
HAL_CTS_COVERS("VirtualDeviceQuota.FillsToTheLastByteThenRefuses", {"buffer_allocate", "success"},
               {"buffer_free", "success"});
TEST_P(VirtualDeviceQuota, FillsToTheLastByteThenRefuses) {
  ASSERT_GT(granularity(), 0u);
  const uint64_t step = (test_case().granules / 3 + 1) * granularity() - 3;
  std::vector<std::shared_ptr<Buffer>> buffers;
  uint64_t allocated = 0;
  uint64_t refusals = 0;
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const uint64_t byte_takes, Takes(1));
  bool single_bytes = false;  // after the first refusal
  for (uint64_t size = 1; used() < quota();
       size = single_bytes ? 1 : std::min(step, quota() - used())) {
    SCOPED_TRACE(::testing::Message() << size << " bytes with " << used() << " in use");
    HAL_CTS_ASSERT_OK_AND_ASSIGN(const uint64_t takes, Takes(size));
    if (used() + takes > quota()) {
      ExpectRefused(size);
      ++refusals;
      if (size == 1) break;
      single_bytes = true;
      continue;
    }
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer, Allocate(size));
    EXPECT_EQ(buffer->allocated_size(), takes) << "the same size took other bytes in the quota";
    allocated += buffer->allocated_size();
    buffers.push_back(std::move(buffer));
    ASSERT_EQ(used(), allocated) << "the charge is not the allocated sizes";
    ASSERT_LE(buffers.size(), test_case().granules) << "the quota was not enforced";
  }
  ASSERT_LE(used(), quota());
  EXPECT_LT(quota() - used(), byte_takes) << "room was left that a request could take";

  ExpectRefused(1);
  ++refusals;
  EXPECT_EQ(solo_.tenant.virtual_device->quota_refusals(), refusals);

  // A freed buffer's room is usable again, by the same request, to the byte.
  std::shared_ptr<Buffer>& middle = buffers[buffers.size() / 2];
  const uint64_t middle_size = middle->size();
  const uint64_t full = used();
  const uint64_t freed = middle->allocated_size();
  middle.reset();
  EXPECT_EQ(used(), full - freed);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(middle, Allocate(middle_size));
  EXPECT_EQ(used(), full);
  ExpectRefused(1);
  EXPECT_EQ(solo_.tenant.virtual_device->quota_refusals(), refusals + 1);

  buffers.clear();
  EXPECT_EQ(used(), 0u);
}

// Four threads allocate one granule at a time until refused: no charge is
// lost to a race, none passes the quota, and with what one thread then adds
// they take as many allocations as the quota holds.
HAL_CTS_COVERS("VirtualDeviceQuota.ThreadsFillItExactly", {"buffer_allocate", "success"},
               {"buffer_free", "success"});
TEST_P(VirtualDeviceQuota, ThreadsFillItExactly) {
  constexpr int kThreads = 4;
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const uint64_t takes, Takes(granularity()));
  ASSERT_GT(takes, 0u);
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
  EXPECT_EQ(used(), allocated) << "a charge was lost to a race";
  ASSERT_LE(used(), quota());
  // A thread may be refused while another's charge is in flight (the runtime
  // charges a request's granules first, then what the driver allocated), so
  // up to one allocation per other thread may be left: one thread takes it.
  std::vector<std::shared_ptr<Buffer>> rest;
  while (used() + takes <= quota() && rest.size() < kThreads) {
    HAL_CTS_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Buffer> buffer, Allocate(granularity()));
    rest.push_back(std::move(buffer));
  }
  EXPECT_LT(rest.size(), static_cast<size_t>(kThreads)) << "the threads left too much room";
  EXPECT_EQ(used(), quota() / takes * takes);
  ExpectRefused(granularity());
  rest.clear();
  taken.clear();
  EXPECT_EQ(used(), 0u);
}

HAL_CTS_INSTANTIATE_DEVICE_CASE_TESTS(VirtualDeviceQuota, kQuotaCases);

}  // namespace
}  // namespace hal::cts
