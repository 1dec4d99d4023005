#include "integrations/kubernetes/device_room.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace hal::kubernetes {
namespace {

constexpr uint64_t kGiB = uint64_t{1} << 30;
constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

remote::v1::PhysicalDeviceStatus Device(uint64_t capacity, uint64_t placed, double compute) {
  remote::v1::PhysicalDeviceStatus device;
  device.set_id("cpu:0");
  device.set_capacity_bytes(capacity);
  device.set_quota_placed_bytes(placed);
  device.set_compute_placed(compute);
  return device;
}

void AddVirtualDevice(remote::v1::PoolStatus& status, const std::string& owner, bool dynamic,
                      uint64_t bytes, double share) {
  remote::v1::VirtualDeviceStatus& vd = *status.add_virtual_devices();
  vd.set_device("cpu:0");
  vd.set_owner(owner);
  vd.set_dynamic(dynamic);
  vd.set_memory_quota_bytes(bytes);
  vd.set_compute_share(share);
}

TEST(DeviceRoomTest, OursAreRoomAndOthersAreNot) {
  remote::v1::PoolStatus status;
  AddVirtualDevice(status, "kubernetes hal.dev/pod-a", true, 2 * kGiB, 0.25);
  AddVirtualDevice(status, "kubernetes other.dev/pod-b", true, 1 * kGiB, 0.25);
  AddVirtualDevice(status, "kubernetes hal.dev/static", false, 1 * kGiB, 0.25);
  const Room room = RoomOf(status, Device(8 * kGiB, 4 * kGiB, 0.75), "hal.dev");
  EXPECT_EQ(room.bytes, 6 * kGiB);  // 8 less the 2 GiB of the others
  EXPECT_DOUBLE_EQ(room.share, 0.5);
}

TEST(DeviceRoomTest, AnOvercommittedPoolPlacesItsRatioTimesTheCapacity) {
  remote::v1::PoolStatus status;
  status.set_overcommit_ratio(2.0);
  const Room room = RoomOf(status, Device(8 * kGiB, 4 * kGiB, 0), "hal.dev");
  EXPECT_EQ(room.bytes, 12 * kGiB);
  EXPECT_DOUBLE_EQ(room.share, 1.0);
}

TEST(DeviceRoomTest, HostileFiguresSaturateInsteadOfOverflowing) {
  remote::v1::PoolStatus status;
  status.set_overcommit_ratio(1e300);  // capacity * ratio is past 2^64
  AddVirtualDevice(status, "kubernetes hal.dev/a", true, kMax, 0.5);
  AddVirtualDevice(status, "kubernetes hal.dev/b", true, kMax, 0.5);  // the sum overflows
  const Room room = RoomOf(status, Device(kMax, kMax, 5.0), "hal.dev");
  EXPECT_EQ(room.bytes, kMax);
  EXPECT_GE(room.share, 0.0);
  EXPECT_LE(room.share, 1.0);
}

TEST(DeviceRoomTest, NonFiniteFiguresGiveNoNaNAndNoRoomTheyDoNotProve) {
  for (const double bad : {std::nan(""), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()}) {
    SCOPED_TRACE(bad);
    remote::v1::PoolStatus status;
    status.set_overcommit_ratio(bad);  // not finite: no overcommit
    const Room room = RoomOf(status, Device(8 * kGiB, 2 * kGiB, bad), "hal.dev");
    EXPECT_EQ(room.bytes, 6 * kGiB);
    EXPECT_EQ(room.share, 0.0);
  }
}

}  // namespace
}  // namespace hal::kubernetes
