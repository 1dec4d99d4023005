// The line protocol between hal-cts and its child processes (docs/cts.md,
// "Running it"). A child writes one line per event on a pipe the parent
// names with a hidden flag:
//
//   list mode:  "devices <DeviceRecordsToJsonLine>", then "test <name>" per test
//   run mode:   "start <name>" before a test, "end <TestRecordToJsonLine>" after it
//   either:     "error <why as a JSON string>" when the suite cannot start in the child
//
// The parent treats what it reads as hostile: a child may die mid-line, or a
// driver may scribble over its memory. Lines are bounded, and anything that is
// not exactly one of the lines above is a kMalformed event that says what was
// wrong and quotes (escaped) the start of the line.
#ifndef HAL_CONFORMANCE_RUNNER_CHILD_PROTOCOL_H_
#define HAL_CONFORMANCE_RUNNER_CHILD_PROTOCOL_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace hal::cts {

// The hidden flags that make hal-cts a child: the value is the pipe's fd.
inline constexpr char kChildEventsFlag[] = "--cts-child-events-fd";
inline constexpr char kChildListFlag[] = "--cts-child-list-fd";

// The fd the runner hands a child its pipe on.
inline constexpr int kChildPipeFd = 3;

// A test name longer than this is refused (GoogleTest names are far shorter).
inline constexpr size_t kMaxTestNameBytes = 4096;

struct ChildEvent {
  enum class Kind { kDevices, kTest, kStart, kEnd, kError, kMalformed };
  Kind kind;
  // The rest of the line after the keyword (a test name, a JSON line, a
  // reason); for kMalformed, what was wrong with the line.
  std::string text;
};

// One line without its '\n'.
ChildEvent ParseChildLine(absl::string_view line);

// The line a child writes, '\n' included. `text` must hold no '\n', except
// for kError, whose text is written as a JSON string.
std::string FormatChildLine(ChildEvent::Kind kind, absl::string_view text);

// Splits the bytes read from a child's pipe into events, however the reads
// cut them. A line longer than `max_line_bytes` becomes one kMalformed event
// (the rest of it up to the next '\n' is dropped) instead of growing the
// buffer without bound.
class ChildLineReader {
 public:
  explicit ChildLineReader(size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  void Feed(absl::string_view bytes, std::vector<ChildEvent>& events);
  // At end of file: an unterminated last line (a child that died while
  // writing) is a kMalformed event.
  void Finish(std::vector<ChildEvent>& events);

 private:
  size_t max_line_bytes_;
  std::string partial_;
  bool discarding_ = false;  // inside an overlong line, until its '\n'
};

// `bytes` made printable for a message: at most `max_bytes` of it, with
// control and non-ASCII bytes as \xNN, and "..." when cut.
std::string EscapeForMessage(absl::string_view bytes, size_t max_bytes);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_RUNNER_CHILD_PROTOCOL_H_
