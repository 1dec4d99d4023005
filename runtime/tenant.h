// What a device context knows of the tenant (virtual device) that owns it:
// the runtime calls these hooks on every allocation and free, and names the
// tenant when refusing objects of another. Plain device contexts have none,
// so they pay nothing for the feature.
#ifndef HAL_RUNTIME_TENANT_H_
#define HAL_RUNTIME_TENANT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace hal::internal {

class Tenant {
 public:
  virtual ~Tenant() = default;
  virtual const std::string& tenant_name() const = 0;
  // Larger is more important. Under memory pressure a device evicts the
  // buffers of less important tenants first (virtual-device/residency_manager.h).
  virtual int priority() const = 0;
  // Charges `bytes` for an allocation of `requested` bytes; ResourceExhausted
  // (naming the tenant, its quota, its use and the request) leaves the
  // charge unchanged.
  virtual absl::Status Charge(uint64_t bytes, uint64_t requested) = 0;
  virtual void Uncharge(uint64_t bytes) = 0;
  // Charges `bytes` a caching driver keeps for reuse (freed blocks), if the
  // quota has room; false leaves the charge unchanged and is no refusal of
  // the tenant's own: the driver then gives the bytes back to the device.
  // Called on driver threads, so it builds no message.
  virtual bool TryCharge(uint64_t bytes) = 0;
  // Charges `bytes` newly pinned (mapped in an overcommitted pool, so never
  // evicted) to the tenant's pin limit; ResourceExhausted (naming the tenant,
  // its pin limit, its pinned bytes and the request) leaves it unchanged.
  virtual absl::Status ChargePin(uint64_t bytes) = 0;
  virtual void UnchargePin(uint64_t bytes) = 0;
};

}  // namespace hal::internal

#endif  // HAL_RUNTIME_TENANT_H_
