// LargeBufferBytes: the "large" size every suite shares.
#include "conformance/numerics/test_sizes.h"

#include "gtest/gtest.h"

namespace hal::cts {
namespace {

DeviceProperties WithMemory(uint64_t bytes) {
  DeviceProperties properties;
  properties.memory_bytes = bytes;
  return properties;
}

TEST(CtsTestSizes, LargeBufferIsAQuarterOfTheMemoryRoundedDownToAPage) {
  EXPECT_EQ(LargeBufferBytes(WithMemory(uint64_t{64} << 20)), uint64_t{16} << 20);
  // A quarter of 1 MiB + 4 bytes is 262145 bytes: rounded down to 64 pages.
  EXPECT_EQ(LargeBufferBytes(WithMemory((uint64_t{1} << 20) + 4)), uint64_t{64} * 4096);
}

TEST(CtsTestSizes, LargeBufferIsCappedAt64MiB) {
  EXPECT_EQ(kLargeBufferCapBytes, uint64_t{16} << 20);
  EXPECT_EQ(LargeBufferBytes(WithMemory(uint64_t{1} << 40)), kLargeBufferCapBytes);
  EXPECT_EQ(LargeBufferBytes(WithMemory(kLargeBufferCapBytes * 4)), kLargeBufferCapBytes);
}

TEST(CtsTestSizes, LargeBufferOfATinyDeviceIsEmpty) {
  EXPECT_EQ(LargeBufferBytes(WithMemory(16383)), 0u);
}

}  // namespace
}  // namespace hal::cts
