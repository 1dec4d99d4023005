// Time-sliced compute shares on a device without hardware partitions. Each
// virtual device's submissions are bracketed by device-timestamped events and
// charged their device-busy time (end - start, never utilization polling)
// against a budget that accrues at the tenant's share of wall time, up to one
// burst. A long kernel drives the budget below zero, and the tenant waits
// until that debt is paid back: a window that forgot old busy time let
// kernels longer than the window escape their share. A submission is held
// back while the budget, less the estimated cost of the tenant's work in
// flight, is not positive. In work-conserving mode a tenant may go past its
// share while no other tenant has work in flight or waiting; in strict mode
// never. Thread-safe: one lock per device.
#ifndef HAL_VIRTUAL_DEVICE_TIME_SLICE_SCHEDULER_H_
#define HAL_VIRTUAL_DEVICE_TIME_SLICE_SCHEDULER_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "hal/virtual_device.h"
#include "runtime/compute_gate.h"
#include "runtime/object_states.h"

namespace hal::internal {

class TimeSliceGate;

class TimeSliceScheduler : public std::enable_shared_from_this<TimeSliceScheduler> {
 public:
  // The wall time whose share a tenant may save up while idle (its burst);
  // the submissions a tenant may have in flight before any was measured
  // (one: an unmeasured kernel may be long), and at all.
  static constexpr std::chrono::milliseconds kBurst{100};
  static constexpr size_t kFirstInFlight = 1;
  static constexpr size_t kMaxInFlight = 64;

  explicit TimeSliceScheduler(TimeSliceMode mode) : mode_(mode) {}
  std::shared_ptr<TimeSliceGate> AddTenant(double share);

 private:
  friend class TimeSliceGate;
  // Accrues every tenant's budget and charges its completed submissions; in
  // work-conserving mode forgives the debt of a tenant nobody waits behind.
  int64_t PollLocked();  // returns its host time  // needs mu_ held
  // Whether a tenant other than `gate` has work in flight or waiting.
  bool OthersBusyLocked(const TimeSliceGate& gate) const;                  // needs mu_ held
  bool AdmissibleLocked(const TimeSliceGate& gate, int64_t now_ns) const;  // needs mu_ held

  const TimeSliceMode mode_;
  mutable std::mutex mu_;
  std::vector<TimeSliceGate*> tenants_;  // guarded by mu_
};

class TimeSliceGate final : public ComputeGate {
 public:
  TimeSliceGate(std::shared_ptr<TimeSliceScheduler> scheduler, double share);
  ~TimeSliceGate() override;

  absl::Status Enter(DeviceState& device, hal_drv_stream* stream) override;
  void Leave(DeviceState& device, hal_drv_stream* stream) override;
  void Close(DeviceState& device) override;

  uint64_t busy_ns() const;       // measured device-busy time, in total
  uint64_t held_back_ns() const;  // host time submissions waited at the gate

 private:
  friend class TimeSliceScheduler;
  struct Submission {
    hal_drv_event* start = nullptr;
    hal_drv_event* end = nullptr;  // null until Leave
    // Admitted while the tenant had work in flight: its device time began
    // when that work ended, not at its own start mark.
    bool queued_behind = false;
    int64_t admitted_ns = 0;  // host steady clock
  };
  // Accrues the budget up to `now_ns` and charges completed submissions; all
  // fields below are guarded by the scheduler's mu_.
  void PollLocked(int64_t now_ns);
  hal_drv_event* TakeEventLocked(DeviceState& device);
  Submission& InFlightLocked(size_t i) { return ring_[(first_ + i) % ring_.size()]; }

  const std::shared_ptr<TimeSliceScheduler> scheduler_;
  const double share_;
  DeviceState* device_ = nullptr;  // the tenant's context, known from Enter
  // The submissions in flight, oldest first: a ring, so that a warm tenant
  // allocates nothing per submission.
  std::array<Submission, TimeSliceScheduler::kMaxInFlight> ring_;
  size_t first_ = 0;
  size_t in_flight_ = 0;
  absl::flat_hash_map<hal_drv_stream*, Submission*> open_;
  size_t waiting_ = 0;        // threads held back at Enter
  double budget_ns_;          // device time the tenant may still use; negative: debt
  int64_t accrued_until_ns_;  // host steady clock
  uint64_t last_end_ns_ = 0;  // device clock: the latest end charged
  uint64_t total_busy_ns_ = 0;
  uint64_t measured_count_ = 0;
  uint64_t held_back_ns_ = 0;
  std::vector<hal_drv_event*> spare_events_;
};

}  // namespace hal::internal

#endif  // HAL_VIRTUAL_DEVICE_TIME_SLICE_SCHEDULER_H_
