// How hald presents a virtual device to a tenant's remote driver: the
// properties of the device it is placed on, with the virtual device's quota
// as its memory, its own name and a UUID of its own (stable across restarts:
// derived from the name), the optional capabilities the protocol carries
// that the device has, and the CPU driver's native-code formats only where
// the pool file allows native kernels for it.
#ifndef HAL_DAEMON_DEVICE_LISTING_H_
#define HAL_DAEMON_DEVICE_LISTING_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "hal/virtual_device.h"
#include "hal_remote.pb.h"

namespace hal::daemon {

// "cpu-elf:x86_64" and the like: native code that would run inside hald.
bool IsNativeKernelFormat(absl::string_view format);

// The formats a tenant may load on `device`: its own, less native ones unless
// `native_kernels`.
std::vector<std::string> TenantKernelFormats(const DeviceProperties& device, bool native_kernels);

// The hal_capability_bits a tenant of `device` gets: those of
// remote::kForwardedCapabilities the device has, less device-address when
// the tenant may load no kernel on it (an address is for kernels; on the CPU
// it would only tell a tenant where hald's memory lies).
uint32_t ForwardedCapabilities(const DeviceProperties& device, bool native_kernels);

// Whether hald makes a tenant's memfd the memory of the tenant's DEVICE
// buffers on `device` (protocol 1.6, DeviceProperties.shared_device_memory):
// where its device memory is host memory (a CPU device: the CPU driver,
// lavapipe, pocl; or one whose device buffers map) and it registers host
// memory, so that the buffer is the same memory in both processes and the
// tenant's copies into it are one copy, not two through the session's
// shared memory. Not in an overcommitted pool:
// the residency manager must be able to move device buffers, and registered
// memory stays where it is.
bool SharesDeviceMemory(const DeviceProperties& device, bool overcommitted);

// A version-8 (custom) UUID from a hash of the name.
std::array<uint8_t, 16> VirtualDeviceUuid(absl::string_view name);

// `overcommitted`: the pool's overcommit ratio is above 1.
remote::v1::DeviceProperties ListedProperties(const VirtualDevice& virtual_device,
                                              bool native_kernels, bool overcommitted);

}  // namespace hal::daemon

#endif  // HAL_DAEMON_DEVICE_LISTING_H_
