// What a session executes: copies through shared memory and inline, kernels
// from a tenant's module, events, stream destruction.
#include <cstring>

#include "absl/strings/match.h"
#include "backends/remote/protocol/shared_memory.h"
#include "backends/remote/protocol/status_codec.h"
#include "daemon/tests/daemon_fixture.h"
#include "gmock/gmock.h"
#include "hal/kernel_bundle.h"

namespace hal::daemon::testing {
namespace {

using ::testing::HasSubstr;

class SessionCommandsTest : public DaemonTest {
 protected:
  void SetUp() override {
    DaemonTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    StartServer(DefaultPoolFile());
  }

  // The standard bundle's CPU image and fill_f32's signature.
  bool LoadFillF32(KernelImage* image, KernelInfo* info) {
    absl::StatusOr<KernelBundle> bundle = KernelBundle::ReadFile(KernelBundle::StandardBundlePath());
    if (!bundle.ok()) return false;
    const KernelInfo* found = bundle->FindKernel("fill_f32");
    if (found == nullptr) return false;
    *info = *found;
    for (const KernelImage& candidate : bundle->images()) {
      if (absl::StartsWith(candidate.format, "cpu-elf")) {
        *image = candidate;
        return true;
      }
    }
    return false;
  }
};

ClientMessage ModuleLoadMessage(uint64_t module, const std::string& format,
                                const std::vector<uint8_t>& image) {
  ClientMessage message;
  message.mutable_module_load()->set_module(module);
  message.mutable_module_load()->set_format(format);
  message.mutable_module_load()->set_image(std::string(image.begin(), image.end()));
  return message;
}

TEST_F(SessionCommandsTest, CopiesGoThroughSharedMemory) {
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  constexpr uint64_t kSize = 1 << 20;
  absl::StatusOr<remote::SharedMemory> shm = remote::SharedMemory::Create(4 * kSize, "test");
  ASSERT_TRUE(shm.ok()) << shm.status();
  ClientMessage attach_shm;
  attach_shm.mutable_shm_attach()->set_size(4 * kSize);
  ASSERT_TRUE(client->Call(attach_shm, shm->fd()).ok());
  EXPECT_EQ(client->Call(attach_shm, shm->fd()).code(), absl::StatusCode::kFailedPrecondition);

  for (uint64_t i = 0; i < kSize; ++i) shm->data()[i] = static_cast<uint8_t>(i * 7);
  ASSERT_TRUE(client->Call(AllocateMessage(1, kSize)).ok());
  ASSERT_TRUE(client->Call(StreamCreateMessage(2)).ok());
  ClientMessage upload;
  remote::v1::CopyHostToDevice& copy = *upload.mutable_copy_host_to_device();
  copy.set_stream(2);
  copy.set_dst(1);
  copy.set_size(kSize);
  copy.mutable_shm()->set_offset(0);
  copy.mutable_shm()->set_size(kSize);
  ASSERT_TRUE(client->SendOneWay(upload).ok());
  ClientMessage download = DownloadMessage(2, 1, kSize, 9);
  download.mutable_copy_device_to_host()->mutable_shm()->set_offset(2 * kSize);
  download.mutable_copy_device_to_host()->mutable_shm()->set_size(kSize);
  ASSERT_TRUE(client->SendOneWay(download).ok());
  ASSERT_TRUE(client->Call(SynchronizeMessage(2)).ok());
  // Both notifications came before the answer, in order.
  ASSERT_EQ(client->async().size(), 2u);
  EXPECT_EQ(client->async()[0].shm_released().range().size(), kSize);
  EXPECT_EQ(client->async()[1].download_complete().download(), 9u);
  EXPECT_EQ(std::memcmp(shm->data(), shm->data() + 2 * kSize, kSize), 0);

  // A range outside the shared memory is refused.
  copy.mutable_shm()->set_offset(4 * kSize - 8);
  ASSERT_TRUE(client->SendOneWay(upload).ok());
  EXPECT_EQ(client->Call(SynchronizeMessage(2)).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SessionCommandsTest, SharedMemoryIsForUnixSocketsAndMustBeSealed) {
  std::unique_ptr<TestClient> tcp = Client(tcp_endpoint());
  ASSERT_TRUE(tcp);
  ASSERT_TRUE(tcp->Open("a", "secret").ok());
  ClientMessage attach_shm;
  attach_shm.mutable_shm_attach()->set_size(4096);
  EXPECT_EQ(tcp->Call(attach_shm).code(), absl::StatusCode::kFailedPrecondition);

  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  EXPECT_EQ(client->Call(attach_shm).code(), absl::StatusCode::kInvalidArgument) << "no memfd";
  absl::StatusOr<remote::SharedMemory> shm = remote::SharedMemory::Create(8192, "test");
  ASSERT_TRUE(shm.ok());
  EXPECT_EQ(client->Call(attach_shm, shm->fd()).code(), absl::StatusCode::kInvalidArgument)
      << "the size differs";
}

TEST_F(SessionCommandsTest, InlineUploadsAndDownloadsRoundTrip) {
  std::unique_ptr<TestClient> client = Client(tcp_endpoint());
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Open("a", "secret").ok());
  ASSERT_TRUE(client->Call(AllocateMessage(1, 4096)).ok());
  ASSERT_TRUE(client->Call(StreamCreateMessage(2)).ok());
  std::string bytes(4096, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i);
  ClientMessage upload;
  upload.mutable_copy_host_to_device()->set_stream(2);
  upload.mutable_copy_host_to_device()->set_dst(1);
  upload.mutable_copy_host_to_device()->set_size(4096);
  upload.mutable_copy_host_to_device()->set_inline_data(bytes);
  ASSERT_TRUE(client->SendOneWay(upload).ok());
  ASSERT_TRUE(client->SendOneWay(DownloadMessage(2, 1, 4096, 1)).ok());
  ASSERT_TRUE(client->Call(SynchronizeMessage(2)).ok());
  ASSERT_EQ(client->async().size(), 1u);
  EXPECT_EQ(client->async()[0].download_complete().inline_data(), bytes);

  upload.mutable_copy_host_to_device()->set_size(4095);  // not what it carries
  ASSERT_TRUE(client->SendOneWay(upload).ok());
  EXPECT_EQ(client->Call(SynchronizeMessage(2)).code(), absl::StatusCode::kInvalidArgument);
}

class SessionLimitsTest : public DaemonTest {
 protected:
  void SetUp() override {
    DaemonTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    SessionLimits limits;
    limits.inline_download_bytes = 1024;
    StartServer(DefaultPoolFile(), limits);
  }
};

TEST_F(SessionLimitsTest, InlineDownloadsPastTheLimitAreResourceExhausted) {
  std::unique_ptr<TestClient> client = Client(tcp_endpoint());
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Open("a", "secret").ok());
  ASSERT_TRUE(client->Call(AllocateMessage(1, 4096)).ok());
  ASSERT_TRUE(client->Call(StreamCreateMessage(2)).ok());
  ASSERT_TRUE(client->SendOneWay(DownloadMessage(2, 1, 1024, 1)).ok());
  ASSERT_TRUE(client->Call(SynchronizeMessage(2)).ok());
  ASSERT_TRUE(client->SendOneWay(DownloadMessage(2, 1, 4096, 2)).ok());
  const absl::Status refused = client->Call(SynchronizeMessage(2));
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.message(), HasSubstr("not read yet"));
}

