#include "daemon/device_listing.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backends/remote/protocol/capabilities.h"
#include "backends/remote/protocol/properties_codec.h"

namespace hal::daemon {
namespace {

// 64-bit FNV-1a of `text` from `basis`.
uint64_t Fnv1a(absl::string_view text, uint64_t basis) {
  uint64_t hash = basis;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

}  // namespace

bool IsNativeKernelFormat(absl::string_view format) {
  return absl::StartsWith(format, "cpu-elf");
}

std::vector<std::string> TenantKernelFormats(const DeviceProperties& device, bool native_kernels) {
  std::vector<std::string> formats;
  for (const std::string& format : device.kernel_formats) {
    if (native_kernels || !IsNativeKernelFormat(format)) formats.push_back(format);
  }
  return formats;
}

uint32_t ForwardedCapabilities(const DeviceProperties& device, bool native_kernels) {
  uint32_t bits = device.capabilities.bits() & remote::kForwardedCapabilities;
  if (TenantKernelFormats(device, native_kernels).empty()) bits &= ~HAL_CAPABILITY_DEVICE_ADDRESS;
  return bits;
}

bool SharesDeviceMemory(const DeviceProperties& device, bool overcommitted) {
  const bool host_memory = device.type == DeviceType::kCpu || device.device_buffers_mappable;
  return host_memory && device.capabilities.has(Capability::kHostRegistration) && !overcommitted;
}

std::array<uint8_t, 16> VirtualDeviceUuid(absl::string_view name) {
  const std::string salted = absl::StrCat("hald virtual device ", name);
  const uint64_t halves[2] = {Fnv1a(salted, 0xcbf29ce484222325ull),
                              Fnv1a(salted, 0x84222325cbf29ce4ull)};
  std::array<uint8_t, 16> uuid{};
  for (int i = 0; i < 16; ++i) uuid[i] = static_cast<uint8_t>(halves[i / 8] >> (8 * (i % 8)));
  uuid[6] = static_cast<uint8_t>((uuid[6] & 0x0f) | 0x80);  // version 8
  uuid[8] = static_cast<uint8_t>((uuid[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return uuid;
}

remote::v1::DeviceProperties ListedProperties(const VirtualDevice& virtual_device,
                                              bool native_kernels, bool overcommitted) {
  const DeviceProperties& placement = virtual_device.placement().properties();
  remote::v1::DeviceProperties wire = remote::DevicePropertiesToWire(placement);
  wire.set_name(absl::StrCat(virtual_device.name(), " on ", placement.name));
  const std::array<uint8_t, 16> uuid = VirtualDeviceUuid(virtual_device.name());
  wire.set_uuid(std::string(uuid.begin(), uuid.end()));
  wire.set_total_memory_bytes(virtual_device.memory_quota());
  wire.set_capabilities(ForwardedCapabilities(placement, native_kernels));
  wire.set_kernel_formats(absl::StrJoin(TenantKernelFormats(placement, native_kernels), ","));
  wire.set_virtual_device(virtual_device.name());
  wire.set_physical_device(virtual_device.placement().id());
  wire.set_shared_device_memory(SharesDeviceMemory(placement, overcommitted));
  return wire;
}

}  // namespace hal::daemon
