#include "hal/event.h"

#include "absl/strings/str_cat.h"
#include "hal/status_macros.h"
#include "runtime/object_states.h"

namespace hal {
namespace {

// Also refuses every event of a lost context: its driver event may belong to
// a context the device no longer has.
absl::Status CheckSubmitted(const internal::EventState& event) {
  HAL_RETURN_IF_ERROR(event.device->health.CheckUsable(event.device->label));
  if (event.submitted.load(std::memory_order_acquire)) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("event of device ", event.device->label, " was never signalled by a queue"));
}

}  // namespace

Event::Event(std::shared_ptr<internal::EventState> state) : state_(std::move(state)) {}
Event::~Event() = default;

absl::StatusOr<bool> Event::IsComplete() const {
  if (absl::Status status = CheckSubmitted(*state_); !status.ok()) return status;
  internal::DeviceState& device = *state_->device;
  const hal_result result = device.table->event_query(state_->event);
  if (result == HAL_NOT_READY) return false;
  if (absl::Status status = device.driver->ToStatus(
          result, absl::StrCat("querying an event of device ", device.label));
      !status.ok()) {
    device.health.Record(status);
    return status;
  }
  return true;
}

absl::Status Event::Wait() const {
  if (absl::Status status = CheckSubmitted(*state_); !status.ok()) return status;
  internal::DeviceState& device = *state_->device;
  absl::Status status =
      device.driver->ToStatus(device.table->event_synchronize(state_->event),
                              absl::StrCat("waiting for an event of device ", device.label));
  device.health.Record(status);
  return status;
}

absl::StatusOr<uint64_t> Event::TimestampNs() const {
  auto complete = IsComplete();
  if (!complete.ok()) return complete.status();
  const internal::DeviceState& device = *state_->device;
  if (!*complete) {
    return absl::FailedPreconditionError(absl::StrCat(
        "event of device ", device.label, " has no timestamp yet: it has not completed"));
  }
  uint64_t ns = 0;
  if (absl::Status status = device.driver->ToStatus(
          device.table->event_timestamp_ns(state_->event, &ns), "reading an event's timestamp");
      !status.ok()) {
    return status;
  }
  return ns;
}

absl::StatusOr<uint64_t> Event::ElapsedNs(const Event& start, const Event& end) {
  if (start.state_->device != end.state_->device) {
    return absl::InvalidArgumentError(
        absl::StrCat("events of different devices (", start.state_->device->label, " and ",
                     end.state_->device->label, ") have no common clock"));
  }
  auto start_ns = start.TimestampNs();
  if (!start_ns.ok()) return start_ns.status();
  auto end_ns = end.TimestampNs();
  if (!end_ns.ok()) return end_ns.status();
  if (*end_ns < *start_ns) {
    return absl::InvalidArgumentError(
        absl::StrCat("end event (", *end_ns, " ns) precedes start event (", *start_ns, " ns)"));
  }
  return *end_ns - *start_ns;
}

}  // namespace hal
