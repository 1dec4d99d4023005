#include "conformance/reporting/junit.h"

#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "conformance/reporting/xml_text.h"

namespace hal::cts {
namespace {

// A GoogleTest suite's tests in the order they appear in the report.
struct SuiteTests {
  std::string name;
  std::vector<const TestRecord*> tests;
};

// "Copy.HostToDeviceToHost/cpu_0" -> {"Copy", "HostToDeviceToHost/cpu_0"}. A
// record named without a suite ("(global set-up or tear-down)") goes to
// "hal-cts".
std::pair<std::string, std::string> SplitName(const std::string& name) {
  const size_t dot = name.find('.');
  if (dot == std::string::npos || dot == 0) return {"hal-cts", name};
  return {name.substr(0, dot), name.substr(dot + 1)};
}

std::vector<SuiteTests> BySuite(const std::vector<TestRecord>& tests) {
  std::vector<SuiteTests> suites;
  std::map<std::string, size_t> index_of_suite;
  for (const TestRecord& test : tests) {
    const std::string suite = SplitName(test.name).first;
    auto [it, inserted] = index_of_suite.emplace(suite, suites.size());
    if (inserted) suites.push_back({suite, {}});
    suites[it->second].tests.push_back(&test);
  }
  return suites;
}

bool IsFailure(TestOutcome outcome) {
  return outcome == TestOutcome::kFailed || outcome == TestOutcome::kCrashed ||
         outcome == TestOutcome::kTimedOut;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string Seconds(double seconds) { return absl::StrFormat("%.3f", seconds); }

// The counts attributes of a <testsuites> or <testsuite> element.
std::string CountAttributes(const std::vector<const TestRecord*>& tests) {
  size_t failures = 0, skipped = 0;
  double seconds = 0;
  for (const TestRecord* test : tests) {
    failures += IsFailure(test->outcome);
    skipped += test->outcome == TestOutcome::kSkipped;
    seconds += test->seconds;
  }
  return absl::StrCat("tests=\"", tests.size(), "\" failures=\"", failures,
                      "\" errors=\"0\" skipped=\"", skipped, "\" time=\"", Seconds(seconds), "\"");
}

void AppendTestCase(const TestRecord& test, std::string& xml) {
  const auto [suite, name] = SplitName(test.name);
  absl::StrAppend(&xml, "    <testcase name=\"", XmlEscaped(name), "\" classname=\"",
                  XmlEscaped(suite), "\" time=\"", Seconds(test.seconds), "\"");
  if (IsFailure(test.outcome)) {
    absl::StrAppend(&xml, ">\n      <failure type=\"", OutcomeName(test.outcome), "\" message=\"",
                    XmlEscaped(FirstLine(test.message)), "\">", XmlEscaped(test.message),
                    "</failure>\n    </testcase>\n");
  } else if (test.outcome == TestOutcome::kSkipped) {
    absl::StrAppend(&xml, ">\n      <skipped message=\"", XmlEscaped(test.message),
                    "\"/>\n      <properties><property name=\"hal_cts_skip_kind\" value=\"",
                    SkipKindName(test.skip_kind), "\"/></properties>\n    </testcase>\n");
  } else {
    absl::StrAppend(&xml, "/>\n");
  }
}

}  // namespace

std::string JUnitXml(const Report& report) {
  std::vector<const TestRecord*> all;
  for (const TestRecord& test : report.tests) all.push_back(&test);
  std::string xml = absl::StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
                                 "<testsuites name=\"hal-cts\" ", CountAttributes(all), ">\n");
  for (const SuiteTests& suite : BySuite(report.tests)) {
    absl::StrAppend(&xml, "  <testsuite name=\"", XmlEscaped(suite.name), "\" ",
                    CountAttributes(suite.tests), ">\n");
    for (const TestRecord* test : suite.tests) AppendTestCase(*test, xml);
    absl::StrAppend(&xml, "  </testsuite>\n");
  }
  absl::StrAppend(&xml, "</testsuites>\n");
  return xml;
}

absl::Status WriteJUnit(const std::string& path, const Report& report) {
  return WriteTextFile(path, JUnitXml(report), "JUnit XML");
}

}  // namespace hal::cts