// Its grid in both forms: protocol 1.4's scalars and the repeated field of
// 1.3 clients.
TEST_F(SessionCommandsTest, AKernelOfTheTenantsModuleRuns) {
  KernelImage image;
  KernelInfo info;
  if (!LoadFillF32(&image, &info)) GTEST_SKIP() << "no standard bundle with a CPU image";
  std::unique_ptr<TestClient> client = Attached("a");
  ASSERT_TRUE(client);
  const absl::Status loaded = client->Call(ModuleLoadMessage(1, image.format, image.data));
  ASSERT_TRUE(loaded.ok()) << loaded;
  ClientMessage get;
  remote::v1::KernelGet& kernel = *get.mutable_kernel_get();
  kernel.set_kernel(2);
  kernel.set_module(1);
  kernel.set_name("fill_f32");
  kernel.mutable_signature()->set_binding_count(info.binding_count);
  kernel.mutable_signature()->set_push_constant_size(info.push_constant_size);
  for (uint32_t size : info.workgroup_size) kernel.mutable_signature()->add_workgroup_size(size);
  ASSERT_TRUE(client->Call(get).ok());
  ClientMessage destroy;
  destroy.mutable_module_destroy()->set_module(1);
  ASSERT_TRUE(client->SendOneWay(destroy).ok()) << "its kernels outlive the module";

  constexpr uint32_t kCount = 1000;
  ASSERT_TRUE(client->Call(AllocateMessage(3, kCount * sizeof(float))).ok());
  ASSERT_TRUE(client->Call(StreamCreateMessage(4)).ok());
  const uint32_t groups = (kCount + info.workgroup_size[0] - 1) / info.workgroup_size[0];
  for (const bool scalar_grid : {true, false}) {
    SCOPED_TRACE(scalar_grid ? "workgroup_count_x/y/z" : "repeated workgroup_count");
    const float value = scalar_grid ? 2.5f : 3.5f;
    ClientMessage dispatch;
    remote::v1::Dispatch& run = *dispatch.mutable_dispatch();
    run.set_stream(4);
    run.set_kernel(2);
    if (scalar_grid) {
      run.set_workgroup_count_x(groups);
      run.set_workgroup_count_y(1);
      run.set_workgroup_count_z(1);
    } else {
      for (uint32_t count : {groups, 1u, 1u}) run.add_workgroup_count(count);
    }
    run.add_bindings()->set_buffer(3);
    struct {
      float value;
      uint32_t n;
    } constants{value, kCount};
    run.set_push_constants(
        std::string(reinterpret_cast<const char*>(&constants), sizeof(constants)));
    const size_t downloads = client->async().size();
    ASSERT_TRUE(client->SendOneWay(dispatch).ok());
    ASSERT_TRUE(client->SendOneWay(DownloadMessage(4, 3, kCount * sizeof(float), 1)).ok());
    ASSERT_TRUE(client->Call(SynchronizeMessage(4)).ok());
    ASSERT_EQ(client->async().size(), downloads + 1);
    const std::string& bytes = client->async().back().download_complete().inline_data();
    ASSERT_EQ(bytes.size(), kCount * sizeof(float));
    std::vector<float> values(kCount);
    std::memcpy(values.data(), bytes.data(), bytes.size());
    EXPECT_EQ(values, std::vector<float>(kCount, value));
  }
}

