// Sub-devices of one device made for partitioned contexts, kept once their
// context is gone and handed to the next context asking for as many compute
// units, instead of released: after a clReleaseDevice of a sub-device, pocl
// 3.1's pthread device crashed in POclReleaseEvent on a later command
// (hal_cts_opencl failed 1 run in 13; hal-cts's VirtualDeviceIsolation suite
// alone, which makes and drops two partitioned contexts per test, crashed in
// 2 of 30 and 1 of 45 runs; with this cache, 0 of 80). A
// sub-device by counts has no identity beyond its count, so reusing one is
// the same as making a new one. The cache releases what it holds when
// destroyed (driver shutdown). Thread-safe.
#ifndef HAL_BACKENDS_OPENCL_OPENCL_SUBDEVICE_CACHE_H_
#define HAL_BACKENDS_OPENCL_OPENCL_SUBDEVICE_CACHE_H_

#include <cstdint>
#include <map>
#include <mutex>

#include "backends/opencl/opencl_api.h"
#include "hal/driver/hal_driver.h"

namespace hal::opencl {

class SubdeviceCache {
 public:
  SubdeviceCache() = default;
  ~SubdeviceCache();
  SubdeviceCache(const SubdeviceCache&) = delete;
  SubdeviceCache& operator=(const SubdeviceCache&) = delete;

  // An idle sub-device of `units` compute units of `parent`, or a new one
  // (clCreateSubDevices by counts).
  hal_result Take(cl_device_id parent, uint32_t units, cl_device_id* out);
  // Back from a context that no longer uses it.
  void Give(uint32_t units, cl_device_id subdevice);
  // Idle sub-devices held (for tests).
  size_t idle() const;

 private:
  mutable std::mutex mutex_;
  std::multimap<uint32_t, cl_device_id> idle_;  // by compute units; guarded by mutex_
};

}  // namespace hal::opencl

#endif  // HAL_BACKENDS_OPENCL_OPENCL_SUBDEVICE_CACHE_H_
