#include "virtual-device/time_slice_scheduler.h"

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"

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

void TimeSliceScheduler::PollLocked() {
  const int64_t now = NowNs();
  for (TimeSliceGate* tenant : tenants_) tenant->PollLocked(now);
}

bool TimeSliceScheduler::AdmissibleLocked(const TimeSliceGate& gate) const {
  // Until a submission of the tenant was measured its cost is unknown: keep
  // the unmeasured overshoot to a couple of submissions.
  const size_t in_flight_limit = gate.measured_count_ == 0 ? kFirstInFlight : kMaxInFlight;
  if (gate.in_flight_.size() >= in_flight_limit) return false;
  // What the window will hold once the work in flight is measured, estimated
  // with the tenant's mean submission: admitting stops before the budget is
  // spent, not one batch of queued work after it.
  const double mean_ns = gate.measured_count_ == 0 ? 0.0
                                                   : static_cast<double>(gate.total_busy_ns_) /
                                                         static_cast<double>(gate.measured_count_);
  const double expected_ns = static_cast<double>(gate.window_busy_ns_) +
                             mean_ns * static_cast<double>(gate.in_flight_.size());
  const double budget_ns =
      gate.share_ * static_cast<double>(std::chrono::nanoseconds(kWindow).count());
  if (expected_ns < budget_ns) return true;
  if (mode_ == TimeSliceMode::kStrict) return false;
  // Work-conserving: lend the device while no other tenant has work on it.
  return std::none_of(tenants_.begin(), tenants_.end(), [&](const TimeSliceGate* other) {
    return other != &gate && !other->in_flight_.empty();
  });
}

TimeSliceGate::~TimeSliceGate() {
  std::lock_guard<std::mutex> lock(scheduler_->mu_);
  auto& tenants = scheduler_->tenants_;
  tenants.erase(std::remove(tenants.begin(), tenants.end(), this), tenants.end());
}

void TimeSliceGate::PollLocked(int64_t now_ns) {
  while (!in_flight_.empty()) {
    Submission& oldest = in_flight_.front();
    const hal_driver_table& table = *device_->table;
    if (oldest.end == nullptr || table.event_query(oldest.end) != HAL_SUCCESS) break;
    uint64_t start_ns = 0;
    uint64_t end_ns = 0;
    if (table.event_timestamp_ns(oldest.start, &start_ns) == HAL_SUCCESS &&
        table.event_timestamp_ns(oldest.end, &end_ns) == HAL_SUCCESS && end_ns > start_ns) {
      window_.push_back({now_ns, end_ns - start_ns});
      window_busy_ns_ += end_ns - start_ns;
      total_busy_ns_ += end_ns - start_ns;
      ++measured_count_;
    }
    spare_events_.push_back(oldest.start);
    if (oldest.end != oldest.start) spare_events_.push_back(oldest.end);
    in_flight_.pop_front();
  }
  const int64_t horizon = now_ns - std::chrono::nanoseconds(TimeSliceScheduler::kWindow).count();
  while (!window_.empty() && window_.front().completed_at_ns < horizon) {
    window_busy_ns_ -= window_.front().busy_ns;
    window_.pop_front();
  }
}

hal_drv_event* TimeSliceGate::TakeEventLocked(DeviceState& device) {
  if (!spare_events_.empty()) {
    hal_drv_event* event = spare_events_.back();
    spare_events_.pop_back();
    return event;
  }
  hal_drv_event* event = nullptr;
  if (device.table->event_create(device.context, &event) != HAL_SUCCESS) return nullptr;
  return event;
}

absl::Status TimeSliceGate::Enter(DeviceState& device, hal_drv_stream* stream) {
  std::unique_lock<std::mutex> lock(scheduler_->mu_);
  device_ = &device;
  const int64_t arrived = NowNs();
  scheduler_->PollLocked();
  while (!scheduler_->AdmissibleLocked(*this)) {
    lock.unlock();
    std::this_thread::sleep_for(kRecheck);
    lock.lock();
    scheduler_->PollLocked();
  }
  held_back_ns_ += static_cast<uint64_t>(NowNs() - arrived);
  Submission& submission = in_flight_.emplace_back();
  submission.start = TakeEventLocked(device);
  if (submission.start == nullptr ||
      device.table->stream_signal_event(stream, submission.start) != HAL_SUCCESS) {
    // Unmeasured work would escape the share: refuse it.
    if (submission.start != nullptr) spare_events_.push_back(submission.start);
    in_flight_.pop_back();
    return absl::UnavailableError(absl::StrCat("cannot time the work of a virtual device on ",
                                               device.label, ": ",
                                               device.table->last_error_message()));
  }
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
  for (const Submission& submission : in_flight_) {
    spare_events_.push_back(submission.start);
    if (submission.end != nullptr && submission.end != submission.start) {
      spare_events_.push_back(submission.end);
    }
  }
  in_flight_.clear();
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
