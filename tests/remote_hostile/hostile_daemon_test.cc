#include "tests/remote_hostile/hostile_daemon_test.h"

#include <utility>

#include "nlohmann/json.hpp"

namespace hal::testing {

std::unique_ptr<HaldProcess> HostileDaemonTest::hald_;
remote::Endpoint HostileDaemonTest::endpoint_;
remote::Endpoint HostileDaemonTest::tcp_endpoint_;

namespace {

// Two virtual devices of the CPU device, no "hald" object: peers of the
// daemon's own uid on the Unix socket may attach, and no native kernels run.
std::string PoolJson() {
  nlohmann::json virtual_devices = nlohmann::json::array();
  for (const char* name : {kDeviceA, kDeviceB}) {
    virtual_devices.push_back(
        {{"name", name}, {"memory_quota", kQuotaBytes}, {"compute_share", 0.5}});
  }
  return nlohmann::json{
      {"pool", {{"devices", {"cpu:0"}}, {"capacity_caps", {{"cpu:0", 4 * kQuotaBytes}}}}},
      {"virtual_devices", virtual_devices}}
      .dump();
}

}  // namespace

void HostileDaemonTest::SetUpTestSuite() {
  HaldProcess::Options options;
  options.hald = HAL_TEST_HALD_PATH;
  options.pool_json = PoolJson();
  options.listen_tcp = true;
  absl::StatusOr<std::unique_ptr<HaldProcess>> hald = HaldProcess::Start(options);
  ASSERT_TRUE(hald.ok()) << hald.status();
  hald_ = *std::move(hald);
  absl::StatusOr<remote::Endpoint> endpoint = remote::ParseEndpoint(hald_->unix_endpoint());
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  endpoint_ = *std::move(endpoint);
  absl::StatusOr<remote::Endpoint> tcp = remote::ParseEndpoint(hald_->tcp_endpoint());
  ASSERT_TRUE(tcp.ok()) << tcp.status();
  tcp_endpoint_ = *std::move(tcp);
}

void HostileDaemonTest::TearDownTestSuite() {
  if (hald_ == nullptr) return;
  // hald survived the suite's hostile peers and exits 0 on SIGTERM.
  const absl::Status stopped = hald_->StopCleanly();
  EXPECT_TRUE(stopped.ok()) << stopped;
  hald_.reset();
}

pid_t HostileDaemonTest::daemon_pid() { return hald_->pid(); }

std::unique_ptr<RawSession> HostileDaemonTest::Connect(const remote::Endpoint& endpoint) {
  absl::StatusOr<std::unique_ptr<RawSession>> session = RawSession::Connect(endpoint);
  EXPECT_TRUE(session.ok()) << session.status();
  return session.ok() ? *std::move(session) : nullptr;
}

std::unique_ptr<RawSession> HostileDaemonTest::OpenTenant(const std::string& virtual_device,
                                                          uint64_t bytes) {
  absl::StatusOr<std::unique_ptr<RawSession>> session = RawSession::Open(endpoint_, virtual_device);
  EXPECT_TRUE(session.ok()) << session.status();
  if (!session.ok()) return nullptr;
  const absl::Status allocated = (*session)->Allocate(1, bytes);
  EXPECT_TRUE(allocated.ok()) << allocated;
  const absl::Status created = (*session)->CreateStream(1);
  EXPECT_TRUE(created.ok()) << created;
  if (!allocated.ok() || !created.ok()) return nullptr;
  return *std::move(session);
}

void HostileDaemonTest::SetUp() {
  ASSERT_NE(hald_, nullptr) << "hald did not start";
  bystander_ = OpenTenant(kDeviceA, kBystanderBytes);
  ASSERT_NE(bystander_, nullptr);
  ASSERT_TRUE(
      bystander_->Upload(kBystanderStream, kBystanderBuffer, 0, Pattern(kBystanderBytes, 1)).ok());
  ASSERT_TRUE(bystander_->Synchronize(kBystanderStream).ok());
}

void HostileDaemonTest::TearDown() {
  if (hald_ == nullptr || bystander_ == nullptr) return;
  // The bystander's session was open through the test: its data is intact.
  absl::StatusOr<std::string> kept =
      bystander_->Download(kBystanderStream, kBystanderBuffer, 0, kBystanderBytes);
  ASSERT_TRUE(kept.ok()) << "the bystander session was disturbed: " << kept.status();
  EXPECT_TRUE(*kept == Pattern(kBystanderBytes, 1)) << "the bystander's buffer changed";
  bystander_.reset();
  // A new tenant is served on either virtual device.
  for (const char* device : {kDeviceA, kDeviceB}) {
    std::unique_ptr<RawSession> tenant = OpenTenant(device);
    ASSERT_NE(tenant, nullptr) << "hald no longer serves a tenant on " << device;
    const absl::Status served = tenant->RoundTrip(Pattern(4096, 2));
    EXPECT_TRUE(served.ok()) << "a new tenant on " << device << ": " << served;
  }
}

}  // namespace hal::testing
