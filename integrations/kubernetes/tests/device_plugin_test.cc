// The whole plugin (PluginRunner) between a fake kubelet and a hald of the
// build tree serving a pool of cpu:0 capped at 64 MiB: four slices of
// 16 MiB and compute share 0.25, resource hal.dev/cpu-0.
#include <signal.h>

#include <filesystem>
#include <map>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "integrations/kubernetes/tests/test_sizes.h"
#include "integrations/kubernetes/hald_admin.h"
#include "integrations/kubernetes/plugin_runner.h"
#include "integrations/kubernetes/slice_device_plugin.h"
#include "integrations/kubernetes/tests/fake_kubelet.h"
#include "tests/remote/child_process.h"
#include "tests/remote/hald_process.h"
#include "tests/remote/remote_pool.h"
#include "tests/test_folder.h"

namespace hal::kubernetes {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using testing::FakeKubelet;

constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr char kResource[] = "hal.dev/cpu-0";

class DevicePluginTest : public ::testing::Test {
 protected:
  // cpu:0 capped at 64 MiB: four slices of 16 MiB.
  virtual std::string PoolJson() {
    return hal::testing::RemotePoolJson({"cpu:0"}, {}, {{"capacity_caps", {{"cpu:0", "64MiB"}}}});
  }
  // Whether a pool hald cannot serve skips the test (a device absent here).
  virtual bool SkipWithoutHald() { return false; }

  void SetUp() override {
    hal::testing::HaldProcess::Options hald;
    hald.hald = HAL_TEST_HALD_PATH;
    hald.pool_json = PoolJson();
    auto started = hal::testing::HaldProcess::Start(hald);
    if (!started.ok() && SkipWithoutHald()) {
      GTEST_SKIP() << "hald could not serve this pool: " << started.status();
    }
    ASSERT_TRUE(started.ok()) << started.status();
    hald_ = *std::move(started);
    admin_ = std::make_unique<HaldAdmin>(HaldAdmin::Options{
        *remote::ParseEndpoint(hald_->unix_endpoint()), "", absl::Seconds(10)});

    std::filesystem::create_directories(folder_.path() + "/device-plugins");
    std::filesystem::create_directories(folder_.path() + "/pod-resources");
    std::filesystem::create_directories(folder_.path() + "/cdi");
    auto kubelet = FakeKubelet::Start(folder_.path() + "/device-plugins",
                                      folder_.path() + "/pod-resources/kubelet.sock");
    ASSERT_TRUE(kubelet.ok()) << kubelet.status();
    kubelet_ = *std::move(kubelet);
    StartPlugin();
  }

  void StartPlugin() {
    PluginOptions options;
    const std::string socket = hald_->folder() + "/hald.sock";
    options.access = ContainerAccess{socket, socket};
    options.slices.slice_bytes = 16 * kMiB;
    options.kubelet_folder = folder_.path() + "/device-plugins";
    options.pod_resources_socket = folder_.path() + "/pod-resources/kubelet.sock";
    options.cdi_folder = folder_.path() + "/cdi";
    options.reclaim_grace = absl::ZeroDuration();
    options.timeout = absl::Seconds(10);
    auto runner = PluginRunner::Start(options);
    ASSERT_TRUE(runner.ok()) << runner.status();
    runner_ = *std::move(runner);
  }

  std::unique_ptr<v1beta1::DevicePlugin::Stub> Plugin() {
    return kubelet_->PluginStub("hal-cpu-0.sock");
  }

  // Allocate of one container holding `ids`, as the kubelet calls it.
  grpc::Status Allocate(const std::vector<std::string>& ids,
                        v1beta1::ContainerAllocateResponse* container = nullptr) {
    v1beta1::AllocateRequest request;
    v1beta1::ContainerAllocateRequest* one = request.add_container_requests();
    for (const std::string& id : ids) one->add_devices_ids(id);
    v1beta1::AllocateResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    grpc::Status status = Plugin()->Allocate(&context, request, &response);
    if (status.ok() && container != nullptr) *container = response.container_responses(0);
    return status;
  }

  // A tenant process (tests/remote/remote_tenant.cc) of virtual device
  // HAL_VIRTUAL_DEVICE with a container's environment, once it is ready.
  static absl::StatusOr<std::unique_ptr<hal::testing::ChildProcess>> StartTenant(
      const v1beta1::ContainerAllocateResponse& container) {
    hal::testing::ChildProcess::Options tenant;
    tenant.argv = {HAL_REMOTE_TENANT_PATH, "--vd", container.envs().at("HAL_VIRTUAL_DEVICE")};
    for (const auto& [name, value] : container.envs()) tenant.environment.emplace_back(name, value);
    tenant.talk = true;
    auto process = hal::testing::ChildProcess::Start(tenant);
    if (!process.ok()) return process.status();
    auto ready = (*process)->ReadLine(absl::Seconds(30));
    if (!ready.ok()) return ready.status();
    if (*ready != "ready") return absl::FailedPreconditionError(*ready);
    return process;
  }

