// CtsSelfTest.Coverage*: the coverage spec against the driver header the
// suite was built against, and the HAL_CTS_COVERS registrations against the
// spec and the tests of this binary. They run without a device.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "conformance/coverage/coverage.h"
#include "conformance/coverage/coverage_spec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal::cts {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

bool IsOutcomeName(absl::string_view name) {
  for (const char* known : kOutcomeNames) {
    if (name == known) return true;
  }
  return false;
}

std::string Where(const CoverageRegistration& registration) {
  return std::string(registration.file) + ":" + std::to_string(registration.line);
}

// "Suite.Test/<device>..." of every test of the binary, filtered out or not.
std::vector<std::string> TestsOfTheBinary() {
  std::vector<std::string> names;
  const ::testing::UnitTest& unit = *::testing::UnitTest::GetInstance();
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const ::testing::TestSuite& suite = *unit.GetTestSuite(i);
    for (int j = 0; j < suite.total_test_count(); ++j) {
      names.push_back(std::string(suite.name()) + "." + suite.GetTestInfo(j)->name());
    }
  }
  return names;
}

TEST(CtsSelfTest, CoverageHeaderParserFindsFunctionPointerMembersOnly) {
  constexpr absl::string_view kHeader = R"(
    typedef struct other { void (*not_this)(void); } other;
    typedef struct hal_driver_table {
      uint32_t struct_size;  /* (*not_a_member)( in a comment */
      hal_result (*initialize)(void);
      // void (*commented_out)(void);
      const char* (* last_error_message)(void);
    } hal_driver_table;
    void (*after)(void);)";
  EXPECT_THAT(DriverTableEntryPoints(kHeader), ElementsAre("initialize", "last_error_message"));
  EXPECT_THAT(DriverTableEntryPoints("struct nothing {};"), IsEmpty());
}

TEST(CtsSelfTest, CoverageSpecNamesEveryEntryPointOfTheBuiltHeader) {
  const std::vector<std::string> entries = DriverTableEntryPoints(BuiltDriverHeader());
  ASSERT_GT(entries.size(), 30u) << "the embedded hal_driver.h has no hal_driver_table";
  for (const std::string& entry : entries) {
    EXPECT_NE(FindEntrySpec(entry), nullptr)
        << "hal_driver_table has " << entry << ", which conformance/coverage/coverage_spec.cc "
        << "does not list: add it with the outcomes its comment names, and tests for them";
  }
}

TEST(CtsSelfTest, CoverageSpecNamesOnlyEntryPointsOfTheBuiltHeader) {
  const std::vector<std::string> entries = DriverTableEntryPoints(BuiltDriverHeader());
  const std::set<std::string> known(entries.begin(), entries.end());
  for (const EntrySpec& entry : CoverageSpec()) {
    if (absl::string_view(entry.entry_point) == "hal_context_memory_accounting") continue;
    EXPECT_EQ(known.count(entry.entry_point), 1u)
        << "the spec lists " << entry.entry_point << ", which hal_driver_table lacks";
  }
  EXPECT_THAT(std::string(BuiltDriverHeader()), HasSubstr("hal_context_memory_accounting"));
}

TEST(CtsSelfTest, CoverageSpecOutcomesAreKnownAndUnique) {
  for (const EntrySpec& entry : CoverageSpec()) {
    std::set<std::string> seen;
    for (const SpecOutcome& outcome : entry.outcomes) {
      EXPECT_TRUE(IsOutcomeName(outcome.outcome)) << entry.entry_point << ": " << outcome.outcome;
      EXPECT_TRUE(seen.insert(outcome.outcome).second)
          << entry.entry_point << " lists " << outcome.outcome << " twice";
    }
  }
}

TEST(CtsSelfTest, CoverageEveryReproducibleOutcomeHasATest) {
  for (const EntrySpec& entry : CoverageSpec()) {
    for (const SpecOutcome& outcome : entry.outcomes) {
      if (outcome.not_reproducible != nullptr) continue;
      EXPECT_THAT(CoveringPatterns(entry.entry_point, outcome.outcome), ::testing::Not(IsEmpty()))
          << "no test registers (HAL_CTS_COVERS) " << entry.entry_point << " -> "
          << outcome.outcome;
    }
  }
}

TEST(CtsSelfTest, CoverageRegistrationsNameSpecifiedEntriesAndOutcomes) {
  ASSERT_THAT(CoverageRegistrations(), ::testing::Not(IsEmpty()));
  for (const CoverageRegistration& registration : CoverageRegistrations()) {
    EXPECT_FALSE(registration.outcomes.empty()) << Where(registration) << " covers nothing";
    for (const CoveredOutcome& covered : registration.outcomes) {
      const EntrySpec* entry = FindEntrySpec(covered.entry_point);
      if (entry == nullptr) {
        ADD_FAILURE() << Where(registration) << " names an unknown entry point "
                      << covered.entry_point;
        continue;
      }
      bool specified = false;
      for (const SpecOutcome& outcome : entry->outcomes) {
        specified = specified || absl::string_view(outcome.outcome) == covered.outcome;
      }
      EXPECT_TRUE(specified) << Where(registration) << " names " << covered.entry_point << " -> "
                             << covered.outcome << ", an outcome the spec does not list for it";
    }
  }
}

