// The loader's discovery and refusal paths, through Runtime::Create with
// manifests written into a temporary folder: a broken driver is listed as
// unavailable with its reason and never disturbs the others.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"
#include "hal/runtime.h"
#include "tests/test_folder.h"

namespace hal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const Driver* FindDriver(const Runtime& runtime, absl::string_view name) {
  for (const Driver* driver : runtime.drivers()) {
    if (driver->name() == name) return driver;
  }
  return nullptr;
}

std::string FakeDriver(absl::string_view variant) {
  return std::string(HAL_TEST_FAKE_DRIVER_DIR) + "/libhal_fake_driver_" + std::string(variant) +
         ".so";
}

class DriverLoaderTest : public ::testing::Test {
 protected:
  void WriteManifest(const std::string& file, const std::string& name, const std::string& library,
                     const std::string& abi = "2.0") {
    folder_.Write(file, "{\"file_format_version\": \"1.0\", \"driver\": {\"name\": \"" + name +
                            "\", \"library_path\": \"" + library + "\", \"abi_version\": \"" + abi +
                            "\"}}");
  }

  // Only the temporary folder and the build tree's CPU driver are searched.
  std::unique_ptr<Runtime> CreateRuntime() {
    RuntimeOptions options;
    options.driver_paths = {folder_.path(), HAL_TEST_CPU_DRIVER_MANIFEST_DIR};
    options.use_driver_path_env = false;
    options.use_default_driver_path = false;
    options.selector = "";
    auto runtime = Runtime::Create(options);
    EXPECT_TRUE(runtime.ok()) << runtime.status();
    return runtime.ok() ? *std::move(runtime) : nullptr;
  }

  // The CPU driver stays usable whatever is broken beside it.
  void ExpectCpuStillWorks(const Runtime& runtime) {
    const Driver* cpu = FindDriver(runtime, "cpu");
    ASSERT_NE(cpu, nullptr);
    EXPECT_TRUE(cpu->available()) << cpu->unavailable_reason();
    auto device = runtime.FindDevice("cpu:0");
    ASSERT_TRUE(device.ok()) << device.status();
    auto opened = (*device)->Open();
    EXPECT_TRUE(opened.ok()) << opened.status();
  }

  testing::TestFolder folder_;
};

TEST_F(DriverLoaderTest, FindsTheCpuDriverThroughItsManifest) {
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* cpu = FindDriver(*runtime, "cpu");
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ(cpu->abi_version(),
            absl::StrCat(HAL_DRIVER_ABI_VERSION_MAJOR, ".", HAL_DRIVER_ABI_VERSION_MINOR));
  EXPECT_THAT(cpu->unusable_devices(), ::testing::IsEmpty());
  EXPECT_FALSE(cpu->version().empty());
  EXPECT_THAT(cpu->library_path(), HasSubstr("libhal_driver_cpu.so"));
  ExpectCpuStillWorks(*runtime);
}

TEST_F(DriverLoaderTest, MissingLibraryIsUnavailableWithThePath) {
  WriteManifest("ghost.json", "ghost", "/nonexistent/libghost.so");
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* ghost = FindDriver(*runtime, "ghost");
  ASSERT_NE(ghost, nullptr);
  EXPECT_FALSE(ghost->available());
  EXPECT_THAT(ghost->unavailable_reason(), HasSubstr("/nonexistent/libghost.so"));
  ExpectCpuStillWorks(*runtime);
}

TEST_F(DriverLoaderTest, LibraryWithoutEntryPointIsNotADriver) {
  // libhal itself is a real shared library that exports no driver entry.
  WriteManifest("notadriver.json", "notadriver",
                std::string(HAL_TEST_BINARY_DIR) + "/lib/libhal.so");
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* driver = FindDriver(*runtime, "notadriver");
  ASSERT_NE(driver, nullptr);
  EXPECT_FALSE(driver->available());
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr("does not export hal_driver_get_table"));
  ExpectCpuStillWorks(*runtime);
}

// The refusal names the driver, both versions and what to do.
constexpr char kRebuildAdvice[] =
    "this runtime needs ABI 2 (rebuild it against hal_driver.h 2.0, docs/driver-guide.md)";

