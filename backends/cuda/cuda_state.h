// The CUDA driver's process-wide state: the resolved libcuda entry points and
// the devices found at initialize(), alive until shutdown().
#ifndef HAL_BACKENDS_CUDA_CUDA_STATE_H_
#define HAL_BACKENDS_CUDA_CUDA_STATE_H_

#include <cuda.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backends/cuda/cuda_api.h"
#include "backends/gpu_core/partitions.h"
#include "hal/driver/hal_driver.h"

namespace hal::cuda {

struct Device {
  CUdevice device = 0;
  hal_device_properties properties{};
  bool can_map_host_memory = false;
  CUdevSmResource sm_resource{};  // green contexts: the whole device's SMs
  std::unique_ptr<gpu::PartitionLedger> partitions;  // green contexts only

  // The primary context, retained on first use and released at shutdown:
  // retaining it creates the device's CUDA context, which costs memory on
  // every GPU of the machine, so only devices that are used pay it.
  std::mutex primary_mutex;
  CUcontext primary = nullptr;
};

struct UnusableDevice {
  std::string name;
  std::string reason;
};

struct DriverState {
  CudaApi api;
  std::vector<std::unique_ptr<Device>> devices;
  std::vector<UnusableDevice> unusable;
};

DriverState& State();
inline const CudaApi& Api() { return State().api; }

}  // namespace hal::cuda

#endif  // HAL_BACKENDS_CUDA_CUDA_STATE_H_
