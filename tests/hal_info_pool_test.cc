// hal-info --pool (no FILE) as an operator runs it against a running hald:
// the live table and JSON with a tenant's session in them, access refused to
// a TCP peer without a grant and given to one with a token, and the exit
// codes when no daemon answers or the flags are wrong.
#include <algorithm>
#include <cstdlib>
#include <initializer_list>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "backends/remote/protocol/admin_requests.h"
#include "backends/remote/protocol/daemon_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/hal.h"
#include "nlohmann/json.hpp"
#include "tests/cpu_device_fixture.h"
#include "tests/remote/hald_process.h"
#include "tests/subprocess.h"

namespace hal {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

// sha256("ops-token"): the pool file grants the status to that token.
constexpr char kToken[] = "ops-token";
constexpr char kTokenDigest[] = "d9310c002af91822beb0b3487d8b04f85bf6bf1f8a5496bff7d35fc7c5a29def";

// hal-info with `args` and only `env` ("NAME=value ...") of the variables it
// reads; stderr joins stdout unless `stdout_only`.
testing::CommandResult HalInfo(const std::string& args, const std::string& env = "",
                               bool stdout_only = false) {
  const std::string command =
      absl::StrCat("timeout 60 env -u HAL_REMOTE_ENDPOINT -u HAL_REMOTE_TOKEN ", env, " ",
                   testing::BuiltProgram("hal-info"), " ", args);
  return testing::RunCommand(stdout_only ? "{ " + command + " 2>/dev/null; }" : command);
}

// The first line of `text` that contains every one of `parts`; "" when none
// does.
std::string LineWith(const std::string& text, std::initializer_list<absl::string_view> parts) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (std::all_of(parts.begin(), parts.end(),
                    [&](absl::string_view part) { return absl::StrContains(line, part); })) {
      return std::string(line);
    }
  }
  return "";
}

class HalInfoDaemonStatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::HaldProcess::Options options;
    options.hald = testing::BuiltProgram("hald");
    options.pool_json = absl::StrCat(R"({"pool": {"devices": ["cpu:0"]},
        "virtual_devices": [{"name": "train", "memory_quota": "1MiB", "compute_share": 0.5},
                            {"name": "infer", "memory_quota": "2MiB", "compute_share": 0.5}],
        "hald": {"access": [{"tokens_sha256": [")",
                                     kTokenDigest, R"("], "status": true}]}})");
    options.listen_tcp = true;
    options.environment = {{"HAL_DEVICE_SELECTOR", "cpu:0"}};
    auto hald = testing::HaldProcess::Start(options);
    ASSERT_TRUE(hald.ok()) << hald.status();
    hald_ = *std::move(hald);
  }
  void TearDown() override {
    if (hald_ == nullptr) return;
    const absl::Status stopped = hald_->StopCleanly();
    EXPECT_TRUE(stopped.ok()) << stopped;
  }
  std::unique_ptr<testing::HaldProcess> hald_;
};

