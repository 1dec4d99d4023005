// The remote driver plugin through its C table, as the runtime loads it,
// against fake daemons (fake_daemon.h): initialize's failures, the device
// list, sessions, copies through shared memory and inline, host-staging
// buffers, and a daemon that dies under a context.
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "backends/remote/fake_daemon.h"
#include "backends/remote/host_shadow.h"
#include "backends/remote/protocol/capabilities.h"
#include "backends/remote/remote_objects.h"
#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"

namespace hal::remote {
namespace {

using testing::ErrorAnswer;
using testing::FakeDaemon;
using testing::FakePeer;
using testing::ServeDevices;

constexpr hal_stream_desc kStreamDesc = {HAL_STRUCTURE_TYPE_STREAM_DESC, nullptr,
                                         HAL_STREAM_PRIORITY_NORMAL};
constexpr hal_context_desc kContextDesc = {HAL_STRUCTURE_TYPE_CONTEXT_DESC, nullptr, 0, 0};

class RemoteDriverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    library_ = dlopen(HAL_REMOTE_DRIVER_PATH, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(library_, nullptr) << dlerror();
    auto get_table = reinterpret_cast<hal_driver_get_table_fn>(
        dlsym(library_, HAL_DRIVER_ENTRY_POINT_NAME));
    ASSERT_NE(get_table, nullptr);
    table_ = get_table(HAL_DRIVER_ABI_VERSION_MAJOR, HAL_DRIVER_ABI_VERSION_MINOR);
    ASSERT_NE(table_, nullptr);
  }
  static void TearDownTestSuite() { dlclose(library_); }

  void SetUp() override {
    unsetenv("HAL_REMOTE_TOKEN");
    unsetenv("HAL_REMOTE_SHM_BYTES");
  }
  void TearDown() override {
    if (context_ != nullptr) DestroyContext();
    if (initialized_) table_->shutdown();
  }

  // initialize() with HAL_REMOTE_ENDPOINT=endpoint.
  hal_result Initialize(const std::string& endpoint) {
    setenv("HAL_REMOTE_ENDPOINT", endpoint.c_str(), 1);
    const hal_result result = table_->initialize();
    initialized_ = result == HAL_SUCCESS;
    return result;
  }
  std::string LastError() const { return table_->last_error_message(); }

  // Initializes against `daemon` and opens a context on device 0.
  void OpenContext(const FakeDaemon& daemon) {
    ASSERT_EQ(Initialize(daemon.endpoint()), HAL_SUCCESS) << LastError();
    ASSERT_EQ(table_->context_create(0, &kContextDesc, &context_), HAL_SUCCESS) << LastError();
    ASSERT_EQ(table_->stream_create(context_, &kStreamDesc, &stream_), HAL_SUCCESS);
  }
  hal_drv_buffer* Allocate(uint64_t size, hal_buffer_kind kind = HAL_BUFFER_DEVICE) {
    const hal_buffer_desc desc{HAL_STRUCTURE_TYPE_BUFFER_DESC, nullptr, kind, 0, size};
    hal_drv_buffer* buffer = nullptr;
    uint64_t allocated = 0;
    EXPECT_EQ(table_->buffer_allocate(context_, &desc, &buffer, &allocated), HAL_SUCCESS)
        << LastError();
    EXPECT_GE(allocated, size);
    return buffer;
  }
  void* Map(hal_drv_buffer* buffer) {
    void* host = nullptr;
    EXPECT_EQ(table_->buffer_map(context_, buffer, &host), HAL_SUCCESS) << LastError();
    return host;
  }
  // Writes `bytes` to a new device buffer and reads them back.
  void ExpectRoundTrip(const std::vector<uint8_t>& bytes) {
    hal_drv_buffer* buffer = Allocate(bytes.size());
    std::vector<uint8_t> back(bytes.size(), 0);
    ASSERT_EQ(table_->stream_copy_host_to_device(stream_, bytes.data(), buffer, 0, bytes.size()),
              HAL_SUCCESS);
    ASSERT_EQ(table_->stream_copy_device_to_host(stream_, buffer, 0, back.data(), back.size()),
              HAL_SUCCESS);
    ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS) << LastError();
    EXPECT_TRUE(back == bytes);
    table_->buffer_free(context_, buffer);
  }
  void DestroyContext() {
    table_->stream_destroy(stream_);
    table_->context_destroy(context_);
    context_ = nullptr;
  }

