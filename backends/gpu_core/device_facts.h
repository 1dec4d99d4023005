// What a GPU vendor reads of a device, and the ABI's properties made of it
// the same way for every vendor: names copied bounded, the PCI bus id in
// lower case, the limits and the capabilities every GPU driver of the core
// has (device addresses, host registration, native handles, the memory
// cache), stream priorities when the device has them.
#ifndef HAL_BACKENDS_GPU_CORE_DEVICE_FACTS_H_
#define HAL_BACKENDS_GPU_CORE_DEVICE_FACTS_H_

#include <cstdint>
#include <string>

#include "hal/driver/hal_driver.h"

namespace hal::gpu {

struct DeviceFacts {
  std::string name;
  std::string vendor;          // "NVIDIA", "AMD"
  std::string architecture;    // "sm_90", "gfx90a"
  std::string kernel_formats;  // image_formats.h
  std::string pci_bus_id;      // as the vendor spells it
  uint8_t uuid[16] = {};
  uint64_t total_memory_bytes = 0;
  bool integrated = false;
  bool stream_priorities = false;
  // The vendor's ints, as its attribute queries answer them.
  int l2_cache_bytes = 0;
  int compute_units = 0;
  int max_threads_per_block = 0;
  int max_block[3] = {};
  int max_grid[3] = {};
  uint64_t timestamp_resolution_ns = 0;  // of the vendor's event timing
};

// `facts` as `props` (its type set; partitions and virtual memory are the
// vendor's to add).
void FillDeviceProperties(const DeviceFacts& facts, hal_device_properties* props);

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_DEVICE_FACTS_H_