TEST_F(SessionCommandsTest, ModulesAreCheckedWhenLoaded) {
  KernelImage image;
  KernelInfo info;
  if (!LoadFillF32(&image, &info)) GTEST_SKIP() << "no standard bundle with a CPU image";
  std::unique_ptr<TestClient> native = Attached("a");
  std::unique_ptr<TestClient> confined = Attached("b");
  ASSERT_TRUE(native && confined);
  const absl::Status garbage =
      native->Call(ModuleLoadMessage(1, image.format, std::vector<uint8_t>(4096, 0x5a)));
  EXPECT_EQ(garbage.code(), absl::StatusCode::kInvalidArgument) << garbage;
  EXPECT_EQ(native->Call(ModuleLoadMessage(1, image.format, {})).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(native->Call(ModuleLoadMessage(1, "spirv-vulkan", image.data)).code(),
            absl::StatusCode::kInvalidArgument)
      << "a format the device does not take";
  const absl::Status refused = confined->Call(ModuleLoadMessage(1, image.format, image.data));
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.message(), HasSubstr("native"));
  ClientMessage get;
  get.mutable_kernel_get()->set_kernel(2);
  get.mutable_kernel_get()->set_module(1);
  get.mutable_kernel_get()->set_name("fill_f32");
  for (uint32_t size : info.workgroup_size) {
    get.mutable_kernel_get()->mutable_signature()->add_workgroup_size(size);
  }
  EXPECT_EQ(native->Call(get).code(), absl::StatusCode::kInvalidArgument) << "no module 1";
}

TEST_F(SessionCommandsTest, EventsFollowTheDriverAbi) {
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Call(StreamCreateMessage(1)).ok());
  ClientMessage create;
  create.mutable_event_create()->set_event(2);
  ASSERT_TRUE(client->Call(create).ok());
  ClientMessage query;
  query.mutable_event_query()->set_event(2);
  absl::StatusOr<DaemonMessage> state = client->Request(query);
  ASSERT_TRUE(state.ok());
  EXPECT_FALSE(state->event_state().signalled()) << "never signalled: not ready";
  ClientMessage wait;
  wait.mutable_event_synchronize()->set_event(2);
  EXPECT_EQ(client->Call(wait).code(), absl::StatusCode::kFailedPrecondition);
  ClientMessage timestamp;
  timestamp.mutable_event_timestamp()->set_event(2);
  EXPECT_EQ(client->Call(timestamp).code(), absl::StatusCode::kFailedPrecondition);

  ClientMessage signal;
  signal.mutable_signal_event()->set_stream(1);
  signal.mutable_signal_event()->set_event(2);
  ASSERT_TRUE(client->SendOneWay(signal).ok());
  EXPECT_TRUE(client->Call(wait).ok());
  state = client->Request(query);
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->event_state().signalled());
  absl::StatusOr<DaemonMessage> time = client->Request(timestamp);
  ASSERT_TRUE(time.ok());
  EXPECT_TRUE(remote::FromWire(time->status()).ok());
  ClientMessage destroy;
  destroy.mutable_event_destroy()->set_event(2);
  ASSERT_TRUE(client->SendOneWay(destroy).ok());
  EXPECT_EQ(client->Call(query).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SessionCommandsTest, StreamDestroyWaitsForItsWork) {
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Call(AllocateMessage(1, 4 << 20)).ok());
  ASSERT_TRUE(client->Call(StreamCreateMessage(2)).ok());
  ASSERT_TRUE(client->Call(StreamCreateMessage(3)).ok());
  for (uint32_t value = 1; value <= 4; ++value) {
    ASSERT_TRUE(client->SendOneWay(FillMessage(2, 1, 4 << 20, value)).ok());
  }
  ClientMessage destroy;
  destroy.mutable_stream_destroy()->set_stream(2);
  ASSERT_TRUE(client->Call(destroy).ok());
  ASSERT_TRUE(client->SendOneWay(DownloadMessage(3, 1, 16, 1)).ok());
  ClientMessage query;
  query.mutable_stream_query()->set_stream(3);
  absl::StatusOr<DaemonMessage> state;
  do {
    state = client->Request(query);
    ASSERT_TRUE(state.ok());
  } while (!state->stream_state().idle());
  ASSERT_EQ(client->async().size(), 1u) << "the download's bytes before 'idle'";
  EXPECT_EQ(client->async()[0].download_complete().inline_data(),
            std::string("\x04\0\0\0\x04\0\0\0\x04\0\0\0\x04\0\0\0", 16));
  EXPECT_EQ(client->Call(SynchronizeMessage(2)).code(), absl::StatusCode::kInvalidArgument)
      << "a destroyed stream";
}