  static std::vector<uint8_t> Pattern(size_t size) {
    std::vector<uint8_t> bytes(size);
    for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(i * 7 + i / 251);
    return bytes;
  }

  static inline void* library_ = nullptr;
  static inline const hal_driver_table* table_ = nullptr;
  bool initialized_ = false;
  hal_drv_context* context_ = nullptr;
  hal_drv_stream* stream_ = nullptr;
};

// --- initialize ---

TEST_F(RemoteDriverTest, NoneDisablesTheDriverWithoutConnecting) {
  EXPECT_EQ(Initialize("none"), HAL_ERROR_UNAVAILABLE);
  EXPECT_EQ(LastError(), "disabled by HAL_REMOTE_ENDPOINT=none");
}

TEST_F(RemoteDriverTest, NoDaemonIsUnavailableQuickly) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Initialize("unix:/nonexistent/hald.sock"), HAL_ERROR_UNAVAILABLE);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_NE(LastError().find("no hald at unix:/nonexistent/hald.sock: "), std::string::npos)
      << LastError();
  EXPECT_NE(LastError().find("(set HAL_REMOTE_ENDPOINT)"), std::string::npos);
}

TEST_F(RemoteDriverTest, ABadEndpointIsUnavailableNamingTheVariable) {
  EXPECT_EQ(Initialize("hald.sock"), HAL_ERROR_UNAVAILABLE);
  EXPECT_NE(LastError().find("HAL_REMOTE_ENDPOINT"), std::string::npos) << LastError();
}

TEST_F(RemoteDriverTest, ARefusedHelloIsUnavailableWithTheDaemonsMessage) {
  FakeDaemon daemon([](FakePeer& peer) {
    ClientMessage hello;
    if (peer.Receive(&hello).ok()) {
      peer.Send(ErrorAnswer(hello, absl::StatusCode::kFailedPrecondition, "versions differ"));
    }
  });
  EXPECT_EQ(Initialize(daemon.endpoint()), HAL_ERROR_UNAVAILABLE);
  EXPECT_NE(LastError().find("refused the connection: versions differ"), std::string::npos)
      << LastError();
}

TEST_F(RemoteDriverTest, ADaemonThatListsNothingIsUnavailable) {
  FakeDaemon daemon(ServeDevices({}));
  EXPECT_EQ(Initialize(daemon.endpoint()), HAL_ERROR_UNAVAILABLE);
  EXPECT_NE(LastError().find("attach to no virtual device"), std::string::npos) << LastError();
}

TEST_F(RemoteDriverTest, EveryRuntimeOfAProcessSharesOneInitialization) {
  FakeDaemon daemon(ServeDevices({"vd"}));
  ASSERT_EQ(Initialize(daemon.endpoint()), HAL_SUCCESS) << LastError();
  ASSERT_EQ(table_->initialize(), HAL_SUCCESS);
  EXPECT_EQ(daemon.connections(), 1);
  table_->shutdown();  // the second runtime's: the first one's devices stay
  uint32_t count = 0;
  ASSERT_EQ(table_->device_count(&count), HAL_SUCCESS);
  EXPECT_EQ(count, 1u);
  uint64_t free_bytes = 0;
  uint64_t total_bytes = 0;
  EXPECT_EQ(table_->device_get_memory_info(0, &free_bytes, &total_bytes), HAL_SUCCESS);
}

// The child's exit codes.
enum ForkedChild : int { kChildOk = 0, kChildInitializeFailed, kChildWrongDevices };

TEST_F(RemoteDriverTest, AForkedChildInitializesAfreshAndLeavesTheParentsSessionsAlone) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "ThreadSanitizer does not support threads started after a threaded fork";
#endif
  FakeDaemon daemon(ServeDevices({"vd"}));
  OpenContext(daemon);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // What a new Runtime in the child does, and the child's copy of the
    // parent's context going away.
    table_->context_destroy(context_);
    if (table_->initialize() != HAL_SUCCESS) _exit(kChildInitializeFailed);
    uint32_t count = 0;
    const bool listed = table_->device_count(&count) == HAL_SUCCESS && count == 1;
    table_->shutdown();
    _exit(listed ? kChildOk : kChildWrongDevices);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), kChildOk);
  // The parent's control connection and session still work.
  uint64_t free_bytes = 0;
  uint64_t total_bytes = 0;
  EXPECT_EQ(table_->device_get_memory_info(0, &free_bytes, &total_bytes), HAL_SUCCESS)
      << LastError();
  ExpectRoundTrip(Pattern(100));
}

