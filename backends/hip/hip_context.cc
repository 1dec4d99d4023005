// Contexts: HIP has no context to push. A hal context's device is made
// current per call with hipSetDevice (the calling thread's current device);
// its native handle is the device's primary context; a partition is the
// ledger groups of CUs the core took, which every stream of the context is
// created restricted to.
#include "backends/gpu_core/native_handles.h"
#include "backends/hip/hip_api.h"
#include "backends/hip/hip_errors.h"
#include "backends/hip/hip_vendor.h"

namespace hal::hip {

hal_result HipVendor::OpenContext(Context& context) {
  if (!Api().has_primary_contexts()) return HAL_SUCCESS;  // no native context handle
  HipDevice& device = DeviceOf(context);
  std::lock_guard lock(device.primary_mutex);
  if (device.primary == nullptr) {
    if (const hal_result r =
            HAL_HIP(nullptr, hipDevicePrimaryCtxRetain, &device.primary, device.device)) {
      return r;
    }
  }
  context.native = gpu::Widen(device.primary);
  return HAL_SUCCESS;
}

void HipVendor::CloseContext(Context& /*context*/) {}

hal_result HipVendor::MakeCurrent(Context& context) {
  return HAL_HIP_IN(context, hipSetDevice, DeviceOf(context).device);
}

void HipVendor::ReleaseCurrent(Context& /*context*/) {}

}  // namespace hal::hip
