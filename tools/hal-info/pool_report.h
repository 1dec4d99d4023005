// The pool part of hal-info (--pool FILE): the pool's devices and the
// virtual devices placed on them, collected into plain values.
#ifndef HAL_TOOLS_HAL_INFO_POOL_REPORT_H_
#define HAL_TOOLS_HAL_INFO_POOL_REPORT_H_

#include <optional>
#include <string>
#include <vector>

#include "hal/virtual_device.h"

namespace hal::info {

struct VirtualDeviceReport {
  VirtualDeviceSpec spec;
  std::string device;  // placement, "cpu:0"
  uint64_t memory_used = 0;    // live buffers plus the driver's cache
  uint64_t memory_cached = 0;  // of memory_used: freed blocks the driver keeps
  uint64_t quota_refusals = 0;
  ComputeEnforcement enforcement = ComputeEnforcement::kWholeDevice;
  uint64_t compute_busy_ns = 0;
  uint64_t compute_held_back_ns = 0;
};

struct PoolDeviceReport {
  std::string id;
  uint64_t capacity_bytes = 0;
  uint64_t quota_placed = 0;
  double compute_placed = 0;
  std::optional<Pool::ResidencyUsage> residency;
};

struct PoolReport {
  PoolOptions options;
  std::vector<PoolDeviceReport> devices;
  std::vector<VirtualDeviceReport> virtual_devices;
};

PoolReport CollectPoolReport(const Pool& pool);
std::string RenderPoolTable(const PoolReport& report);

}  // namespace hal::info

#endif  // HAL_TOOLS_HAL_INFO_POOL_REPORT_H_