// --- devices ---

TEST_F(RemoteDriverTest, DevicesAreTheDaemonsListInOrder) {
  FakeDaemon daemon(ServeDevices({"first", "second"}));
  ASSERT_EQ(Initialize(daemon.endpoint()), HAL_SUCCESS) << LastError();
  uint32_t count = 0;
  ASSERT_EQ(table_->device_count(&count), HAL_SUCCESS);
  ASSERT_EQ(count, 2u);
  for (uint32_t index = 0; index < count; ++index) {
    hal_device_properties props{};
    props.type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
    ASSERT_EQ(table_->device_get_properties(index, &props), HAL_SUCCESS);
    EXPECT_STREQ(props.name, index == 0 ? "first on fake" : "second on fake");
    // The fake offers every bit; the driver keeps those the protocol carries.
    EXPECT_EQ(props.capabilities, kForwardedCapabilities);
    EXPECT_EQ(props.partition_kind, HAL_PARTITION_NONE);
  }
  EXPECT_EQ(table_->unusable_device_count(), 0u);
  uint64_t free_bytes = 0;
  uint64_t total_bytes = 0;
  ASSERT_EQ(table_->device_get_memory_info(1, &free_bytes, &total_bytes), HAL_SUCCESS);
  EXPECT_EQ(free_bytes, uint64_t{1} << 29);
  EXPECT_EQ(total_bytes, uint64_t{1} << 30);
}

TEST_F(RemoteDriverTest, EveryContextIsASessionOfItsOwn) {
  FakeDaemon daemon(ServeDevices({"vd"}));
  OpenContext(daemon);
  EXPECT_EQ(daemon.connections(), 2);  // initialize's, and the context's
  hal_drv_context* second = nullptr;
  ASSERT_EQ(table_->context_create(0, &kContextDesc, &second), HAL_SUCCESS) << LastError();
  EXPECT_EQ(daemon.connections(), 3);
  uint32_t units = 0;
  ASSERT_EQ(table_->context_get_partition(second, &units), HAL_SUCCESS);
  EXPECT_EQ(units, 4u);
  table_->context_destroy(second);
}

// --- copies ---

TEST_F(RemoteDriverTest, CopiesThroughSharedMemoryInChunks) {
  setenv("HAL_REMOTE_SHM_BYTES", "65536", 1);  // 16 KiB chunks
  FakeDaemon daemon(ServeDevices({"vd"}));
  OpenContext(daemon);
  ExpectRoundTrip(Pattern(200 << 10));
  ExpectRoundTrip(Pattern(100));  // inline: small
}

TEST_F(RemoteDriverTest, CopiesInlineWithoutSharedMemory) {
  setenv("HAL_REMOTE_SHM_BYTES", "0", 1);
  FakeDaemon daemon(ServeDevices({"vd"}));
  OpenContext(daemon);
  ExpectRoundTrip(Pattern((3 << 20) + 5));  // 1 MiB chunks
}

TEST_F(RemoteDriverTest, DeviceBuffersDoNotMap) {
  FakeDaemon daemon(ServeDevices({"vd"}));
  OpenContext(daemon);
  hal_drv_buffer* buffer = Allocate(64);
  void* host = nullptr;
  EXPECT_EQ(table_->buffer_map(context_, buffer, &host), HAL_ERROR_UNSUPPORTED);
  EXPECT_NE(LastError().find("only host-staging buffers map"), std::string::npos);
  table_->buffer_free(context_, buffer);
}

// hald lists shared device memory but answers `shared` false: the driver
// keeps no memory of its own for the buffer, and copies go through the ring.
TEST_F(RemoteDriverTest, ADeviceBufferHaldDoesNotShareKeepsNoMemoryHere) {
  FakeDaemon daemon(ServeDevices({"vd"}));
  OpenContext(daemon);
  const auto device_buffer_mappings = [] {
    std::ifstream maps("/proc/self/maps");
    int count = 0;
    for (std::string line; std::getline(maps, line);) {
      if (line.find(std::string("memfd:") + HostShadow::kDeviceBufferMemfdName) !=
          std::string::npos) {
        ++count;
      }
    }
    return count;
  };
  hal_drv_buffer* buffer = Allocate(kSharedDeviceBufferMinBytes);
  EXPECT_EQ(device_buffer_mappings(), 0);
  void* host = nullptr;
  EXPECT_EQ(table_->buffer_map(context_, buffer, &host), HAL_ERROR_UNSUPPORTED);
  table_->buffer_free(context_, buffer);
  ExpectRoundTrip(Pattern(kSharedDeviceBufferMinBytes + 5));
}

