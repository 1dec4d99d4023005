#include "hal/virtual_device.h"

#include "virtual-device/quota_ledger.h"
#include "virtual-device/time_slice_scheduler.h"

namespace hal {

const char* ComputeEnforcementName(ComputeEnforcement enforcement) {
  switch (enforcement) {
    case ComputeEnforcement::kWholeDevice:
      return "whole-device";
    case ComputeEnforcement::kHardPartition:
      return "hard-partition";
    case ComputeEnforcement::kTimeSlice:
      return "time-slice";
  }
  return "unknown";
}

VirtualDevice::VirtualDevice(VirtualDeviceSpec spec, const PhysicalDevice* placement,
                             std::shared_ptr<Device> device,
                             std::shared_ptr<internal::QuotaLedger> ledger,
                             ComputeEnforcement enforcement,
                             std::shared_ptr<internal::TimeSliceGate> time_slice)
    : spec_(std::move(spec)),
      placement_(placement),
      device_(std::move(device)),
      ledger_(std::move(ledger)),
      enforcement_(enforcement),
      time_slice_(std::move(time_slice)) {}

VirtualDevice::~VirtualDevice() = default;

uint64_t VirtualDevice::memory_used() const { return ledger_->used(); }
uint64_t VirtualDevice::memory_cached() const { return device_->cached_bytes(); }
uint64_t VirtualDevice::quota_refusals() const { return ledger_->refusals(); }
uint64_t VirtualDevice::compute_busy_ns() const { return time_slice_ ? time_slice_->busy_ns() : 0; }
uint64_t VirtualDevice::compute_held_back_ns() const {
  return time_slice_ ? time_slice_->held_back_ns() : 0;
}

}  // namespace hal
