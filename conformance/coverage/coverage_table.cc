// The coverage table: the spec joined with the registrations (and, for the
// report, with the results of the tests they name).
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "conformance/coverage/coverage.h"
#include "conformance/coverage/coverage_spec.h"
#include "conformance/expected_failures.h"

namespace hal::cts {

bool CoverageMatches(absl::string_view test_pattern, absl::string_view test_name) {
  // "Suite.Test/cpu_0_case" -> "Suite.Test": the suite part has no '/'
  // (INSTANTIATE_TEST_SUITE_P with an empty prefix).
  const size_t dot = test_name.find('.');
  const size_t slash = test_name.find('/', dot == absl::string_view::npos ? 0 : dot);
  return TestNameMatches(test_pattern, test_name.substr(0, slash));
}

std::vector<std::string> CoveringPatterns(absl::string_view entry_point,
                                          absl::string_view outcome) {
  std::vector<std::string> patterns;
  for (const CoverageRegistration& registration : CoverageRegistrations()) {
    for (const CoveredOutcome& covered : registration.outcomes) {
      if (covered.entry_point == entry_point && covered.outcome == outcome) {
        patterns.push_back(registration.test_pattern);
      }
    }
  }
  std::sort(patterns.begin(), patterns.end());
  patterns.erase(std::unique(patterns.begin(), patterns.end()), patterns.end());
  return patterns;
}

nlohmann::ordered_json CoverageJson(const std::vector<TestRecord>& tests) {
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (const EntrySpec& entry : CoverageSpec()) {
    nlohmann::ordered_json outcomes = nlohmann::ordered_json::array();
    for (const SpecOutcome& spec_outcome : entry.outcomes) {
      const std::vector<std::string> patterns =
          CoveringPatterns(entry.entry_point, spec_outcome.outcome);
      // Per device, how the tests the patterns name ended; std::map keeps the
      // devices in a stable order.
      std::map<std::string, std::map<std::string, int>> per_device;
      for (const TestRecord& test : tests) {
        if (test.device.empty()) continue;
        const bool covered = std::any_of(patterns.begin(), patterns.end(), [&](const auto& p) {
          return CoverageMatches(p, test.name);
        });
        if (covered) ++per_device[test.device][OutcomeName(test.outcome)];
      }
      nlohmann::ordered_json devices = nlohmann::ordered_json::object();
      for (const auto& [device, counts] : per_device) {
        nlohmann::ordered_json row = nlohmann::ordered_json::object();
        for (TestOutcome outcome : {TestOutcome::kPassed, TestOutcome::kFailed,
                                    TestOutcome::kSkipped, TestOutcome::kCrashed,
                                    TestOutcome::kTimedOut}) {
          const auto count = counts.find(OutcomeName(outcome));
          row[OutcomeName(outcome)] = count == counts.end() ? 0 : count->second;
        }
        devices[device] = std::move(row);
      }
      nlohmann::ordered_json row = {{"outcome", spec_outcome.outcome}, {"tests", patterns}};
      row["not_reproducible"] = spec_outcome.not_reproducible == nullptr
                                    ? nlohmann::ordered_json(nullptr)
                                    : nlohmann::ordered_json(spec_outcome.not_reproducible);
      row["devices"] = std::move(devices);
      outcomes.push_back(std::move(row));
    }
    entries.push_back({{"entry_point", entry.entry_point}, {"outcomes", std::move(outcomes)}});
  }
  nlohmann::ordered_json table = nlohmann::ordered_json::object();
  table["entry_points"] = std::move(entries);
  table["table_fields"] = std::string(kTableFieldsCoverage);
  return table;
}

std::string CoverageMarkdown() {
  std::string out =
      "| Entry point | Outcome | Tests |\n"
      "|---|---|---|\n";
  for (const EntrySpec& entry : CoverageSpec()) {
    for (const SpecOutcome& spec_outcome : entry.outcomes) {
      const std::vector<std::string> patterns =
          CoveringPatterns(entry.entry_point, spec_outcome.outcome);
      std::string tests;
      if (!patterns.empty()) {
        tests = absl::StrJoin(patterns, ", ", [](std::string* to, const std::string& pattern) {
          absl::StrAppend(to, "`", pattern, "`");
        });
      }
      if (spec_outcome.not_reproducible != nullptr) {
        absl::StrAppend(&tests, tests.empty() ? "" : "; ", "not reproducible: ",
                        spec_outcome.not_reproducible);
      }
      if (tests.empty()) tests = "**none**";
      absl::StrAppend(&out, "| `", entry.entry_point, "` | ", spec_outcome.outcome, " | ", tests,
                      " |\n");
    }
  }
  absl::StrAppend(&out, "\nThe table's other members: ", kTableFieldsCoverage, ".\n");
  return out;
}

}  // namespace hal::cts
