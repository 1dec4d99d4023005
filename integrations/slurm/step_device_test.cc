// StepVirtualDevice against a real hald of the build tree (a pool of cpu:0).
#include "integrations/slurm/step_device.h"

#include <slurm/slurm.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal_remote.pb.h"
#include "tests/remote/hald_process.h"
#include "tests/remote/remote_pool.h"

namespace hal::slurm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

class StepVirtualDeviceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testing::HaldProcess::Options options;
    options.hald = HAL_TEST_HALD_PATH;
    // The test's uid is an operator on the Unix socket; over TCP only the
    // admin rule's token is.
    options.pool_json = absl::StrCat(
        R"({"pool": {"devices": ["cpu:0"]}, "hald": {"access": [{"tokens_sha256": [")",
        testing::kRemoteTestTokenSha256, R"("], "admin": true}]}})");
    options.listen_tcp = true;
    absl::StatusOr<std::unique_ptr<testing::HaldProcess>> hald =
        testing::HaldProcess::Start(options);
    ASSERT_TRUE(hald.ok()) << hald.status();
    hald_ = std::move(hald).value().release();
  }
  static void TearDownTestSuite() {
    delete hald_;
    hald_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(hald_, nullptr); }

  static PluginConfig Config() {
    PluginConfig config;
    config.endpoint = remote::ParseEndpoint(hald_->unix_endpoint()).value();
    config.timeout = absl::Seconds(10);
    return config;
  }
  static remote::VirtualDeviceRequest Request(uint64_t bytes) {
    remote::VirtualDeviceRequest request;
    request.memory_quota = bytes;
    return request;
  }

  // What hald says of virtual device `name` (nullopt: it has none).
  static std::optional<remote::v1::VirtualDeviceStatus> Status(const std::string& name) {
    absl::StatusOr<remote::DaemonClient> daemon =
        remote::DaemonClient::Connect(Config().endpoint, "", "step_device_test", absl::Seconds(10));
    EXPECT_TRUE(daemon.ok()) << daemon.status();
    if (!daemon.ok()) return std::nullopt;
    remote::ClientMessage request;
    request.mutable_pool_status();
    absl::StatusOr<remote::DaemonMessage> answer = daemon->Call(std::move(request));
    EXPECT_TRUE(answer.ok()) << answer.status();
    if (!answer.ok()) return std::nullopt;
    for (const remote::v1::VirtualDeviceStatus& device : answer->pool_status().virtual_devices()) {
      if (device.name() == name) return device;
    }
    return std::nullopt;
  }

  static testing::HaldProcess* hald_;
};

testing::HaldProcess* StepVirtualDeviceTest::hald_ = nullptr;

TEST(StepLabelTest, NamesStepsAsSlurmDoes) {
  EXPECT_EQ(StepLabel({42, 3}), "42.3");
  EXPECT_EQ(StepLabel({42, SLURM_BATCH_SCRIPT}), "42.batch");
  EXPECT_EQ(StepLabel({42, SLURM_INTERACTIVE_STEP}), "42.interactive");
  EXPECT_EQ(StepLabel({42, SLURM_EXTERN_CONT}), "42.extern");
}

TEST_F(StepVirtualDeviceTest, CreatesTheStepsDeviceAndSaysHowToReachIt) {
  absl::StatusOr<StepVirtualDevice> device =
      StepVirtualDevice::Create(Config(), {42, 0}, Request(1 << 20));
  ASSERT_TRUE(device.ok()) << device.status();
  EXPECT_EQ(device->created().name, "slurm-42.0");
  EXPECT_EQ(device->created().physical_device, "cpu:0");
  ASSERT_FALSE(device->created().token.empty());
  EXPECT_THAT(device->TaskEnvironment(),
              ElementsAre(Pair("HAL_REMOTE_ENDPOINT", hald_->unix_endpoint()),
                          Pair("HAL_REMOTE_TOKEN", device->created().token),
                          Pair("HAL_VIRTUAL_DEVICE", "slurm-42.0"),
                          Pair("HAL_DEVICE_SELECTOR", "remote:0")));
  std::optional<remote::v1::VirtualDeviceStatus> status = Status("slurm-42.0");
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->owner(), "slurm job 42.0");
  EXPECT_EQ(status->memory_quota_bytes(), 1u << 20);
  EXPECT_TRUE(device->Destroy().ok());
  EXPECT_FALSE(Status("slurm-42.0").has_value());
  absl::Status again = device->Destroy();
  EXPECT_EQ(again.code(), absl::StatusCode::kNotFound) << again;
  EXPECT_THAT(again.message(), HasSubstr("virtual device slurm-42.0: "));
}

