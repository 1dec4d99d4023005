// Time-sliced compute shares on a device without hardware partitions. Each
// virtual device's submissions are bracketed by device-timestamped events;
// its device-busy time (end - start of each submission, never utilization
// polling) is summed over a sliding window, and a submission is held back
// while the tenant has used its share of the window. In work-conserving mode
// a tenant may go past its share while no other tenant has work in flight;
// in strict mode never. Thread-safe: one lock per device.
#ifndef HAL_VIRTUAL_DEVICE_TIME_SLICE_SCHEDULER_H_
#define HAL_VIRTUAL_DEVICE_TIME_SLICE_SCHEDULER_H_

#include <chrono>
#include <cstdint>
#include <deque>
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
  // The window the shares apply to; the submissions a tenant may have in
  // flight before any was measured, and at all.
  static constexpr std::chrono::milliseconds kWindow{100};
  static constexpr size_t kFirstInFlight = 2;
  static constexpr size_t kMaxInFlight = 64;

  explicit TimeSliceScheduler(TimeSliceMode mode) : mode_(mode) {}
  std::shared_ptr<TimeSliceGate> AddTenant(double share);

 private:
  friend class TimeSliceGate;
  // Folds completed submissions of every tenant into their windows.
  void PollLocked();                                       // needs mu_ held
  bool AdmissibleLocked(const TimeSliceGate& gate) const;  // needs mu_ held

  const TimeSliceMode mode_;
  mutable std::mutex mu_;
  std::vector<TimeSliceGate*> tenants_;  // guarded by mu_
};

class TimeSliceGate final : public ComputeGate {
 public:
  TimeSliceGate(std::shared_ptr<TimeSliceScheduler> scheduler, double share)
      : scheduler_(std::move(scheduler)), share_(share) {}
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
  };
  struct Measured {
    int64_t completed_at_ns;  // host steady clock
    uint64_t busy_ns;
  };
  // Polls this tenant's submissions; all fields below are guarded by the
  // scheduler's mu_.
  void PollLocked(int64_t now_ns);
  hal_drv_event* TakeEventLocked(DeviceState& device);

  const std::shared_ptr<TimeSliceScheduler> scheduler_;
  const double share_;
  DeviceState* device_ = nullptr;  // the tenant's context, known from Enter
  std::deque<Submission> in_flight_;
  absl::flat_hash_map<hal_drv_stream*, Submission*> open_;
  std::deque<Measured> window_;
  uint64_t window_busy_ns_ = 0;
  uint64_t total_busy_ns_ = 0;
  uint64_t measured_count_ = 0;
  uint64_t held_back_ns_ = 0;
  std::vector<hal_drv_event*> spare_events_;
};

}  // namespace hal::internal

#endif  // HAL_VIRTUAL_DEVICE_TIME_SLICE_SCHEDULER_H_