TEST_F(DriverLoaderTest, ManifestOfAnAbi1DriverIsRefusedBeforeLoading) {
  WriteManifest("old.json", "old", "/nonexistent/libold.so", "1.2");
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* driver = FindDriver(*runtime, "old");
  ASSERT_NE(driver, nullptr);
  EXPECT_FALSE(driver->available());
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr("driver 'old' was built for driver ABI 1.2"));
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr(kRebuildAdvice));
  // The library was never opened.
  EXPECT_THAT(driver->unavailable_reason(), Not(HasSubstr("cannot load")));
}

TEST_F(DriverLoaderTest, ManifestOfAFutureMajorVersionIsRefusedBeforeLoading) {
  WriteManifest("future.json", "future", "/nonexistent/libfuture.so", "3.1");
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* driver = FindDriver(*runtime, "future");
  ASSERT_NE(driver, nullptr);
  EXPECT_FALSE(driver->available());
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr("built for driver ABI 3.1"));
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr("needs ABI 2"));
  EXPECT_THAT(driver->unavailable_reason(), Not(HasSubstr("cannot load")));
}

// A 1.2 table has no type tag: its first word is struct_size, then the
// version. The loader reads it with that layout and names the version.
TEST_F(DriverLoaderTest, TableOfAnAbi1DriverIsRefusedAsSuch) {
  WriteManifest("abi12.json", "fake_abi12", FakeDriver("abi12"));
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* driver = FindDriver(*runtime, "fake_abi12");
  ASSERT_NE(driver, nullptr);
  EXPECT_FALSE(driver->available());
  EXPECT_THAT(driver->unavailable_reason(),
              HasSubstr("driver 'fake_abi12' was built for driver ABI 1.2"));
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr(kRebuildAdvice));
  ExpectCpuStillWorks(*runtime);
}

TEST_F(DriverLoaderTest, TableOfAnotherMajorVersionIsRefused) {
  WriteManifest("abi3.json", "fake_abi3", FakeDriver("abi3"));
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* driver = FindDriver(*runtime, "fake_abi3");
  ASSERT_NE(driver, nullptr);
  EXPECT_FALSE(driver->available());
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr("built for driver ABI 3."));
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr("needs ABI 2"));
  ExpectCpuStillWorks(*runtime);
}

TEST_F(DriverLoaderTest, TableWithAnotherTypeTagIsRefused) {
  WriteManifest("badtype.json", "fake_badtype", FakeDriver("badtype"));
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* driver = FindDriver(*runtime, "fake_badtype");
  ASSERT_NE(driver, nullptr);
  EXPECT_FALSE(driver->available());
  EXPECT_THAT(driver->unavailable_reason(),
              HasSubstr(absl::StrCat("type tag ", HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES)));
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr("HAL_STRUCTURE_TYPE_DRIVER_TABLE"));
  ExpectCpuStillWorks(*runtime);
}

// Every 2.0 table holds the optional entries too (NULL where not offered).
TEST_F(DriverLoaderTest, TableShorterThanAbi2IsRefused) {
  WriteManifest("short.json", "fake_short", FakeDriver("short"));
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* driver = FindDriver(*runtime, "fake_short");
  ASSERT_NE(driver, nullptr);
  EXPECT_FALSE(driver->available());
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr("smaller than ABI 2.0 requires"));
}

TEST_F(DriverLoaderTest, CapabilityWhoseEntryIsNullIsRefused) {
  WriteManifest("capnoentry.json", "fake_capnoentry", FakeDriver("capnoentry"));
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* driver = FindDriver(*runtime, "fake_capnoentry");
  ASSERT_NE(driver, nullptr);
  EXPECT_FALSE(driver->available());
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr("device 0 (Fake Device)"));
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr("native_handle (native-handles)"));
  for (const PhysicalDevice* device : runtime->devices()) {
    EXPECT_NE(device->driver_name(), "fake_capnoentry");
  }
  ExpectCpuStillWorks(*runtime);
}

// The fake's optional entries abort the process when called: loading the
// driver and listing its device must not call any of them.
TEST_F(DriverLoaderTest, OptionalEntriesOfADeviceWithoutTheCapabilityAreNeverCalled) {
  WriteManifest("optionaltraps.json", "fake_optionaltraps", FakeDriver("optionaltraps"));
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* driver = FindDriver(*runtime, "fake_optionaltraps");
  ASSERT_NE(driver, nullptr);
  EXPECT_TRUE(driver->available()) << driver->unavailable_reason();
  auto device = runtime->FindDevice("fake_optionaltraps:0");
  ASSERT_TRUE(device.ok()) << device.status();
  EXPECT_EQ((*device)->properties().capabilities.bits(), 0u);
  EXPECT_THAT((*device)->properties().capabilities.names(), ::testing::IsEmpty());
}

