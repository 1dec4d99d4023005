#include "backends/common/streaming_stores.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace hal::driver_support {
namespace {

constexpr uint8_t kGuard = 0xEE;

// Copies `size` bytes between offsets `source_offset` and `destination_offset`
// of two buffers and checks every byte copied and none written around them.
void ExpectExactCopy(size_t size, size_t source_offset, size_t destination_offset) {
  constexpr size_t kSlack = 128;
  std::vector<uint8_t> source(size + 2 * kSlack);
  for (size_t i = 0; i < source.size(); ++i) source[i] = static_cast<uint8_t>(i * 131 + i / 251);
  std::vector<uint8_t> destination(size + 2 * kSlack, kGuard);
  StreamingCopy(destination.data() + destination_offset, source.data() + source_offset, size);
  for (size_t i = 0; i < destination.size(); ++i) {
    const bool copied = i >= destination_offset && i < destination_offset + size;
    const uint8_t expected = copied ? source[i - destination_offset + source_offset] : kGuard;
    ASSERT_EQ(destination[i], expected)
        << "byte " << i << " of a " << size << "-byte copy from offset " << source_offset
        << " to offset " << destination_offset;
  }
}

TEST(StreamingCopyTest, SmallCopiesAreExact) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{63}, size_t{64}, size_t{4097}}) {
    ExpectExactCopy(size, 3, 5);
  }
}

// The streaming path's unaligned head, whole lines and tail, at every
// alignment of either side within a line.
TEST(StreamingCopyTest, LargeCopiesAreExactAtEveryAlignment) {
  for (size_t source_offset : {size_t{0}, size_t{1}, size_t{17}, size_t{64}}) {
    for (size_t destination_offset : {size_t{0}, size_t{1}, size_t{48}, size_t{63}, size_t{64}}) {
      ExpectExactCopy(kStreamingCopyMinBytes + 77, source_offset, destination_offset);
    }
  }
  ExpectExactCopy(kStreamingCopyMinBytes, 0, 0);
  ExpectExactCopy(kStreamingCopyMinBytes * 4 + 64 * 3 + 5, 9, 2);
}

// Fills `words` words from word `offset` of a guarded buffer by `fill` and
// checks every word filled and none written around them.
void ExpectExactFill(size_t words, size_t offset,
                     void (*fill)(uint32_t*, size_t, uint32_t) = StreamingFill) {
  constexpr size_t kSlack = 32;
  constexpr uint32_t kWordGuard = 0xEEEEEEEE;
  std::vector<uint32_t> destination(words + 2 * kSlack, kWordGuard);
  fill(destination.data() + offset, words, 0x01020304);
  for (size_t i = 0; i < destination.size(); ++i) {
    const bool filled = i >= offset && i < offset + words;
    ASSERT_EQ(destination[i], filled ? 0x01020304u : kWordGuard)
        << "word " << i << " of a " << words << "-word fill from word " << offset;
  }
}

TEST(StreamingFillTest, SmallFillsAreExact) {
  for (size_t words : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{1025}}) {
    ExpectExactFill(words, 3);
  }
}

// The streaming path's word head, whole lines and tail, at every word
// alignment within a line.
TEST(StreamingFillTest, LargeFillsAreExactAtEveryAlignment) {
  const size_t words = kStreamingCopyMinBytes / 4;
  for (size_t offset = 0; offset <= 16; ++offset) ExpectExactFill(words + 7, offset);
  ExpectExactFill(words * 4 + 16 * 3 + 5, 9);
}

TEST(FillWordsTest, FillsAreExactAtEveryAlignmentAndSize) {
  for (size_t offset = 0; offset <= 16; ++offset) {
    for (size_t words : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{100}}) {
      ExpectExactFill(words, offset, FillWords);
    }
  }
  ExpectExactFill(kStreamingCopyMinBytes / 4 + 7, 3, FillWords);
}

}  // namespace
}  // namespace hal::driver_support
