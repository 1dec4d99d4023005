#include "virtual-device/quota_ledger.h"

#include "absl/strings/str_cat.h"

namespace hal::internal {

bool QuotaLedger::TryCharge(uint64_t bytes) {
  uint64_t used = used_.load(std::memory_order_relaxed);
  do {
    if (bytes > quota_ - used) return false;
  } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  return true;
}

absl::Status QuotaLedger::Charge(uint64_t bytes, uint64_t requested) {
  if (TryCharge(bytes)) return absl::OkStatus();
  refusals_.fetch_add(1, std::memory_order_relaxed);
  return absl::ResourceExhaustedError(absl::StrCat(
      "virtual device \"", name_, "\" memory quota exceeded: quota ", quota_, " bytes, in use ",
      used(), " bytes, request ", requested, " bytes (", bytes, " with the device's granularity)"));
}

void QuotaLedger::Uncharge(uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

absl::Status QuotaLedger::ChargePin(uint64_t bytes) {
  uint64_t pinned = pinned_.load(std::memory_order_relaxed);
  do {
    if (bytes > pin_limit_ - pinned) {
      return absl::ResourceExhaustedError(
          absl::StrCat("virtual device \"", name_, "\" pin limit exceeded: limit ", pin_limit_,
                       " bytes, pinned ", pinned, " bytes, request ", bytes,
                       " bytes (mapping a buffer in an overcommitted pool pins it)"));
    }
  } while (!pinned_.compare_exchange_weak(pinned, pinned + bytes, std::memory_order_relaxed));
  return absl::OkStatus();
}

void QuotaLedger::UnchargePin(uint64_t bytes) {
  pinned_.fetch_sub(bytes, std::memory_order_relaxed);
}

}  // namespace hal::internal
