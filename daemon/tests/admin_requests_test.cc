// The admin requests against an in-process hald, through the client the
// scheduler integrations use (DaemonClient, CreateVirtualDevice,
// DestroyVirtualDevice): who may ask, what a created virtual device's token
// grants, destroying one under its tenants, leases, and the reload.
#include "backends/remote/protocol/admin_requests.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"
#include "backends/remote/protocol/daemon_client.h"
#include "backends/remote/protocol/status_codec.h"
#include "daemon/tests/daemon_fixture.h"
#include "gmock/gmock.h"

namespace hal::daemon::testing {
namespace {

using ::testing::HasSubstr;

// cpu:0 capped at 256 MiB: the pool file's "fixed" (64 MiB, share 0.25)
// leaves 192 MiB and a share of 0.75 to the admin requests.
std::string AdminPoolFile(const std::string& admin_digest) {
  return absl::StrCat(R"({
  "pool": {"devices": ["cpu:0"], "capacity_caps": {"cpu:0": "256MiB"}},
  "virtual_devices": [{"name": "fixed", "memory_quota": "64MiB", "compute_share": 0.25}],
  "hald": {"access": [{"tokens_sha256": [")",
                      admin_digest, R"("], "admin": true}]}
})");
}

remote::VirtualDeviceRequest Request(const std::string& name, uint64_t quota = 32u << 20) {
  remote::VirtualDeviceRequest request;
  request.name = name;
  request.memory_quota = quota;
  request.compute_share = 0.25;
  request.owner = absl::StrCat("test job ", name);
  request.lease = false;
  return request;
}

class AdminRequestsTest : public DaemonTest {
 protected:
  void SetUp() override {
    DaemonTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // A pool file rule grants the token "admin-secret" the admin requests.
    StartServer(AdminPoolFile(HexDigest("admin-secret")));
  }
  static std::string HexDigest(const std::string& token) {
    const std::array<uint8_t, 32> digest = AccessPolicy::TokenDigest(token);
    std::string hex;
    for (uint8_t byte : digest) absl::StrAppend(&hex, absl::Hex(byte, absl::kZeroPad2));
    return hex;
  }
  // An operator: the daemon's own user on the Unix socket.
  remote::DaemonClient Operator() { return Connected(unix_endpoint(), ""); }
  remote::DaemonClient Connected(const remote::Endpoint& endpoint, const std::string& token) {
    absl::StatusOr<remote::DaemonClient> client =
        remote::DaemonClient::Connect(endpoint, token, "admin test", absl::Seconds(10));
    EXPECT_TRUE(client.ok()) << client.status();
    return *std::move(client);
  }
  // A tenant over TCP (never an operator) presenting `token`.
  std::unique_ptr<TestClient> Tenant(const std::string& token) {
    std::unique_ptr<TestClient> client = Client(tcp_endpoint());
    if (client == nullptr) return nullptr;
    absl::StatusOr<DaemonMessage> welcome = client->Hello(token);
    EXPECT_TRUE(welcome.ok() && welcome->has_welcome());
    return client;
  }
  std::vector<std::string> Listed(TestClient& tenant) {
    absl::StatusOr<DaemonMessage> list = tenant.Request(ListDevicesMessage());
    std::vector<std::string> names;
    if (!list.ok()) return names;
    for (const auto& device : list->device_list().devices()) names.push_back(device.virtual_device());
    return names;
  }
  // Waits (up to 10 s) until the daemon has forgotten virtual device `name`
  // (not only stopped attaching to it) and the pool has no such one.
  bool WaitForGone(const std::string& name) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      // The pool's list is dropped before the sleep: a reference held
      // meanwhile would keep the destroy waiting.
      const auto in_pool = [&] {
        const auto devices = server_->context().pool().virtual_devices();
        return std::any_of(devices.begin(), devices.end(),
                           [&](const auto& device) { return device->name() == name; });
      };
      if (!server_->context().Dynamic(name).has_value() && !in_pool()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
};

TEST_F(AdminRequestsTest, ATokenHolderSeesExactlyTheCreatedVirtualDeviceAndItsQuota) {
  remote::DaemonClient admin = Operator();
  absl::StatusOr<remote::CreatedVirtualDevice> created =
      remote::CreateVirtualDevice(admin, Request("job1"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->name, "job1");
  EXPECT_EQ(created->physical_device, "cpu:0");
  EXPECT_EQ(created->token.size(), 64u);

  std::unique_ptr<TestClient> tenant = Tenant(created->token);
  ASSERT_TRUE(tenant);
  absl::StatusOr<DaemonMessage> list = tenant->Request(ListDevicesMessage());
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->device_list().devices_size(), 1);
  EXPECT_EQ(list->device_list().devices(0).virtual_device(), "job1");
  EXPECT_EQ(list->device_list().devices(0).total_memory_bytes(), 32u << 20);
  EXPECT_TRUE(tenant->Call(AttachMessage("job1")).ok());
  EXPECT_EQ(tenant->Call(AllocateMessage(1, 33u << 20)).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Tenant(created->token)->Call(AttachMessage("fixed")).code(),
            absl::StatusCode::kPermissionDenied);

  std::unique_ptr<TestClient> stranger = Tenant("");
  ASSERT_TRUE(stranger);
  EXPECT_TRUE(Listed(*stranger).empty());
  EXPECT_EQ(stranger->Call(AttachMessage("job1")).code(), absl::StatusCode::kPermissionDenied);
  // Two creations get two different tokens.
  absl::StatusOr<remote::CreatedVirtualDevice> other =
      remote::CreateVirtualDevice(admin, Request("job2"));
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_NE(other->token, created->token);
  EXPECT_EQ(Listed(*Tenant(other->token)), std::vector<std::string>{"job2"});
}

TEST_F(AdminRequestsTest, AttachUidsMayAttachWithoutTheToken) {
  remote::VirtualDeviceRequest request = Request("by-uid");
  request.attach_uids = {getuid()};
  remote::DaemonClient admin = Operator();
  ASSERT_TRUE(remote::CreateVirtualDevice(admin, request).ok());
  const std::optional<DynamicVirtualDevice> dynamic = server_->context().Dynamic("by-uid");
  ASSERT_TRUE(dynamic.has_value());
  EXPECT_TRUE(dynamic->grant.uids.contains(getuid()));
  EXPECT_EQ(dynamic->grant.virtual_devices.size(), 1u);
}

TEST_F(AdminRequestsTest, OnlyOperatorsAndAdminRulesMayAsk) {
  remote::DaemonClient stranger = Connected(tcp_endpoint(), "");
  absl::StatusOr<remote::CreatedVirtualDevice> refused =
      remote::CreateVirtualDevice(stranger, Request("job"));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.status().message(), HasSubstr("refused"));
  EXPECT_EQ(remote::DestroyVirtualDevice(stranger, "fixed").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(FindVirtualDevice("job"), nullptr);
  EXPECT_NE(FindVirtualDevice("fixed"), nullptr);
  // A created virtual device's token grants attaching, not administering.
  remote::DaemonClient admin = Operator();
  absl::StatusOr<remote::CreatedVirtualDevice> created =
      remote::CreateVirtualDevice(admin, Request("job"));
  ASSERT_TRUE(created.ok());
  remote::DaemonClient tenant = Connected(tcp_endpoint(), created->token);
  EXPECT_EQ(remote::DestroyVirtualDevice(tenant, "job").code(),
            absl::StatusCode::kPermissionDenied);

  remote::DaemonClient ruled = Connected(tcp_endpoint(), "admin-secret");
  EXPECT_TRUE(remote::CreateVirtualDevice(ruled, Request("by-rule")).ok());
  EXPECT_TRUE(remote::DestroyVirtualDevice(ruled, "by-rule").ok());
}

TEST_F(AdminRequestsTest, NameClashesBadSpecsAndNoFitAreRefusedWithNothingCreated) {
  remote::DaemonClient admin = Operator();
  EXPECT_EQ(remote::CreateVirtualDevice(admin, Request("fixed")).status().code(),
            absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(remote::CreateVirtualDevice(admin, Request("job")).ok());
  EXPECT_EQ(remote::CreateVirtualDevice(admin, Request("job")).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(remote::CreateVirtualDevice(admin, Request("empty", 0)).status().code(),
            absl::StatusCode::kInvalidArgument);
  remote::VirtualDeviceRequest share = Request("share");
  share.compute_share = 1.5;
  EXPECT_EQ(remote::CreateVirtualDevice(admin, share).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(remote::CreateVirtualDevice(admin, Request("", 1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  // 256 MiB - 64 - 32 leaves 160 MiB.
  EXPECT_EQ(remote::CreateVirtualDevice(admin, Request("huge", 161u << 20)).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(server_->context().pool().virtual_devices().size(), 2u);
  EXPECT_EQ(server_->context().Owners().size(), 1u);
}

// require_device (protocol 1.2): placed on that device, NotFound for one
// hald's pool does not have, ResourceExhausted naming it when it is full.
TEST_F(AdminRequestsTest, ARequiredDeviceIsWhereItGoesOrTheRefusalNamesIt) {
  remote::DaemonClient admin = Operator();
  remote::VirtualDeviceRequest request = Request("pinned");
  request.require_device = "cpu:0";
  absl::StatusOr<remote::CreatedVirtualDevice> created = remote::CreateVirtualDevice(admin, request);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->physical_device, "cpu:0");
  request.name = "elsewhere";
  request.require_device = "vulkan:7";
  absl::Status refused = remote::CreateVirtualDevice(admin, request).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(refused.message(), HasSubstr("requires device vulkan:7, which is not in the pool"));
  // 256 MiB - 64 - 32 leaves 160 MiB.
  request = Request("huge", 161u << 20);
  request.require_device = "cpu:0";
  refused = remote::CreateVirtualDevice(admin, request).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.message(), HasSubstr("cpu:0: has room for"));
  EXPECT_EQ(server_->context().pool().virtual_devices().size(), 2u);
}

TEST_F(AdminRequestsTest, DestroyEndsItsTenantsFreesEverythingAndReturnsThePlacement) {
  remote::DaemonClient admin = Operator();
  absl::StatusOr<remote::CreatedVirtualDevice> created =
      remote::CreateVirtualDevice(admin, Request("job", 160u << 20));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(remote::CreateVirtualDevice(admin, Request("next", 160u << 20)).status().code(),
            absl::StatusCode::kResourceExhausted);
  std::unique_ptr<TestClient> tenant = Tenant(created->token);
  ASSERT_TRUE(tenant);
  ASSERT_TRUE(tenant->Call(AttachMessage("job")).ok());
  ASSERT_TRUE(tenant->Call(AllocateMessage(1, 1 << 20)).ok());
  ASSERT_TRUE(tenant->Call(StreamCreateMessage(2)).ok());
  ASSERT_GT(FindVirtualDevice("job")->memory_used(), 0u);

  ASSERT_TRUE(remote::DestroyVirtualDevice(admin, "job").ok());
  EXPECT_EQ(FindVirtualDevice("job"), nullptr);
  EXPECT_EQ(server_->context().sessions().AttachedTo("job"), 0u);
  EXPECT_FALSE(server_->context().Dynamic("job").has_value());
  EXPECT_EQ(server_->context().pool().usage()[0].quota_placed, 64u << 20);
  // The tenant's connection is closed: its device is lost.
  EXPECT_EQ(tenant->Call(AllocateMessage(3, 4096)).code(), absl::StatusCode::kUnavailable);
  // Its token is void, and the room is there for another of the same name.
  EXPECT_TRUE(Listed(*Tenant(created->token)).empty());
  absl::StatusOr<remote::CreatedVirtualDevice> again =
      remote::CreateVirtualDevice(admin, Request("job", 160u << 20));
  ASSERT_TRUE(again.ok()) << again.status();
}

TEST_F(AdminRequestsTest, DestroyOfAnUnknownOrPoolFileVirtualDeviceChangesNothing) {
  remote::DaemonClient admin = Operator();
  EXPECT_EQ(remote::DestroyVirtualDevice(admin, "nothing").code(), absl::StatusCode::kNotFound);
  const absl::Status refused = remote::DestroyVirtualDevice(admin, "fixed");
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("pool file"));
  EXPECT_NE(FindVirtualDevice("fixed"), nullptr);
  EXPECT_TRUE(Attached("fixed"));
}

// A session cannot wait for its own end: destroying the virtual device it is
// attached to is refused, and nothing changes.
TEST_F(AdminRequestsTest, DestroyFromASessionAttachedToItIsRefused) {
  remote::DaemonClient admin = Operator();
  ASSERT_TRUE(remote::CreateVirtualDevice(admin, Request("job")).ok());
  std::unique_ptr<TestClient> attached = Attached("job");
  ASSERT_TRUE(attached);
  ClientMessage destroy;
  destroy.mutable_virtual_device_destroy()->set_name("job");
  const absl::Status refused = attached->Call(destroy);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("attached"));
  EXPECT_NE(FindVirtualDevice("job"), nullptr);
  EXPECT_TRUE(attached->Call(AllocateMessage(1, 4096)).ok());
}

// A second destroy while the first still waits for the tenants' charges (a
// destroy under way is "retiring") is refused and disturbs nothing: the
// first one finishes the work.
TEST_F(AdminRequestsTest, DestroyOfOneAlreadyBeingDestroyedIsRefused) {
  remote::DaemonClient admin = Operator();
  ASSERT_TRUE(remote::CreateVirtualDevice(admin, Request("job")).ok());
  std::unique_ptr<TestClient> attached = Attached("job");
  ASSERT_TRUE(attached);
  {
    // What the first destroy does before it ends the sessions and waits.
    std::lock_guard<std::mutex> lock(server_->context().admin_mutex());
    server_->context().Retire("job");
  }
  const absl::Status refused = remote::DestroyVirtualDevice(admin, "job");
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("already being destroyed"));
  // Still in the pool, with its tenant attached and served.
  const auto& in_pool = server_->context().pool().virtual_devices();
  EXPECT_TRUE(std::any_of(in_pool.begin(), in_pool.end(),
                          [](const auto& device) { return device->name() == "job"; }));
  EXPECT_EQ(server_->context().sessions().AttachedTo("job"), 1u);
  EXPECT_TRUE(attached->Call(AllocateMessage(1, 4096)).ok());
}

TEST_F(AdminRequestsTest, ALeasedVirtualDeviceEndsWithItsCreatorsConnection) {
  remote::VirtualDeviceRequest leased = Request("leased");
  leased.lease = true;
  std::string token;
  {
    remote::DaemonClient creator = Operator();
    absl::StatusOr<remote::CreatedVirtualDevice> created =
        remote::CreateVirtualDevice(creator, leased);
    ASSERT_TRUE(created.ok()) << created.status();
    token = created->token;
    ASSERT_TRUE(remote::CreateVirtualDevice(creator, Request("kept")).ok());
  }
  std::unique_ptr<TestClient> tenant = Tenant(token);
  // The creator's connection closed: the leased one goes, the other stays.
  EXPECT_TRUE(WaitForGone("leased"));
  EXPECT_NE(FindVirtualDevice("kept"), nullptr);
  EXPECT_FALSE(server_->context().Dynamic("leased").has_value());
}

TEST_F(AdminRequestsTest, AReloadNeitherRemovesNorReAddsCreatedOnesAndKeepsTheirGrants) {
  remote::DaemonClient admin = Operator();
  absl::StatusOr<remote::CreatedVirtualDevice> created =
      remote::CreateVirtualDevice(admin, Request("job"));
  ASSERT_TRUE(created.ok());
  // The file now also names a virtual device "job": not added over it.
  folder_.Write("pool.json", absl::StrCat(R"({
  "pool": {"devices": ["cpu:0"], "capacity_caps": {"cpu:0": "256MiB"}},
  "virtual_devices": [{"name": "fixed", "memory_quota": "64MiB", "compute_share": 0.25},
                      {"name": "job", "memory_quota": "8MiB", "compute_share": 0.25}]
})"));
  server_->Reload();
  ASSERT_NE(FindVirtualDevice("job"), nullptr);
  EXPECT_EQ(FindVirtualDevice("job")->memory_quota(), 32u << 20);
  EXPECT_EQ(Listed(*Tenant(created->token)), std::vector<std::string>{"job"});
  EXPECT_TRUE(remote::DestroyVirtualDevice(admin, "job").ok());
}

TEST_F(AdminRequestsTest, PoolStatusShowsTheOwnerOfCreatedOnes) {
  remote::DaemonClient admin = Operator();
  ASSERT_TRUE(remote::CreateVirtualDevice(admin, Request("job")).ok());
  ClientMessage request;
  request.mutable_pool_status();
  absl::StatusOr<DaemonMessage> answer = admin.Call(std::move(request));
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_EQ(answer->pool_status().virtual_devices_size(), 2);
  for (const auto& vd : answer->pool_status().virtual_devices()) {
    EXPECT_EQ(vd.dynamic(), vd.name() == "job");
    EXPECT_EQ(vd.owner(), vd.name() == "job" ? "test job job" : "");
  }
}

// A created virtual device's token scopes its session, even over the Unix
// socket from an operator's uid (a Slurm job run as root, a root container):
// only that virtual device, no status, no admin requests; and once that
// virtual device is destroyed, nothing.
TEST_F(AdminRequestsTest, ACreatedTokenScopesItsSessionWhateverTheUid) {
  remote::DaemonClient admin = Operator();
  absl::StatusOr<remote::CreatedVirtualDevice> created =
      remote::CreateVirtualDevice(admin, Request("job"));
  ASSERT_TRUE(created.ok()) << created.status();
  std::unique_ptr<TestClient> scoped = Client(unix_endpoint());
  ASSERT_TRUE(scoped);
  ASSERT_TRUE(scoped->Hello(created->token).ok());
  EXPECT_EQ(Listed(*scoped), std::vector<std::string>{"job"});
  EXPECT_EQ(scoped->Call(AttachMessage("fixed")).code(), absl::StatusCode::kPermissionDenied);
  ClientMessage status;
  status.mutable_pool_status();
  EXPECT_EQ(scoped->Call(status).code(), absl::StatusCode::kPermissionDenied);
  remote::DaemonClient scoped_admin = Connected(unix_endpoint(), created->token);
  EXPECT_EQ(remote::CreateVirtualDevice(scoped_admin, Request("more")).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(remote::DestroyVirtualDevice(scoped_admin, "job").code(),
            absl::StatusCode::kPermissionDenied);
  // The same uid without the token is still an operator.
  std::unique_ptr<TestClient> unscoped = Client(unix_endpoint());
  ASSERT_TRUE(unscoped && unscoped->Hello().ok());
  EXPECT_EQ(Listed(*unscoped), (std::vector<std::string>{"fixed", "job"}));

  ASSERT_TRUE(remote::DestroyVirtualDevice(admin, "job").ok());
  ASSERT_TRUE(remote::CreateVirtualDevice(admin, Request("job")).ok());
  // Scoped to the destroyed one: not the new one of its name, not the rest.
  EXPECT_TRUE(Listed(*scoped).empty());
  EXPECT_EQ(scoped->Call(AttachMessage("job")).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(scoped->Call(status).code(), absl::StatusCode::kPermissionDenied);
}

// Root in a container without a user namespace is uid 0 on SO_PEERCRED too:
// a client in another PID namespace is no operator. hal-info --pool started
// under `unshare --pid --fork` is refused hald's status; started here, as the
// same user, it is shown it.
TEST_F(AdminRequestsTest, AnOperatorsUidInAnotherPidNamespaceIsNoOperator) {
  const std::string hal_info = std::string(HAL_TEST_BINARY_DIR) + "/bin/hal-info";
  if (access(hal_info.c_str(), X_OK) != 0) GTEST_SKIP() << hal_info << " was not built";
  if (std::system("unshare --pid --fork true >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "unshare --pid --fork is refused here (not root, or a container "
                    "without CAP_SYS_ADMIN)";
  }
  const std::string run = absl::StrCat("HAL_REMOTE_ENDPOINT=", unix_endpoint().ToString(), " ");
  const std::string query = absl::StrCat(hal_info, " --pool >/dev/null 2>&1");
  const int here = std::system((run + query).c_str());
  ASSERT_TRUE(WIFEXITED(here));
  EXPECT_EQ(WEXITSTATUS(here), 0) << "hal-info --pool as the daemon's user, here";
  const int unshared = std::system((run + "unshare --pid --fork " + query).c_str());
  ASSERT_TRUE(WIFEXITED(unshared));
  EXPECT_EQ(WEXITSTATUS(unshared), 5) << "hal-info --pool in another PID namespace: "
                                          "not refused by hald (exit 5)";
  // What decides it, directly: this process, and a gone or absent one.
  EXPECT_TRUE(InDaemonPidNamespace(getpid()));
  EXPECT_FALSE(InDaemonPidNamespace(0));
  EXPECT_FALSE(InDaemonPidNamespace(-1));
}

// DaemonClient's own paths: nothing listening, a peer that never answers, a
// refusal.
TEST_F(AdminRequestsTest, DaemonClientSaysWhyItGotNoAnswer) {
  absl::StatusOr<remote::Endpoint> nowhere =
      remote::ParseEndpoint(absl::StrCat("unix:", folder_.path(), "/nothing.sock"));
  ASSERT_TRUE(nowhere.ok());
  absl::StatusOr<remote::DaemonClient> absent =
      remote::DaemonClient::Connect(*nowhere, "", "test", absl::Seconds(1));
  EXPECT_EQ(absent.status().code(), absl::StatusCode::kUnavailable);

  // A listener that accepts (the kernel's backlog) and never answers.
  absl::StatusOr<remote::Endpoint> silent_endpoint =
      remote::ParseEndpoint(absl::StrCat("unix:", folder_.path(), "/silent.sock"));
  ASSERT_TRUE(silent_endpoint.ok());
  absl::StatusOr<remote::UniqueFd> silent = remote::Listen(*silent_endpoint);
  ASSERT_TRUE(silent.ok()) << silent.status();
  absl::StatusOr<remote::DaemonClient> timed_out =
      remote::DaemonClient::Connect(*silent_endpoint, "", "test", absl::Milliseconds(100));
  EXPECT_EQ(timed_out.status().code(), absl::StatusCode::kDeadlineExceeded) << timed_out.status();

  remote::DaemonClient stranger = Connected(tcp_endpoint(), "");
  EXPECT_GT(stranger.session(), 0u);
  EXPECT_EQ(stranger.endpoint(), tcp_endpoint().ToString());
  ClientMessage status;
  status.mutable_pool_status();
  absl::StatusOr<DaemonMessage> refused = stranger.Call(status);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.status().message(),
              HasSubstr(absl::StrCat("hald at ", tcp_endpoint().ToString(), " refused: ")));
}

}  // namespace
}  // namespace hal::daemon::testing
