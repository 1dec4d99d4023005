#include "virtual-device/quota_ledger.h"

#include "absl/strings/str_cat.h"

namespace hal::internal {

absl::Status QuotaLedger::Charge(uint64_t bytes, uint64_t requested) {
  uint64_t used = used_.load(std::memory_order_relaxed);
  do {
    if (bytes > quota_ - used) {
      refusals_.fetch_add(1, std::memory_order_relaxed);
      return absl::ResourceExhaustedError(
          absl::StrCat("virtual device \"", name_, "\" memory quota exceeded: quota ", quota_,
                       " bytes, in use ", used, " bytes, request ", requested, " bytes (", bytes,
                       " with the device's granularity)"));
    }
  } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  return absl::OkStatus();
}

void QuotaLedger::Uncharge(uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

}  // namespace hal::internal
