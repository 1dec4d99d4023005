// The OpenCL platforms and devices the ICD loader finds: those the driver
// serves, with their hal properties, and those it cannot, each with the reason
// (hal-info lists them under the driver).
#ifndef HAL_BACKENDS_OPENCL_OPENCL_DEVICES_H_
#define HAL_BACKENDS_OPENCL_OPENCL_DEVICES_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backends/common/subdevice_partitions.h"
#include "backends/opencl/opencl_api.h"
#include "backends/opencl/opencl_subdevice_cache.h"
#include "hal/driver/hal_driver.h"

namespace hal::opencl {

struct Device {
  cl_platform_id platform = nullptr;
  cl_device_id id = nullptr;  // a root device: never released
  hal_device_properties properties{};
  bool takes_il = false;              // "spirv-opencl" images (clCreateProgramWithIL)
  bool takes_source = false;          // "opencl-c" images (a compiler is available)
  uint64_t max_allocation_bytes = 0;  // CL_DEVICE_MAX_MEM_ALLOC_SIZE
  // Compute units handed to partitioned contexts (clCreateSubDevices by counts).
  std::unique_ptr<driver_support::SubdevicePartitions> partitions;
  SubdeviceCache subdevices;
  // Bytes of buffers live on the device, from every context: OpenCL reports
  // no free memory, so device_get_memory_info answers total minus these.
  std::atomic<uint64_t> allocated_bytes{0};
};

struct UnusableDevice {
  std::string name;
  std::string reason;
};

// The devices of every platform, found once by initialize().
class Devices {
 public:
  // Loads libOpenCL.so.1 and lists every platform's devices. HAL_ERROR_UNAVAILABLE
  // when the loader is missing, finds no platform, or no device is usable
  // (the message then lists every device's reason).
  static hal_result Initialize();
  static void Shutdown();
  // Valid between a successful Initialize() and Shutdown().
  static Devices& Get();

  const std::vector<std::unique_ptr<Device>>& usable() const { return usable_; }
  const std::vector<UnusableDevice>& unusable() const { return unusable_; }

 private:
  std::vector<std::unique_ptr<Device>> usable_;
  std::vector<UnusableDevice> unusable_;
};

// "OpenCL 3.0 PoCL ..." -> 300; 0 when the text is not of that form.
int ParseOpenClVersion(const std::string& version);

// The kernel formats of a device, best first: "spirv-opencl,opencl-c",
// "opencl-c" (pocl 3.1) or "spirv-opencl" (IL without a C compiler).
std::string KernelFormats(bool takes_il, bool takes_source);

}  // namespace hal::opencl

#endif  // HAL_BACKENDS_OPENCL_OPENCL_DEVICES_H_
