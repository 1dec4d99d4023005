// Test data and whole-buffer checks for the numerics and alignment suites,
// fast enough for buffers of LargeBufferBytes (64 MiB): the generators hash
// eight bytes at a time, and the checks compare with memcmp and only walk a
// range element by element to name what differs.
#ifndef HAL_CONFORMANCE_NUMERICS_TEST_DATA_H_
#define HAL_CONFORMANCE_NUMERICS_TEST_DATA_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "gtest/gtest.h"

namespace hal::cts {

// Bytes that differ from one offset to the next (also 8, 256 and 4096 bytes
// apart) and from one seed to another.
std::vector<uint8_t> HashBytes(size_t count, uint32_t seed);

// `source` changed where needed so that no byte equals the byte of
// `background` it will be written over, from `offset` on: a range that a copy
// or fill left unwritten then always shows.
std::vector<uint8_t> DifferingFrom(std::vector<uint8_t> source,
                                   absl::Span<const uint8_t> background, uint64_t offset);

// Floats in [low, high) that differ from one index to the next, each k/2^23
// scaled: exact in float, so the references see the device's inputs.
std::vector<float> HashFloats(size_t count, uint32_t seed, float low = -1.0f, float high = 1.0f);

// Whether `got` equals `expected` byte for byte; otherwise names the first
// differing bytes, how many differ and in which range.
::testing::AssertionResult BytesEqual(absl::Span<const uint8_t> got,
                                      absl::Span<const uint8_t> expected);

// Whether `got` is `background` with [offset, offset + range.size()) holding
// `range`: the range written and every byte around it untouched.
::testing::AssertionResult RangeOverBackground(absl::Span<const uint8_t> got,
                                               absl::Span<const uint8_t> background,
                                               uint64_t offset, absl::Span<const uint8_t> range);

// Ints that differ from one index to the next (HashBytes as int32).
std::vector<int32_t> HashInts(size_t count, uint32_t seed);

// `size` bytes of the 4-byte `pattern` repeated little-endian, as a fill lays
// it from a multiple of 4.
std::vector<uint8_t> RepeatedPattern(uint32_t pattern, size_t size);

// `values` with its last `count` elements set to `guard`: room past the
// range a kernel is given, to show that it writes (or reads) nothing there.
template <typename T>
std::vector<T> GuardedTail(std::vector<T> values, size_t count, T guard) {
  std::fill(values.end() - static_cast<std::ptrdiff_t>(std::min(count, values.size())),
            values.end(), guard);
  return values;
}

// Whether every value of `values` equals `expected`; otherwise names the
// first that does not and how many do not.
template <typename T>
::testing::AssertionResult AllEqual(absl::Span<const T> values, T expected) {
  size_t differing = 0, first = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] == expected) continue;
    if (differing++ == 0) first = i;
  }
  if (differing == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << differing << " of " << values.size() << " elements differ from " << expected
         << ", the first [" << first << "] = " << values[first];
}

// Whether got[i] == expected[i] for every i; otherwise names the first
// mismatches and how many there are.
template <typename T>
::testing::AssertionResult ElementsEqual(absl::Span<const T> got, absl::Span<const T> expected) {
  if (got.size() != expected.size()) {
    return ::testing::AssertionFailure()
           << "got " << got.size() << " elements, expected " << expected.size();
  }
  constexpr int kMaxReported = 8;
  ::testing::AssertionResult failure = ::testing::AssertionFailure();
  size_t differing = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] == expected[i]) continue;
    if (++differing <= kMaxReported) {
      failure << "\n  [" << i << "] got " << got[i] << ", expected " << expected[i];
    }
  }
  if (differing == 0) return ::testing::AssertionSuccess();
  return failure << "\n  " << differing << " of " << got.size() << " elements differ";
}

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_NUMERICS_TEST_DATA_H_
