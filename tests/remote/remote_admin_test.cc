// The admin requests end to end: a virtual device created in a running hald
// is what a tenant process holding its token sees as remote:0, with its
// quota, until it is destroyed under it.
#include <stdlib.h>

#include "backends/remote/protocol/admin_requests.h"
#include "backends/remote/protocol/daemon_client.h"
#include "gmock/gmock.h"
#include "hal/hal.h"
#include "tests/remote/remote_fixture.h"

namespace hal::testing {
namespace {

using ::testing::StartsWith;

constexpr uint64_t kJobQuota = 8 << 20;

class RemoteAdminTest : public RemoteTest {
 protected:
  void TearDown() override {
    unsetenv("HAL_REMOTE_ENDPOINT");
    unsetenv("HAL_REMOTE_TOKEN");
    RemoteTest::TearDown();
  }
  // The remote devices a tenant presenting `token` over TCP (never an
  // operator) sees.
  std::unique_ptr<Runtime> TenantRuntime(const std::string& token) {
    setenv("HAL_REMOTE_ENDPOINT", hald_->tcp_endpoint().c_str(), 1);
    setenv("HAL_REMOTE_TOKEN", token.c_str(), 1);
    RuntimeOptions options;
    options.selector = "remote";
    auto runtime = Runtime::Create(options);
    EXPECT_TRUE(runtime.ok()) << runtime.status();
    return runtime.ok() ? *std::move(runtime) : nullptr;
  }
};

TEST_F(RemoteAdminTest, TheTokenHoldersRemote0IsTheCreatedVirtualDeviceUntilItIsDestroyed) {
  ASSERT_NO_FATAL_FAILURE(StartHald({{"fixed", 4 << 20, 0.5}}));
  auto endpoint = remote::ParseEndpoint(hald_->unix_endpoint());
  ASSERT_TRUE(endpoint.ok());
  // The test's own uid on the Unix socket: an operator.
  auto admin = remote::DaemonClient::Connect(*endpoint, "", "remote admin test", absl::Seconds(10));
  ASSERT_TRUE(admin.ok()) << admin.status();
  remote::VirtualDeviceRequest request;
  request.name = "job";
  request.memory_quota = kJobQuota;
  request.compute_share = 0.25;
  request.owner = "remote admin test";
  request.lease = false;
  auto created = remote::CreateVirtualDevice(*admin, request);
  ASSERT_TRUE(created.ok()) << created.status();

  std::unique_ptr<Runtime> tenant = TenantRuntime(created->token);
  ASSERT_NE(tenant, nullptr);
  ASSERT_EQ(tenant->devices().size(), 1u) << hald_->LogTail();
  const PhysicalDevice& remote0 = *tenant->devices()[0];
  EXPECT_EQ(remote0.id(), "remote:0");
  EXPECT_THAT(remote0.properties().name, StartsWith("job on "));
  EXPECT_EQ(remote0.properties().memory_bytes, kJobQuota);
  auto device = remote0.Open();
  ASSERT_TRUE(device.ok()) << device.status();
  auto buffer = (*device)->Allocate(1 << 20);
  ASSERT_TRUE(buffer.ok()) << buffer.status();
  EXPECT_EQ((*device)->Allocate(kJobQuota).status().code(), absl::StatusCode::kResourceExhausted);
  auto status = StatusOf("job");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->owner(), "remote admin test");
  EXPECT_EQ(status->sessions(), 1u);

  // Destroyed under its tenant: the tenant's device is lost, and nothing of
  // it is left in hald.
  ASSERT_TRUE(remote::DestroyVirtualDevice(*admin, "job").ok());
  EXPECT_EQ((*device)->Allocate(4096).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(StatusOf("job").status().code(), absl::StatusCode::kNotFound);
  buffer->reset();
  device->reset();
  tenant.reset();
  // Its token is void: a new tenant with it sees no device.
  std::unique_ptr<Runtime> late = TenantRuntime(created->token);
  ASSERT_NE(late, nullptr);
  EXPECT_TRUE(late->devices().empty());
}

}  // namespace
}  // namespace hal::testing
