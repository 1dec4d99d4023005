#include "virtual-device/time_slice_scheduler.h"

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "runtime/driver_descs.h"

namespace hal::internal {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// How long a held-back submission sleeps before looking again: well below a
// typical kernel, well above the cost of looking.
constexpr std::chrono::microseconds kRecheck{100};

}  // namespace

std::shared_ptr<TimeSliceGate> TimeSliceScheduler::AddTenant(double share) {
  auto gate = std::make_shared<TimeSliceGate>(shared_from_this(), share);
  std::lock_guard<std::mutex> lock(mu_);
  tenants_.push_back(gate.get());
  return gate;
}

int64_t TimeSliceScheduler::PollLocked() {
  const int64_t now = NowNs();
  for (TimeSliceGate* tenant : tenants_) tenant->PollLocked(now);
  if (mode_ != TimeSliceMode::kWorkConserving) return now;
  // Time lent while nobody else wanted the device is forgiven, or a tenant
  // that ran alone would owe it for ever once another arrives. What it has in
  // flight when another arrives is still charged as it completes.
  for (TimeSliceGate* tenant : tenants_) {
    if (tenant->budget_ns_ < 0 && !OthersBusyLocked(*tenant)) tenant->budget_ns_ = 0;
  }
  return now;
}

bool TimeSliceScheduler::OthersBusyLocked(const TimeSliceGate& gate) const {
  return std::any_of(tenants_.begin(), tenants_.end(), [&](const TimeSliceGate* other) {
    return other != &gate && (other->in_flight_ > 0 || other->waiting_ > 0);
  });
}

bool TimeSliceScheduler::AdmissibleLocked(const TimeSliceGate& gate, int64_t now_ns) const {
  // Until a submission of the tenant was measured its cost is unknown: keep
  // the unmeasured overshoot to one submission.
  const size_t in_flight_limit = gate.measured_count_ == 0 ? kFirstInFlight : kMaxInFlight;
  if (gate.in_flight_ >= in_flight_limit) return false;
  // The budget once the work in flight is charged: admitting stops before
  // the budget is spent, not one batch of queued work after it. The work in
  // flight is estimated at the tenant's mean submission, and at least at how
  // long the oldest of it has been in flight, so that work slower than the
  // mean (long kernels after short uploads) stops the queueing once seen.
  double in_flight_ns = 0;
  if (gate.in_flight_ > 0) {
    const double mean_ns =
        gate.measured_count_ == 0
            ? 0.0
            : static_cast<double>(gate.total_busy_ns_) / static_cast<double>(gate.measured_count_);
    const TimeSliceGate::Submission& oldest = gate.ring_[gate.first_];
    in_flight_ns = std::max(mean_ns * static_cast<double>(gate.in_flight_),
                            static_cast<double>(now_ns - oldest.admitted_ns));
  }
  if (gate.budget_ns_ - in_flight_ns > 0) return true;
  if (mode_ == TimeSliceMode::kStrict) return false;
  // Work-conserving: lend the device while no other tenant wants it.
  return !OthersBusyLocked(gate);
}

TimeSliceGate::TimeSliceGate(std::shared_ptr<TimeSliceScheduler> scheduler, double share)
    : scheduler_(std::move(scheduler)),
      share_(share),
      budget_ns_(share * std::chrono::nanoseconds(TimeSliceScheduler::kBurst).count()),
      accrued_until_ns_(NowNs()) {}

TimeSliceGate::~TimeSliceGate() {
  std::lock_guard<std::mutex> lock(scheduler_->mu_);
  auto& tenants = scheduler_->tenants_;
  tenants.erase(std::remove(tenants.begin(), tenants.end(), this), tenants.end());
}

