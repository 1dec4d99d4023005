// Pools of one device under test and their virtual devices, as the scale
// suites make them: each virtual device with no driver cache charged to it,
// so that its memory_used() is exactly its live buffers on every driver.
#ifndef HAL_CONFORMANCE_SCALE_TENANTS_H_
#define HAL_CONFORMANCE_SCALE_TENANTS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "hal/hal.h"

namespace hal::cts {

struct PoolShape {
  uint64_t capacity_bytes = 0;  // the cap on the device's memory
  double overcommit_ratio = 1.0;
  TimeSliceMode time_slice = TimeSliceMode::kWorkConserving;
};

// A pool of `device` alone, shaped so.
absl::StatusOr<std::unique_ptr<Pool>> PoolOf(const PhysicalDevice& device, const PoolShape& shape);

// A virtual device of `pool` with its own queue.
struct Tenant {
  std::shared_ptr<VirtualDevice> virtual_device;
  std::unique_ptr<Queue> queue;

  Device& device() const { return *virtual_device->device(); }
};
absl::StatusOr<Tenant> CreateTenant(Pool& pool, const std::string& name, uint64_t memory_quota,
                                    double compute_share = 1.0);

// A virtual device of `quota` bytes alone in a pool of `device` capped at
// the same: its quota is the whole pool.
struct SoloTenant {
  std::unique_ptr<Pool> pool;
  Tenant tenant;
};
absl::StatusOr<SoloTenant> CreateSoloTenant(const PhysicalDevice& device, const std::string& name,
                                            uint64_t quota);

// The bytes a request of `size` takes on `device` (Buffer::allocated_size),
// learned by allocating it there and freeing it: a driver may round to size
// classes (a caching allocator, host pages), which only it knows. Ask the
// shared device under test, outside any quota.
absl::StatusOr<uint64_t> AllocatedSizeOf(Device& device, uint64_t size,
                                         BufferKind kind = BufferKind::kDevice);

}  // namespace hal::cts

#endif  // HAL_CONFORMANCE_SCALE_TENANTS_H_