TEST_F(RemoteDriverTest, DeviceAddressesAreTheDaemonsAskedEachTime) {
  FakeDaemon daemon(ServeDevices({"vd"}));
  OpenContext(daemon);
  hal_drv_buffer* first = Allocate(64);
  hal_drv_buffer* second = Allocate(64);
  uint64_t first_address = 0;
  uint64_t second_address = 0;
  ASSERT_EQ(table_->buffer_device_address(context_, first, &first_address), HAL_SUCCESS)
      << LastError();
  ASSERT_EQ(table_->buffer_device_address(context_, second, &second_address), HAL_SUCCESS);
  EXPECT_NE(first_address, 0u);
  EXPECT_NE(first_address, second_address) << "each buffer's own address, as the daemon gave it";
  uint64_t again = 0;
  ASSERT_EQ(table_->buffer_device_address(context_, first, &again), HAL_SUCCESS);
  EXPECT_EQ(again, first_address);
  daemon.CloseConnections();
  EXPECT_EQ(table_->buffer_device_address(context_, first, &again), HAL_ERROR_UNAVAILABLE)
      << "an address kept in the tenant would hide the lost daemon";
  table_->buffer_free(context_, first);
  table_->buffer_free(context_, second);
  DestroyContext();
}

TEST_F(RemoteDriverTest, ADeviceAddressAnswerWithoutAnAddressIsUnavailable) {
  FakeDaemon daemon(ServeDevices({"vd"}));
  OpenContext(daemon);
  hal_drv_buffer* empty = Allocate(0);  // the fake answers 0 for its empty vector
  uint64_t address = 7;
  EXPECT_EQ(table_->buffer_device_address(context_, empty, &address), HAL_ERROR_UNAVAILABLE);
  EXPECT_NE(LastError().find("answered BufferDeviceAddress without an address"), std::string::npos)
      << LastError();
  EXPECT_EQ(address, 7u) << "nothing written on failure";
  table_->buffer_free(context_, empty);
}

// --- host-staging buffers ---

TEST_F(RemoteDriverTest, StagingBuffersCarryBytesBothWays) {
  FakeDaemon daemon(ServeDevices({"vd"}));
  OpenContext(daemon);
  constexpr uint64_t kSize = 40000;
  hal_drv_buffer* upload = Allocate(kSize, HAL_BUFFER_HOST_STAGING);
  hal_drv_buffer* device = Allocate(kSize);
  hal_drv_buffer* download = Allocate(kSize, HAL_BUFFER_HOST_STAGING);
  const std::vector<uint8_t> bytes = Pattern(kSize);
  std::memcpy(Map(upload), bytes.data(), kSize);
  ASSERT_EQ(table_->stream_copy_buffer(stream_, upload, 0, device, 0, kSize), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_buffer(stream_, device, 0, download, 0, kSize), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS);
  EXPECT_EQ(std::memcmp(Map(download), bytes.data(), kSize), 0);
  for (hal_drv_buffer* buffer : {upload, device, download}) table_->buffer_free(context_, buffer);
}

TEST_F(RemoteDriverTest, StagingCommandsFollowEarlierDownloadsIntoThem) {
  FakeDaemon daemon(ServeDevices({"vd"}));
  OpenContext(daemon);
  hal_drv_buffer* device = Allocate(64);
  hal_drv_buffer* staging = Allocate(64, HAL_BUFFER_HOST_STAGING);
  ASSERT_EQ(table_->stream_fill(stream_, device, 0, 64, 0x01010101u), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_buffer(stream_, device, 0, staging, 0, 64), HAL_SUCCESS);
  // Carried out on the host, after the download above landed.
  ASSERT_EQ(table_->stream_fill(stream_, staging, 16, 16, 0x02020202u), HAL_SUCCESS);
  std::vector<uint8_t> back(64, 0);
  ASSERT_EQ(table_->stream_copy_device_to_host(stream_, staging, 0, back.data(), 64), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS);
  for (size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(back[i], i >= 16 && i < 32 ? 2 : 1) << i;
  }
  table_->buffer_free(context_, device);
  table_->buffer_free(context_, staging);
}

