#include "backends/common/derived_uuid.h"

#include <gtest/gtest.h>

#include <cstring>

namespace hal::driver_support {
namespace {

TEST(DeriveUuid, IsStableAndVersion8PerIdentity) {
  uint8_t first[16] = {};
  uint8_t again[16] = {};
  uint8_t other[16] = {};
  DeriveUuid("device A", first);
  DeriveUuid("device A", again);
  DeriveUuid("device B", other);
  EXPECT_EQ(std::memcmp(first, again, sizeof(first)), 0);
  EXPECT_NE(std::memcmp(first, other, sizeof(first)), 0);
  EXPECT_EQ(first[6] >> 4, 8) << "version 8";
  EXPECT_EQ(first[8] >> 6, 2) << "RFC 9562 variant";
}

}  // namespace
}  // namespace hal::driver_support
