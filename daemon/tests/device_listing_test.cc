#include "daemon/device_listing.h"

#include "daemon/tests/daemon_fixture.h"
#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"

namespace hal::daemon {
namespace {

TEST(DeviceListingTest, UuidsAreStablePerNameAndDistinct) {
  EXPECT_EQ(VirtualDeviceUuid("a"), VirtualDeviceUuid("a"));
  EXPECT_NE(VirtualDeviceUuid("a"), VirtualDeviceUuid("b"));
  EXPECT_EQ(VirtualDeviceUuid("a")[6] >> 4, 8) << "version 8";
}

TEST(DeviceListingTest, NativeFormatsOnlyWhenAllowed) {
  DeviceProperties props;
  props.kernel_formats = {"cpu-elf:x86_64", "spirv-vulkan"};
  EXPECT_EQ(TenantKernelFormats(props, true), props.kernel_formats);
  EXPECT_EQ(TenantKernelFormats(props, false), std::vector<std::string>{"spirv-vulkan"});
  EXPECT_TRUE(IsNativeKernelFormat("cpu-elf:aarch64"));
  EXPECT_FALSE(IsNativeKernelFormat("ptx"));
}

TEST(DeviceListingTest, ForwardedCapabilitiesAreThoseTheProtocolCarries) {
  DeviceProperties gpu;
  gpu.capabilities = CapabilitySet(0x3f);  // every capability
  gpu.kernel_formats = {"ptx"};
  EXPECT_EQ(ForwardedCapabilities(gpu, false),
            HAL_CAPABILITY_DEVICE_ADDRESS | HAL_CAPABILITY_STREAM_PRIORITY);
  DeviceProperties cpu;
  cpu.capabilities = CapabilitySet(HAL_CAPABILITY_DEVICE_ADDRESS | HAL_CAPABILITY_VIRTUAL_MEMORY |
                                   HAL_CAPABILITY_HOST_REGISTRATION);
  cpu.kernel_formats = {"cpu-elf:x86_64"};
  EXPECT_EQ(ForwardedCapabilities(cpu, true), static_cast<uint32_t>(HAL_CAPABILITY_DEVICE_ADDRESS));
  EXPECT_EQ(ForwardedCapabilities(cpu, false), 0u) << "no kernel a tenant may load, no address";
}

TEST(DeviceListingTest, DeviceMemoryIsSharedWhereItIsHostMemoryAndStaysPut) {
  DeviceProperties cpu;
  cpu.device_buffers_mappable = true;
  cpu.capabilities = CapabilitySet(HAL_CAPABILITY_HOST_REGISTRATION);
  EXPECT_TRUE(SharesDeviceMemory(cpu, /*overcommitted=*/false));
  EXPECT_FALSE(SharesDeviceMemory(cpu, /*overcommitted=*/true));
  DeviceProperties unregistering = cpu;
  unregistering.capabilities = CapabilitySet(0);
  EXPECT_FALSE(SharesDeviceMemory(unregistering, false));
  DeviceProperties lavapipe = unregistering;
  lavapipe.type = DeviceType::kCpu;
  lavapipe.device_buffers_mappable = false;
  EXPECT_FALSE(SharesDeviceMemory(lavapipe, false)) << "without host registration";
  lavapipe.capabilities = CapabilitySet(HAL_CAPABILITY_HOST_REGISTRATION);
  EXPECT_TRUE(SharesDeviceMemory(lavapipe, false)) << "a CPU device computes in host memory";
  DeviceProperties gpu = lavapipe;
  gpu.type = DeviceType::kDiscreteGpu;
  EXPECT_FALSE(SharesDeviceMemory(gpu, false)) << "a GPU's device memory is not host memory";
}

TEST(DeviceListingTest, AVirtualDeviceIsListedWithItsQuotaAndName) {
  std::unique_ptr<Runtime> runtime = testing::CpuRuntime();
  ASSERT_NE(runtime, nullptr);
  if (runtime->devices().empty()) GTEST_SKIP() << "the CPU driver of the build tree is absent";
  absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create({runtime->devices()[0]});
  ASSERT_TRUE(pool.ok());
  VirtualDeviceSpec spec;
  spec.name = "tenant";
  spec.memory_quota = 1 << 20;
  absl::StatusOr<std::shared_ptr<VirtualDevice>> device = (*pool)->CreateVirtualDevice(spec);
  ASSERT_TRUE(device.ok());
  remote::v1::DeviceProperties listed = ListedProperties(**device, false, false);
  EXPECT_EQ(listed.name(), "tenant on " + runtime->devices()[0]->properties().name);
  EXPECT_EQ(listed.total_memory_bytes(), 1u << 20);
  EXPECT_EQ(listed.capabilities(), 0u) << "without native kernels a tenant gets no address";
  EXPECT_EQ(ListedProperties(**device, true, false).capabilities(),
            static_cast<uint32_t>(HAL_CAPABILITY_DEVICE_ADDRESS));
  EXPECT_EQ(listed.virtual_device(), "tenant");
  EXPECT_EQ(listed.physical_device(), runtime->devices()[0]->id());
  EXPECT_EQ(listed.uuid().size(), 16u);
  EXPECT_EQ(listed.kernel_formats().find("cpu-elf"), std::string::npos);
  EXPECT_TRUE(listed.shared_device_memory()) << "the CPU driver's memory is host memory";
  EXPECT_FALSE(ListedProperties(**device, false, /*overcommitted=*/true).shared_device_memory());
}

}  // namespace
}  // namespace hal::daemon