// The thread that received a synchronize of a busy stream waits itself; the
// session must go on receiving meanwhile (receiver_role.h): a request on an
// idle stream, sent after it, is answered first.
TEST_F(SessionCommandsTest, AWaitOnOneStreamDoesNotHoldUpAnothersRequests) {
  std::unique_ptr<TestClient> client = Attached();
  ASSERT_TRUE(client);
  constexpr uint64_t kBytes = 16 << 20;
  ASSERT_TRUE(client->Call(AllocateMessage(1, kBytes)).ok());
  ASSERT_TRUE(client->Call(StreamCreateMessage(2)).ok());
  ASSERT_TRUE(client->Call(StreamCreateMessage(3)).ok());
  // 1 GiB of fills: long enough (a tenth of a second and more) that only a
  // query held up behind them is answered after them, even on a loaded
  // machine where the standby receiver waits for a core (128 MiB was not:
  // its answers came in the other order once in four runs under load).
  constexpr uint32_t kFills = 64;
  for (uint32_t value = 1; value <= kFills; ++value) {
    ASSERT_TRUE(client->SendOneWay(FillMessage(2, 1, kBytes, value)).ok());
  }
  constexpr uint64_t kBusy = 1000;
  constexpr uint64_t kIdle = 1001;
  ClientMessage busy = SynchronizeMessage(2);
  busy.set_request_id(kBusy);
  ASSERT_TRUE(client->channel().Send(busy).ok());
  ClientMessage idle;
  idle.mutable_stream_query()->set_stream(3);
  idle.set_request_id(kIdle);
  ASSERT_TRUE(client->channel().Send(idle).ok());
  std::vector<uint64_t> answered;
  while (answered.size() < 2) {
    DaemonMessage answer;
    ASSERT_TRUE(client->channel().ReceiveDaemonMessage(&answer).ok());
    EXPECT_TRUE(remote::FromWire(answer.status()).ok()) << answer.DebugString();
    answered.push_back(answer.request_id());
  }
  EXPECT_EQ(answered, (std::vector<uint64_t>{kIdle, kBusy}))
      << "1 GiB of fills on stream 2 held up a query of idle stream 3";
}

TEST_F(SessionCommandsTest, BuffersAreChargedToTheVirtualDevice) {
  std::unique_ptr<TestClient> client = Attached("b");
  ASSERT_TRUE(client);
  absl::StatusOr<DaemonMessage> allocated = client->Request(AllocateMessage(1, 15u << 20));
  ASSERT_TRUE(allocated.ok());
  EXPECT_GE(allocated->buffer_allocated().allocated_size(), 15u << 20);
  EXPECT_EQ(client->Call(AllocateMessage(2, 2u << 20)).code(),
            absl::StatusCode::kResourceExhausted);
  ClientMessage free_it;
  free_it.mutable_buffer_free()->set_buffer(1);
  ASSERT_TRUE(client->SendOneWay(free_it).ok());
  EXPECT_TRUE(client->Call(AllocateMessage(2, 2u << 20)).ok());
  ClientMessage flags = AllocateMessage(3, 4096);
  flags.mutable_buffer_allocate()->set_flags(1);
  EXPECT_EQ(client->Call(flags).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hal::daemon::testing
