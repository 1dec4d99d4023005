// A device UUID for drivers whose vendor gives none (the host CPU, an OpenCL
// device without cl_khr_device_uuid): two FNV-1a hashes (different offset
// bases) of the machine id (/etc/machine-id, or D-Bus's copy) and what
// identifies the device on the machine, marked as an RFC 9562 version-8
// (vendor-specific) UUID. The same on every run on one machine, different
// between machines; where no machine id exists (some containers), it depends
// on `identity` alone.
#ifndef HAL_BACKENDS_COMMON_DERIVED_UUID_H_
#define HAL_BACKENDS_COMMON_DERIVED_UUID_H_

#include <cstdint>
#include <string_view>

namespace hal::driver_support {

void DeriveUuid(std::string_view identity, uint8_t uuid[16]);

}  // namespace hal::driver_support

#endif  // HAL_BACKENDS_COMMON_DERIVED_UUID_H_
