// The refusal of an optional feature on a device without its capability,
// worded the same by every public call that needs one.
#ifndef HAL_RUNTIME_CAPABILITY_CHECK_H_
#define HAL_RUNTIME_CAPABILITY_CHECK_H_

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "runtime/object_states.h"

namespace hal::internal {

// OK when `device` reports `capability`; otherwise Unimplemented: "<what>
// needs the <capability> capability, which device <label> (<name>, <driver>
// driver) does not report".
inline absl::Status RequireCapability(const DeviceState& device, Capability capability,
                                      absl::string_view what) {
  if (device.props().capabilities.has(capability)) return absl::OkStatus();
  return absl::UnimplementedError(absl::StrCat(
      what, " needs the ", CapabilityName(capability), " capability, which device ", device.label,
      " (", device.props().name, ", ", device.driver->name(), " driver) does not report"));
}

}  // namespace hal::internal

#endif  // HAL_RUNTIME_CAPABILITY_CHECK_H_
