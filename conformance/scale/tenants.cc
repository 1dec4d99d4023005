#include "conformance/scale/tenants.h"

#include <memory>
#include <utility>

namespace hal::cts {

absl::StatusOr<std::unique_ptr<Pool>> PoolOf(const PhysicalDevice& device, const PoolShape& shape) {
  PoolOptions options;
  options.overcommit_ratio = shape.overcommit_ratio;
  options.time_slice = shape.time_slice;
  options.capacity_caps[device.id()] = shape.capacity_bytes;
  return Pool::Create({&device}, options);
}

absl::StatusOr<Tenant> CreateTenant(Pool& pool, const std::string& name, uint64_t memory_quota,
                                    double compute_share) {
  VirtualDeviceSpec spec;
  spec.name = name;
  spec.memory_quota = memory_quota;
  spec.compute_share = compute_share;
  spec.memory_cache_limit = 0;
  Tenant tenant;
  HAL_ASSIGN_OR_RETURN(tenant.virtual_device, pool.CreateVirtualDevice(spec));
  HAL_ASSIGN_OR_RETURN(tenant.queue, tenant.virtual_device->device()->CreateQueue());
  return tenant;
}

absl::StatusOr<SoloTenant> CreateSoloTenant(const PhysicalDevice& device, const std::string& name,
                                            uint64_t quota) {
  SoloTenant solo;
  HAL_ASSIGN_OR_RETURN(solo.pool, PoolOf(device, {.capacity_bytes = quota}));
  HAL_ASSIGN_OR_RETURN(solo.tenant, CreateTenant(*solo.pool, name, quota));
  return solo;
}

absl::StatusOr<uint64_t> AllocatedSizeOf(Device& device, uint64_t size, BufferKind kind) {
  HAL_ASSIGN_OR_RETURN(std::shared_ptr<Buffer> probe, device.Allocate(size, kind));
  return probe->allocated_size();
}

}  // namespace hal::cts
