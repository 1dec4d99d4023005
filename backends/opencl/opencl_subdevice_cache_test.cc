// SubdeviceCache on the first OpenCL device with sub-device partitions (pocl
// here): sub-devices come back for reuse by count, new ones have the count
// asked for, and the cache releases what it holds.
#include "backends/opencl/opencl_subdevice_cache.h"

#include <gtest/gtest.h>

#include <memory>

#include "backends/opencl/opencl_devices.h"

namespace hal::opencl {
namespace {

class SubdeviceCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Devices::Initialize() != HAL_SUCCESS) GTEST_SKIP() << "no usable OpenCL device";
    initialized_ = true;
    for (const std::unique_ptr<Device>& device : Devices::Get().usable()) {
      if (device->properties.partition_kind == HAL_PARTITION_SUBDEVICE &&
          device->properties.partition_max_units >= 2) {
        parent_ = device->id;
        return;
      }
    }
    GTEST_SKIP() << "no OpenCL device with sub-device partitions of 2 units or more";
  }
  void TearDown() override {
    if (initialized_) Devices::Shutdown();
  }

  static cl_uint ComputeUnits(cl_device_id device) {
    cl_uint units = 0;
    EXPECT_EQ(Api().clGetDeviceInfo(device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof(units), &units,
                                    nullptr),
              CL_SUCCESS);
    return units;
  }

  bool initialized_ = false;
  cl_device_id parent_ = nullptr;
};

TEST_F(SubdeviceCacheTest, ASubdeviceGivenBackServesTheNextRequestOfItsSize) {
  SubdeviceCache cache;
  cl_device_id first = nullptr;
  cl_device_id second = nullptr;
  ASSERT_EQ(cache.Take(parent_, 1, &first), HAL_SUCCESS);
  ASSERT_EQ(cache.Take(parent_, 1, &second), HAL_SUCCESS);
  EXPECT_NE(first, second) << "two live partitions are two sub-devices";
  EXPECT_EQ(ComputeUnits(first), 1u);
  cache.Give(1, first);
  EXPECT_EQ(cache.idle(), 1u);
  cl_device_id two = nullptr;
  ASSERT_EQ(cache.Take(parent_, 2, &two), HAL_SUCCESS);
  EXPECT_NE(two, first) << "a sub-device of another size is not reused";
  EXPECT_EQ(ComputeUnits(two), 2u);
  EXPECT_EQ(cache.idle(), 1u);
  cl_device_id again = nullptr;
  ASSERT_EQ(cache.Take(parent_, 1, &again), HAL_SUCCESS);
  EXPECT_EQ(again, first);
  EXPECT_EQ(cache.idle(), 0u);
  // Released by the cache's destructor.
  for (cl_device_id device : {again, second}) cache.Give(1, device);
  cache.Give(2, two);
  EXPECT_EQ(cache.idle(), 3u);
}

}  // namespace
}  // namespace hal::opencl