TEST_F(StepVirtualDeviceTest, AStepThatHasOneGetsNoSecond) {
  absl::StatusOr<StepVirtualDevice> first =
      StepVirtualDevice::Create(Config(), {43, 0}, Request(1 << 20));
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<StepVirtualDevice> second =
      StepVirtualDevice::Create(Config(), {43, 0}, Request(1 << 20));
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists) << second.status();
  EXPECT_THAT(second.status().message(), HasSubstr("virtual device slurm-43.0: "));
  EXPECT_TRUE(first->Destroy().ok());
}

TEST_F(StepVirtualDeviceTest, WhatNoDeviceCanHoldIsResourceExhausted) {
  absl::StatusOr<StepVirtualDevice> device =
      StepVirtualDevice::Create(Config(), {44, 0}, Request(uint64_t{1} << 62));
  EXPECT_EQ(device.status().code(), absl::StatusCode::kResourceExhausted) << device.status();
  EXPECT_THAT(device.status().message(), HasSubstr("virtual device slurm-44.0: "));
}

TEST_F(StepVirtualDeviceTest, ItsLeaseEndsWithTheObject) {
  {
    absl::StatusOr<StepVirtualDevice> device =
        StepVirtualDevice::Create(Config(), {45, 0}, Request(1 << 20));
    ASSERT_TRUE(device.ok()) << device.status();
  }
  // hald destroys it once it sees the connection closed.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (Status("slurm-45.0").has_value() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_FALSE(Status("slurm-45.0").has_value());
  absl::StatusOr<StepVirtualDevice> again =
      StepVirtualDevice::Create(Config(), {45, 0}, Request(1 << 20));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->Destroy().ok());
}

// Over TCP slurmd is no operator: the plugin's token_file= admin token is
// what lets it create the step's device, and the tasks reach hald the same
// way.
TEST_F(StepVirtualDeviceTest, OverTcpTheAdminTokenIsWhatMayCreate) {
  PluginConfig config = Config();
  config.endpoint = remote::ParseEndpoint(hald_->tcp_endpoint()).value();
  absl::StatusOr<StepVirtualDevice> refused =
      StepVirtualDevice::Create(config, {47, 0}, Request(1 << 20));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied) << refused.status();
  EXPECT_FALSE(Status("slurm-47.0").has_value());

  config.admin_token = testing::kRemoteTestToken;
  absl::StatusOr<StepVirtualDevice> device =
      StepVirtualDevice::Create(config, {47, 0}, Request(1 << 20));
  ASSERT_TRUE(device.ok()) << device.status();
  EXPECT_THAT(device->TaskEnvironment(),
              ElementsAre(Pair("HAL_REMOTE_ENDPOINT", hald_->tcp_endpoint()),
                          Pair("HAL_REMOTE_TOKEN", device->created().token),
                          Pair("HAL_VIRTUAL_DEVICE", "slurm-47.0"),
                          Pair("HAL_DEVICE_SELECTOR", "remote:0")));
  EXPECT_TRUE(Status("slurm-47.0").has_value());
  EXPECT_TRUE(device->Destroy().ok());
}

TEST(StepVirtualDeviceNoDaemonTest, IsUnavailableNamingTheDevice) {
  PluginConfig config;
  config.endpoint = remote::ParseEndpoint("unix:/nonexistent/hald.sock").value();
  config.timeout = absl::Seconds(1);
  absl::StatusOr<StepVirtualDevice> device = StepVirtualDevice::Create(config, {46, 1}, {});
  EXPECT_EQ(device.status().code(), absl::StatusCode::kUnavailable) << device.status();
  EXPECT_THAT(device.status().message(), HasSubstr("virtual device slurm-46.1: "));
}

}  // namespace
}  // namespace hal::slurm
