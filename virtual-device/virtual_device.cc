#include "hal/virtual_device.h"

#include "virtual-device/quota_ledger.h"

namespace hal {

const char* ComputeEnforcementName(ComputeEnforcement enforcement) {
  switch (enforcement) {
    case ComputeEnforcement::kWholeDevice: return "whole-device";
    case ComputeEnforcement::kHardPartition: return "hard-partition";
    case ComputeEnforcement::kNotEnforced: return "not-enforced";
  }
  return "unknown";
}

VirtualDevice::VirtualDevice(VirtualDeviceSpec spec, const PhysicalDevice* placement,
                             std::shared_ptr<Device> device,
                             std::shared_ptr<internal::QuotaLedger> ledger,
                             ComputeEnforcement enforcement)
    : spec_(std::move(spec)),
      placement_(placement),
      device_(std::move(device)),
      ledger_(std::move(ledger)),
      enforcement_(enforcement) {}

VirtualDevice::~VirtualDevice() = default;

uint64_t VirtualDevice::memory_used() const { return ledger_->used(); }
uint64_t VirtualDevice::quota_refusals() const { return ledger_->refusals(); }

}  // namespace hal
