#include "conformance/cts_environment.h"

#include <cctype>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hal::cts {
namespace {

CtsEnvironment* g_environment = nullptr;

std::string TestNameOf(const PhysicalDevice& device) {
  std::string name = device.id();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

const Driver* FindDriver(const Runtime& runtime, absl::string_view name) {
  for (const Driver* driver : runtime.drivers()) {
    // A shadowed manifest of the same name is listed too: prefer the loaded one.
    if (driver->name() == name && driver->available()) return driver;
  }
  for (const Driver* driver : runtime.drivers()) {
    if (driver->name() == name) return driver;
  }
  return nullptr;
}

// Checks that --driver names a driver the runtime loaded.
absl::Status CheckDriverFlag(const Runtime& runtime, const std::string& name) {
  const Driver* driver = FindDriver(runtime, name);
  if (driver == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "--driver ", name, ": no such driver; the runtime found: ", DescribeDrivers(runtime)));
  }
  if (!driver->available()) {
    return absl::UnavailableError(absl::StrCat(
        "--driver ", name, ": the driver is unavailable: ", driver->unavailable_reason()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<CtsEnvironment>> CtsEnvironment::Create(const CtsOptions& options) {
  HAL_ASSIGN_OR_RETURN(std::unique_ptr<Runtime> runtime, Runtime::Create(),
                       "creating the hal runtime");
  std::unique_ptr<CtsEnvironment> environment(new CtsEnvironment(options, std::move(runtime)));
  HAL_RETURN_IF_ERROR(environment->SelectAndOpenDevices());
  HAL_ASSIGN_OR_RETURN(KernelBundle kernels, KernelBundle::ReadFile(options.kernels_path),
                       "reading the standard kernel bundle ", options.kernels_path,
                       " (pass --kernels FILE to use another)");
  environment->kernels_.emplace(std::move(kernels));
  if (options.expected_failures_path) {
    HAL_ASSIGN_OR_RETURN(environment->expected_failures_,
                         ReadExpectedFailures(*options.expected_failures_path));
  }
  return environment;
}

absl::Status CtsEnvironment::SelectAndOpenDevices() {
  if (options_.driver) HAL_RETURN_IF_ERROR(CheckDriverFlag(*runtime_, *options_.driver));
  DeviceSelector device_selector;
  if (options_.device) {
    HAL_ASSIGN_OR_RETURN(device_selector, DeviceSelector::Parse(*options_.device),
                         "reading --device ", *options_.device);
  }
  for (const PhysicalDevice* physical : runtime_->devices()) {
    if (options_.driver && physical->driver_name() != *options_.driver) continue;
    if (!device_selector.Matches(physical->driver_name(), physical->index(),
                                 physical->properties().uuid)) {
      continue;
    }
    CtsDevice device;
    device.physical = physical;
    device.driver = FindDriver(*runtime_, physical->driver_name());
    HAL_ASSIGN_OR_RETURN(device.device, physical->Open(), "opening device ", physical->id(), " (",
                         physical->properties().name, ") for the tests to share");
    device.test_name = TestNameOf(*physical);
    devices_.push_back(std::move(device));
  }
  return absl::OkStatus();
}

void CtsEnvironment::Install(std::unique_ptr<CtsEnvironment> environment) {
  g_environment = environment.get();
  ::testing::AddGlobalTestEnvironment(environment.release());  // GoogleTest owns it
}

CtsEnvironment& CtsEnvironment::Get() { return *g_environment; }

void CtsEnvironment::Shutdown() {
  devices_.clear();
  kernels_.reset();
  runtime_.reset();
}

void CtsEnvironment::TearDown() {
  // Every test releases what it allocated, so the runtime's accounting of
  // each shared context must be back at zero.
  for (const CtsDevice& device : devices_) {
    EXPECT_EQ(device.device->allocated_bytes(), 0u)
        << "device " << device.device->label()
        << " still accounts allocated bytes after every test released its buffers";
  }
}

std::vector<const CtsDevice*> DevicesUnderTest() {
  std::vector<const CtsDevice*> devices;
  // --help initializes GoogleTest without an environment: no device then.
  if (g_environment == nullptr) return devices;
  for (const CtsDevice& device : g_environment->devices()) devices.push_back(&device);
  return devices;
}

std::string DescribeDrivers(const Runtime& runtime) {
  std::vector<std::string> entries;
  for (const Driver* driver : runtime.drivers()) {
    entries.push_back(
        driver->available()
            ? absl::StrCat(driver->name(), " (available, version ", driver->version(), ")")
            : absl::StrCat(driver->name(), " (unavailable: ", driver->unavailable_reason(), ")"));
  }
  if (entries.empty()) {
    return absl::StrCat("no driver manifest in [", absl::StrJoin(runtime.search_paths(), ", "),
                        "]");
  }
  return absl::StrJoin(entries, "; ");
}

}  // namespace hal::cts
