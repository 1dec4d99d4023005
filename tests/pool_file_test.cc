// Pool files as an operator mistypes them: an unknown key (a misspelt
// "compute_share" used to give the tenant the whole device), a duplicate key,
// a number out of range, or a path that is no regular file, is refused with
// the key or the problem named, and no pool is made.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/hal.h"
#include "runtime/file_reading.h"
#include "tests/cpu_device_fixture.h"
#include "tests/hostile_files.h"
#include "tests/test_folder.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

class PoolFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto runtime = testing::BuildTreeRuntime("cpu:0");
    ASSERT_TRUE(runtime.ok()) << runtime.status();
    runtime_ = *std::move(runtime);
  }
  absl::Status Read(const std::string& text) {
    return Pool::FromFile(*runtime_, folder_.Write("pool.json", text)).status();
  }
  testing::TestFolder folder_;
  std::unique_ptr<Runtime> runtime_;
};

TEST_F(PoolFileTest, MalformedContentIsRefusedNamingTheKey) {
  const std::pair<std::string, std::string> cases[] = {
      {R"({"pool": {"devices": ["cpu"]},
           "virtual_devices": [{"name": "a", "memory_quota": 1024, "compute_shar": 0.1}]})",
       "virtual device \"a\" has an unknown key \"compute_shar\" (known: name, memory_quota, "
       "compute_share,"},
      {R"({"pool": {"devices": ["cpu"], "overcommit": 2}})",
       "\"pool\" has an unknown key \"overcommit\""},
      {R"({"pool": {"devices": ["cpu"]}, "virtual_device": []})",
       "has an unknown key \"virtual_device\" (known: pool, virtual_devices, hald)"},
      {R"({"pool": {"devices": ["cpu"]},
           "virtual_devices": [{"name": "a", "memory_quota": 1024, "compute_share": 0.1,
                                "compute_share": 1}]})",
       "duplicate key \"compute_share\" at \"virtual_devices[].compute_share\""},
      {R"({"pool": {"devices": ["cpu"]},
           "virtual_devices": [{"name": "a", "memory_quota": 1024, "compute_share": 1.5}]})",
       "virtual device \"a\" compute_share must be a number in (0, 1]; it is 1.5"},
      {R"({"pool": {"devices": ["cpu"]},
           "virtual_devices": [{"name": "a", "memory_quota": 1024, "compute_share": 0}]})",
       "compute_share must be a number in (0, 1]; it is 0"},
      {R"({"pool": {"devices": ["cpu"], "overcommit_ratio": 0.5}})",
       "pool.overcommit_ratio must be a number in [1, 1000]; it is 0.5"},
      {R"({"pool": {"devices": ["cpu"]},
           "virtual_devices": [{"name": "a", "memory_quota": 1024, "priority": 10000000000}]})",
       "virtual device \"a\" priority must be an integer in [-2147483648, 2147483647]; it is "
       "10000000000"},
      {R"({"pool": {"devices": ["cpu"]},
           "virtual_devices": [{"name": "a", "memory_quota": "1e30GiB"}]})",
       "virtual device \"a\" memory_quota must be a byte count below 2^64"},
      {R"({"pool": {"devices": ["cpu"]},
           "virtual_devices": [{"name": "a", "memory_quota": "infGiB"}]})",
       "virtual device \"a\" memory_quota must be a byte count below 2^64"},
  };
  for (const auto& [text, message] : cases) {
    absl::Status status = Read(text);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << text << "\n" << status;
    EXPECT_THAT(status.ToString(), HasSubstr(message)) << text;
  }
}

TEST_F(PoolFileTest, WellFormedFileStillMakesThePool) {
  auto pool = Pool::FromFile(*runtime_, folder_.Write("pool.json", R"({
    "pool": {"devices": ["cpu"], "overcommit_ratio": 1000},
    "virtual_devices": [{"name": "a", "memory_quota": "1MiB", "compute_share": 1,
                         "priority": -2147483648}]})"));
  ASSERT_TRUE(pool.ok()) << pool.status();
  ASSERT_EQ((*pool)->virtual_devices().size(), 1u);
  EXPECT_EQ((*pool)->virtual_devices()[0]->spec().priority, -2147483648);
}

// The "hald" object is the daemon's (daemon/access_policy.h): a pool read by
// anyone else takes the file as it is and makes the same pool.
TEST_F(PoolFileTest, TheDaemonsSectionIsLeftToTheDaemon) {
  auto pool = Pool::FromFile(*runtime_, folder_.Write("pool.json", R"({
    "pool": {"devices": ["cpu"]},
    "virtual_devices": [{"name": "a", "memory_quota": "1MiB"}],
    "hald": {"access": [{"virtual_devices": "*", "uids": [1000]}]}})"));
  ASSERT_TRUE(pool.ok()) << pool.status();
  ASSERT_EQ((*pool)->virtual_devices().size(), 1u);
  EXPECT_EQ((*pool)->virtual_devices()[0]->name(), "a");
}

TEST_F(PoolFileTest, PathThatIsNoRegularFileIsRefused) {
  for (const testing::HostileFile& file :
       testing::MakeHostileFiles(folder_, "pool.json", internal::kMaxJsonFileBytes)) {
    auto pool = Pool::FromFile(*runtime_, file.path);
    EXPECT_EQ(pool.status().code(), absl::StatusCode::kInvalidArgument) << file.kind;
    EXPECT_THAT(pool.status().ToString(), HasSubstr("pool file " + file.path + " " + file.refusal))
        << file.kind;
  }
}

}  // namespace
}  // namespace hal
