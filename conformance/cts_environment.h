// The devices under test, found once before GoogleTest expands the
// parameterized tests: the hal::Runtime (honouring HAL_DEVICE_SELECTOR), one
// shared device context per physical device (tests share it; creating
// contexts over and over is itself a source of flakiness on real drivers),
// and the standard kernel bundle. Installed as GoogleTest's global
// environment; its TearDown checks that the tests left no memory allocated.
#ifndef HAL_CONFORMANCE_CTS_ENVIRONMENT_H_
#define HAL_CONFORMANCE_CTS_ENVIRONMENT_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "conformance/cts_options.h"
#include "conformance/expected_failures.h"
#include "gtest/gtest.h"
#include "hal/hal.h"

namespace hal::cts {

// One physical device under test and its shared context.
struct CtsDevice {
  const PhysicalDevice* physical = nullptr;
  const Driver* driver = nullptr;
  std::shared_ptr<Device> device;
  // The device in test names: its id with non-alphanumerics as '_' ("cpu_0").
  std::string test_name;
};

class CtsEnvironment : public ::testing::Environment {
 public:
  // Creates the runtime, selects devices and opens them, and reads the kernel
  // bundle. An empty device list is not an error here (see devices()).
  // NotFound when --driver or --device names nothing the runtime has, with
  // what it has; the bundle's and device's own errors otherwise.
  static absl::StatusOr<std::unique_ptr<CtsEnvironment>> Create(const CtsOptions& options);

  // Hands `environment` to GoogleTest as its global environment and makes it
  // the one Get() returns. Must precede ::testing::InitGoogleTest.
  static void Install(std::unique_ptr<CtsEnvironment> environment);
  // The installed environment. Only valid after Install().
  static CtsEnvironment& Get();

  // Releases the device contexts, then the runtime (and with it the drivers),
  // while the process is still whole; Get() stays valid but holds no device.
  void Shutdown();

  void TearDown() override;

  const CtsOptions& options() const { return options_; }
  const Runtime& runtime() const { return *runtime_; }
  const KernelBundle& kernels() const { return *kernels_; }
  const std::vector<CtsDevice>& devices() const { return devices_; }
  // The entries of --expected-failures; empty without it.
  const std::vector<ExpectedFailure>& expected_failures() const { return expected_failures_; }

 private:
  CtsEnvironment(CtsOptions options, std::unique_ptr<Runtime> runtime)
      : options_(std::move(options)), runtime_(std::move(runtime)) {}

  absl::Status SelectAndOpenDevices();

  CtsOptions options_;
  std::unique_ptr<Runtime> runtime_;
  std::optional<KernelBundle> kernels_;
  std::vector<CtsDevice> devices_;
  std::vector<ExpectedFailure> expected_failures_;
};

// What the parameterized tests are instantiated over: every device under
// test (none before Install). Evaluated lazily by INSTANTIATE_TEST_SUITE_P,
// inside InitGoogleTest.
std::vector<const CtsDevice*> DevicesUnderTest();

// Lists the drivers the runtime found, with each one's state, for messages
// that explain why no device was selected.
std::string DescribeDrivers(const Runtime& runtime);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_CTS_ENVIRONMENT_H_
