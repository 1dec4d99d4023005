// NumericsSelfCheck: every kernel of the standard bundle's manifest has a
// numerics test, so a kernel added to the set without one fails the suite.
#include <cctype>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "conformance/cts_environment.h"
#include "gtest/gtest.h"

namespace hal::cts {
namespace {

// "reduce_sum_f32" -> "ReduceSumF32": the name of the kernel's test.
std::string TestNameOfKernel(absl::string_view kernel) {
  std::string name;
  bool word_start = true;
  for (char ch : kernel) {
    if (ch == '_') {
      word_start = true;
      continue;
    }
    name += word_start ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch;
    word_start = false;
  }
  return name;
}

// The tests of the *Numerics suites, without their parameter suffix.
std::set<std::string> NumericsTests() {
  std::set<std::string> names;
  const ::testing::UnitTest& unit_test = *::testing::UnitTest::GetInstance();
  for (int s = 0; s < unit_test.total_test_suite_count(); ++s) {
    const ::testing::TestSuite& suite = *unit_test.GetTestSuite(s);
    if (!absl::EndsWith(suite.name(), "Numerics")) continue;
    for (int t = 0; t < suite.total_test_count(); ++t) {
      const absl::string_view name = suite.GetTestInfo(t)->name();
      names.insert(std::string(name.substr(0, name.find('/'))));
    }
  }
  return names;
}

TEST(NumericsSelfCheck, TestNameOfKernelIsItsCamelCase) {
  EXPECT_EQ(TestNameOfKernel("reduce_sum_f32"), "ReduceSumF32");
  EXPECT_EQ(TestNameOfKernel("noop"), "Noop");
}

TEST(NumericsSelfCheck, EveryStandardKernelHasANumericsTest) {
  if (DevicesUnderTest().empty()) {
    GTEST_SKIP() << "no device under test: the numerics suites have no instance to look at";
  }
  const std::set<std::string> tests = NumericsTests();
  const KernelBundle& bundle = CtsEnvironment::Get().kernels();
  ASSERT_FALSE(bundle.kernels().empty());
  for (const KernelInfo& kernel : bundle.kernels()) {
    EXPECT_TRUE(tests.count(TestNameOfKernel(kernel.name)) == 1)
        << "kernel \"" << kernel.name << "\" of the standard set has no numerics test (a test "
        << TestNameOfKernel(kernel.name) << " in a *Numerics suite)";
  }
}

}  // namespace
}  // namespace hal::cts