TEST(CtsSelfTest, CoverageRegistrationPatternsMatchTestsOfTheBinary) {
  const std::vector<std::string> tests = TestsOfTheBinary();
  // Device tests exist only when a device is under test (--allow-no-devices
  // runs without), and every registration but this file's names one.
  const bool has_device_tests = std::any_of(tests.begin(), tests.end(), [](const std::string& t) {
    return absl::StrContains(t, "/") && !absl::StartsWith(t, "CtsSelfTest.");
  });
  if (!has_device_tests) GTEST_SKIP() << "no device under test: device tests are not instantiated";
  for (const CoverageRegistration& registration : CoverageRegistrations()) {
    const bool matches = std::any_of(tests.begin(), tests.end(), [&](const std::string& test) {
      return CoverageMatches(registration.test_pattern, test);
    });
    EXPECT_TRUE(matches) << Where(registration) << ": \"" << registration.test_pattern
                         << "\" matches no test of this binary";
  }
}

TEST(CtsSelfTest, CoverageMatchesNamesWithoutDeviceAndCase) {
  EXPECT_TRUE(CoverageMatches("Copy.HostToDeviceToHost", "Copy.HostToDeviceToHost/cpu_0"));
  EXPECT_TRUE(CoverageMatches("CopyAlignment.*", "CopyAlignment.Offsets/vulkan_0_odd_17"));
  EXPECT_TRUE(CoverageMatches("CtsSelfTest.Coverage*", "CtsSelfTest.CoverageX"));
  EXPECT_FALSE(CoverageMatches("Copy.HostToDevice", "Copy.HostToDeviceToHost/cpu_0"));
  EXPECT_FALSE(CoverageMatches("Fill.*", "Copy.HostToDeviceToHost/cpu_0"));
}

TEST(CtsSelfTest, CoverageMarkdownHasARowPerSpecifiedOutcome) {
  const std::string table = CoverageMarkdown();
  size_t rows = 0;
  for (const EntrySpec& entry : CoverageSpec()) {
    for (const SpecOutcome& outcome : entry.outcomes) {
      ++rows;
      EXPECT_THAT(table, HasSubstr(std::string("| `") + entry.entry_point + "` | " +
                                   outcome.outcome + " | "));
    }
  }
  // Header, separator, the rows, a blank line and the fields' sentence.
  EXPECT_EQ(static_cast<size_t>(std::count(table.begin(), table.end(), '\n')), rows + 4);
  EXPECT_THAT(table, HasSubstr("not reproducible: "));
  EXPECT_THAT(table, HasSubstr(kTableFieldsCoverage));
}

TEST(CtsSelfTest, CoverageJsonCountsTheResultsOfMatchingTestsPerDevice) {
  const std::vector<std::string> patterns = CoveringPatterns("buffer_allocate", "success");
  ASSERT_FALSE(patterns.empty());
  // A test name the first pattern matches: its '*' replaced by a name.
  std::string name = patterns.front();
  for (size_t star = name.find('*'); star != std::string::npos; star = name.find('*')) {
    name.replace(star, 1, "X");
  }
  const auto record = [](std::string test, std::string device, TestOutcome outcome) {
    TestRecord result;
    result.name = std::move(test);
    result.device = std::move(device);
    result.outcome = outcome;
    return result;
  };
  const std::vector<TestRecord> records = {
      record(name + "/cpu_0", "cpu:0", TestOutcome::kPassed),
      record(name + "/cpu_0_case", "cpu:0", TestOutcome::kFailed),
      record(name + "/gpu_1", "gpu:1", TestOutcome::kCrashed),
      record("Nothing.Covered/cpu_0", "cpu:0", TestOutcome::kPassed)};
  const nlohmann::ordered_json json = CoverageJson(records);
  const nlohmann::ordered_json* row = nullptr;
  for (const auto& entry : json["entry_points"]) {
    if (entry["entry_point"] != "buffer_allocate") continue;
    for (const auto& outcome : entry["outcomes"]) {
      if (outcome["outcome"] == "success") row = &outcome;
    }
  }
  ASSERT_NE(row, nullptr) << json.dump(2);
  EXPECT_EQ((*row)["tests"], nlohmann::ordered_json(patterns));
  EXPECT_TRUE((*row)["not_reproducible"].is_null());
  EXPECT_EQ((*row)["devices"]["cpu:0"]["passed"], 1);
  EXPECT_EQ((*row)["devices"]["cpu:0"]["failed"], 1);
  EXPECT_EQ((*row)["devices"]["gpu:1"]["crashed"], 1);
  EXPECT_EQ((*row)["devices"]["gpu:1"]["passed"], 0);
  EXPECT_EQ(json["entry_points"].size(), CoverageSpec().size());
}

}  // namespace
}  // namespace hal::cts
