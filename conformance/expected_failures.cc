#include "conformance/expected_failures.h"

#include <regex>

#include "absl/strings/str_cat.h"
#include "hal/status_macros.h"
#include "nlohmann/json.hpp"
#include "runtime/strict_json.h"

namespace hal::cts {
namespace {

absl::Status EntryError(const std::string& path, size_t index, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("expected failures ", path, ": entry ", index + 1, " ", what));
}

// A string field of an entry: `fallback` when absent and optional.
absl::StatusOr<std::string> StringField(const nlohmann::json& entry, const char* key,
                                        const std::string& path, size_t index,
                                        const char* fallback) {
  auto it = entry.find(key);
  if (it == entry.end()) {
    if (fallback != nullptr) return std::string(fallback);
    return EntryError(path, index, absl::StrCat("lacks \"", key, "\""));
  }
  if (!it->is_string() || it->get<std::string>().empty()) {
    return EntryError(path, index, absl::StrCat("\"", key, "\" must be a non-empty string"));
  }
  return it->get<std::string>();
}

}  // namespace

absl::StatusOr<std::vector<ExpectedFailure>> ReadExpectedFailures(const std::string& path) {
  HAL_ASSIGN_OR_RETURN(const nlohmann::json json,
                       internal::ReadStrictJsonFile(path, "expected failures"));
  if (!json.is_object() || !json.contains("expected_failures") ||
      !json["expected_failures"].is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected failures ", path, ": needs an object with an \"expected_failures\" array"));
  }
  std::vector<ExpectedFailure> entries;
  const nlohmann::json& list = json["expected_failures"];
  for (size_t i = 0; i < list.size(); ++i) {
    const nlohmann::json& entry = list[i];
    if (!entry.is_object()) return EntryError(path, i, "is not an object");
    HAL_RETURN_IF_ERROR(
        internal::CheckKnownKeys(entry, {"test", "driver", "device", "reason"},
                                 absl::StrCat("expected failures ", path, ": entry ", i + 1)));
    HAL_ASSIGN_OR_RETURN(std::string test, StringField(entry, "test", path, i, nullptr));
    HAL_ASSIGN_OR_RETURN(std::string driver, StringField(entry, "driver", path, i, ".*"));
    HAL_ASSIGN_OR_RETURN(std::string device, StringField(entry, "device", path, i, ".*"));
    HAL_ASSIGN_OR_RETURN(std::string reason, StringField(entry, "reason", path, i, nullptr));
    for (const std::string* regex : {&driver, &device}) {
      try {
        std::regex check(*regex);
      } catch (const std::regex_error& error) {
        return EntryError(
            path, i,
            absl::StrCat("has an invalid regular expression \"", *regex, "\": ", error.what()));
      }
    }
    std::string where = absl::StrCat("remove entry ", i + 1, " (\"", test, "\") from ", path);
    entries.push_back(
        {std::move(test), KnownFailureMark{std::move(driver), std::move(device), std::move(reason),
                                           /*file=*/nullptr, /*line=*/0, std::move(where)}});
  }
  return entries;
}

bool TestNameMatches(absl::string_view pattern, absl::string_view test_name) {
  // Greedy matching with backtracking to the last '*': linear for the short
  // patterns a vendor writes.
  size_t p = 0, t = 0, star = absl::string_view::npos, star_t = 0;
  while (t < test_name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_t = t;
    } else if (p < pattern.size() && pattern[p] == test_name[t]) {
      ++p;
      ++t;
    } else if (star != absl::string_view::npos) {
      p = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

const ExpectedFailure* FindExpectedFailure(const std::vector<ExpectedFailure>& entries,
                                           absl::string_view test_name,
                                           absl::string_view driver_name,
                                           absl::string_view device_name) {
  for (const ExpectedFailure& entry : entries) {
    if (TestNameMatches(entry.test_pattern, test_name) &&
        KnownFailureApplies(entry.mark, driver_name, device_name)) {
      return &entry;
    }
  }
  return nullptr;
}

}  // namespace hal::cts