void TimeSliceGate::PollLocked(int64_t now_ns) {
  const double burst_ns =
      share_ * static_cast<double>(std::chrono::nanoseconds(TimeSliceScheduler::kBurst).count());
  budget_ns_ =
      std::min(burst_ns, budget_ns_ + share_ * static_cast<double>(now_ns - accrued_until_ns_));
  accrued_until_ns_ = now_ns;
  while (in_flight_ > 0) {
    Submission& oldest = InFlightLocked(0);
    const hal_driver_table& table = *device_->table;
    if (oldest.end == nullptr || table.event_query(oldest.end) != HAL_SUCCESS) break;
    uint64_t start_ns = 0;
    uint64_t end_ns = 0;
    if (table.event_timestamp_ns(oldest.start, &start_ns) == HAL_SUCCESS &&
        table.event_timestamp_ns(oldest.end, &end_ns) == HAL_SUCCESS && end_ns > start_ns) {
      // The device's time between the previous end and this start (waking
      // its worker, the marks themselves) is spent on this submission when it
      // was queued behind; charging only end - start let a tenant of short
      // kernels use far more than its share. Overlapping submissions of the
      // tenant's streams are charged once.
      const uint64_t from = oldest.queued_behind && last_end_ns_ != 0
                                ? last_end_ns_
                                : std::max(start_ns, last_end_ns_);
      const uint64_t busy = end_ns > from ? end_ns - from : 0;
      last_end_ns_ = std::max(last_end_ns_, end_ns);
      budget_ns_ -= static_cast<double>(busy);
      total_busy_ns_ += busy;
      ++measured_count_;
    }
    spare_events_.push_back(oldest.start);
    if (oldest.end != oldest.start) spare_events_.push_back(oldest.end);
    oldest = Submission{};
    first_ = (first_ + 1) % ring_.size();
    --in_flight_;
  }
}

hal_drv_event* TimeSliceGate::TakeEventLocked(DeviceState& device) {
  if (!spare_events_.empty()) {
    hal_drv_event* event = spare_events_.back();
    spare_events_.pop_back();
    return event;
  }
  hal_drv_event* event = nullptr;
  if (device.table->event_create(device.context, &kEventDesc, &event) != HAL_SUCCESS) {
    return nullptr;
  }
  return event;
}

absl::Status TimeSliceGate::Enter(DeviceState& device, hal_drv_stream* stream) {
  std::unique_lock<std::mutex> lock(scheduler_->mu_);
  device_ = &device;
  const int64_t arrived = scheduler_->PollLocked();
  int64_t now = arrived;
  if (!scheduler_->AdmissibleLocked(*this, now)) {
    ++waiting_;
    do {
      lock.unlock();
      std::this_thread::sleep_for(kRecheck);
      lock.lock();
      now = scheduler_->PollLocked();
    } while (!scheduler_->AdmissibleLocked(*this, now));
    --waiting_;
  }
  held_back_ns_ += static_cast<uint64_t>(now - arrived);
  Submission& submission = InFlightLocked(in_flight_);
  submission.queued_behind = in_flight_ > 0;
  submission.admitted_ns = now;
  submission.start = TakeEventLocked(device);
  if (submission.start == nullptr ||
      device.table->stream_signal_event(stream, submission.start) != HAL_SUCCESS) {
    // Unmeasured work would escape the share: refuse it.
    if (submission.start != nullptr) spare_events_.push_back(submission.start);
    submission = Submission{};
    return absl::UnavailableError(absl::StrCat("cannot time the work of a virtual device on ",
                                               device.label, ": ",
                                               device.table->last_error_message()));
  }
  ++in_flight_;
  open_[stream] = &submission;
  return absl::OkStatus();
}

void TimeSliceGate::Leave(DeviceState& device, hal_drv_stream* stream) {
  std::lock_guard<std::mutex> lock(scheduler_->mu_);
  auto it = open_.find(stream);
  if (it == open_.end()) return;
  Submission* submission = it->second;
  open_.erase(it);
  submission->end = TakeEventLocked(device);
  if (submission->end != nullptr &&
      device.table->stream_signal_event(stream, submission->end) != HAL_SUCCESS) {
    spare_events_.push_back(submission->end);
    submission->end = nullptr;
  }
  if (submission->end == nullptr) {
    // Without an end mark the submission cannot be measured; counting it as
    // instantaneous is the only way to keep the tenant moving.
    submission->end = submission->start;
  }
}

void TimeSliceGate::Close(DeviceState& device) {
  std::lock_guard<std::mutex> lock(scheduler_->mu_);
  for (; in_flight_ > 0; --in_flight_) {
    Submission& submission = InFlightLocked(in_flight_ - 1);
    spare_events_.push_back(submission.start);
    if (submission.end != nullptr && submission.end != submission.start) {
      spare_events_.push_back(submission.end);
    }
    submission = Submission{};
  }
  open_.clear();
  for (hal_drv_event* event : spare_events_) device.table->event_destroy(event);
  spare_events_.clear();
  device_ = nullptr;
}

uint64_t TimeSliceGate::busy_ns() const {
  std::lock_guard<std::mutex> lock(scheduler_->mu_);
  return total_busy_ns_;
}

uint64_t TimeSliceGate::held_back_ns() const {
  std::lock_guard<std::mutex> lock(scheduler_->mu_);
  return held_back_ns_;
}

}  // namespace hal::internal