  // One command to a tenant and its answer ("error: ..." when none came).
  static std::string Ask(hal::testing::ChildProcess& tenant, const std::string& line) {
    if (absl::Status sent = tenant.WriteLine(line); !sent.ok()) return "error: " + sent.ToString();
    auto answer = tenant.ReadLine(absl::Seconds(30));
    return answer.ok() ? *answer : "error: " + answer.status().ToString();
  }

  absl::StatusOr<remote::v1::VirtualDeviceStatus> VirtualDevice(const std::string& name) {
    auto status = admin_->PoolStatus();
    if (!status.ok()) return status.status();
    for (const auto& vd : status->virtual_devices()) {
      if (vd.name() == name) return vd;
    }
    return absl::NotFoundError(name);
  }

  hal::testing::TestFolder folder_;
  std::unique_ptr<hal::testing::HaldProcess> hald_;
  std::unique_ptr<HaldAdmin> admin_;
  std::unique_ptr<FakeKubelet> kubelet_;
  std::unique_ptr<PluginRunner> runner_;
};

TEST_F(DevicePluginTest, RegistersEachDeviceOfHaldWithTheKubelet) {
  auto registrations = kubelet_->WaitForRegistrations(1);
  ASSERT_TRUE(registrations.ok()) << registrations.status();
  ASSERT_EQ(registrations->size(), 1u);
  const v1beta1::RegisterRequest& request = registrations->front();
  EXPECT_EQ(request.version(), "v1beta1");
  EXPECT_EQ(request.endpoint(), "hal-cpu-0.sock");
  EXPECT_EQ(request.resource_name(), kResource);
  EXPECT_TRUE(request.options().get_preferred_allocation_available());
  EXPECT_FALSE(request.options().pre_start_required());

  grpc::ClientContext context;
  v1beta1::DevicePluginOptions options;
  ASSERT_TRUE(Plugin()->GetDevicePluginOptions(&context, v1beta1::Empty(), &options).ok());
  EXPECT_TRUE(options.get_preferred_allocation_available());
  // The CDI spec names the device.
  EXPECT_TRUE(std::filesystem::exists(folder_.path() + "/cdi/hal.dev-vd.json"));
}

TEST_F(DevicePluginTest, ListAndWatchListsTheSlicesAndTheirHealth) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto stream = Plugin()->ListAndWatch(&context, v1beta1::Empty());
  v1beta1::ListAndWatchResponse list;
  ASSERT_TRUE(stream->Read(&list));
  std::vector<std::string> ids;
  for (const v1beta1::Device& device : list.devices()) {
    ids.push_back(device.id());
    EXPECT_EQ(device.health(), "Healthy");
  }
  EXPECT_THAT(ids, ElementsAre("cpu-0-s0", "cpu-0-s1", "cpu-0-s2", "cpu-0-s3"));
  // hald gone: the same slices, unhealthy.
  absl::Status stopped = hald_->StopCleanly();
  ASSERT_TRUE(stopped.ok()) << stopped;
  runner_->Tick();
  ASSERT_TRUE(stream->Read(&list));
  ASSERT_EQ(list.devices_size(), 4);
  EXPECT_EQ(list.devices(0).health(), "Unhealthy");
  context.TryCancel();
}

