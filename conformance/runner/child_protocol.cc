#include "conformance/runner/child_protocol.h"

#include <array>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"

namespace hal::cts {
namespace {

struct Keyword {
  ChildEvent::Kind kind;
  absl::string_view word;
};
constexpr std::array<Keyword, 5> kKeywords = {{{ChildEvent::Kind::kDevices, "devices"},
                                               {ChildEvent::Kind::kTest, "test"},
                                               {ChildEvent::Kind::kStart, "start"},
                                               {ChildEvent::Kind::kEnd, "end"},
                                               {ChildEvent::Kind::kError, "error"}}};

// How much of a bad line a message quotes.
constexpr size_t kQuotedBytes = 80;

ChildEvent Malformed(absl::string_view why, absl::string_view line) {
  return {ChildEvent::Kind::kMalformed,
          absl::StrCat(why, ": \"", EscapeForMessage(line, kQuotedBytes), "\"")};
}

// GoogleTest names are identifiers joined by '.', '/' and '_'; anything else
// (spaces, control bytes, filter syntax) is not a name a child could mean.
bool IsTestName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxTestNameBytes) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '/';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

ChildEvent ParseChildLine(absl::string_view line) {
  for (const Keyword& keyword : kKeywords) {
    if (line.size() <= keyword.word.size() || line.substr(0, keyword.word.size()) != keyword.word ||
        line[keyword.word.size()] != ' ') {
      continue;
    }
    absl::string_view text = line.substr(keyword.word.size() + 1);
    const bool names_a_test =
        keyword.kind == ChildEvent::Kind::kTest || keyword.kind == ChildEvent::Kind::kStart;
    if (names_a_test && !IsTestName(text)) return Malformed("not a test name", line);
    if (text.empty()) return Malformed("nothing after the keyword", line);
    if (keyword.kind == ChildEvent::Kind::kError) {
      const nlohmann::json why = nlohmann::json::parse(text.begin(), text.end(), nullptr,
                                                       /*allow_exceptions=*/false);
      if (!why.is_string()) return Malformed("an error that is not one JSON string", line);
      return {keyword.kind, why.get<std::string>()};
    }
    return {keyword.kind, std::string(text)};
  }
  return Malformed("not a line of the child protocol", line);
}

std::string FormatChildLine(ChildEvent::Kind kind, absl::string_view text) {
  for (const Keyword& keyword : kKeywords) {
    if (keyword.kind != kind) continue;
    if (kind == ChildEvent::Kind::kError) {
      // Why a suite cannot start spans lines ("... while reading ..."): one JSON string.
      const std::string quoted = nlohmann::json(std::string(text)).dump(
          -1, ' ', false, nlohmann::json::error_handler_t::replace);
      return absl::StrCat(keyword.word, " ", quoted, "\n");
    }
    return absl::StrCat(keyword.word, " ", text, "\n");
  }
  return absl::StrCat("malformed ", text, "\n");  // kMalformed is never written
}

void ChildLineReader::Feed(absl::string_view bytes, std::vector<ChildEvent>& events) {
  while (!bytes.empty()) {
    const size_t newline = bytes.find('\n');
    const absl::string_view piece = bytes.substr(0, newline);
    if (!discarding_) {
      if (partial_.size() + piece.size() > max_line_bytes_) {
        const absl::string_view quoted = piece.substr(0, kQuotedBytes);
        partial_.append(quoted.data(), quoted.size());
        events.push_back(
            Malformed(absl::StrCat("a line longer than ", max_line_bytes_, " bytes"), partial_));
        partial_.clear();
        discarding_ = true;
      } else {
        partial_.append(piece.data(), piece.size());
      }
    }
    if (newline == absl::string_view::npos) return;
    if (!discarding_) events.push_back(ParseChildLine(partial_));
    partial_.clear();
    discarding_ = false;
    bytes.remove_prefix(newline + 1);
  }
}

void ChildLineReader::Finish(std::vector<ChildEvent>& events) {
  if (!partial_.empty()) {
    events.push_back(Malformed("an unterminated line at the end of the output", partial_));
  }
  partial_.clear();
  discarding_ = false;
}

std::string EscapeForMessage(absl::string_view bytes, size_t max_bytes) {
  std::string escaped;
  for (char c : bytes.substr(0, max_bytes)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') {
      absl::StrAppend(&escaped, absl::StrFormat("\\x%02x", byte));
    } else {
      escaped.push_back(c);
    }
  }
  if (bytes.size() > max_bytes) escaped += "...";
  return escaped;
}

}  // namespace hal::cts
