#include "daemon/pool_reload.h"

#include <sstream>

#include "daemon/tests/daemon_fixture.h"
#include "gmock/gmock.h"

namespace hal::daemon::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kPool[] = R"({"pool": {"devices": ["cpu:0"]},
  "virtual_devices": [{"name": "a", "memory_quota": "1MiB", "compute_share": 0.25}, {"name": "b", "memory_quota": "1MiB", "compute_share": 0.25}]})";
constexpr char kReloaded[] = R"({"pool": {"devices": ["cpu:0"]},
  "virtual_devices": [{"name": "a", "memory_quota": "2MiB", "compute_share": 0.5}, {"name": "c", "memory_quota": "1MiB", "compute_share": 0.5}]})";

TEST(PoolReloadTest, SameSpecComparesEveryField) {
  VirtualDeviceSpec a;
  a.name = "a";
  a.memory_quota = 1;
  VirtualDeviceSpec b = a;
  EXPECT_TRUE(SameSpec(a, b));
  b.pin_limit = 1;
  EXPECT_FALSE(SameSpec(a, b));
  b = a;
  b.compute_share = 0.5;
  EXPECT_FALSE(SameSpec(a, b));
}

// A live pool of kPool, and its file to rewrite.
class PoolReloadFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    runtime_ = CpuRuntime();
    ASSERT_NE(runtime_, nullptr);
    if (runtime_->devices().empty()) GTEST_SKIP() << "the CPU driver of the build tree is absent";
    path_ = folder_.Write("pool.json", kPool);
    absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::FromFile(*runtime_, path_);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
  }
  TempFolder folder_;
  std::string path_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<Pool> pool_;
};

TEST_F(PoolReloadFileTest, AddsNewVirtualDevicesAndKeepsChangedAndRemovedOnes) {
  folder_.Write("pool.json", kReloaded);
  std::ostringstream log;
  ASSERT_TRUE(ReloadVirtualDevices(*runtime_, *pool_, path_, {}, log).ok());
  std::vector<std::string> names;
  for (const auto& device : pool_->virtual_devices()) {
    names.push_back(device->name());
    if (device->name() == "a") {
      EXPECT_EQ(device->memory_quota(), 1u << 20) << "kept as it was";
    }
  }
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("a", "b", "c"));
  EXPECT_THAT(log.str(), HasSubstr("virtual device c added on cpu:0"));
  EXPECT_THAT(log.str(), HasSubstr("virtual device a changed in the pool file; kept"));
  EXPECT_THAT(log.str(), HasSubstr("virtual device b is no longer in the pool file; kept"));
}

TEST_F(PoolReloadFileTest, AnUnreadableFileChangesNothing) {
  folder_.Write("pool.json", "{not json");
  std::ostringstream log;
  EXPECT_EQ(ReloadVirtualDevices(*runtime_, *pool_, path_, {}, log).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(pool_->virtual_devices().size(), 2u);
}

}  // namespace
}  // namespace hal::daemon::testing
