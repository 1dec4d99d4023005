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

// A version-8 (custom) UUID from a hash of the name.
std::array<uint8_t, 16> VirtualDeviceUuid(absl::string_view name);

remote::v1::DeviceProperties ListedProperties(const VirtualDevice& virtual_device,
                                              bool native_kernels);

}  // namespace hal::daemon

#endif  // HAL_DAEMON_DEVICE_LISTING_H_
