#include "daemon/byte_budget.h"

namespace hal::daemon {
namespace {

class Reservation {
 public:
  Reservation(std::shared_ptr<std::atomic<uint64_t>> reserved, uint64_t bytes)
      : reserved_(std::move(reserved)), bytes_(bytes) {}
  ~Reservation() { reserved_->fetch_sub(bytes_); }
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;

 private:
  const std::shared_ptr<std::atomic<uint64_t>> reserved_;
  const uint64_t bytes_;
};

}  // namespace

std::shared_ptr<const void> ByteBudget::TryReserve(uint64_t bytes, uint64_t limit) {
  uint64_t current = reserved_->load();
  do {
    if (bytes > limit || current > limit - bytes) return nullptr;
  } while (!reserved_->compare_exchange_weak(current, current + bytes));
  return std::make_shared<const Reservation>(reserved_, bytes);
}

}  // namespace hal::daemon