TEST_F(RemoteDriverTest, ADispatchSeesAndUpdatesABoundStagingBuffer) {
  FakeDaemon daemon(ServeDevices({"vd"}));
  OpenContext(daemon);
  hal_drv_buffer* staging = Allocate(256, HAL_BUFFER_HOST_STAGING);
  auto* host = static_cast<uint8_t*>(Map(staging));
  std::iota(host, host + 256, 0);
  const hal_module_desc module_desc{HAL_STRUCTURE_TYPE_MODULE_DESC, nullptr, "fake-image", "x",
                                    1};
  hal_drv_module* module = nullptr;
  ASSERT_EQ(table_->module_load(context_, &module_desc, &module), HAL_SUCCESS);
  const hal_kernel_desc kernel_desc{HAL_STRUCTURE_TYPE_KERNEL_DESC, nullptr, "k", {1, 0, {1, 1, 1}}};
  hal_drv_kernel* kernel = nullptr;
  ASSERT_EQ(table_->kernel_get(module, &kernel_desc, &kernel), HAL_SUCCESS);
  const hal_binding binding{staging, 128};
  const hal_dispatch_desc dispatch{HAL_STRUCTURE_TYPE_DISPATCH_DESC, nullptr, {1, 1, 1}, &binding,
                                   1, nullptr, 0};
  ASSERT_EQ(table_->stream_dispatch(stream_, kernel, &dispatch), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS);
  // The fake kernel adds 1 to every byte from the binding's offset on.
  for (int i = 0; i < 256; ++i) EXPECT_EQ(host[i], static_cast<uint8_t>(i < 128 ? i : i + 1)) << i;
  table_->module_destroy(module);
  table_->buffer_free(context_, staging);
}

// The grid goes out in the form the daemon's protocol version reads: the
// fake adds the number of workgroups it reads (6 here) only from that form.
class RemoteDispatchGridTest : public RemoteDriverTest,
                               public ::testing::WithParamInterface<uint32_t> {};

TEST_P(RemoteDispatchGridTest, TheGridGoesOutInTheFormTheDaemonReads) {
  FakeDaemon daemon(ServeDevices({"vd"}, GetParam()));
  OpenContext(daemon);
  hal_drv_buffer* buffer = Allocate(64);
  ASSERT_EQ(table_->stream_fill(stream_, buffer, 0, 64, 0x01010101u), HAL_SUCCESS);
  const hal_module_desc module_desc{HAL_STRUCTURE_TYPE_MODULE_DESC, nullptr, "fake-image", "x",
                                    1};
  hal_drv_module* module = nullptr;
  ASSERT_EQ(table_->module_load(context_, &module_desc, &module), HAL_SUCCESS);
  const hal_kernel_desc kernel_desc{HAL_STRUCTURE_TYPE_KERNEL_DESC, nullptr, "k",
                                    {1, 0, {1, 1, 1}}};
  hal_drv_kernel* kernel = nullptr;
  ASSERT_EQ(table_->kernel_get(module, &kernel_desc, &kernel), HAL_SUCCESS);
  const hal_binding binding{buffer, 0};
  const hal_dispatch_desc dispatch{
      HAL_STRUCTURE_TYPE_DISPATCH_DESC, nullptr, {2, 3, 1}, &binding, 1, nullptr, 0};
  ASSERT_EQ(table_->stream_dispatch(stream_, kernel, &dispatch), HAL_SUCCESS);
  std::vector<uint8_t> back(64, 0);
  ASSERT_EQ(table_->stream_copy_device_to_host(stream_, buffer, 0, back.data(), 64),
            HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS);
  EXPECT_EQ(back, std::vector<uint8_t>(64, 1 + 6));
  table_->module_destroy(module);
  table_->buffer_free(context_, buffer);
}

INSTANTIATE_TEST_SUITE_P(DaemonMinorVersions, RemoteDispatchGridTest,
                         ::testing::Values(kDispatchGridScalarsMinor - 1, kProtocolMinor));

