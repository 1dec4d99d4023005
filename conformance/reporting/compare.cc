#include "conformance/reporting/compare.h"

#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "conformance/reporting/report_reader.h"
#include "conformance/reporting/summary.h"

namespace hal::cts {
namespace {

// A test as --compare matches it across runs: "<driver> <device name>[#n]"
// and the test name with the device's "<driver>_<index>" left out.
using TestKey = std::pair<std::string, std::string>;

struct KeyedTest {
  TestKey key;
  const TestRecord* record;
};

// "cpu:0" -> the device's key: "cpu host CPU", "#2" appended for the second of
// two devices alike. The suite's own tests (no device) get "hal-cts".
std::map<std::string, std::string> DeviceKeys(const std::vector<DeviceRecord>& devices) {
  std::map<std::string, std::string> keys = {{"", "hal-cts"}};
  std::map<std::string, int> seen;
  for (const DeviceRecord& device : devices) {
    std::string key = absl::StrCat(device.driver, " ", device.name);
    if (const int count = seen[key]++; count > 0) absl::StrAppend(&key, " #", count + 1);
    keys[device.id] = key;
  }
  return keys;
}

// "Copy.X/cpu_0" -> "Copy.X", "Copy.X/cpu_0_size64" -> "Copy.X/size64".
std::string WithoutDevicePart(const std::string& name, const std::string& device_id) {
  if (device_id.empty()) return name;
  const std::string part = absl::StrCat("/", absl::StrReplaceAll(device_id, {{":", "_"}}));
  const size_t at = name.find(part);
  if (at == std::string::npos) return name;
  std::string rest = name.substr(at + part.size());
  if (rest.empty()) return name.substr(0, at);
  if (rest[0] == '_') rest[0] = '/';
  return name.substr(0, at) + rest;
}

std::vector<KeyedTest> Keyed(const ReadReport& report) {
  const std::map<std::string, std::string> device_keys = DeviceKeys(report.devices);
  std::vector<KeyedTest> tests;
  for (const TestRecord& test : report.tests) {
    tests.push_back(
        {{device_keys.at(test.device), WithoutDevicePart(test.name, test.device)}, &test});
  }
  return tests;
}

bool Failing(TestOutcome outcome) {
  return outcome == TestOutcome::kFailed || outcome == TestOutcome::kCrashed ||
         outcome == TestOutcome::kTimedOut;
}

std::string ResultName(const TestRecord& test) {
  if (test.outcome != TestOutcome::kSkipped) return OutcomeName(test.outcome);
  return absl::StrCat("skipped (", SkipKindName(test.skip_kind), ")");
}

// Enough of B's message to tell what broke; the report holds all of it.
constexpr size_t kMaxCompareMessageBytes = 200;

struct Change {
  const TestRecord* a;  // null: appeared
  const TestRecord* b;  // null: disappeared
};

std::string Describe(const Change& change) {
  const TestRecord& named = change.b != nullptr ? *change.b : *change.a;
  std::string line =
      absl::StrCat("  ", named.name, " [", named.device.empty() ? "suite" : named.device, "]: ");
  if (change.a == nullptr) return absl::StrCat(line, "new, ", ResultName(*change.b));
  if (change.b == nullptr) return absl::StrCat(line, "gone, was ", ResultName(*change.a));
  absl::StrAppend(&line, ResultName(*change.a), " -> ", ResultName(*change.b));
  if (Failing(change.b->outcome) && !change.b->message.empty()) {
    absl::StrAppend(&line, ": ", OneLineExcerpt(change.b->message, kMaxCompareMessageBytes));
  }
  return line;
}

void PrintSection(const char* title, const std::vector<Change>& changes, std::ostream& out) {
  if (changes.empty()) return;
  out << title << " (" << changes.size() << "):\n";
  for (const Change& change : changes) out << Describe(change) << "\n";
}

}  // namespace

int RunCompare(const std::string& a, const std::string& b, std::ostream& out, std::ostream& err) {
  absl::StatusOr<ReadReport> report_a = ReadReportFile(a);
  absl::StatusOr<ReadReport> report_b = ReadReportFile(b);
  for (const absl::StatusOr<ReadReport>* report : {&report_a, &report_b}) {
    if (!report->ok()) {
      err << "hal-cts --compare: " << report->status().message() << "\n";
      return kCompareUnreadable;
    }
  }
  const std::vector<KeyedTest> tests_a = Keyed(*report_a);
  const std::vector<KeyedTest> tests_b = Keyed(*report_b);
  std::map<TestKey, const TestRecord*> by_key_a;
  for (const KeyedTest& test : tests_a) by_key_a.emplace(test.key, test.record);

  std::vector<Change> regressions, fixes, appeared, disappeared, other;
  std::map<TestKey, bool> in_b;
  for (const KeyedTest& test : tests_b) {
    in_b[test.key] = true;
    const auto found = by_key_a.find(test.key);
    if (found == by_key_a.end()) {
      appeared.push_back({nullptr, test.record});
      continue;
    }
    const TestRecord& before = *found->second;
    const TestRecord& after = *test.record;
    const Change change{&before, &after};
    if (before.outcome == TestOutcome::kPassed && Failing(after.outcome)) {
      regressions.push_back(change);
    } else if (Failing(before.outcome) && after.outcome == TestOutcome::kPassed) {
      fixes.push_back(change);
    } else if (before.outcome != after.outcome || before.skip_kind != after.skip_kind) {
      other.push_back(change);
    }
  }
  for (const KeyedTest& test : tests_a) {
    if (!in_b.contains(test.key)) disappeared.push_back({test.record, nullptr});
  }

  out << "hal-cts --compare " << a << " (schema " << report_a->schema << ", " << report_a->verdict
      << ") -> " << b << " (schema " << report_b->schema << ", " << report_b->verdict << ")\n";
  PrintSection("Regressions", regressions, out);
  PrintSection("Fixes", fixes, out);
  PrintSection("Appeared", appeared, out);
  PrintSection("Disappeared", disappeared, out);
  PrintSection("Other changes", other, out);
  out << regressions.size() << " regressions, " << fixes.size() << " fixes, " << appeared.size()
      << " appeared, " << disappeared.size() << " disappeared, " << other.size()
      << " other changes\n";
  return regressions.empty() ? kCompareNoRegression : kCompareRegression;
}

}  // namespace hal::cts
