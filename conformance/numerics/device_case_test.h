// A device test over cases: the fixture for suites whose tests run once per
// device and per case (alignment classes, sizes, kernels), each case its own
// test so that a report names exactly the combination that failed.
//
//   struct CopyCase {
//     uint64_t offset, size;
//     std::string Name() const;        // only [A-Za-z0-9_], unique per suite
//   };
//   std::vector<CopyCase> CopyCases();
//   class CopyAlignment : public hal::cts::DeviceCaseTest<CopyCase> {};
//   TEST_P(CopyAlignment, HostToDevice) { ... test_case().offset ... queue() ... }
//   HAL_CTS_INSTANTIATE_DEVICE_CASE_TESTS(CopyAlignment, CopyCases());
//
// Tests are named "CopyAlignment.HostToDevice/cpu_0_offset1_size3": the device
// first (as DeviceTestName writes it), then '_' and the case's Name(). The
// fixture behaves as DeviceTest does (same accessors, expected-failures
// lookup, a fresh queue per test); an --expected-failures entry naming
// "CopyAlignment.HostToDevice" covers every case, one naming
// "CopyAlignment.HostToDevice/offset1_size3" that case alone.
#ifndef HAL_CONFORMANCE_NUMERICS_DEVICE_CASE_TEST_H_
#define HAL_CONFORMANCE_NUMERICS_DEVICE_CASE_TEST_H_

#include <ostream>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "conformance/device_test.h"
#include "gtest/gtest.h"

namespace hal::cts {

template <typename Case>
class DeviceCaseTest : public ::testing::TestWithParam<std::tuple<const CtsDevice*, Case>>,
                       public DeviceFixture {
 public:
  using CaseType = Case;

 protected:
  void SetUp() override { SetUpDevice(test_case().Name()); }
  void TearDown() override { TearDownDevice(); }
  const CtsDevice& cts_device() const override { return *std::get<0>(this->GetParam()); }

  // This test's case.
  const Case& test_case() const { return std::get<1>(this->GetParam()); }
};

// "cpu_0_offset1_size3".
template <typename Case>
std::string DeviceCaseTestName(
    const ::testing::TestParamInfo<std::tuple<const CtsDevice*, Case>>& info) {
  return absl::StrCat(std::get<0>(info.param)->test_name, "_", std::get<1>(info.param).Name());
}

// The parameter as GoogleTest prints it (value_param, which the report reads
// as the device): the device id alone, as for DeviceTest; the case is in the
// test's name.
template <typename Case>
void PrintTo(const std::tuple<const CtsDevice*, Case>& param, std::ostream* os) {
  PrintTo(std::get<0>(param), os);
}

}  // namespace hal::cts

// Instantiates `suite` (a DeviceCaseTest<Case>) for every device under test
// and every element of `cases` (a container of Case, evaluated when
// GoogleTest expands the tests). With no device the suite has no instance.
#define HAL_CTS_INSTANTIATE_DEVICE_CASE_TESTS(suite, cases)                                        \
  GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(suite);                                            \
  INSTANTIATE_TEST_SUITE_P(, suite,                                                                \
                           ::testing::Combine(::testing::ValuesIn(::hal::cts::DevicesUnderTest()), \
                                              ::testing::ValuesIn(cases)),                         \
                           ::hal::cts::DeviceCaseTestName<suite::CaseType>)

#endif  // HAL_CONFORMANCE_NUMERICS_DEVICE_CASE_TEST_H_
