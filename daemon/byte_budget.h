// A ceiling on bytes the daemon holds on its tenants' behalf across sessions
// (today: session memory registered with devices, which a GPU pins). A
// reservation gives its bytes back when its last holder lets go, so it can
// ride along with whatever outlives the session (a registration's keep_alive).
// Thread-safe.
#ifndef HAL_DAEMON_BYTE_BUDGET_H_
#define HAL_DAEMON_BYTE_BUDGET_H_

#include <atomic>
#include <cstdint>
#include <memory>

namespace hal::daemon {

class ByteBudget {
 public:
  ByteBudget() : reserved_(std::make_shared<std::atomic<uint64_t>>(0)) {}

  // `bytes` reserved while the result is held, or null (nothing reserved)
  // when they would take the total past `limit`. The limit is the caller's
  // (SessionLimits may change before serving), read at each reservation.
  std::shared_ptr<const void> TryReserve(uint64_t bytes, uint64_t limit);
  uint64_t reserved() const { return reserved_->load(); }

 private:
  // Shared with the reservations, which may outlive the budget's owner.
  std::shared_ptr<std::atomic<uint64_t>> reserved_;
};

}  // namespace hal::daemon

#endif  // HAL_DAEMON_BYTE_BUDGET_H_