TEST_F(DevicePluginTest, AllocateMakesAVirtualDeviceOfTheSlicesThatATenantSees) {
  v1beta1::ContainerAllocateResponse container;
  grpc::Status status = Allocate({"cpu-0-s1", "cpu-0-s2"}, &container);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const auto& envs = container.envs();
  EXPECT_EQ(envs.at("HAL_VIRTUAL_DEVICE"), "k8s-cpu-0-s1");
  EXPECT_EQ(envs.at("HAL_REMOTE_ENDPOINT"), hald_->unix_endpoint());
  EXPECT_EQ(envs.at("HAL_DEVICE_SELECTOR"), "remote");
  EXPECT_EQ(envs.at("HAL_REMOTE_TOKEN").size(), 64u);
  ASSERT_EQ(container.mounts_size(), 1);
  EXPECT_EQ(container.mounts(0).host_path(), hald_->folder());
  EXPECT_EQ(container.mounts(0).container_path(), hald_->folder());
  EXPECT_TRUE(container.mounts(0).read_only());
  ASSERT_EQ(container.cdi_devices_size(), 1);
  EXPECT_EQ(container.cdi_devices(0).name(), "hal.dev/vd=cpu-0");

  auto vd = VirtualDevice("k8s-cpu-0-s1");
  ASSERT_TRUE(vd.ok()) << vd.status();
  EXPECT_EQ(vd->device(), "cpu:0");
  EXPECT_EQ(vd->memory_quota_bytes(), 32 * kMiB);
  EXPECT_DOUBLE_EQ(vd->compute_share(), 0.5);
  EXPECT_EQ(vd->owner(), "kubernetes hal.dev/cpu-0 slices 1-2");
  EXPECT_TRUE(vd->dynamic());

  // A tenant with the container's environment has exactly that quota.
  auto tenant = StartTenant(container);
  ASSERT_TRUE(tenant.ok()) << tenant.status();
  EXPECT_THAT(Ask(**tenant, absl::StrCat("alloc ", 32 * kMiB)), StartsWith("ok "));
  EXPECT_THAT(Ask(**tenant, "alloc 4096"), StartsWith("refused RESOURCE_EXHAUSTED"));
  EXPECT_EQ(Ask(**tenant, "exit"), "bye");
}

TEST_F(DevicePluginTest, VirtualDeviceOfAPodThatIsGoneIsDestroyed) {
  v1beta1::ContainerAllocateResponse container;
  ASSERT_TRUE(Allocate({"cpu-0-s0"}, &container).ok());
  // A tenant holding memory when its pod goes.
  auto tenant = StartTenant(container);
  ASSERT_TRUE(tenant.ok()) << tenant.status();
  EXPECT_THAT(Ask(**tenant, absl::StrCat("alloc ", kMiB)), StartsWith("ok "));
  EXPECT_EQ(VirtualDevice("k8s-cpu-0-s0")->memory_used_bytes(), kMiB);

  kubelet_->SetPods({FakeKubelet::Pod("train-0", kResource, {"cpu-0-s0"})});
  runner_->Tick();
  EXPECT_TRUE(VirtualDevice("k8s-cpu-0-s0").ok());  // its pod holds it
  kubelet_->SetPods({FakeKubelet::Pod("other", "example.com/gpu", {"cpu-0-s0"})});
  runner_->Tick();
  EXPECT_EQ(VirtualDevice("k8s-cpu-0-s0").status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(runner_->plugins()[0]->VirtualDevices(), IsEmpty());
  auto status = admin_->PoolStatus();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->devices(0).quota_placed_bytes(), 0u);  // charges and placement back
}

TEST_F(DevicePluginTest, SlicesOfAnEndedContainerGoToTheNextOne) {
  ASSERT_TRUE(Allocate({"cpu-0-s0"}).ok());
  ASSERT_TRUE(Allocate({"cpu-0-s0", "cpu-0-s3"}).ok());
  EXPECT_EQ(VirtualDevice("k8s-cpu-0-s0")->owner(), "kubernetes hal.dev/cpu-0 slices 0,3");
  EXPECT_THAT(runner_->plugins()[0]->VirtualDevices(), ElementsAre("k8s-cpu-0-s0"));
}

