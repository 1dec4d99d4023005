// Device/Buffer/Queue/Event/Kernel::NativeHandle: Unimplemented on the CPU
// driver (no vendor objects), the Vulkan objects on vulkan:0 (lavapipe in
// CI; skipped without it), and a virtual device's own context refused.
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "tests/pool_fixture.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

class NativeHandleTest : public testing::PoolTest {};

TEST_F(NativeHandleTest, TheCpuHasNoneAndSaysSo) {
  ASSERT_FALSE(physical_->properties().capabilities.has(Capability::kNativeHandles));
  std::shared_ptr<Buffer> buffer = MustAllocate(64);
  auto event = device_->CreateEvent();
  ASSERT_TRUE(event.ok());
  std::shared_ptr<Kernel> kernel = MustLoad("noop");
  ASSERT_NE(kernel, nullptr);
  for (const absl::Status& status :
       {device_->NativeHandle().status(), buffer->NativeHandle().status(),
        queue_->NativeHandle().status(), (*event)->NativeHandle().status(),
        kernel->NativeHandle().status()}) {
    EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented);
    EXPECT_THAT(status.message(), HasSubstr("needs the native-handles capability"));
    EXPECT_THAT(status.message(), HasSubstr("cpu driver"));
  }
}

// Refused before the capability is asked about: the reason holds whatever
// the device.
TEST_F(NativeHandleTest, AVirtualDevicesContextIsPermissionDenied) {
  std::unique_ptr<Pool> pool = MakePool();
  ASSERT_NE(pool, nullptr);
  std::shared_ptr<VirtualDevice> vd = MakeVirtualDevice(*pool, "tenant", 1 << 20);
  ASSERT_NE(vd, nullptr);
  auto handle = vd->device()->NativeHandle();
  EXPECT_EQ(handle.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(handle.status().message(), HasSubstr("is a virtual device"));
  EXPECT_THAT(handle.status().message(), HasSubstr("quotas"));
}

class VulkanNativeHandleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto runtime = testing::BuildTreeRuntime("vulkan:0");
    ASSERT_TRUE(runtime.ok()) << runtime.status();
    runtime_ = *std::move(runtime);
    if (runtime_->devices().empty()) GTEST_SKIP() << "no vulkan:0 device (no Vulkan driver)";
    physical_ = runtime_->devices()[0];
    if (!physical_->properties().capabilities.has(Capability::kNativeHandles)) {
      GTEST_SKIP() << physical_->properties().name << " reports no native-handles capability";
    }
    auto bundle = testing::BuildTreeStandardBundle();
    ASSERT_TRUE(bundle.ok()) << bundle.status();
    bundle_ = std::make_unique<KernelBundle>(*std::move(bundle));
  }
  std::unique_ptr<Runtime> runtime_;
  const PhysicalDevice* physical_ = nullptr;
  std::unique_ptr<KernelBundle> bundle_;
};

TEST_F(VulkanNativeHandleTest, EachObjectHasItsVulkanHandle) {
  auto device = physical_->Open();
  ASSERT_TRUE(device.ok()) << device.status();
  auto a = (*device)->Allocate(256);
  auto b = (*device)->Allocate(256);
  auto queue = (*device)->CreateQueue();
  auto kernel = (*device)->LoadKernel(*bundle_, "noop");
  ASSERT_TRUE(a.ok() && b.ok() && queue.ok());
  ASSERT_TRUE(kernel.ok()) << kernel.status();
  const struct {
    absl::StatusOr<NativeHandle> handle;
    const char* kind;
  } expected[] = {{(*device)->NativeHandle(), "VkDevice"},
                  {(*a)->NativeHandle(), "VkBuffer"},
                  {(*b)->NativeHandle(), "VkBuffer"},
                  {(*queue)->NativeHandle(), "VkQueue"},
                  {(*kernel)->NativeHandle(), "VkPipeline"}};
  for (const auto& [handle, kind] : expected) {
    ASSERT_TRUE(handle.ok()) << kind << ": " << handle.status();
    EXPECT_EQ(handle->kind, kind);
    EXPECT_NE(handle->value, 0u) << kind;
  }
  EXPECT_NE(expected[1].handle->value, expected[2].handle->value) << "distinct buffers";
  auto again = (*a)->NativeHandle();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->value, expected[1].handle->value) << "stable";
}

// The Vulkan driver has no vendor object for an event: the driver's
// refusal, Unimplemented, with its reason.
TEST_F(VulkanNativeHandleTest, AnEventHasNoneOnVulkan) {
  auto device = physical_->Open();
  ASSERT_TRUE(device.ok()) << device.status();
  auto event = (*device)->CreateEvent();
  ASSERT_TRUE(event.ok());
  auto handle = (*event)->NativeHandle();
  EXPECT_EQ(handle.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(handle.status().message(), HasSubstr("vulkan driver"));
}

TEST_F(VulkanNativeHandleTest, AVirtualDeviceGivesItsObjectsHandlesButNotItsContext) {
  auto pool = Pool::Create({physical_});
  ASSERT_TRUE(pool.ok()) << pool.status();
  VirtualDeviceSpec spec;
  spec.name = "tenant";
  spec.memory_quota = 1 << 20;
  auto vd = (*pool)->CreateVirtualDevice(spec);
  ASSERT_TRUE(vd.ok()) << vd.status();
  EXPECT_EQ((*vd)->device()->NativeHandle().status().code(), absl::StatusCode::kPermissionDenied);
  auto buffer = (*vd)->device()->Allocate(256);
  auto queue = (*vd)->device()->CreateQueue();
  ASSERT_TRUE(buffer.ok() && queue.ok());
  auto buffer_handle = (*buffer)->NativeHandle();
  ASSERT_TRUE(buffer_handle.ok()) << buffer_handle.status();
  EXPECT_EQ(buffer_handle->kind, "VkBuffer");
  auto queue_handle = (*queue)->NativeHandle();
  ASSERT_TRUE(queue_handle.ok()) << queue_handle.status();
  EXPECT_EQ(queue_handle->kind, "VkQueue");
}

}  // namespace
}  // namespace hal
