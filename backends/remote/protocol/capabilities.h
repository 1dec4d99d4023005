// The optional driver capabilities (hal_capability_bits) a device served
// through hald can have: those the protocol carries end to end. hald lists a
// virtual device with the ones its placement has (daemon/device_listing.h);
// the remote driver implements exactly these and clears any other bit.
//
// Not carried, and why: virtual memory (hald's residency manager evicts for
// the pool; a tenant has nothing to decommit), host registration (a tenant's
// memory lives in another process; shared host-staging buffers are that
// route), native handles (they name objects of hald's process), the memory
// cache (hald's device keeps its own, charged to the virtual device).
#ifndef HAL_BACKENDS_REMOTE_PROTOCOL_CAPABILITIES_H_
#define HAL_BACKENDS_REMOTE_PROTOCOL_CAPABILITIES_H_

#include <cstdint>

#include "hal/driver/hal_driver.h"

namespace hal::remote {

// Device addresses (BufferDeviceAddress, protocol 1.5) and stream priorities
// (StreamCreate.priority, which hald has always honoured).
inline constexpr uint32_t kForwardedCapabilities =
    HAL_CAPABILITY_DEVICE_ADDRESS | HAL_CAPABILITY_STREAM_PRIORITY;

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_PROTOCOL_CAPABILITIES_H_
