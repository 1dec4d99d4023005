#ifndef HAL_BACKENDS_REMOTE_PROTOCOL_PROPERTIES_CODEC_H_
#define HAL_BACKENDS_REMOTE_PROTOCOL_PROPERTIES_CODEC_H_

#include "absl/status/status.h"
#include "hal/driver/hal_driver.h"
#include "hal/physical_device.h"
#include "hal_remote.pb.h"

namespace hal::remote {

// A device's properties as the daemon lists them: a straight copy (memory
// as total_memory_bytes, formats comma-separated); the daemon then overrides
// the quota, formats, capabilities and names.
v1::DeviceProperties DevicePropertiesToWire(const hal::DeviceProperties& props);

// Fills the ABI struct the remote driver reports. InvalidArgument naming the
// field when a string does not fit its fixed array (with its NUL) or a
// repeated field does not have 3 values or the uuid 16 bytes. Leaves
// out->type and out->next alone; partition kind NONE, no virtual memory,
// device buffers not mappable (they live in the daemon).
absl::Status DevicePropertiesFromWire(const v1::DeviceProperties& wire, hal_device_properties* out);

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_PROTOCOL_PROPERTIES_CODEC_H_