TEST_F(HalInfoDaemonStatusTest, ShowsLiveUsePerVirtualDeviceAndSession) {
  // A tenant in this process: the remote driver attached to "train", with a
  // buffer allocated.
  ASSERT_EQ(setenv("HAL_REMOTE_ENDPOINT", hald_->unix_endpoint().c_str(), 1), 0);
  auto runtime = testing::BuildTreeRuntime("remote:*");
  ASSERT_TRUE(runtime.ok()) << runtime.status();
  const PhysicalDevice* train = nullptr;
  for (const PhysicalDevice* device : (*runtime)->devices()) {
    if (absl::StrContains(device->properties().name, "train")) train = device;
  }
  ASSERT_NE(train, nullptr) << "hald serves no device named for \"train\"";
  auto device = train->Open();
  ASSERT_TRUE(device.ok()) << device.status();
  auto buffer = (*device)->Allocate(64 << 10);
  ASSERT_TRUE(buffer.ok()) << buffer.status();

  const testing::CommandResult table = HalInfo("--pool --endpoint " + hald_->unix_endpoint());
  EXPECT_EQ(table.exit_code, 0) << table.output;
  EXPECT_THAT(table.output, StartsWith("hald "));
  EXPECT_THAT(table.output, HasSubstr(" at " + hald_->unix_endpoint() + ", up "));
  EXPECT_THAT(table.output, HasSubstr("Virtual devices (2)"));
  // Name, device, used / quota, refusals, share and enforcement, achieved, sessions.
  EXPECT_THAT(LineWith(table.output, {"  train "}),
              MatchesRegex(" +train +cpu:0 +64\\.0 KiB / 1\\.0 MiB +0 +0\\.50 time-slice +"
                           "[0-9.]+ +1"));
  EXPECT_THAT(LineWith(table.output, {"  infer "}),
              MatchesRegex(" +infer +cpu:0 +0 B / 2\\.0 MiB +0 +0\\.50 time-slice +[0-9.]+ +0"));
  // Id, attached to, peer, memory, buffers, streams, commands, registered
  // shared memory (the remote driver's default 16 MiB, on cpu:0), age.
  EXPECT_THAT(LineWith(table.output, {" train ", "unix pid"}),
              MatchesRegex(" +[0-9]+ +train +unix pid [0-9]+ uid [0-9]+ +64\\.0 KiB +1 +[0-9]+ +"
                           "[0-9]+ +16\\.0 MiB +[0-9a-z]+ ago"));

  // The default endpoint is the remote driver's: HAL_REMOTE_ENDPOINT.
  const testing::CommandResult json = HalInfo(
      "--pool --json", "HAL_REMOTE_ENDPOINT=" + hald_->unix_endpoint(), /*stdout_only=*/true);
  ASSERT_EQ(json.exit_code, 0) << json.output;
  const nlohmann::json status = nlohmann::json::parse(json.output, nullptr, false);
  ASSERT_FALSE(status.is_discarded()) << json.output;
  EXPECT_EQ(status["hal_pool_status_schema"], 1);
  EXPECT_EQ(status["endpoint"], hald_->unix_endpoint());
  EXPECT_THAT(status["daemon"].get<std::string>(), StartsWith("hald "));
  EXPECT_EQ(status["placement"], "binpack");
  ASSERT_EQ(status["devices"].size(), 1u);
  EXPECT_EQ(status["devices"][0]["id"], "cpu:0");
  EXPECT_EQ(status["devices"][0]["quota_placed_bytes"], 3u << 20);
  ASSERT_EQ(status["virtual_devices"].size(), 2u);
  const nlohmann::json& vd = status["virtual_devices"][0];
  EXPECT_EQ(vd["name"], "train");
  EXPECT_EQ(vd["memory_quota_bytes"], 1u << 20);
  EXPECT_GE(vd["memory_used_bytes"].get<uint64_t>(), 64u << 10);
  EXPECT_EQ(vd["compute_enforcement"], "time-slice");
  EXPECT_EQ(vd["sessions"], 1);
  EXPECT_EQ(vd["registered_shared_memory_bytes"], 16u << 20);
  // The tenant's session, and hal-info's own (not attached).
  bool tenant_seen = false;
  for (const nlohmann::json& session : status["sessions"]) {
    if (session["virtual_device"] != "train") continue;
    tenant_seen = true;
    EXPECT_THAT(session["peer"].get<std::string>(), HasSubstr("unix pid "));
    EXPECT_GE(session["bytes_allocated"].get<uint64_t>(), 64u << 10);
    EXPECT_EQ(session["buffers"], 1);
    EXPECT_EQ(session["registered_shared_memory_bytes"], 16u << 20);
  }
  EXPECT_TRUE(tenant_seen) << json.output;
  unsetenv("HAL_REMOTE_ENDPOINT");
}

TEST_F(HalInfoDaemonStatusTest, OverTcpOnlyAGrantedTokenReadsTheStatus) {
  const testing::CommandResult refused = HalInfo("--pool --endpoint " + hald_->tcp_endpoint());
  EXPECT_EQ(refused.exit_code, 5) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("hald at " + hald_->tcp_endpoint() + " refused: "));
  EXPECT_THAT(refused.output, HasSubstr("status"));

  const testing::CommandResult wrong =
      HalInfo("--pool --endpoint " + hald_->tcp_endpoint(), "HAL_REMOTE_TOKEN=other");
  EXPECT_EQ(wrong.exit_code, 5) << wrong.output;

  const testing::CommandResult granted =
      HalInfo("--pool --json --endpoint " + hald_->tcp_endpoint(),
              absl::StrCat("HAL_REMOTE_TOKEN=", kToken), true);
  EXPECT_EQ(granted.exit_code, 0) << granted.output;
  EXPECT_THAT(granted.output, HasSubstr("\"name\": \"infer\""));
}

