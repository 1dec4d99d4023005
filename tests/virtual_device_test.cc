// Virtual devices on the CPU driver: hard memory quotas charged exactly,
// isolation between virtual devices, zeroed memory, and admission.
#include "hal/virtual_device.h"

#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "tests/pool_fixture.h"
#include "tests/test_folder.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

class VirtualDeviceTest : public testing::PoolTest {
 protected:
  uint64_t Granularity() const { return physical_->properties().allocation_granularity; }
};

TEST_F(VirtualDeviceTest, UsageIsTheSumOfLiveAllocationsWithGranularity) {
  auto pool = MakePool();
  auto vd = MakeVirtualDevice(*pool, "tenant", 1 << 20);
  ASSERT_NE(vd, nullptr);
  std::vector<std::shared_ptr<Buffer>> buffers;
  uint64_t sum = 0;
  for (uint64_t size : {1ull, 3ull, 100ull, 4096ull, 65537ull}) {
    auto buffer = vd->device()->Allocate(size);
    ASSERT_TRUE(buffer.ok()) << buffer.status();
    EXPECT_EQ((*buffer)->allocated_size() % Granularity(), 0u);
    sum += (*buffer)->allocated_size();
    buffers.push_back(*std::move(buffer));
    EXPECT_EQ(vd->memory_used(), sum);
    EXPECT_EQ(vd->device()->allocated_bytes(), sum);
  }
  buffers.pop_back();
  buffers.erase(buffers.begin());
  uint64_t live = 0;
  for (const auto& buffer : buffers) live += buffer->allocated_size();
  EXPECT_EQ(vd->memory_used(), live);
  buffers.clear();
  EXPECT_EQ(vd->memory_used(), 0u);
}

TEST_F(VirtualDeviceTest, OverQuotaIsRefusedCleanlyNamingEverything) {
  auto pool = MakePool();
  const uint64_t quota = 64 * Granularity();
  auto vd = MakeVirtualDevice(*pool, "tenant-a", quota);
  ASSERT_NE(vd, nullptr);
  auto kept = vd->device()->Allocate(40 * Granularity());
  ASSERT_TRUE(kept.ok());
  const std::vector<uint8_t> pattern(40 * Granularity(), 0x5A);
  auto queue = vd->device()->CreateQueue();
  ASSERT_TRUE(queue.ok());
  ASSERT_TRUE((*queue)->CopyHostToDevice(pattern.data(), **kept, 0, pattern.size()).ok());
  ASSERT_TRUE((*queue)->Synchronize().ok());

  const uint64_t used = vd->memory_used();
  auto refused = vd->device()->Allocate(30 * Granularity());
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.status().message(), HasSubstr("\"tenant-a\""));
  EXPECT_THAT(refused.status().message(), HasSubstr(absl::StrCat("quota ", quota)));
  EXPECT_THAT(refused.status().message(), HasSubstr(absl::StrCat("in use ", used)));
  EXPECT_THAT(refused.status().message(), HasSubstr(absl::StrCat("request ", 30 * Granularity())));
  // Nothing else moved: the charge, the refusal count, the kept buffer's data.
  EXPECT_EQ(vd->memory_used(), used);
  EXPECT_EQ(vd->quota_refusals(), 1u);
  std::vector<uint8_t> back(pattern.size());
  ASSERT_TRUE((*queue)->CopyDeviceToHost(**kept, 0, back.data(), back.size()).ok());
  ASSERT_TRUE((*queue)->Synchronize().ok());
  EXPECT_EQ(back, pattern);
  // Exactly the rest of the quota still fits.
  EXPECT_TRUE(vd->device()->Allocate(quota - used).ok());
}

