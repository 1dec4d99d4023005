// A fixture giving tests the build tree's CPU device, opened once per test,
// and the standard kernel bundle; and the runtime and bundle of the build tree
// for fixtures of other devices.
#ifndef HAL_TESTS_CPU_DEVICE_FIXTURE_H_
#define HAL_TESTS_CPU_DEVICE_FIXTURE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "hal/hal.h"

namespace hal::testing {

// A runtime of the build tree's drivers alone (neither HAL_DRIVER_PATH nor
// an install is searched), keeping the devices `selector` names.
inline absl::StatusOr<std::unique_ptr<Runtime>> BuildTreeRuntime(const std::string& selector) {
  RuntimeOptions options;
  options.driver_paths = {HAL_TEST_CPU_DRIVER_MANIFEST_DIR};
  options.use_driver_path_env = false;
  options.use_default_driver_path = false;
  options.selector = selector;
  return Runtime::Create(options);
}

// The standard kernel bundle of the build tree.
inline absl::StatusOr<KernelBundle> BuildTreeStandardBundle() {
  return KernelBundle::ReadFile(std::string(HAL_TEST_BINARY_DIR) +
                                "/share/hal/kernels/standard.halb");
}

class CpuDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto runtime = BuildTreeRuntime("cpu:0");
    ASSERT_TRUE(runtime.ok()) << runtime.status();
    runtime_ = *std::move(runtime);
    ASSERT_EQ(runtime_->devices().size(), 1u) << "the CPU driver must provide cpu:0";
    physical_ = runtime_->devices()[0];
    auto device = physical_->Open();
    ASSERT_TRUE(device.ok()) << device.status();
    device_ = *std::move(device);
    auto queue = device_->CreateQueue();
    ASSERT_TRUE(queue.ok()) << queue.status();
    queue_ = *std::move(queue);
    auto bundle = BuildTreeStandardBundle();
    ASSERT_TRUE(bundle.ok()) << bundle.status();
    bundle_ = std::make_unique<KernelBundle>(*std::move(bundle));
  }

  void TearDown() override {
    // Objects go before the runtime that loaded their driver.
    queue_.reset();
    device_.reset();
    bundle_.reset();
    runtime_.reset();
  }

  std::shared_ptr<Buffer> MustAllocate(uint64_t size) {
    auto buffer = device_->Allocate(size);
    EXPECT_TRUE(buffer.ok()) << buffer.status();
    return buffer.ok() ? *std::move(buffer) : nullptr;
  }

  std::shared_ptr<Kernel> MustLoad(absl::string_view name) {
    auto kernel = device_->LoadKernel(*bundle_, name);
    EXPECT_TRUE(kernel.ok()) << kernel.status();
    return kernel.ok() ? *std::move(kernel) : nullptr;
  }

  std::unique_ptr<Runtime> runtime_;
  const PhysicalDevice* physical_ = nullptr;
  std::shared_ptr<Device> device_;
  std::unique_ptr<Queue> queue_;
  std::unique_ptr<KernelBundle> bundle_;
};

}  // namespace hal::testing

#endif  // HAL_TESTS_CPU_DEVICE_FIXTURE_H_
