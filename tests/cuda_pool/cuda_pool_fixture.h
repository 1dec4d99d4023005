// The fixture of the runtime's tests over the CUDA driver and the fake
// libcuda.so.1 (tests/fake_cuda; ctest puts its folder first in
// LD_LIBRARY_PATH): each test configures the fake afresh, then creates a
// runtime of the build tree's drivers, whose CUDA driver finds the fake.
// What the fake holds (device bytes, green-context SMs) is read through its
// control API, independently of the runtime's own accounting.
#ifndef HAL_TESTS_CUDA_POOL_CUDA_POOL_FIXTURE_H_
#define HAL_TESTS_CUDA_POOL_CUDA_POOL_FIXTURE_H_

#include <stdlib.h>

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "hal/hal.h"
#include "hal/virtual_device.h"
#include "runtime/access.h"
#include "runtime/object_states.h"
#include "tests/cpu_device_fixture.h"
#include "tests/fake_cuda/fake_cuda_control.h"

namespace hal::testing {

constexpr uint64_t kMiB = uint64_t{1} << 20;

class CudaPoolTest : public ::testing::Test {
 protected:
  // The fake's configuration (HAL_FAKE_CUDA_CONFIG syntax) and the devices
  // to keep.
  virtual std::string Config() const { return "memory_mib=256"; }
  virtual std::string Selector() const { return "cuda:0"; }

  void SetUp() override {
    // The fake runs kernels through their CPU twins in this bundle.
    const std::string bundle_path =
        std::string(HAL_TEST_BINARY_DIR) + "/share/hal/kernels/standard.halb";
    setenv("HAL_FAKE_CUDA_BUNDLES", bundle_path.c_str(), /*overwrite=*/0);
    std::string error;
    if (!hal_fake_cuda_control_load(&fake_, &error)) {
      GTEST_SKIP() << "the fake libcuda.so.1 is not first in LD_LIBRARY_PATH (run through "
                      "ctest): "
                   << error;
    }
    fake_.configure(Config().c_str());
    auto runtime = BuildTreeRuntime(Selector());
    ASSERT_TRUE(runtime.ok()) << runtime.status();
    runtime_ = *std::move(runtime);
    auto cuda = runtime_->FindDevice("cuda:0");
    ASSERT_TRUE(cuda.ok()) << cuda.status() << CudaDriverState();
    cuda_ = *cuda;
    auto bundle = KernelBundle::ReadFile(bundle_path);
    ASSERT_TRUE(bundle.ok()) << bundle.status();
    bundle_ = std::make_unique<KernelBundle>(*std::move(bundle));
  }

  void TearDown() override {
    // Objects go before the runtime that loaded their drivers.
    bundle_.reset();
    runtime_.reset();
  }

  std::string CudaDriverState() const {
    for (const Driver* driver : runtime_->drivers()) {
      if (driver->name() == "cuda") {
        return driver->available() ? ""
                                   : "; cuda driver unavailable: " + driver->unavailable_reason();
      }
    }
    return "; the build tree has no cuda driver";
  }

  std::unique_ptr<Pool> MakePool(const PoolOptions& options = {}) {
    auto pool = Pool::Create(runtime_->devices(), options);
    EXPECT_TRUE(pool.ok()) << pool.status();
    return pool.ok() ? *std::move(pool) : nullptr;
  }

  static VirtualDeviceSpec Spec(const std::string& name, uint64_t quota, double share = 1.0) {
    VirtualDeviceSpec spec;
    spec.name = name;
    spec.memory_quota = quota;
    spec.compute_share = share;
    return spec;
  }

  static std::shared_ptr<VirtualDevice> MakeVirtualDevice(Pool& pool,
                                                          const VirtualDeviceSpec& spec) {
    auto vd = pool.CreateVirtualDevice(spec);
    EXPECT_TRUE(vd.ok()) << vd.status();
    return vd.ok() ? *std::move(vd) : nullptr;
  }

  // The device address kernels see for the buffer, from the driver.
  static uint64_t DeviceAddress(const Buffer& buffer) {
    const auto& state = internal::Access::State(buffer);
    const internal::DeviceState& device = *state->device;
    uint64_t address = 0;
    EXPECT_EQ(device.table->buffer_device_address(device.context, state->buffer, &address),
              HAL_SUCCESS);
    return address;
  }

  // SMs of the green context behind `device` (0 when it has none), as the
  // fake records them for a stream made on that context.
  uint32_t StreamSmCount(const Device& device) const {
    const auto& state = internal::Access::State(device);
    const hal_stream_desc desc{HAL_STRUCTURE_TYPE_STREAM_DESC, nullptr, HAL_STREAM_PRIORITY_NORMAL};
    hal_drv_stream* stream = nullptr;
    EXPECT_EQ(state->table->stream_create(state->context, &desc, &stream), HAL_SUCCESS);
    if (stream == nullptr) return 0;
    hal_native_handle handle{};
    EXPECT_EQ(state->table->native_handle(state->context, HAL_OBJECT_STREAM, stream, &handle),
              HAL_SUCCESS);
    const uint32_t sms = fake_.stream_sm_count(static_cast<uintptr_t>(handle.value));
    state->table->stream_destroy(stream);
    return sms;
  }

  // Writes `pattern` over the buffer and waits, so its zeroing is done too.
  static void Write(Queue& queue, const Buffer& buffer, uint32_t pattern) {
    ASSERT_TRUE(queue.Fill(buffer, 0, buffer.size() / 4 * 4, pattern).ok());
    ASSERT_TRUE(queue.Synchronize().ok());
  }

  // Whether every 4-byte word of the buffer is `pattern`.
  static bool Holds(Queue& queue, const Buffer& buffer, uint32_t pattern) {
    std::vector<uint32_t> words(buffer.size() / 4);
    if (!queue.CopyDeviceToHost(buffer, 0, words.data(), words.size() * 4).ok()) return false;
    if (!queue.Synchronize().ok()) return false;
    for (uint32_t word : words) {
      if (word != pattern) return false;
    }
    return true;
  }

  HalFakeCudaControl fake_;
  std::unique_ptr<Runtime> runtime_;
  const PhysicalDevice* cuda_ = nullptr;
  std::unique_ptr<KernelBundle> bundle_;
};

}  // namespace hal::testing

#endif  // HAL_TESTS_CUDA_POOL_CUDA_POOL_FIXTURE_H_
