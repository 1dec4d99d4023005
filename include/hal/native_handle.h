// The vendor object behind a hal object, for interoperation with code that
// speaks the vendor's API directly (a CUDA library given a CUstream, a Vulkan
// renderer given a VkBuffer). Devices with Capability::kNativeHandles hand
// them out; docs/driver-guide.md lists the kinds per driver.
//
// A handle is borrowed: it stays valid as long as the hal object it came from
// (and, for a buffer in an overcommitted pool, while the buffer stays pinned),
// and must not be destroyed or freed through the vendor API. Work submitted
// on it directly is invisible to hal's ordering, accounting and isolation.
#ifndef HAL_NATIVE_HANDLE_H_
#define HAL_NATIVE_HANDLE_H_

#include <cstdint>
#include <string>

namespace hal {

struct NativeHandle {
  // The vendor type's own name: "CUstream", "CUdeviceptr", "VkBuffer", ...
  std::string kind;
  // The handle or pointer, widened to 64 bits.
  uint64_t value = 0;
};

}  // namespace hal

#endif  // HAL_NATIVE_HANDLE_H_