TEST_F(DevicePluginTest, BadRequestsAreGrpcErrorsAndLeaveNothing) {
  EXPECT_EQ(Allocate({"cpu-0-s9"}).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Allocate({"vulkan-0-s0"}).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Allocate({"cpu-0-s1", "cpu-0-s1"}).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Allocate({}).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Someone else took room on the device since the plugin counted it: hald
  // refuses more slices than are left.
  remote::VirtualDeviceRequest other;
  other.name = "batch";
  other.memory_quota = 40 * kMiB;
  other.compute_share = 0.25;
  other.owner = "slurm job 1.0";
  other.lease = false;
  ASSERT_TRUE(admin_->Create(other).ok());
  grpc::Status too_many = Allocate({"cpu-0-s0", "cpu-0-s1"});
  EXPECT_EQ(too_many.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(too_many.error_message(), HasSubstr("k8s-cpu-0-s0"));
  EXPECT_THAT(runner_->plugins()[0]->VirtualDevices(), IsEmpty());

  v1beta1::PreferredAllocationRequest request;
  auto* container = request.add_container_requests();
  container->add_available_deviceids("cpu-0-s0");
  container->set_allocation_size(2);
  v1beta1::PreferredAllocationResponse response;
  grpc::ClientContext context;
  EXPECT_EQ(Plugin()->GetPreferredAllocation(&context, request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(DevicePluginTest, PreferredAllocationTakesTheMustSlicesThenTheLowest) {
  v1beta1::PreferredAllocationRequest request;
  auto* container = request.add_container_requests();
  for (const char* id : {"cpu-0-s3", "cpu-0-s1", "cpu-0-s2"}) container->add_available_deviceids(id);
  container->add_must_include_deviceids("cpu-0-s3");
  container->set_allocation_size(2);
  v1beta1::PreferredAllocationResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(Plugin()->GetPreferredAllocation(&context, request, &response).ok());
  ASSERT_EQ(response.container_responses_size(), 1);
  EXPECT_THAT(response.container_responses(0).deviceids(), ElementsAre("cpu-0-s1", "cpu-0-s3"));
}

TEST_F(DevicePluginTest, ARestartedKubeletGetsTheRegistrationAgain) {
  ASSERT_TRUE(kubelet_->WaitForRegistrations(1).ok());
  runner_->Tick();  // nothing changed: no second registration
  ASSERT_TRUE(kubelet_->Restart().ok());
  EXPECT_FALSE(std::filesystem::exists(folder_.path() + "/device-plugins/hal-cpu-0.sock"));
  runner_->Tick();
  auto registrations = kubelet_->WaitForRegistrations(2);
  ASSERT_TRUE(registrations.ok()) << registrations.status();
  EXPECT_EQ(registrations->size(), 2u);
  EXPECT_EQ(registrations->back().resource_name(), kResource);
  grpc::ClientContext context;
  v1beta1::DevicePluginOptions options;
  EXPECT_TRUE(Plugin()->GetDevicePluginOptions(&context, v1beta1::Empty(), &options).ok());
}

TEST_F(DevicePluginTest, ARestartedPluginTakesOverItsVirtualDevices) {
  ASSERT_TRUE(Allocate({"cpu-0-s0", "cpu-0-s1"}).ok());
  runner_.reset();  // the plugin ends; its virtual device stays for its container
  EXPECT_TRUE(VirtualDevice("k8s-cpu-0-s0").ok());
  StartPlugin();
  ASSERT_EQ(runner_->plugins().size(), 1u);
  EXPECT_EQ(runner_->plugins()[0]->slices().count(), 4);  // its own count as room
  EXPECT_THAT(runner_->plugins()[0]->VirtualDevices(), ElementsAre("k8s-cpu-0-s0"));
  runner_->Tick();  // no pod holds its slices
  EXPECT_EQ(VirtualDevice("k8s-cpu-0-s0").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(DevicePluginTest, NothingIsReclaimedWhileTheKubeletCannotBeAsked) {
  ASSERT_TRUE(Allocate({"cpu-0-s0"}).ok());
  kubelet_.reset();  // pod-resources unreachable
  runner_->Tick();
  EXPECT_TRUE(VirtualDevice("k8s-cpu-0-s0").ok());
  EXPECT_THAT(runner_->plugins()[0]->VirtualDevices(), ElementsAre("k8s-cpu-0-s0"));
}

TEST_F(DevicePluginTest, APluginStartedBeforeTheKubeletRegistersWhenItComes) {
  runner_.reset();
  kubelet_.reset();
  for (const auto& entry : std::filesystem::directory_iterator(folder_.path() + "/device-plugins")) {
    std::filesystem::remove(entry.path());
  }
  StartPlugin();  // no kubelet.sock: registering fails, logged
  runner_->Tick();
  auto kubelet = FakeKubelet::Start(folder_.path() + "/device-plugins",
                                    folder_.path() + "/pod-resources/kubelet.sock");
  ASSERT_TRUE(kubelet.ok()) << kubelet.status();
  kubelet_ = *std::move(kubelet);
  runner_->Tick();
  auto registrations = kubelet_->WaitForRegistrations(1);
  ASSERT_TRUE(registrations.ok()) << registrations.status();
  EXPECT_EQ(registrations->front().resource_name(), kResource);
}

TEST_F(DevicePluginTest, StartRefusesBadOptionsAnAbsentHaldAndNoRoom) {
  PluginOptions options;
  options.access = ContainerAccess{hald_->folder() + "/hald.sock", "/run/hal/hald.sock"};
  options.kubelet_folder = folder_.path() + "/device-plugins";
  options.cdi_folder = "";
  PluginOptions zero = options;
  zero.slices.slice_bytes = 0;
  EXPECT_EQ(PluginRunner::Start(zero).status().code(), absl::StatusCode::kInvalidArgument);
  PluginOptions relative = options;
  relative.access.container_socket = "hald.sock";
  EXPECT_EQ(PluginRunner::Start(relative).status().code(), absl::StatusCode::kInvalidArgument);
  PluginOptions endpoint = options;
  endpoint.hald_endpoint = "http://hald";
  EXPECT_EQ(PluginRunner::Start(endpoint).status().code(), absl::StatusCode::kInvalidArgument);
  PluginOptions absent = options;
  absent.access.host_socket = folder_.path() + "/no-hald/hald.sock";
  EXPECT_EQ(PluginRunner::Start(absent).status().code(), absl::StatusCode::kUnavailable);
  PluginOptions huge = options;
  huge.slices.slice_bytes = 128 * kMiB;  // the device has 64 MiB
  auto no_room = PluginRunner::Start(huge);
  EXPECT_EQ(no_room.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(no_room.status().message(), HasSubstr("no device of hald"));
}

// cpu:0 capped at 64 MiB and Mesa's lavapipe vulkan:0 capped at 32 MiB, placed
// by binpack (the device with the least room that fits first).
class TwoDevicePluginTest : public DevicePluginTest {
 protected:
  std::string PoolJson() override {
    return hal::testing::RemotePoolJson(
        {"cpu:0", "vulkan:0"}, {},
        {{"capacity_caps", {{"cpu:0", "64MiB"}, {"vulkan:0", "32MiB"}}}});
  }
  bool SkipWithoutHald() override { return true; }
};

TEST_F(TwoDevicePluginTest, EachDeviceIsAResourceAndAVirtualDeviceStaysOnItsDevice) {
  auto registrations = kubelet_->WaitForRegistrations(2);
  ASSERT_TRUE(registrations.ok()) << registrations.status();
  std::vector<std::string> resources;
  for (const auto& request : *registrations) resources.push_back(request.resource_name());
  EXPECT_THAT(resources, ::testing::UnorderedElementsAre("hal.dev/cpu-0", "hal.dev/vulkan-0"));

  v1beta1::AllocateRequest request;
  request.add_container_requests()->add_devices_ids("vulkan-0-s1");
  v1beta1::AllocateResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(kubelet_->PluginStub("hal-vulkan-0.sock")->Allocate(&context, request, &response).ok());
  EXPECT_EQ(response.container_responses(0).cdi_devices(0).name(), "hal.dev/vd=vulkan-0");
  EXPECT_EQ(VirtualDevice("k8s-vulkan-0-s1")->device(), "vulkan:0");
  // binpack alone would put a 16 MiB virtual device of cpu:0's slices on
  // vulkan:0, which has less room left: the plugin asks for cpu:0.
  grpc::Status own_device = Allocate({"cpu-0-s0"});
  EXPECT_TRUE(own_device.ok()) << own_device.error_message();
  EXPECT_EQ(VirtualDevice("k8s-cpu-0-s0")->device(), "cpu:0");
}

TEST_F(DevicePluginTest, TheProgramServesUntilSigterm) {
  ASSERT_TRUE(kubelet_->WaitForRegistrations(1).ok());
  runner_.reset();
  hal::testing::ChildProcess::Options program;
  program.argv = {HAL_DEVICE_PLUGIN_PATH,
                  "--hald-socket=" + hald_->folder() + "/hald.sock",
                  "--slice-mib=32",
                  "--kubelet-dir=" + folder_.path() + "/device-plugins",
                  "--pod-resources-socket=" + folder_.path() + "/pod-resources/kubelet.sock",
                  "--cdi-dir=" + folder_.path() + "/cdi",
                  "--interval=0.1"};
  program.output_file = folder_.path() + "/plugin.log";
  auto process = hal::testing::ChildProcess::Start(program);
  ASSERT_TRUE(process.ok()) << process.status();
  auto registrations = kubelet_->WaitForRegistrations(2);
  ASSERT_TRUE(registrations.ok()) << registrations.status();
  EXPECT_EQ(registrations->back().resource_name(), kResource);
  // Its slices are of --slice-mib: two of 32 MiB.
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto stream = Plugin()->ListAndWatch(&context, v1beta1::Empty());
  v1beta1::ListAndWatchResponse list;
  ASSERT_TRUE(stream->Read(&list));
  EXPECT_EQ(list.devices_size(), 2);
  context.TryCancel();
  ASSERT_TRUE((*process)->Signal(SIGTERM).ok());
  auto ended = (*process)->Wait(absl::Seconds(30));
  ASSERT_TRUE(ended.ok()) << ended.status();
  EXPECT_TRUE(ended->exited && ended->code == 0) << ended->ToString();
}

}  // namespace
}  // namespace hal::kubernetes