TEST_F(VirtualDeviceTest, GranularityCountsAgainstTheQuota) {
  auto pool = MakePool();
  auto vd = MakeVirtualDevice(*pool, "tiny", Granularity());
  ASSERT_NE(vd, nullptr);
  auto one = vd->device()->Allocate(1);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(vd->memory_used(), Granularity());
  EXPECT_EQ(vd->device()->Allocate(1).status().code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(VirtualDeviceTest, ConcurrentAllocationsNeverExceedTheQuota) {
  auto pool = MakePool();
  const uint64_t block = 16 * Granularity();
  const uint64_t quota = 10 * block;
  auto vd = MakeVirtualDevice(*pool, "busy", quota);
  ASSERT_NE(vd, nullptr);
  std::atomic<uint64_t> max_seen{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 200; ++round) {
        std::vector<std::shared_ptr<Buffer>> held;
        // 12 blocks against a quota of 10: every round meets the limit.
        for (int i = 0; i < 12; ++i) {
          auto buffer = vd->device()->Allocate(block);
          if (buffer.ok()) held.push_back(*std::move(buffer));
          uint64_t used = vd->memory_used();
          uint64_t seen = max_seen.load();
          while (used > seen && !max_seen.compare_exchange_weak(seen, used)) {
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_LE(max_seen.load(), quota);
  EXPECT_GE(vd->quota_refusals(), 4u * 200u * 2u);
  EXPECT_EQ(vd->memory_used(), 0u);
}

TEST_F(VirtualDeviceTest, ObjectsOfAnotherVirtualDeviceArePermissionDenied) {
  auto pool = MakePool();
  auto a = MakeVirtualDevice(*pool, "tenant-a", 1 << 20, 0.5);
  auto b = MakeVirtualDevice(*pool, "tenant-b", 1 << 20, 0.5);
  ASSERT_TRUE(a && b);
  auto b_buffer = b->device()->Allocate(256);
  auto a_buffer = a->device()->Allocate(256);
  auto a_queue = a->device()->CreateQueue();
  auto b_event = b->device()->CreateEvent();
  auto b_kernel = b->device()->LoadKernel(*bundle_, "noop");
  ASSERT_TRUE(b_buffer.ok() && a_buffer.ok() && a_queue.ok() && b_event.ok() && b_kernel.ok());
  std::vector<uint8_t> host(256, 7);

  absl::Status status = (*a_queue)->CopyHostToDevice(host.data(), **b_buffer, 0, 256);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(status.message(), HasSubstr("\"tenant-b\""));
  EXPECT_THAT(status.message(), HasSubstr("\"tenant-a\""));
  EXPECT_EQ((*a_queue)->CopyBuffer(**b_buffer, 0, **a_buffer, 0, 256).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ((*a_queue)->Dispatch(**b_kernel, {1, 1, 1}, {}).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ((*a_queue)->Signal(**b_event).code(), absl::StatusCode::kPermissionDenied);
  // A plain device context's buffer is refused the same way.
  auto plain = device_->Allocate(256);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*a_queue)->CopyBuffer(**plain, 0, **a_buffer, 0, 256).code(),
            absl::StatusCode::kPermissionDenied);
  // Tenant B's data is untouched.
  auto b_queue = b->device()->CreateQueue();
  ASSERT_TRUE(b_queue.ok());
  std::vector<uint8_t> back(256, 1);
  ASSERT_TRUE((*b_queue)->CopyDeviceToHost(**b_buffer, 0, back.data(), 256).ok());
  ASSERT_TRUE((*b_queue)->Synchronize().ok());
  EXPECT_EQ(back, std::vector<uint8_t>(256, 0));
}

TEST_F(VirtualDeviceTest, NewBuffersReadAsZerosAfterAnotherTenantsData) {
  auto pool = MakePool();
  auto a = MakeVirtualDevice(*pool, "writer", 1 << 22, 0.5);
  auto b = MakeVirtualDevice(*pool, "reader", 1 << 22, 0.5);
  ASSERT_TRUE(a && b);
  for (uint64_t size : {4096ull, 4099ull, (1ull << 20) + 3}) {
    {
      auto buffer = a->device()->Allocate(size);
      ASSERT_TRUE(buffer.ok());
      auto queue = a->device()->CreateQueue();
      ASSERT_TRUE(queue.ok());
      ASSERT_TRUE((*queue)->Fill(**buffer, 0, size / 4 * 4, 0xFFFFFFFF).ok());
      ASSERT_TRUE((*queue)->Synchronize().ok());
    }
    auto fresh = b->device()->Allocate(size);
    ASSERT_TRUE(fresh.ok());
    auto queue = b->device()->CreateQueue();
    ASSERT_TRUE(queue.ok());
    std::vector<uint8_t> back(size, 0xAB);
    ASSERT_TRUE((*queue)->CopyDeviceToHost(**fresh, 0, back.data(), size).ok());
    ASSERT_TRUE((*queue)->Synchronize().ok());
    EXPECT_EQ(back, std::vector<uint8_t>(size, 0)) << size;
  }
}

TEST_F(VirtualDeviceTest, AdmissionRefusesWhatDoesNotFitWithTheReason) {
  PoolOptions options;
  options.capacity_caps[physical_->id()] = 1 << 20;
  auto pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  ASSERT_NE(MakeVirtualDevice(*pool, "a", 768 << 10, 0.5), nullptr);
  VirtualDeviceSpec spec;
  spec.name = "b";
  spec.memory_quota = 512 << 10;
  auto refused = pool->CreateVirtualDevice(spec);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.status().message(), HasSubstr("no device of the pool can take"));
  EXPECT_THAT(refused.status().message(), HasSubstr("cpu:0: has room for 262144 bytes"));
  spec.memory_quota = 256 << 10;
  spec.compute_share = 0.75;
  refused = pool->CreateVirtualDevice(spec);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.status().message(), HasSubstr("compute unplaced"));
  spec.require_vendor = "NoSuchVendor";
  spec.compute_share = 0.5;
  refused = pool->CreateVirtualDevice(spec);
  EXPECT_THAT(refused.status().message(), HasSubstr("not NoSuchVendor"));
  spec.require_vendor.reset();
  spec.require_format = "ptx";
  refused = pool->CreateVirtualDevice(spec);
  EXPECT_THAT(refused.status().message(), HasSubstr("not ptx"));
  spec.require_format.reset();
  ASSERT_TRUE(pool->CreateVirtualDevice(spec).ok());  // exactly the rest fits
  ASSERT_EQ(pool->usage().size(), 1u);
  EXPECT_EQ(pool->usage()[0].quota_placed, 1u << 20);
  EXPECT_DOUBLE_EQ(pool->usage()[0].compute_placed, 1.0);
  EXPECT_EQ(pool->virtual_devices().size(), 2u);
}

// require_device: that device only; one not in the pool is NotFound, one
// without room ResourceExhausted naming it.
TEST_F(VirtualDeviceTest, ARequiredDeviceIsTheOnlyPlaceConsidered) {
  PoolOptions options;
  options.capacity_caps[physical_->id()] = 1 << 20;
  auto pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  VirtualDeviceSpec spec;
  spec.name = "pinned";
  spec.memory_quota = 768 << 10;
  spec.compute_share = 0.5;
  spec.require_device = "cpu:7";
  auto refused = pool->CreateVirtualDevice(spec);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("requires device cpu:7, which is not in the pool (cpu:0)"));
  spec.require_device = physical_->id();
  auto placed = pool->CreateVirtualDevice(spec);
  ASSERT_TRUE(placed.ok()) << placed.status();
  EXPECT_EQ((*placed)->placement().id(), physical_->id());
  spec.name = "more";
  refused = pool->CreateVirtualDevice(spec);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.status().message(), HasSubstr("cpu:0: has room for 262144 bytes"));
  EXPECT_EQ(pool->virtual_devices().size(), 1u);
}

TEST_F(VirtualDeviceTest, ComputeShareEnforcementIsReportedHonestly) {
  auto pool = MakePool();
  auto whole = MakeVirtualDevice(*pool, "whole", 1 << 20, 1.0);
  ASSERT_NE(whole, nullptr);
  EXPECT_EQ(whole->compute_enforcement(), ComputeEnforcement::kWholeDevice);
  auto pool2 = MakePool();
  auto half = MakeVirtualDevice(*pool2, "half", 1 << 20, 0.5);
  ASSERT_NE(half, nullptr);
  // The CPU has no hardware partitions: the share is time-sliced.
  EXPECT_EQ(half->compute_enforcement(), ComputeEnforcement::kTimeSlice);
  EXPECT_STREQ(ComputeEnforcementName(half->compute_enforcement()), "time-slice");
  EXPECT_EQ(whole->compute_busy_ns(), 0u);  // only time-sliced devices are timed
  EXPECT_EQ(&half->placement(), physical_);
}

TEST_F(VirtualDeviceTest, BadPoolsAndSpecsAreInvalid) {
  EXPECT_EQ(Pool::Create({}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Pool::Create({physical_, physical_}).status().code(),
            absl::StatusCode::kInvalidArgument);
  PoolOptions low;
  low.overcommit_ratio = 0.5;
  EXPECT_EQ(Pool::Create({physical_}, low).status().code(), absl::StatusCode::kInvalidArgument);
  PoolOptions stray_cap;
  stray_cap.capacity_caps["cuda:9"] = 1;
  EXPECT_EQ(Pool::Create({physical_}, stray_cap).status().code(),
            absl::StatusCode::kInvalidArgument);
  PoolOptions huge_cap;
  huge_cap.capacity_caps[physical_->id()] = physical_->properties().memory_bytes + 1;
  EXPECT_EQ(Pool::Create({physical_}, huge_cap).status().code(),
            absl::StatusCode::kInvalidArgument);

  auto pool = MakePool();
  ASSERT_NE(MakeVirtualDevice(*pool, "taken", 1024, 0.25), nullptr);
  for (auto [name, quota, share] :
       {std::tuple{"", 1024ull, 0.5}, std::tuple{"z", 0ull, 0.5}, std::tuple{"s", 1024ull, 0.0},
        std::tuple{"t", 1024ull, 1.5}, std::tuple{"taken", 1024ull, 0.25}}) {
    VirtualDeviceSpec spec;
    spec.name = name;
    spec.memory_quota = quota;
    spec.compute_share = share;
    EXPECT_EQ(pool->CreateVirtualDevice(spec).status().code(), absl::StatusCode::kInvalidArgument)
        << name << " " << quota << " " << share;
  }
  EXPECT_EQ(pool->virtual_devices().size(), 1u);
}

TEST_F(VirtualDeviceTest, PoolFile) {
  testing::TestFolder folder;
  const std::string good = folder.Write("pool.json", R"({
    "pool": {"devices": ["cpu"], "placement": "spread", "time_slice": "strict",
             "capacity_caps": {"cpu:0": "64MiB"}},
    "virtual_devices": [
      {"name": "a", "memory_quota": "16MiB", "compute_share": 0.5, "priority": 2},
      {"name": "b", "memory_quota": 1048576, "compute_share": 0.25, "prefer_vendor": "nobody",
       "require_device": "cpu:0"}]})");
  auto pool = Pool::FromFile(*runtime_, good);
  ASSERT_TRUE(pool.ok()) << pool.status();
  EXPECT_EQ((*pool)->options().placement, PlacementPolicy::kSpread);
  EXPECT_EQ((*pool)->options().time_slice, TimeSliceMode::kStrict);
  ASSERT_EQ((*pool)->usage().size(), 1u);
  EXPECT_EQ((*pool)->usage()[0].capacity_bytes, 64u << 20);
  auto vds = (*pool)->virtual_devices();
  ASSERT_EQ(vds.size(), 2u);
  EXPECT_EQ(vds[0]->memory_quota(), 16u << 20);
  EXPECT_EQ(vds[0]->spec().priority, 2);
  EXPECT_EQ(vds[1]->memory_quota(), 1u << 20);
  EXPECT_DOUBLE_EQ(vds[1]->spec().compute_share, 0.25);
  EXPECT_EQ(vds[1]->spec().prefer_vendor, "nobody");
  EXPECT_EQ(vds[1]->spec().require_device, "cpu:0");
  EXPECT_EQ(vds[0]->spec().require_device, std::nullopt);

  struct Case {
    std::string text;
    absl::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"{ nope", absl::StatusCode::kInvalidArgument, "not valid JSON"},
      {"{}", absl::StatusCode::kInvalidArgument, "\"pool\""},
      {R"({"pool": {"devices": ["cuda"]}})", absl::StatusCode::kNotFound, "matches no device"},
      {R"({"pool": {"devices": ["cpu"], "placement": "random"}})",
       absl::StatusCode::kInvalidArgument, "binpack"},
      {R"({"pool": {"devices": ["cpu"]}, "virtual_devices": [{"name": "x", "memory_quota": "lots"}]})",
       absl::StatusCode::kInvalidArgument, "512MiB"},
      {R"({"pool": {"devices": ["cpu"], "capacity_caps": {"cpu:0": "1MiB"}},
          "virtual_devices": [{"name": "x", "memory_quota": "2MiB"}]})",
       absl::StatusCode::kResourceExhausted, "no device of the pool can take"},
      {R"({"pool": {"devices": ["cpu"]},
          "virtual_devices": [{"name": "x", "memory_quota": 1, "require_device": "cuda:0"}]})",
       absl::StatusCode::kNotFound, "requires device cuda:0, which is not in the pool"},
      {R"({"pool": {"devices": ["cpu"]},
          "virtual_devices": [{"name": "x", "memory_quota": 1, "require_device": 0}]})",
       absl::StatusCode::kInvalidArgument, "require_device must be a string"},
  };
  for (const Case& c : cases) {
    auto bad = Pool::FromFile(*runtime_, folder.Write("bad.json", c.text));
    EXPECT_EQ(bad.status().code(), c.code) << c.text << "\n" << bad.status();
    EXPECT_THAT(bad.status().message(), HasSubstr(c.message)) << c.text;
  }
  EXPECT_EQ(Pool::FromFile(*runtime_, folder.path() + "/none.json").status().code(),
            absl::StatusCode::kNotFound);
}

