// Quotas across processes: tenants of one virtual device share its quota
// exactly wherever they connect from, and a tenant killed in the middle of
// its work leaves no charge behind, disturbs no other tenant, and leaves the
// daemon serving.
#include <signal.h>

#include "gmock/gmock.h"
#include "tests/remote/remote_fixture.h"

namespace hal::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr uint64_t kQuota = 4 << 20;
constexpr uint64_t kChunk = 256 << 10;  // divides the quota and the CPU driver's granularity

using RemoteQuotaTest = RemoteTest;

// Two processes, one on the Unix socket and one over TCP, take turns
// allocating from one virtual device until both are refused.
TEST_F(RemoteQuotaTest, TwoProcessesShareOneQuotaExactly) {
  ASSERT_NO_FATAL_FAILURE(StartHald({{"shared", kQuota}}));
  std::unique_ptr<TenantProcess> tenants[2] = {StartTenant("shared"),
                                               StartTenant("shared", /*tcp=*/true)};
  ASSERT_TRUE(tenants[0] && tenants[1]);
  uint64_t taken[2] = {0, 0};
  bool refused[2] = {false, false};
  while (!refused[0] || !refused[1]) {
    for (int t = 0; t < 2; ++t) {
      if (refused[t]) continue;
      auto answer = tenants[t]->Command("alloc " + std::to_string(kChunk));
      ASSERT_TRUE(answer.ok()) << answer.status();
      if (absl::StartsWith(*answer, "refused ")) {
        EXPECT_THAT(*answer, StartsWith("refused RESOURCE_EXHAUSTED"));
        refused[t] = true;
      } else {
        taken[t] += AllocatedSize(answer);
      }
      ASSERT_LE(taken[0] + taken[1], kQuota);
    }
  }
  EXPECT_EQ(taken[0] + taken[1], kQuota);
  EXPECT_EQ(taken[0], kQuota / 2) << "the turns alternate";
  // Full to the byte, for both.
  for (auto& tenant : tenants) {
    auto answer = tenant->Command("alloc 1");
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_THAT(*answer, StartsWith("refused RESOURCE_EXHAUSTED"));
    EXPECT_THAT(*answer, HasSubstr("quota"));
  }
  auto shared = StatusOf("shared");
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_EQ(shared->memory_used_bytes(), kQuota);
  EXPECT_EQ(shared->sessions(), 2u);
  EXPECT_GE(shared->quota_refusals(), 4u);

  // What one frees, the other may take.
  ASSERT_EQ(tenants[0]->Command("free-all").value_or("?"), "ok");
  EXPECT_EQ(AllocatedSize(tenants[1]->Command("alloc " + std::to_string(kQuota / 2))), kQuota / 2);
}

// A free reaches hald without waiting for the tenant's next request: a
// sibling of an idle tenant gets the quota back.
TEST_F(RemoteQuotaTest, AFreeReachesHaldWhileItsTenantIsIdle) {
  ASSERT_NO_FATAL_FAILURE(StartHald({{"shared", kQuota}}));
  std::unique_ptr<TenantProcess> tenant = StartTenant("shared");
  ASSERT_TRUE(tenant);
  auto idle = StatusOf("shared");
  ASSERT_TRUE(idle.ok()) << idle.status();
  ASSERT_GT(AllocatedSize(tenant->Command("alloc " + std::to_string(kChunk))), 0u);
  auto holding = StatusOf("shared");
  ASSERT_TRUE(holding.ok()) << holding.status();
  ASSERT_EQ(holding->memory_used_bytes(), idle->memory_used_bytes() + kChunk);
  ASSERT_EQ(tenant->Command("drop-all").value_or("?"), "ok");
  // The tenant sends nothing more; only its free can bring the use down.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  uint64_t used = holding->memory_used_bytes();
  while (used != idle->memory_used_bytes() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
    auto status = StatusOf("shared");
    ASSERT_TRUE(status.ok()) << status.status();
    used = status->memory_used_bytes();
  }
  EXPECT_EQ(used, idle->memory_used_bytes())
      << "the free did not reach hald while the tenant sat idle";
}

// One tenant allocating and freeing and one dispatching are SIGKILLed while
// a tenant of another virtual device runs a workload checked against its
// model: the killed sessions' charges return to zero, the other's results
// are exact, and the daemon keeps serving.
TEST_F(RemoteQuotaTest, KilledTenantsLeaveNoChargesAndDisturbNoOne) {
  ASSERT_NO_FATAL_FAILURE(StartHald({{"victims", kQuota, 0.5}, {"bystander", kQuota, 0.5}}));
  auto bystander = StartTenant("bystander");
  auto allocating = StartTenant("victims");
  auto dispatching = StartTenant("victims", /*tcp=*/true);
  ASSERT_TRUE(bystander && allocating && dispatching);
  // The dispatching tenant takes its buffers before the churn can hold the
  // whole quota (started the other way round, its allocation was refused in
  // about one run of six).
  ASSERT_EQ(dispatching->Command("dispatch-forever 96").value_or("?"), "started");
  ASSERT_EQ(allocating->Command("churn").value_or("?"), "started");
  ASSERT_TRUE(bystander->process().WriteLine("workload 5 150").ok());
  absl::SleepFor(absl::Milliseconds(300));
  for (TenantProcess* victim : {allocating.get(), dispatching.get()}) {
    ASSERT_TRUE(victim->process().Signal(SIGKILL).ok());
    auto ended = victim->process().Wait(absl::Seconds(10));
    ASSERT_TRUE(ended.ok()) << ended.status();
    EXPECT_EQ(ended->signal, SIGKILL) << ended->ToString();
  }
  EXPECT_EQ(bystander->NextAnswer().value_or("?"), "ok");

  // The daemon notices the closed connections and frees what they held.
  absl::StatusOr<remote::v1::VirtualDeviceStatus> victims;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  do {
    victims = StatusOf("victims");
    ASSERT_TRUE(victims.ok()) << victims.status();
    if (victims->memory_used_bytes() == 0 && victims->sessions() == 0) break;
    absl::SleepFor(absl::Milliseconds(20));
  } while (absl::Now() < deadline);
  EXPECT_EQ(victims->memory_used_bytes(), 0u);
  EXPECT_EQ(victims->sessions(), 0u);
  auto fresh = StartTenant("victims");
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(AllocatedSize(fresh->Command("alloc " + std::to_string(kQuota))), kQuota);
  EXPECT_EQ(bystander->Command("workload 6 50").value_or("?"), "ok");
  EXPECT_TRUE(hald_->Running());
}

}  // namespace
}  // namespace hal::testing
