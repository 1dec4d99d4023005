// The sysfs and /proc readers, against the files read here independently.
#include "backends/common/proc_files.h"

#include <fstream>
#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace hal::driver_support {
namespace {

TEST(ProcFilesTest, CacheSizesParseWithTheirSuffixes) {
  EXPECT_EQ(ParseCacheSize("512"), 512u);
  EXPECT_EQ(ParseCacheSize("2048K"), 2048u << 10);
  EXPECT_EQ(ParseCacheSize("32M"), 32u << 20);
  EXPECT_EQ(ParseCacheSize("1G"), uint64_t{1} << 30);
  EXPECT_EQ(ParseCacheSize("32X"), std::nullopt);
  EXPECT_EQ(ParseCacheSize("K"), std::nullopt);
  EXPECT_EQ(ParseCacheSize("99999999999999999999G"), std::nullopt);
}

// The last-level cache is the one of the highest level among CPU 0's caches.
TEST(ProcFilesTest, TheLastLevelCacheIsTheHighestLevelSysfsLists) {
  int highest = 0;
  std::string highest_size;
  for (int index = 0;; ++index) {
    const std::string folder =
        "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/";
    std::ifstream level_file(folder + "level");
    int level = 0;
    if (!(level_file >> level)) break;
    if (level > highest) {
      highest = level;
      std::ifstream(folder + "size") >> highest_size;
    }
  }
  if (highest == 0) {
    EXPECT_EQ(ReadLastLevelCacheBytes(), std::nullopt);
    GTEST_SKIP() << "sysfs describes no cache of CPU 0 here";
  }
  EXPECT_EQ(ReadLastLevelCacheBytes(), ParseCacheSize(highest_size)) << "L" << highest;
  if (highest >= 2) {
    EXPECT_GE(ReadLastLevelCacheBytes(), ReadL2CacheBytes());
  }
}

}  // namespace
}  // namespace hal::driver_support
