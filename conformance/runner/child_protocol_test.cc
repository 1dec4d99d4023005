// The child protocol as the parent reads it: every line a child writes
// parses back, and what a dying or scribbling child may write (garbage,
// overlong or cut lines, names that are not test names) becomes a kMalformed
// event that says what was wrong, never a crash or an unbounded buffer.
#include "conformance/runner/child_protocol.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hal::cts {
namespace {

using ::testing::HasSubstr;
using Kind = ChildEvent::Kind;

std::vector<ChildEvent> ReadAll(absl::string_view bytes, size_t max_line = 1024,
                                size_t piece = 1) {
  ChildLineReader reader(max_line);
  std::vector<ChildEvent> events;
  for (size_t i = 0; i < bytes.size(); i += piece) reader.Feed(bytes.substr(i, piece), events);
  reader.Finish(events);
  return events;
}

TEST(ChildProtocolTest, EveryLineAChildWritesParsesBack) {
  const std::pair<Kind, const char*> lines[] = {{Kind::kDevices, R"([{"id":"cpu:0"}])"},
                                                {Kind::kTest, "Copy.HostToDevice/cpu_0"},
                                                {Kind::kStart, "Numerics.Saxpy/cpu_0_odd"},
                                                {Kind::kEnd, R"({"name":"x y"})"},
                                                {Kind::kError, "no \"device\".\n  while x"}};
  std::string stream;
  for (const auto& [kind, text] : lines) stream += FormatChildLine(kind, text);
  // Read a byte at a time and all at once: the same events.
  for (size_t piece : {size_t{1}, stream.size()}) {
    const std::vector<ChildEvent> events = ReadAll(stream, 1024, piece);
    ASSERT_EQ(events.size(), std::size(lines));
    for (size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(events[i].kind, lines[i].first) << i;
      EXPECT_EQ(events[i].text, lines[i].second) << i;
    }
  }
}

TEST(ChildProtocolTest, GarbageIsMalformedAndQuotedEscaped) {
  const char* garbage[] = {"", "hello", "error why", "error [\"why\"]", "start", "start ", "end ", "START Copy.X",
                           "startCopy.X", "\x01\xff\x80 binary", "test Copy.X/cpu_0 extra",
                           "start Copy.*", "start Copy.X:Copy.Y"};
  for (const char* line : garbage) {
    const ChildEvent event = ParseChildLine(line);
    EXPECT_EQ(event.kind, Kind::kMalformed) << line;
    EXPECT_FALSE(event.text.empty()) << line;
  }
  const ChildEvent binary = ParseChildLine("\x01\xff\"\\ok");
  EXPECT_EQ(binary.text, R"(not a line of the child protocol: "\x01\xff\x22\x5cok")");
}

TEST(ChildProtocolTest, OverlongLineIsOneMalformedEventAndReadingGoesOn) {
  const std::string stream =
      std::string(100, 'x') + std::string(5000, 'y') + "\n" + FormatChildLine(Kind::kTest, "A.B");
  for (size_t piece : {size_t{1}, size_t{7}, stream.size()}) {
    const std::vector<ChildEvent> events = ReadAll(stream, 64, piece);
    ASSERT_EQ(events.size(), 2u) << piece;
    EXPECT_EQ(events[0].kind, Kind::kMalformed);
    EXPECT_THAT(events[0].text, HasSubstr("a line longer than 64 bytes"));
    EXPECT_LT(events[0].text.size(), 200u) << "the quote is short";
    EXPECT_EQ(events[1].kind, Kind::kTest);
    EXPECT_EQ(events[1].text, "A.B");
  }
}

TEST(ChildProtocolTest, LineCutByTheChildsDeathIsMalformed) {
  const std::vector<ChildEvent> events = ReadAll("start A.B\nend {\"name\":\"A.");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::kStart);
  EXPECT_EQ(events[1].kind, Kind::kMalformed);
  EXPECT_THAT(events[1].text, HasSubstr("unterminated line"));
  EXPECT_THAT(events[1].text, HasSubstr("end {"));
}

TEST(ChildProtocolTest, TestNamesAreBounded) {
  EXPECT_EQ(ParseChildLine("test " + std::string(kMaxTestNameBytes, 'a')).kind, Kind::kTest);
  EXPECT_EQ(ParseChildLine("test " + std::string(kMaxTestNameBytes + 1, 'a')).kind,
            Kind::kMalformed);
}

TEST(ChildProtocolTest, EscapeForMessageCutsAndMarksTheCut) {
  EXPECT_EQ(EscapeForMessage("abcdef", 3), "abc...");
  EXPECT_EQ(EscapeForMessage("a\nb", 10), "a\\x0ab");
}

}  // namespace
}  // namespace hal::cts