// A virtual device an admin request created shows its owner (OWNER column,
// JSON "owner" and "dynamic"); the pool file's show none.
TEST(HalInfoDaemonStatusOwnerTest, ACreatedVirtualDeviceShowsItsOwner) {
  testing::HaldProcess::Options options;
  options.hald = testing::BuiltProgram("hald");
  options.pool_json = R"({"pool": {"devices": ["cpu:0"]},
      "virtual_devices": [{"name": "fixed", "memory_quota": "1MiB", "compute_share": 0.5}]})";
  options.environment = {{"HAL_DEVICE_SELECTOR", "cpu:0"}};
  auto hald = testing::HaldProcess::Start(options);
  ASSERT_TRUE(hald.ok()) << hald.status();
  auto endpoint = remote::ParseEndpoint((*hald)->unix_endpoint());
  ASSERT_TRUE(endpoint.ok());
  auto admin = remote::DaemonClient::Connect(*endpoint, "", "hal-info test", absl::Seconds(10));
  ASSERT_TRUE(admin.ok()) << admin.status();
  remote::VirtualDeviceRequest request;
  request.name = "job";
  request.memory_quota = 2 << 20;
  request.compute_share = 0.5;
  request.owner = "slurm job 42.0";
  ASSERT_TRUE(remote::CreateVirtualDevice(*admin, request).ok());

  const testing::CommandResult table = HalInfo("--pool --endpoint " + (*hald)->unix_endpoint());
  EXPECT_EQ(table.exit_code, 0) << table.output;
  EXPECT_THAT(table.output, HasSubstr("SESSIONS OWNER\n"));
  EXPECT_THAT(LineWith(table.output, {"  job "}),
              MatchesRegex(" +job +cpu:0 +0 B / 2\\.0 MiB +.* +0 +slurm job 42\\.0"));
  EXPECT_THAT(LineWith(table.output, {"  fixed "}), MatchesRegex(".* 0"));

  const testing::CommandResult json =
      HalInfo("--pool --json --endpoint " + (*hald)->unix_endpoint(), "", /*stdout_only=*/true);
  ASSERT_EQ(json.exit_code, 0) << json.output;
  const nlohmann::json status = nlohmann::json::parse(json.output, nullptr, false);
  ASSERT_FALSE(status.is_discarded()) << json.output;
  ASSERT_EQ(status["virtual_devices"].size(), 2u);
  for (const nlohmann::json& vd : status["virtual_devices"]) {
    EXPECT_EQ(vd["dynamic"], vd["name"] == "job") << vd;
    EXPECT_EQ(vd["owner"], vd["name"] == "job" ? "slurm job 42.0" : "") << vd;
  }
  EXPECT_TRUE((*hald)->StopCleanly().ok());
}

TEST(HalInfoDaemonStatusExitTest, NoDaemonAnsweringIsExitCode4) {
  const testing::CommandResult run = HalInfo("--pool --endpoint unix:/nonexistent/hald.sock");
  EXPECT_EQ(run.exit_code, 4) << run.output;
  EXPECT_THAT(run.output, HasSubstr("unix:/nonexistent/hald.sock"));
}

TEST(HalInfoDaemonStatusExitTest, BadFlagsAreUsageErrors) {
  const std::pair<std::string, std::string> cases[] = {
      {"--pool --endpoint nonsense", "nonsense"},
      {"--endpoint unix:/x", "--endpoint requires --pool"},
      {"--pool /nonexistent.json --endpoint unix:/x", "does not go with --pool FILE"},
  };
  for (const auto& [args, message] : cases) {
    const testing::CommandResult run = HalInfo(args);
    EXPECT_EQ(run.exit_code, 1) << args << "\n" << run.output;
    EXPECT_THAT(run.output, HasSubstr(message)) << args;
  }
}

}  // namespace
}  // namespace hal