TEST_F(DriverLoaderTest, DriverRefusingTheRuntimeIsUnavailable) {
  WriteManifest("refuses.json", "fake_refuses", FakeDriver("refuses"));
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* driver = FindDriver(*runtime, "fake_refuses");
  ASSERT_NE(driver, nullptr);
  EXPECT_FALSE(driver->available());
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr("refused driver ABI 2."));
}

TEST_F(DriverLoaderTest, FailedInitializeKeepsTheDriversReason) {
  WriteManifest("initfails.json", "fake_initfails", FakeDriver("initfails"));
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* driver = FindDriver(*runtime, "fake_initfails");
  ASSERT_NE(driver, nullptr);
  EXPECT_FALSE(driver->available());
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr("libfakevendor.so.1"));
  ExpectCpuStillWorks(*runtime);
}

TEST_F(DriverLoaderTest, NullRequiredEntryIsRefusedWithTheEntryNamed) {
  WriteManifest("nullentry.json", "fake_nullentry", FakeDriver("nullentry"));
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* driver = FindDriver(*runtime, "fake_nullentry");
  ASSERT_NE(driver, nullptr);
  EXPECT_FALSE(driver->available());
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr("stream_query, event_create"));
  EXPECT_THAT(driver->unavailable_reason(), Not(HasSubstr("event_destroy")));
  ExpectCpuStillWorks(*runtime);
}

// last_error_message() must never return NULL; a driver that does is still
// listed with a reason instead of crashing the process that loads it.
TEST_F(DriverLoaderTest, FailedInitializeWithoutAMessageIsUnavailable) {
  WriteManifest("nomessage.json", "fake_nomessage", FakeDriver("nomessage"));
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* driver = FindDriver(*runtime, "fake_nomessage");
  ASSERT_NE(driver, nullptr);
  EXPECT_FALSE(driver->available());
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr("HAL_ERROR_UNAVAILABLE"));
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr("gave no message"));
  ExpectCpuStillWorks(*runtime);
}

TEST_F(DriverLoaderTest, FailedCallWithoutAMessageIsUnavailable) {
  WriteManifest("countfails.json", "fake_countfails", FakeDriver("countfails"));
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* driver = FindDriver(*runtime, "fake_countfails");
  ASSERT_NE(driver, nullptr);
  EXPECT_FALSE(driver->available());
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr("device_count failed (HAL_ERROR_INTERNAL)"));
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr("gave no message"));
  ExpectCpuStillWorks(*runtime);
}

TEST_F(DriverLoaderTest, NameMismatchBetweenManifestAndLibraryIsRefused) {
  WriteManifest("liar.json", "liar", FakeDriver("nodevices"));
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* driver = FindDriver(*runtime, "liar");
  ASSERT_NE(driver, nullptr);
  EXPECT_FALSE(driver->available());
  EXPECT_THAT(driver->unavailable_reason(), HasSubstr("fake_nodevices"));
}

TEST_F(DriverLoaderTest, HealthyDriverWithoutDevicesIsAvailable) {
  WriteManifest("nodevices.json", "fake_nodevices", FakeDriver("nodevices"));
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* driver = FindDriver(*runtime, "fake_nodevices");
  ASSERT_NE(driver, nullptr);
  EXPECT_TRUE(driver->available()) << driver->unavailable_reason();
  EXPECT_EQ(driver->version(), "fake-1");
  for (const PhysicalDevice* device : runtime->devices()) {
    EXPECT_NE(device->driver_name(), "fake_nodevices");
  }
}

TEST_F(DriverLoaderTest, DevicesADriverDoesNotServeAreListedWithTheReason) {
  WriteManifest("unusable.json", "fake_unusable", FakeDriver("unusable"));
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* driver = FindDriver(*runtime, "fake_unusable");
  ASSERT_NE(driver, nullptr);
  EXPECT_TRUE(driver->available()) << driver->unavailable_reason();
  ASSERT_EQ(driver->unusable_devices().size(), 1u);
  EXPECT_EQ(driver->unusable_devices()[0].name, "Fake GPU 9000");
  EXPECT_EQ(driver->info().unusable_devices.size(), 1u);
  EXPECT_THAT(driver->unusable_devices()[0].reason, HasSubstr("below the required 2.0"));
  ExpectCpuStillWorks(*runtime);
}

