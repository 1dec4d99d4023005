#include "tests/fake_vendor/config_text.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace hal::fake {

absl::StatusOr<ConfigText> ConfigText::Parse(absl::string_view text,
                                             const std::vector<std::string>& known_keys) {
  ConfigText config;
  for (absl::string_view entry : absl::StrSplit(text, ';', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    const size_t equals = entry.find('=');
    if (equals == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("fake configuration entry \"", entry, "\" has no '='"));
    }
    const std::string key(absl::StripAsciiWhitespace(entry.substr(0, equals)));
    if (std::find(known_keys.begin(), known_keys.end(), key) == known_keys.end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown fake configuration key \"", key,
                                                     "\"; known keys: ",
                                                     absl::StrJoin(known_keys, ", ")));
    }
    if (config.values_.count(key) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("fake configuration key \"", key, "\" appears twice"));
    }
    std::vector<uint64_t> values;
    for (absl::string_view item : absl::StrSplit(entry.substr(equals + 1), ',')) {
      uint64_t value = 0;
      if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(item), &value)) {
        return absl::InvalidArgumentError(absl::StrCat("fake configuration key \"", key,
                                                       "\": \"", item,
                                                       "\" is not an unsigned number"));
      }
      values.push_back(value);
    }
    config.values_.emplace(key, std::move(values));
  }
  return config;
}

absl::StatusOr<uint64_t> ConfigText::ValueFor(absl::string_view key, uint32_t device,
                                              uint64_t fallback) const {
  const auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  const std::vector<uint64_t>& values = it->second;
  if (values.size() == 1) return values[0];
  if (device < values.size()) return values[device];
  return absl::OutOfRangeError(absl::StrCat("fake configuration key \"", key, "\" lists ",
                                            values.size(), " values, none for device ",
                                            device));
}

bool ConfigText::Has(absl::string_view key) const { return values_.find(key) != values_.end(); }

}  // namespace hal::fake