// The overcommit limits of a pool file: the pool's host memory for evicted
// buffers and a virtual device's pin limit, each checked.
TEST_F(VirtualDeviceTest, PoolFileSetsHostMemoryAndPinLimits) {
  testing::TestFolder folder;
  const std::string good = folder.Write("pool.json", R"({
    "pool": {"devices": ["cpu"], "overcommit_ratio": 2, "capacity_caps": {"cpu:0": "4MiB"},
             "host_memory_limit_bytes": "4MiB"},
    "virtual_devices": [{"name": "a", "memory_quota": "4MiB", "pin_limit": "1MiB"}]})");
  auto pool = Pool::FromFile(*runtime_, good);
  ASSERT_TRUE(pool.ok()) << pool.status();
  EXPECT_EQ((*pool)->host_memory_limit(), 4u << 20);
  EXPECT_EQ((*pool)->options().host_memory_limit_bytes, 4u << 20);
  ASSERT_EQ((*pool)->virtual_devices().size(), 1u);
  EXPECT_EQ((*pool)->virtual_devices()[0]->spec().pin_limit, 1u << 20);

  const std::string over_pin = folder.Write("over_pin.json", R"({
    "pool": {"devices": ["cpu"], "overcommit_ratio": 2},
    "virtual_devices": [{"name": "a", "memory_quota": "1MiB", "pin_limit": "2MiB"}]})");
  auto refused = Pool::FromFile(*runtime_, over_pin);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("pin limit of 2097152 bytes"));

  const std::string no_host_room = folder.Write("no_host_room.json", R"({
    "pool": {"devices": ["cpu"], "overcommit_ratio": 2, "capacity_caps": {"cpu:0": "1MiB"},
             "host_memory_limit_bytes": 1},
    "virtual_devices": [{"name": "a", "memory_quota": "1MiB", "compute_share": 0.5},
                        {"name": "b", "memory_quota": "1MiB", "compute_share": 0.5}]})");
  refused = Pool::FromFile(*runtime_, no_host_room);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted) << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("host memory limit of 1 bytes"));
}

}  // namespace
}  // namespace hal
