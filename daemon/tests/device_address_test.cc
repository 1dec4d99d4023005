// BufferDeviceAddress (protocol 1.5): hald answers a tenant's buffer's device
// address where the virtual device is listed with device-address.
#include <cstdint>

#include "daemon/tests/daemon_fixture.h"
#include "gmock/gmock.h"
#include "hal/driver/hal_driver.h"

namespace hal::daemon::testing {
namespace {

using ::testing::HasSubstr;

ClientMessage AddressMessage(uint64_t buffer) {
  ClientMessage message;
  message.mutable_buffer_device_address()->set_buffer(buffer);
  return message;
}

// The capabilities hald lists for `virtual_device`.
uint32_t ListedCapabilities(TestClient& client, const std::string& virtual_device) {
  absl::StatusOr<DaemonMessage> list = client.Request(ListDevicesMessage());
  EXPECT_TRUE(list.ok()) << list.status();
  if (!list.ok()) return 0;
  for (const remote::v1::DeviceProperties& device : list->device_list().devices()) {
    if (device.virtual_device() == virtual_device) return device.capabilities();
  }
  ADD_FAILURE() << virtual_device << " is not listed";
  return 0;
}

class DeviceAddressRequestTest : public DaemonTest {
 protected:
  void SetUp() override {
    DaemonTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    StartServer(DefaultPoolFile());
  }
};

TEST_F(DeviceAddressRequestTest, TheAddressIsWhereTheBuffersBytesAre) {
  std::unique_ptr<TestClient> client = Attached("a");  // native kernels allowed
  ASSERT_TRUE(client);
  EXPECT_NE(ListedCapabilities(*client, "a") & HAL_CAPABILITY_DEVICE_ADDRESS, 0u);
  constexpr uint64_t kWords = 1024;
  ASSERT_TRUE(client->Request(AllocateMessage(1, kWords * 4)).ok());
  ASSERT_TRUE(client->Request(AllocateMessage(2, kWords * 4)).ok());
  ASSERT_TRUE(client->Request(StreamCreateMessage(1)).ok());
  ASSERT_TRUE(client->SendOneWay(FillMessage(1, 1, kWords * 4, 0x5a5a5a5a)).ok());
  ASSERT_TRUE(client->Call(SynchronizeMessage(1)).ok());
  absl::StatusOr<DaemonMessage> first = client->Request(AddressMessage(1));
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<DaemonMessage> second = client->Request(AddressMessage(2));
  ASSERT_TRUE(second.ok()) << second.status();
  const uint64_t address = first->buffer_address().address();
  ASSERT_NE(address, 0u);
  EXPECT_NE(second->buffer_address().address(), address);
  // This hald serves cpu:0 in this process, where a device address is the
  // host address of the buffer's memory: the fill is there.
  const auto* words = reinterpret_cast<const uint32_t*>(address);
  for (uint64_t i = 0; i < kWords; ++i) ASSERT_EQ(words[i], 0x5a5a5a5au) << "word " << i;
  absl::StatusOr<DaemonMessage> again = client->Request(AddressMessage(1));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->buffer_address().address(), address);
}

TEST_F(DeviceAddressRequestTest, AVirtualDeviceWithoutTenantKernelsHasNoAddresses) {
  // "b" may not load native kernels, the only kind cpu:0 runs.
  std::unique_ptr<TestClient> client = Attached("b");
  ASSERT_TRUE(client);
  EXPECT_EQ(ListedCapabilities(*client, "b"), 0u);
  ASSERT_TRUE(client->Request(AllocateMessage(1, 64)).ok());
  const absl::Status refused = client->Call(AddressMessage(1));
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(refused.message(), HasSubstr("virtual device b is listed without device addresses"));
  EXPECT_TRUE(client->Request(StreamCreateMessage(1)).ok()) << "the session goes on";
}

TEST_F(DeviceAddressRequestTest, AnUnknownBufferOrNoAttachIsRefused) {
  std::unique_ptr<TestClient> client = Attached("a");
  ASSERT_TRUE(client);
  EXPECT_EQ(client->Call(AddressMessage(9)).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(client->Request(AllocateMessage(9, 64)).ok());
  EXPECT_TRUE(client->Request(AddressMessage(9)).ok()) << "the session goes on";

  std::unique_ptr<TestClient> unattached = Client(unix_endpoint());
  ASSERT_TRUE(unattached);
  ASSERT_TRUE(unattached->Hello().ok());
  EXPECT_EQ(unattached->Call(AddressMessage(1)).code(), absl::StatusCode::kFailedPrecondition);
}

// In an overcommitted pool a host-staging buffer would move when evicted:
// hald pins it for its address, against the virtual device's pin limit.
using OvercommittedDeviceAddressTest = DaemonTest;

TEST_F(OvercommittedDeviceAddressTest, TheAddressPinsWithinThePinLimit) {
  StartServer(R"({
  "pool": {"devices": ["cpu:0"], "overcommit_ratio": 2},
  "virtual_devices": [{"name": "a", "memory_quota": "64MiB", "pin_limit": "1MiB"}],
  "hald": {"native_kernels": ["a"]}
})");
  std::unique_ptr<TestClient> client = Attached("a");
  ASSERT_TRUE(client);
  auto staging = [](uint64_t buffer, uint64_t size) {
    ClientMessage message = AllocateMessage(buffer, size);
    message.mutable_buffer_allocate()->set_kind(HAL_BUFFER_HOST_STAGING);
    return message;
  };
  ASSERT_TRUE(client->Request(staging(1, 512 << 10)).ok());
  ASSERT_TRUE(client->Request(staging(2, 768 << 10)).ok());
  ASSERT_TRUE(client->Request(AddressMessage(1)).ok()) << "512 KiB pinned of 1 MiB";
  const absl::Status over = client->Call(AddressMessage(2));
  EXPECT_EQ(over.code(), absl::StatusCode::kResourceExhausted) << over;
  ClientMessage free_first;
  free_first.mutable_buffer_free()->set_buffer(1);
  ASSERT_TRUE(client->SendOneWay(free_first).ok());
  EXPECT_TRUE(client->Request(AddressMessage(2)).ok()) << "the first buffer's pin went with it";
}

}  // namespace
}  // namespace hal::daemon::testing
