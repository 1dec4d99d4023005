#include "conformance/device_test.h"

#include "absl/strings/str_cat.h"
#include "conformance/status_matchers.h"

namespace hal::cts {

void DeviceFixture::SetUpDevice(absl::string_view case_name) {
  const ::testing::TestInfo& info = *::testing::UnitTest::GetInstance()->current_test_info();
  // "Copy.ZeroSizeIsANoOp/cpu_0" without the device suffix (and the case).
  const std::string name = absl::StrCat(
      info.test_suite_name(), ".",
      absl::string_view(info.name()).substr(0, absl::string_view(info.name()).rfind('/')));
  const CtsEnvironment& environment = CtsEnvironment::Get();
  const ExpectedFailure* entry = nullptr;
  if (!case_name.empty()) {
    entry = FindExpectedFailure(environment.expected_failures(), absl::StrCat(name, "/", case_name),
                                physical_device().driver_name(), properties().name);
  }
  if (entry == nullptr) {
    entry = FindExpectedFailure(environment.expected_failures(), name,
                                physical_device().driver_name(), properties().name);
  }
  if (entry != nullptr) {
    expected_failure_ = std::make_unique<KnownFailureScope>(
        entry->mark, physical_device().driver_name(), properties().name,
        environment.options().verify_known_failures);
    if (expected_failure_->skipped()) GTEST_SKIP() << expected_failure_->skip_message();
  }
  HAL_CTS_ASSERT_OK_AND_ASSIGN(queue_, device().CreateQueue());
}

// In verify mode the scope concludes on the test here, while its result is
// still open.
void DeviceFixture::TearDownDevice() { expected_failure_.reset(); }

std::string DeviceTestName(const ::testing::TestParamInfo<const CtsDevice*>& info) {
  return info.param->test_name;
}

void PrintTo(const CtsDevice* device, std::ostream* os) { *os << device->physical->id(); }

}  // namespace hal::cts
