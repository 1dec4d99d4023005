#include "runtime/strict_json.h"

#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "runtime/file_reading.h"

namespace hal::internal {
namespace {

using nlohmann::json;

// Follows the parser through nested objects and arrays, so that a duplicate
// key is found when it is read and named by where it is.
class DuplicateKeyFinder {
 public:
  bool OnEvent(int depth, json::parse_event_t event, const json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        if (depth >= kMaxJsonDepth) {
          if (problem_.empty()) {
            problem_ = absl::StrCat("nesting deeper than ", kMaxJsonDepth, " levels at ", Path());
          }
          return false;  // the parser skips the value instead of storing it
        }
        frames_.push_back({event == json::parse_event_t::array_start, "", {}});
        break;
      case json::parse_event_t::key: {
        Frame& frame = frames_.back();
        frame.key = parsed.get<std::string>();
        if (!frame.keys.insert(frame.key).second && problem_.empty()) {
          problem_ = absl::StrCat("duplicate key \"", frame.key, "\" at ", Path());
        }
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!frames_.empty()) frames_.pop_back();
        break;
      case json::parse_event_t::value:
        break;
    }
    return true;
  }
  const std::string& problem() const { return problem_; }

 private:
  struct Frame {
    bool array = false;
    std::string key;  // the key being read, in an object
    std::set<std::string> keys;
  };
  std::string Path() const {
    std::string path;
    for (const Frame& frame : frames_) {
      if (frame.array) {
        absl::StrAppend(&path, "[]");
      } else if (!frame.key.empty()) {
        absl::StrAppend(&path, path.empty() ? "" : ".", frame.key);
      }
    }
    return path.empty() ? "the top level" : absl::StrCat("\"", path, "\"");
  }
  std::vector<Frame> frames_;
  std::string problem_;
};

}  // namespace

absl::StatusOr<json> ParseStrictJson(absl::string_view text, absl::string_view where) {
  DuplicateKeyFinder finder;
  json result;
  try {
    result = json::parse(text.begin(), text.end(),
                         [&finder](int depth, json::parse_event_t event, json& parsed) {
                           return finder.OnEvent(depth, event, parsed);
                         });
  } catch (const json::exception& error) {
    // nlohmann's text starts with "[json.exception.parse_error.101] ".
    absl::string_view message = error.what();
    if (const size_t end = message.find("] "); end != absl::string_view::npos) {
      message.remove_prefix(end + 2);
    }
    return absl::InvalidArgumentError(absl::StrCat(where, ": not valid JSON (", message, ")"));
  }
  if (!finder.problem().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", finder.problem()));
  }
  return result;
}

absl::StatusOr<json> ReadStrictJsonFile(const std::string& path, absl::string_view what) {
  absl::StatusOr<std::string> text = ReadRegularFile(path, kMaxJsonFileBytes, what);
  if (!text.ok()) return text.status();
  return ParseStrictJson(*text, absl::StrCat(what, " ", path));
}

absl::Status CheckKnownKeys(const json& object, std::initializer_list<absl::string_view> known,
                            absl::string_view where) {
  for (const auto& item : object.items()) {
    bool found = false;
    for (absl::string_view key : known) found = found || key == item.key();
    if (!found) {
      return absl::InvalidArgumentError(absl::StrCat(where, " has an unknown key \"", item.key(),
                                                     "\" (known: ", absl::StrJoin(known, ", "),
                                                     ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace hal::internal
