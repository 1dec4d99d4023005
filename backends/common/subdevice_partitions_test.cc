#include "backends/common/subdevice_partitions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <thread>
#include <utility>
#include <vector>

#include "backends/common/driver_error.h"

namespace hal::driver_support {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

hal_device_properties Described(const SubdeviceLayout& layout) {
  hal_device_properties properties{};
  DescribeSubdevicePartitions(layout, &properties);
  return properties;
}

TEST(DescribeSubdevicePartitions, SplittableDeviceReportsSubdevices) {
  const hal_device_properties properties =
      Described({.total_units = 8, .min_units = 1, .alignment = 1});
  EXPECT_EQ(properties.partition_kind, HAL_PARTITION_SUBDEVICE);
  EXPECT_EQ(properties.partition_min_units, 1u);
  EXPECT_EQ(properties.partition_alignment, 1u);
  EXPECT_EQ(properties.partition_max_units, 8u);
}

TEST(DescribeSubdevicePartitions, SmallestPartitionIsAligned) {
  const hal_device_properties properties =
      Described({.total_units = 12, .min_units = 3, .alignment = 2});
  EXPECT_EQ(properties.partition_kind, HAL_PARTITION_SUBDEVICE);
  EXPECT_EQ(properties.partition_min_units, 4u);
  EXPECT_EQ(properties.partition_alignment, 2u);
}

TEST(DescribeSubdevicePartitions, DeviceThatCannotSplitInTwoReportsNone) {
  for (const SubdeviceLayout layout :
       {SubdeviceLayout{.total_units = 1}, SubdeviceLayout{.total_units = 3, .min_units = 2},
        SubdeviceLayout{.total_units = 0}}) {
    const hal_device_properties properties = Described(layout);
    EXPECT_EQ(properties.partition_kind, HAL_PARTITION_NONE) << layout.total_units;
    EXPECT_EQ(properties.partition_min_units, layout.total_units);
    EXPECT_EQ(properties.partition_max_units, layout.total_units);
  }
}

TEST(SubdevicePartitions, GrantFollowsTheAbiRule) {
  SubdevicePartitions partitions({.total_units = 10, .min_units = 2, .alignment = 2});
  EXPECT_EQ(partitions.Granted(1), 2u);
  EXPECT_EQ(partitions.Granted(3), 4u);
  EXPECT_EQ(partitions.Granted(9), 10u);
  EXPECT_EQ(partitions.Granted(50), 10u);
}

TEST(SubdevicePartitions, LeasesHoldDistinctUnitsUntilDestroyed) {
  SubdevicePartitions partitions({.total_units = 4});
  SubdeviceLease first;
  ASSERT_EQ(partitions.Take(1, &first), HAL_SUCCESS);
  SubdeviceLease second;
  ASSERT_EQ(partitions.Take(2, &second), HAL_SUCCESS);
  EXPECT_THAT(first.units(), ElementsAre(0u));
  EXPECT_THAT(second.units(), ElementsAre(1u, 2u));
  EXPECT_EQ(second.count(), 2u);
  EXPECT_EQ(partitions.free_units(), 1u);
  first.Reset();
  EXPECT_TRUE(first.empty());
  EXPECT_EQ(partitions.free_units(), 2u);
  {
    SubdeviceLease third;
    ASSERT_EQ(partitions.Take(2, &third), HAL_SUCCESS);
    EXPECT_THAT(third.units(), ElementsAre(0u, 3u));
  }
  EXPECT_EQ(partitions.free_units(), 2u);
}

TEST(SubdevicePartitions, UnitsOfAlignedGroupsAreListed) {
  SubdevicePartitions partitions({.total_units = 5, .min_units = 2, .alignment = 2});
  SubdeviceLease lease;
  ASSERT_EQ(partitions.Take(3, &lease), HAL_SUCCESS);
  EXPECT_THAT(lease.units(), ElementsAre(0u, 1u, 2u, 3u));
  SubdeviceLease remainder;
  ASSERT_EQ(partitions.Take(1, &remainder), HAL_ERROR_OUT_OF_MEMORY)
      << "2 units granted, 1 free in the remainder group";
}

TEST(SubdevicePartitions, PartitionThatDoesNotFitIsOutOfMemoryWithTheFreeCount) {
  SubdevicePartitions partitions({.total_units = 4});
  SubdeviceLease held;
  ASSERT_EQ(partitions.Take(3, &held), HAL_SUCCESS);
  SubdeviceLease refused;
  EXPECT_EQ(partitions.Take(2, &refused), HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_THAT(LastErrorMessage(), HasSubstr("1 of 4 units"));
  EXPECT_TRUE(refused.empty());
  EXPECT_EQ(partitions.free_units(), 1u);
}

TEST(SubdevicePartitions, MovedLeaseGivesUnitsBackOnce) {
  SubdevicePartitions partitions({.total_units = 2});
  SubdeviceLease moved;
  {
    SubdeviceLease lease;
    ASSERT_EQ(partitions.Take(1, &lease), HAL_SUCCESS);
    moved = std::move(lease);
    SubdeviceLease constructed(std::move(moved));
    moved = std::move(constructed);
  }
  EXPECT_EQ(partitions.free_units(), 1u) << "a moved-from lease gave the units back";
  EXPECT_THAT(moved.units(), ElementsAre(0u));
  moved = SubdeviceLease();
  EXPECT_EQ(partitions.free_units(), 2u);
}

TEST(SubdevicePartitions, ConcurrentContextsNeverShareUnits) {
  SubdevicePartitions partitions({.total_units = 6});
  std::array<std::atomic<bool>, 6> held{};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&partitions, &held] {
      for (int round = 0; round < 200; ++round) {
        SubdeviceLease lease;
        if (partitions.Take(2, &lease) != HAL_SUCCESS) continue;
        for (const uint32_t unit : lease.units()) {
          EXPECT_FALSE(held[unit].exchange(true)) << "unit " << unit << " held twice";
        }
        for (const uint32_t unit : lease.units()) held[unit] = false;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(partitions.free_units(), 6u);
}

}  // namespace
}  // namespace hal::driver_support
