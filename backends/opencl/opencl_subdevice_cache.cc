#include "backends/opencl/opencl_subdevice_cache.h"

#include "backends/opencl/opencl_errors.h"

namespace hal::opencl {

SubdeviceCache::~SubdeviceCache() {
  for (const auto& [units, subdevice] : idle_) Api().clReleaseDevice(subdevice);
}

hal_result SubdeviceCache::Take(cl_device_id parent, uint32_t units, cl_device_id* out) {
  {
    std::lock_guard lock(mutex_);
    if (const auto it = idle_.find(units); it != idle_.end()) {
      *out = it->second;
      idle_.erase(it);
      return HAL_SUCCESS;
    }
  }
  const cl_device_partition_property by_counts[] = {
      CL_DEVICE_PARTITION_BY_COUNTS, static_cast<cl_device_partition_property>(units),
      CL_DEVICE_PARTITION_BY_COUNTS_LIST_END, 0};
  cl_uint created = 0;
  return HAL_CL(clCreateSubDevices, parent, by_counts, 1, out, &created);
}

void SubdeviceCache::Give(uint32_t units, cl_device_id subdevice) {
  std::lock_guard lock(mutex_);
  idle_.emplace(units, subdevice);
}

size_t SubdeviceCache::idle() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

}  // namespace hal::opencl