// A fake daemon answers as a hald older than protocol 1.3 would (shared
// false): the tests above run the shadow. The shared path runs against a real
// hald: tests/remote/remote_shared_buffers_test.cc and
// daemon/tests/shared_buffers_test.cc.

TEST(RemoteHostShadowTest, ShareableMemoryIsAZeroedMemfdOfWholePages) {
  std::unique_ptr<HostShadow> shadow = HostShadow::Allocate(100, /*shareable=*/true);
  ASSERT_NE(shadow, nullptr);
  ASSERT_GE(shadow->fd(), 0);
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  EXPECT_EQ(lseek(shadow->fd(), 0, SEEK_END), static_cast<off_t>(page));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(shadow->data()) % page, 0u);
  EXPECT_EQ(std::count(shadow->data(), shadow->data() + page, 0), static_cast<ptrdiff_t>(page));
  shadow->CloseDescriptor();
  EXPECT_EQ(shadow->fd(), -1);
  shadow->data()[99] = 7;  // still mapped
  std::unique_ptr<HostShadow> anonymous = HostShadow::Allocate(100, /*shareable=*/false);
  ASSERT_NE(anonymous, nullptr);
  EXPECT_EQ(anonymous->fd(), -1);
  EXPECT_EQ(HostShadow::Allocate(0, true), nullptr);
}

// The tenant touches shareable memory when it allocates it, so its memory
// cgroup, not hald's, is charged for the pages.
TEST(RemoteHostShadowTest, ShareableMemoryIsResidentFromTheStart) {
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  constexpr uint64_t kPages = 256;
  std::unique_ptr<HostShadow> shadow = HostShadow::Allocate(kPages * page, /*shareable=*/true);
  ASSERT_NE(shadow, nullptr);
  std::vector<unsigned char> resident(kPages);
  ASSERT_EQ(mincore(shadow->data(), kPages * page, resident.data()), 0);
  EXPECT_EQ(std::count_if(resident.begin(), resident.end(), [](unsigned char r) { return r & 1; }),
            static_cast<ptrdiff_t>(kPages));
}

// --- queries ---

TEST_F(RemoteDriverTest, QueriesAnswerWhatTheDaemonSays) {
  FakeDaemon daemon(ServeDevices({"vd"}));
  OpenContext(daemon);
  const hal_event_desc event_desc{HAL_STRUCTURE_TYPE_EVENT_DESC, nullptr, 0};
  hal_drv_event* event = nullptr;
  ASSERT_EQ(table_->event_create(context_, &event_desc, &event), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_signal_event(stream_, event), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_wait_event(stream_, event), HAL_SUCCESS);
  EXPECT_EQ(table_->stream_query(stream_), HAL_SUCCESS);
  EXPECT_EQ(table_->event_query(event), HAL_SUCCESS);
  EXPECT_EQ(table_->event_synchronize(event), HAL_SUCCESS);
  uint64_t ns = 0;
  ASSERT_EQ(table_->event_timestamp_ns(event, &ns), HAL_SUCCESS);
  EXPECT_EQ(ns, 12345u);
  table_->event_destroy(event);
}

// --- a daemon that dies ---

TEST_F(RemoteDriverTest, ADeadDaemonMakesEveryCallUnavailable) {
  FakeDaemon daemon(ServeDevices({"vd"}));
  OpenContext(daemon);
  hal_drv_buffer* buffer = Allocate(64);
  daemon.CloseConnections();
  EXPECT_EQ(table_->stream_synchronize(stream_), HAL_ERROR_UNAVAILABLE);
  EXPECT_NE(LastError().find("closed the connection"), std::string::npos) << LastError();
  EXPECT_EQ(table_->stream_fill(stream_, buffer, 0, 64, 0), HAL_ERROR_UNAVAILABLE);
  std::vector<uint8_t> back(64);
  EXPECT_EQ(table_->stream_copy_device_to_host(stream_, buffer, 0, back.data(), 64),
            HAL_ERROR_UNAVAILABLE);
  uint64_t free_bytes = 0;
  uint64_t total_bytes = 0;
  EXPECT_EQ(table_->device_get_memory_info(0, &free_bytes, &total_bytes), HAL_ERROR_UNAVAILABLE);
  // Releasing still works.
  table_->buffer_free(context_, buffer);
  DestroyContext();
}

}  // namespace
}  // namespace hal::remote