TEST_F(DriverLoaderTest, MalformedManifestsAreListedWithTheProblem) {
  folder_.Write("garbage.json", "{ not json");
  folder_.Write("nodriver.json", "{\"something\": 1}");
  folder_.Write("badabi.json",
                R"({"driver": {"name": "x", "library_path": "libx.so", "abi_version": "one"}})");
  folder_.Write("ignored.txt", "not a manifest: wrong extension");
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  const Driver* garbage = FindDriver(*runtime, "garbage");
  ASSERT_NE(garbage, nullptr);
  EXPECT_THAT(garbage->unavailable_reason(), HasSubstr("not valid JSON"));
  const Driver* nodriver = FindDriver(*runtime, "nodriver");
  ASSERT_NE(nodriver, nullptr);
  EXPECT_THAT(nodriver->unavailable_reason(), HasSubstr("\"driver\""));
  const Driver* badabi = FindDriver(*runtime, "badabi");
  ASSERT_NE(badabi, nullptr);
  EXPECT_THAT(badabi->unavailable_reason(), HasSubstr("<major>.<minor>"));
  EXPECT_EQ(FindDriver(*runtime, "ignored"), nullptr);
  ExpectCpuStillWorks(*runtime);
}

TEST_F(DriverLoaderTest, EarlierFolderShadowsALaterManifestOfTheSameDriver) {
  WriteManifest("cpu.json", "cpu", "/nonexistent/libmycpu.so");
  auto runtime = CreateRuntime();
  ASSERT_NE(runtime, nullptr);
  std::vector<const Driver*> cpus;
  for (const Driver* driver : runtime->drivers()) {
    if (driver->name() == "cpu") cpus.push_back(driver);
  }
  ASSERT_EQ(cpus.size(), 2u);
  EXPECT_THAT(cpus[0]->unavailable_reason(), HasSubstr("libmycpu.so"));
  EXPECT_THAT(cpus[1]->unavailable_reason(), HasSubstr("shadowed by"));
}

TEST_F(DriverLoaderTest, DriverPathEnvironmentIsSearchedFirst) {
  WriteManifest("ghost.json", "ghost", "/nonexistent/libghost.so");
  ASSERT_EQ(setenv("HAL_DRIVER_PATH", folder_.path().c_str(), 1), 0);
  RuntimeOptions options;
  options.use_default_driver_path = false;
  options.selector = "";
  auto runtime = Runtime::Create(options);
  unsetenv("HAL_DRIVER_PATH");
  ASSERT_TRUE(runtime.ok()) << runtime.status();
  ASSERT_FALSE((*runtime)->search_paths().empty());
  EXPECT_EQ((*runtime)->search_paths().front(), folder_.path());
  EXPECT_NE(FindDriver(**runtime, "ghost"), nullptr);
}

TEST_F(DriverLoaderTest, DefaultFolderFindsTheBuildTreesDrivers) {
  RuntimeOptions options;
  options.use_driver_path_env = false;
  options.selector = "cpu";
  auto runtime = Runtime::Create(options);
  ASSERT_TRUE(runtime.ok()) << runtime.status();
  ExpectCpuStillWorks(**runtime);
}

TEST_F(DriverLoaderTest, MalformedSelectorFailsCreate) {
  RuntimeOptions options;
  options.selector = "cpu:zero";
  auto runtime = Runtime::Create(options);
  ASSERT_FALSE(runtime.ok());
  EXPECT_EQ(runtime.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(runtime.status().message(), HasSubstr("cpu:zero"));
}

TEST_F(DriverLoaderTest, SelectorKeepsOnlyMatchingDevices) {
  RuntimeOptions options;
  options.driver_paths = {HAL_TEST_CPU_DRIVER_MANIFEST_DIR};
  options.use_driver_path_env = false;
  options.use_default_driver_path = false;
  options.selector = "!cpu";
  auto runtime = Runtime::Create(options);
  ASSERT_TRUE(runtime.ok()) << runtime.status();
  // Other drivers of the build tree (Vulkan on lavapipe) may stay selected.
  for (const PhysicalDevice* device : (*runtime)->devices()) {
    EXPECT_NE(device->driver_name(), "cpu") << device->id();
  }
  // The driver is still listed: deselection is not unavailability.
  const Driver* cpu = FindDriver(**runtime, "cpu");
  ASSERT_NE(cpu, nullptr);
  EXPECT_TRUE(cpu->available());
  auto missing = (*runtime)->FindDevice("cpu:0");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace hal
