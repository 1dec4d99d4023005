#include "conformance/device_test.h"

#include "conformance/status_matchers.h"

namespace hal::cts {

void DeviceTest::SetUp() { HAL_CTS_ASSERT_OK_AND_ASSIGN(queue_, device().CreateQueue()); }

std::string DeviceTestName(const testing::TestParamInfo<const CtsDevice*>& info) {
  return info.param->test_name;
}

void PrintTo(const CtsDevice* device, std::ostream* os) { *os << device->physical->id(); }

}  // namespace hal::cts
