#include "hal/selector.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace hal {
namespace {

bool IsDriverName(absl::string_view name) {
  if (name == "*") return true;
  if (name.empty()) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace

std::string FormatUuid(const std::array<uint8_t, 16>& uuid) {
  std::string out;
  for (size_t i = 0; i < uuid.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    absl::StrAppendFormat(&out, "%02x", uuid[i]);
  }
  return out;
}

std::optional<std::array<uint8_t, 16>> ParseUuid(absl::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::array<uint8_t, 16> uuid{};
  size_t byte = 0;
  for (size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    int value = 0;
    for (int nibble = 0; nibble < 2; ++nibble, ++i) {
      const char c = absl::ascii_tolower(text[i]);
      if (!absl::ascii_isxdigit(c)) return std::nullopt;
      value = value * 16 + (absl::ascii_isdigit(c) ? c - '0' : c - 'a' + 10);
    }
    uuid[byte++] = static_cast<uint8_t>(value);
  }
  return uuid;
}

absl::StatusOr<DeviceSelector> DeviceSelector::Parse(absl::string_view text) {
  DeviceSelector selector;
  selector.text_ = std::string(absl::StripAsciiWhitespace(text));
  if (selector.text_.empty()) return selector;
  for (absl::string_view raw : absl::StrSplit(selector.text_, ',')) {
    absl::string_view term_text = absl::StripAsciiWhitespace(raw);
    auto error = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("device selector \"", selector.text_, "\": term \"", term_text, "\" ", why));
    };
    Term term;
    term.text = std::string(term_text);
    term.negated = absl::ConsumePrefix(&term_text, "!");
    const size_t colon = term_text.find(':');
    const absl::string_view driver = term_text.substr(0, colon);
    const absl::string_view which =
        colon == absl::string_view::npos ? absl::string_view() : term_text.substr(colon + 1);
    if (absl::StrContains(which, ':')) {
      return error(absl::StrCat("has more than one ':' (\"", which, "\" after the driver name)"));
    }
    if (!IsDriverName(driver)) {
      return error("must start with a driver name (letters, digits, '_', '-') or '*'");
    }
    term.driver = std::string(driver);
    if (colon != absl::string_view::npos) {
      if (which == "*") {
        term.which = Term::Which::kAll;
      } else if (absl::SimpleAtoi(which, &term.index) && !which.empty() &&
                 absl::ascii_isdigit(which[0])) {
        term.which = Term::Which::kIndex;
      } else if (auto uuid = ParseUuid(which)) {
        term.which = Term::Which::kUuid;
        term.uuid = *uuid;
      } else {
        return error(
            "names a device that is neither '*', an index nor a UUID "
            "(8-4-4-4-12 hex digits)");
      }
    }
    selector.terms_.push_back(std::move(term));
  }
  return selector;
}

bool DeviceSelector::TermMatches(const Term& term, absl::string_view driver, uint32_t index,
                                 const std::array<uint8_t, 16>& uuid) {
  if (term.driver != "*" && term.driver != driver) return false;
  switch (term.which) {
    case Term::Which::kAll:
      return true;
    case Term::Which::kIndex:
      return term.index == index;
    case Term::Which::kUuid:
      return term.uuid == uuid;
  }
  return false;
}

bool DeviceSelector::Matches(absl::string_view driver, uint32_t index,
                             const std::array<uint8_t, 16>& uuid) const {
  bool any_positive = false;
  bool positive_match = false;
  for (const Term& term : terms_) {
    const bool match = TermMatches(term, driver, index, uuid);
    if (term.negated) {
      if (match) return false;
    } else {
      any_positive = true;
      positive_match = positive_match || match;
    }
  }
  return !any_positive || positive_match;
}

bool DeviceSelector::MayMatchDriver(absl::string_view driver) const {
  bool any_positive = false;
  for (const Term& term : terms_) {
    const bool driver_match = term.driver == "*" || term.driver == driver;
    if (term.negated) {
      if (driver_match && term.which == Term::Which::kAll) return false;
    } else {
      any_positive = true;
      if (driver_match) return true;
    }
  }
  return !any_positive;
}

std::vector<std::string> DeviceSelector::ExplainUnmatched(
    const std::vector<Candidate>& found) const {
  std::vector<std::string> all, explanations;
  for (const Candidate& device : found)
    all.push_back(absl::StrCat(device.driver, ":", device.index));
  for (const Term& term : terms_) {
    if (term.negated) continue;
    std::vector<std::string> of_driver;
    bool matched = false;
    for (const Candidate& device : found) {
      matched = matched || TermMatches(term, device.driver, device.index, device.uuid);
      if (term.driver == "*" || device.driver == term.driver) {
        of_driver.push_back(absl::StrCat(device.driver, ":", device.index));
      }
    }
    if (matched) continue;
    const std::string why =
        of_driver.empty()
            ? absl::StrCat("no driver \"", term.driver, "\" has a device; the devices found are ",
                           all.empty() ? "none" : absl::StrJoin(all, ", "))
            : absl::StrCat(term.driver == "*" ? "the devices found are "
                                              : absl::StrCat("driver \"", term.driver, "\" has "),
                           absl::StrJoin(of_driver, ", "));
    explanations.push_back(absl::StrCat("\"", term.text, "\" matches no device: ", why));
  }
  return explanations;
}

}  // namespace hal
