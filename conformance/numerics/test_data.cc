#include "conformance/numerics/test_data.h"

#include <algorithm>
#include <cstring>

namespace hal::cts {
namespace {

// splitmix64's finalizer: every input bit changes about half the output bits.
uint64_t Mix(uint64_t value) {
  value ^= value >> 30;
  value *= 0xBF58476D1CE4E5B9u;
  value ^= value >> 27;
  value *= 0x94D049BB133111EBu;
  return value ^ (value >> 31);
}

// Hashed words over `bytes` bytes at `data`.
void FillHashed(void* data, size_t bytes, uint32_t seed) {
  auto* out = static_cast<uint8_t*>(data);
  const uint64_t base = uint64_t{seed} << 40;
  for (size_t word = 0; word * 8 < bytes; ++word) {
    const uint64_t value = Mix(base + word);
    std::memcpy(out + word * 8, &value, std::min<size_t>(8, bytes - word * 8));
  }
}

}  // namespace

std::vector<uint8_t> HashBytes(size_t count, uint32_t seed) {
  std::vector<uint8_t> bytes(count);
  FillHashed(bytes.data(), bytes.size(), seed);
  return bytes;
}

std::vector<uint8_t> DifferingFrom(std::vector<uint8_t> source,
                                   absl::Span<const uint8_t> background, uint64_t offset) {
  for (size_t i = 0; i < source.size() && offset + i < background.size(); ++i) {
    if (source[i] == background[offset + i]) source[i] ^= 0x5A;
  }
  return source;
}

std::vector<float> HashFloats(size_t count, uint32_t seed, float low, float high) {
  std::vector<float> values(count);
  const uint64_t base = (uint64_t{seed} << 40) | (uint64_t{1} << 63);
  const float scale = (high - low) * 0x1p-23f;
  for (size_t i = 0; i < count; ++i) {
    // 23 random bits: k/2^23 in [0, 1), exact in float.
    const float unit_steps = static_cast<float>(Mix(base + i) >> 41);
    values[i] = low + unit_steps * scale;
  }
  return values;
}

std::vector<int32_t> HashInts(size_t count, uint32_t seed) {
  std::vector<int32_t> values(count);
  FillHashed(values.data(), count * sizeof(int32_t), seed);
  return values;
}

std::vector<uint8_t> RepeatedPattern(uint32_t pattern, size_t size) {
  std::vector<uint8_t> bytes(size);
  if (size == 0) return bytes;  // memcpy must not see the empty vector's null data
  const uint8_t word[4] = {static_cast<uint8_t>(pattern), static_cast<uint8_t>(pattern >> 8),
                           static_cast<uint8_t>(pattern >> 16),
                           static_cast<uint8_t>(pattern >> 24)};
  std::memcpy(bytes.data(), word, std::min<size_t>(4, size));
  // Doubling the filled prefix: a few memcpy calls even for 64 MiB.
  for (size_t filled = std::min<size_t>(4, size); filled < size; filled *= 2) {
    std::memcpy(bytes.data() + filled, bytes.data(), std::min(filled, size - filled));
  }
  return bytes;
}

::testing::AssertionResult BytesEqual(absl::Span<const uint8_t> got,
                                      absl::Span<const uint8_t> expected) {
  if (got.size() != expected.size()) {
    return ::testing::AssertionFailure()
           << "got " << got.size() << " bytes, expected " << expected.size();
  }
  if (got.empty() || std::memcmp(got.data(), expected.data(), got.size()) == 0) {
    return ::testing::AssertionSuccess();
  }
  constexpr int kMaxReported = 8;
  ::testing::AssertionResult failure = ::testing::AssertionFailure();
  size_t differing = 0, first = 0, last = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] == expected[i]) continue;
    if (differing == 0) first = i;
    last = i;
    if (++differing <= kMaxReported) {
      failure << "\n  byte " << i << ": got 0x" << std::hex << int{got[i]} << ", expected 0x"
              << int{expected[i]} << std::dec;
    }
  }
  return failure << "\n  " << differing << " of " << got.size() << " bytes differ, in [" << first
                 << ", " << last << "]";
}

::testing::AssertionResult RangeOverBackground(absl::Span<const uint8_t> got,
                                               absl::Span<const uint8_t> background,
                                               uint64_t offset, absl::Span<const uint8_t> range) {
  if (got.size() != background.size() || offset + range.size() > got.size()) {
    return ::testing::AssertionFailure()
           << "got " << got.size() << " bytes over a background of " << background.size()
           << " and a range of " << range.size() << " bytes at " << offset;
  }
  const uint64_t end = offset + range.size();
  if (::testing::AssertionResult before = BytesEqual(got.first(offset), background.first(offset));
      !before) {
    return before << "\n  (before the range, which starts at " << offset << ")";
  }
  if (::testing::AssertionResult inside = BytesEqual(got.subspan(offset, range.size()), range);
      !inside) {
    return inside << "\n  (in the range, counted from its start at " << offset << ")";
  }
  if (::testing::AssertionResult after = BytesEqual(got.subspan(end), background.subspan(end));
      !after) {
    return after << "\n  (after the range, counted from its end at " << end << ")";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace hal::cts
