// What hal-info --pool receives: the pool's devices and virtual devices with
// their use as the runtime counts it, and the registry's sessions.
#include "daemon/pool_status.h"

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/pool_fixture.h"

namespace hal::daemon {
namespace {

class PoolStatusTest : public testing::PoolTest {
 protected:
  SessionRegistry sessions_;
};

TEST_F(PoolStatusTest, ReportsThePoolItsVirtualDevicesAndTheirSessions) {
  PoolOptions options;
  options.placement = PlacementPolicy::kSpread;
  auto pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  auto a = MakeVirtualDevice(*pool, "a", 1 << 20, 0.25);
  auto b = MakeVirtualDevice(*pool, "b", 2 << 20, 0.5);
  ASSERT_TRUE(a && b);
  auto buffer = a->device()->Allocate(64 << 10);
  ASSERT_TRUE(buffer.ok()) << buffer.status();
  ASSERT_FALSE(a->device()->Allocate(2 << 20).ok());  // one refusal
  std::shared_ptr<SessionCounters> attached = sessions_.Register("unix pid 7 uid 1000");
  attached->SetVirtualDevice("a");
  attached->AddBuffer(4096);
  attached->AddStream();
  attached->CountCommand();
  attached->CountCommand();
  attached->SetRegisteredSharedMemory(16 << 20);
  std::shared_ptr<SessionCounters> idle = sessions_.Register("tcp 127.0.0.1:5555");

  const absl::Time started = absl::Now() - absl::Seconds(30);
  const PoolStatus status = BuildPoolStatus(*pool, sessions_, started);

  EXPECT_EQ(status.daemon_version(), "hald " HAL_DAEMON_VERSION);
  EXPECT_GE(status.uptime_ns(), 30'000'000'000u);
  EXPECT_LT(status.uptime_ns(), 90'000'000'000u);
  EXPECT_EQ(status.overcommit_ratio(), 1.0);
  EXPECT_EQ(status.placement(), "spread");
  EXPECT_EQ(status.time_slice(), "work-conserving");

  ASSERT_EQ(status.devices_size(), 1);
  const auto& device = status.devices(0);
  EXPECT_EQ(device.id(), "cpu:0");
  EXPECT_EQ(device.name(), physical_->properties().name);
  EXPECT_EQ(device.capacity_bytes(), pool->usage()[0].capacity_bytes);
  EXPECT_EQ(device.quota_placed_bytes(), 3u << 20);
  EXPECT_DOUBLE_EQ(device.compute_placed(), 0.75);
  EXPECT_FALSE(device.overcommitted());
  // Nothing is evicted without overcommit: every charged byte is resident.
  EXPECT_EQ(device.resident_bytes(), a->memory_used() + b->memory_used());
  EXPECT_EQ(device.evictions(), 0u);

  ASSERT_EQ(status.virtual_devices_size(), 2);
  const auto& vd_a = status.virtual_devices(0);
  EXPECT_EQ(vd_a.name(), "a");
  EXPECT_EQ(vd_a.device(), "cpu:0");
  EXPECT_EQ(vd_a.memory_quota_bytes(), 1u << 20);
  EXPECT_EQ(vd_a.memory_used_bytes(), a->memory_used());
  EXPECT_GE(vd_a.memory_used_bytes(), 64u << 10);
  EXPECT_EQ(vd_a.memory_cached_bytes(), 0u);
  EXPECT_EQ(vd_a.quota_refusals(), 1u);
  EXPECT_EQ(vd_a.compute_enforcement(), ComputeEnforcementName(a->compute_enforcement()));
  EXPECT_EQ(vd_a.compute_share(), 0.25);
  EXPECT_EQ(vd_a.sessions(), 1u);
  EXPECT_EQ(vd_a.registered_shared_memory_bytes(), 16u << 20) << "its one session's";
  const auto& vd_b = status.virtual_devices(1);
  EXPECT_EQ(vd_b.name(), "b");
  EXPECT_EQ(vd_b.memory_used_bytes(), 0u);
  EXPECT_EQ(vd_b.compute_enforcement(), ComputeEnforcementName(b->compute_enforcement()));
  EXPECT_EQ(vd_b.compute_share(), 0.5);
  EXPECT_EQ(vd_b.sessions(), 0u);
  EXPECT_EQ(vd_b.registered_shared_memory_bytes(), 0u);

  ASSERT_EQ(status.sessions_size(), 2);
  const auto& first = status.sessions(0);
  EXPECT_EQ(first.id(), attached->id());
  EXPECT_EQ(first.virtual_device(), "a");
  EXPECT_EQ(first.peer(), "unix pid 7 uid 1000");
  EXPECT_EQ(first.bytes_allocated(), 4096u);
  EXPECT_EQ(first.buffers(), 1u);
  EXPECT_EQ(first.streams(), 1u);
  EXPECT_EQ(first.commands(), 2u);
  EXPECT_EQ(first.registered_shared_memory_bytes(), 16u << 20);
  EXPECT_GT(first.connected_unix_ns(), absl::ToUnixNanos(started));
  EXPECT_LT(first.connected_for_ns(), 60'000'000'000u);
  const auto& second = status.sessions(1);
  EXPECT_EQ(second.id(), idle->id());
  EXPECT_EQ(second.virtual_device(), "");
  EXPECT_EQ(second.peer(), "tcp 127.0.0.1:5555");
  EXPECT_EQ(second.buffers(), 0u);
  EXPECT_EQ(second.registered_shared_memory_bytes(), 0u);
}

TEST_F(PoolStatusTest, AnOvercommittedPoolReportsTheResidencyManagersCounts) {
  PoolOptions options;
  options.overcommit_ratio = 2;
  options.capacity_caps["cpu:0"] = 1 << 20;
  auto pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  auto a = MakeVirtualDevice(*pool, "a", 1 << 20, 0.5);
  auto b = MakeVirtualDevice(*pool, "b", 1 << 20, 0.5);
  ASSERT_TRUE(a && b);
  auto first = a->device()->Allocate(768 << 10);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = b->device()->Allocate(768 << 10);  // evicts a's buffer to make room
  ASSERT_TRUE(second.ok()) << second.status();

  const PoolStatus status = BuildPoolStatus(*pool, sessions_, absl::Now());
  const Pool::ResidencyUsage residency = *pool->usage()[0].residency;
  ASSERT_EQ(status.devices_size(), 1);
  const auto& device = status.devices(0);
  EXPECT_TRUE(device.overcommitted());
  EXPECT_EQ(device.capacity_bytes(), 1u << 20);
  EXPECT_EQ(device.resident_bytes(), residency.resident_bytes);
  EXPECT_GE(device.evictions(), 1u);
  EXPECT_EQ(device.evictions(), residency.evictions);
  EXPECT_EQ(device.bytes_evicted(), residency.bytes_evicted);
  EXPECT_EQ(device.restores(), residency.restores);
  EXPECT_EQ(device.bytes_restored(), residency.bytes_restored);
  EXPECT_EQ(device.stalls(), residency.stalls);
}

TEST_F(PoolStatusTest, AchievedShareIsBusyTimeOverTheDaemonsUptime) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  auto vd = MakeVirtualDevice(*pool, "half", 1 << 20, 0.5);
  ASSERT_NE(vd, nullptr);
  if (vd->compute_enforcement() != ComputeEnforcement::kTimeSlice) {
    GTEST_SKIP() << "cpu:0 enforces a half share by "
                 << ComputeEnforcementName(vd->compute_enforcement()) << ", not by time slices";
  }
  const absl::Time started = absl::Now();
  auto queue = vd->device()->CreateQueue();
  ASSERT_TRUE(queue.ok()) << queue.status();
  auto kernel = vd->device()->LoadKernel(*bundle_, "fill_f32");
  ASSERT_TRUE(kernel.ok()) << kernel.status();
  constexpr uint32_t kCount = 64 << 10;
  auto buffer = vd->device()->Allocate(kCount * 4);
  ASSERT_TRUE(buffer.ok()) << buffer.status();
  const BufferBinding bindings[] = {{buffer->get(), 0}};
  const struct {
    float value;
    uint32_t n;
  } constants{1.0f, kCount};
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE((*queue)->Dispatch(**kernel, {kCount / 256, 1, 1}, bindings, constants).ok());
  }
  ASSERT_TRUE((*queue)->Synchronize().ok());

  const PoolStatus status = BuildPoolStatus(*pool, sessions_, started);
  ASSERT_EQ(status.virtual_devices_size(), 1);
  const auto& half = status.virtual_devices(0);
  EXPECT_EQ(half.compute_enforcement(), "time-slice");
  EXPECT_GT(half.compute_busy_ns(), 0u);
  EXPECT_EQ(half.compute_busy_ns(), vd->compute_busy_ns());
  EXPECT_GT(half.achieved_share(), 0);
  EXPECT_LE(half.achieved_share(), 1);
  EXPECT_NEAR(half.achieved_share() * static_cast<double>(status.uptime_ns()),
              static_cast<double>(half.compute_busy_ns()), 1e-6 * half.compute_busy_ns());
}

}  // namespace
}  // namespace hal::daemon
