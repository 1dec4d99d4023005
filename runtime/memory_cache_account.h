// The runtime's side of a caching driver's memory accounting
// (hal_context_memory_accounting, HAL_CAPABILITY_MEMORY_CACHE): counts the
// bytes the context's cache holds and, for a virtual device's context,
// charges them to its tenant, so that the tenant's usage is its live
// buffers' allocated sizes plus its cache through the one ledger
// (virtual-device/quota_ledger.h). A charge the quota has no room for is
// refused: the driver then gives the bytes back to the device.
#ifndef HAL_RUNTIME_MEMORY_CACHE_ACCOUNT_H_
#define HAL_RUNTIME_MEMORY_CACHE_ACCOUNT_H_

#include <atomic>
#include <cstdint>

#include "hal/driver/hal_driver.h"
#include "runtime/tenant.h"

namespace hal::internal {

class MemoryCacheAccount {
 public:
  // `tenant` (null for a plain context) must outlive the context the desc is
  // chained to, and so must this account: the driver uncharges its cache in
  // context_destroy.
  MemoryCacheAccount(Tenant* tenant, uint64_t limit_bytes)
      : tenant_(tenant),
        desc_{HAL_STRUCTURE_TYPE_CONTEXT_MEMORY_ACCOUNTING,
              nullptr,
              limit_bytes,
              this,
              &MemoryCacheAccount::Charge,
              &MemoryCacheAccount::Uncharge} {}
  MemoryCacheAccount(const MemoryCacheAccount&) = delete;
  MemoryCacheAccount& operator=(const MemoryCacheAccount&) = delete;

  // To chain to the context's hal_context_desc.
  const hal_context_memory_accounting& desc() const { return desc_; }
  uint64_t limit_bytes() const { return desc_.cache_limit_bytes; }
  // Bytes the driver's cache holds now.
  uint64_t cached_bytes() const { return cached_.load(std::memory_order_relaxed); }

 private:
  static hal_result Charge(void* user, uint64_t bytes) {
    auto* account = static_cast<MemoryCacheAccount*>(user);
    if (account->tenant_ != nullptr && !account->tenant_->TryCharge(bytes)) {
      return HAL_ERROR_OUT_OF_MEMORY;
    }
    account->cached_.fetch_add(bytes, std::memory_order_relaxed);
    return HAL_SUCCESS;
  }
  static void Uncharge(void* user, uint64_t bytes) {
    auto* account = static_cast<MemoryCacheAccount*>(user);
    account->cached_.fetch_sub(bytes, std::memory_order_relaxed);
    if (account->tenant_ != nullptr) account->tenant_->Uncharge(bytes);
  }

  Tenant* const tenant_;
  const hal_context_memory_accounting desc_;
  std::atomic<uint64_t> cached_{0};
};

}  // namespace hal::internal

#endif  // HAL_RUNTIME_MEMORY_CACHE_ACCOUNT_H_
