// The fixture every device test derives from: parameterized over the devices
// under test, it gives the test the shared device context and a fresh queue.
//
//   class Copy : public hal::cts::DeviceTest {};
//   TEST_P(Copy, HostToDeviceToHost) { ... device() ... queue() ... }
//   HAL_CTS_INSTANTIATE_DEVICE_TESTS(Copy);   // tests named Copy.X/cpu_0
#ifndef HAL_CONFORMANCE_DEVICE_TEST_H_
#define HAL_CONFORMANCE_DEVICE_TEST_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "absl/strings/string_view.h"
#include "conformance/cts_environment.h"
#include "conformance/skip.h"
#include "gtest/gtest.h"
#include "hal/hal.h"

namespace hal::cts {

// What DeviceTest and DeviceCaseTest (conformance/numerics/device_case_test.h)
// share: the accessors of the device under test, the --expected-failures
// lookup and the test's own queue. Not a GoogleTest fixture itself: each
// fixture reads its device out of its own parameter type.
class DeviceFixture {
 public:
  virtual ~DeviceFixture() = default;

 protected:
  // The device this test runs on (from the fixture's parameter).
  virtual const CtsDevice& cts_device() const = 0;

  // Skips a test that --expected-failures names for this device (a fixture
  // extending SetUp returns when IsSkipped()), then creates the queue. The
  // entries are matched against "Suite.Test"; with a `case_name` also against
  // "Suite.Test/<case_name>" first, so an entry can name one case.
  void SetUpDevice(absl::string_view case_name = {});
  void TearDownDevice();

  // The context every test of this device shares.
  Device& device() const { return *cts_device().device; }
  const std::shared_ptr<Device>& shared_device() const { return cts_device().device; }
  const PhysicalDevice& physical_device() const { return *cts_device().physical; }
  const DeviceProperties& properties() const { return cts_device().physical->properties(); }
  const KernelBundle& kernels() const { return CtsEnvironment::Get().kernels(); }
  // A queue of this test's own, created in SetUp.
  Queue& queue() const { return *queue_; }
  // How many virtual devices of an equal compute share (1/n) fit side by
  // side on this device, at most `wanted`: a partitioned device gives each
  // its own partition units (at least min_units, a multiple of alignment), so
  // a device of few units (pocl on two cores, a GPU of two tiles) holds fewer.
  int TenantsSideBySide(int wanted) const {
    const PartitionInfo& partition = properties().partition;
    if (partition.kind == PartitionKind::kNone || partition.max_units == 0) return wanted;
    const uint32_t alignment = std::max<uint32_t>(1, partition.alignment);
    const uint32_t grant =
        (std::max<uint32_t>(1, partition.min_units) + alignment - 1) / alignment * alignment;
    return static_cast<int>(std::min<uint32_t>(wanted, partition.max_units / grant));
  }
  // A kernel of the standard bundle, loaded on the shared context.
  absl::StatusOr<std::shared_ptr<Kernel>> LoadKernel(absl::string_view name) const {
    return device().LoadKernel(kernels(), name);
  }

 private:
  std::unique_ptr<Queue> queue_;
  // Set when an --expected-failures entry names this test on this device.
  std::unique_ptr<KnownFailureScope> expected_failure_;
};

class DeviceTest : public ::testing::TestWithParam<const CtsDevice*>, public DeviceFixture {
 protected:
  void SetUp() override { SetUpDevice(); }
  void TearDown() override { TearDownDevice(); }
  const CtsDevice& cts_device() const override { return *GetParam(); }
};

// Test names carry the device: "Copy.HostToDeviceToHost/cpu_0".
std::string DeviceTestName(const ::testing::TestParamInfo<const CtsDevice*>& info);

// How GoogleTest prints the parameter (value_param in reports): the device id.
void PrintTo(const CtsDevice* device, std::ostream* os);

}  // namespace hal::cts

// In a DeviceTest body: skips, as unsupported, on a device that lacks the
// optional `capability` (a hal::Capability), with the reason "the driver
// reports no <name> capability".
#define HAL_CTS_REQUIRE_CAPABILITY(capability)                                     \
  do {                                                                             \
    if (!properties().capabilities.has(capability)) {                              \
      HAL_CTS_SKIP_UNSUPPORTED(std::string("the driver reports no ") +             \
                               ::hal::CapabilityName(capability) + " capability"); \
    }                                                                              \
  } while (false)

// Instantiates `suite` for every device under test. With no device (only
// possible with --allow-no-devices) the suite has no instance, which is fine.
#define HAL_CTS_INSTANTIATE_DEVICE_TESTS(suite)                                          \
  GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(suite);                                  \
  INSTANTIATE_TEST_SUITE_P(, suite, ::testing::ValuesIn(::hal::cts::DevicesUnderTest()), \
                           ::hal::cts::DeviceTestName)

#endif  // HAL_CONFORMANCE_DEVICE_TEST_H_
