// Contexts: HIP has no context to push. The whole device's context is the
// device itself, made current per call with hipSetDevice (the calling
// thread's current device); a partition is the ledger groups of CUs the
// core took, which every stream of the context is created restricted to.
#include "backends/hip/hip_api.h"
#include "backends/hip/hip_errors.h"
#include "backends/hip/hip_vendor.h"

namespace hal::hip {

hal_result HipVendor::OpenContext(Context& context) {
  context.native = static_cast<uint64_t>(DeviceOf(context).device);
  return HAL_SUCCESS;
}

void HipVendor::CloseContext(Context& /*context*/) {}

hal_result HipVendor::MakeCurrent(Context& context) {
  return HAL_HIP_IN(context, hipSetDevice, DeviceOf(context).device);
}

void HipVendor::ReleaseCurrent(Context& /*context*/) {}

}  // namespace hal::hip
