// The memory account of one virtual device: the one audited point every
// allocation of the virtual device passes (through the runtime's Tenant
// hooks). Charges are exact (the driver's real allocated size) and a charge
// that would exceed the quota is refused whole, atomically.
#ifndef HAL_VIRTUAL_DEVICE_QUOTA_LEDGER_H_
#define HAL_VIRTUAL_DEVICE_QUOTA_LEDGER_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "runtime/tenant.h"

namespace hal::internal {

class QuotaLedger final : public Tenant {
 public:
  QuotaLedger(std::string name, uint64_t quota, int priority, uint64_t pin_limit)
      : name_(std::move(name)), quota_(quota), priority_(priority), pin_limit_(pin_limit) {}

  const std::string& tenant_name() const override { return name_; }
  int priority() const override { return priority_; }
  absl::Status Charge(uint64_t bytes, uint64_t requested) override;
  void Uncharge(uint64_t bytes) override;
  bool TryCharge(uint64_t bytes) override;
  absl::Status ChargePin(uint64_t bytes) override;
  void UnchargePin(uint64_t bytes) override;

  uint64_t quota() const { return quota_; }
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  uint64_t refusals() const { return refusals_.load(std::memory_order_relaxed); }

 private:
  const std::string name_;
  const uint64_t quota_;
  const int priority_;
  const uint64_t pin_limit_;
  std::atomic<uint64_t> used_{0};
  std::atomic<uint64_t> pinned_{0};
  std::atomic<uint64_t> refusals_{0};
};

}  // namespace hal::internal

#endif  // HAL_VIRTUAL_DEVICE_QUOTA_LEDGER_H_
