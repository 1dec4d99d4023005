#include "conformance/report_listener.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "conformance/skip.h"

namespace hal::cts {
namespace {

std::optional<std::string> FindProperty(const ::testing::TestResult& result, const char* key) {
  for (int i = 0; i < result.test_property_count(); ++i) {
    const ::testing::TestProperty& property = result.GetTestProperty(i);
    if (std::string(property.key()) == key) return std::string(property.value());
  }
  return std::nullopt;
}

bool IsFailure(const ::testing::TestPartResult& part) { return part.failed(); }
bool IsSkip(const ::testing::TestPartResult& part) { return part.skipped(); }

// The messages of the result's parts that `wanted` picks, "file:line: message"
// each.
std::string PartMessages(const ::testing::TestResult& result,
                         bool (*wanted)(const ::testing::TestPartResult&)) {
  std::string messages;
  for (int i = 0; i < result.total_part_count(); ++i) {
    const ::testing::TestPartResult& part = result.GetTestPartResult(i);
    if (!wanted(part)) continue;
    if (!messages.empty()) messages += "\n";
    if (part.file_name() != nullptr) {
      absl::StrAppend(&messages, part.file_name(), ":", part.line_number(), ": ");
    }
    absl::StrAppend(&messages, part.message());
  }
  return messages;
}

TestRecord FailureOutsideTests(std::string name, const ::testing::TestResult& result) {
  TestRecord record;
  record.name = std::move(name);
  record.outcome = TestOutcome::kFailed;
  record.message = PartMessages(result, IsFailure);
  return record;
}

}  // namespace

TestRecord ClassifyTest(const ::testing::TestInfo& test_info) {
  const ::testing::TestResult& result = *test_info.result();
  TestRecord record;
  record.name = absl::StrCat(test_info.test_suite_name(), ".", test_info.name());
  if (test_info.value_param() != nullptr) record.device = test_info.value_param();
  record.seconds = static_cast<double>(result.elapsed_time()) / 1000;

  if (result.Failed()) {
    // In verify mode a known failure whose body still fails is what its mark
    // says, not a new failure.
    if (std::optional<std::string> reason = FindProperty(result, kKnownFailureStillFailsProperty)) {
      record.outcome = TestOutcome::kSkipped;
      record.skip_kind = SkipKind::kKnownFailure;
      record.message = absl::StrCat("known failure (verified: still fails): ", *reason);
      return record;
    }
    record.outcome = TestOutcome::kFailed;
    record.message = PartMessages(result, IsFailure);
    return record;
  }
  if (result.Skipped()) {
    record.outcome = TestOutcome::kSkipped;
    // A plain GTEST_SKIP() has no kind; it can only mean a missing capability.
    record.skip_kind = FindProperty(result, kSkipKindProperty) == kSkipKindKnownFailure
                           ? SkipKind::kKnownFailure
                           : SkipKind::kUnsupported;
    record.message = PartMessages(result, IsSkip);
    return record;
  }
  record.outcome = TestOutcome::kPassed;
  return record;
}

void ReportListener::OnTestEnd(const ::testing::TestInfo& test_info) {
  tests_.push_back(ClassifyTest(test_info));
}

void ReportListener::OnTestSuiteEnd(const ::testing::TestSuite& test_suite) {
  if (test_suite.ad_hoc_test_result().Failed()) {
    tests_.push_back(
        FailureOutsideTests(absl::StrCat(test_suite.name(), " (suite set-up or tear-down)"),
                            test_suite.ad_hoc_test_result()));
  }
}

void ReportListener::OnTestIterationEnd(const ::testing::UnitTest& unit_test, int /*iteration*/) {
  if (unit_test.ad_hoc_test_result().Failed()) {
    tests_.push_back(
        FailureOutsideTests("(global set-up or tear-down)", unit_test.ad_hoc_test_result()));
  }
}

}  // namespace hal::cts
