#ifndef HAL_BACKENDS_REMOTE_PROTOCOL_WIRE_VERSION_H_
#define HAL_BACKENDS_REMOTE_PROTOCOL_WIRE_VERSION_H_

#include <cstdint>

namespace hal::remote {

// Hello/Welcome carry these; a daemon refuses a client of another major.
// The minor says which fields were added (hal_remote.proto's history):
//   1.1: the admin requests VirtualDeviceCreate/VirtualDeviceDestroy and
//        VirtualDeviceCreated; VirtualDeviceStatus.owner.
//   1.2: cross-memory attach (CrossMemoryAttach, Welcome.cross_memory_pid,
//        the copies' tenant_address); VirtualDeviceCreate.require_device.
//   1.3: host-staging buffers in shared memory
//        (BufferAllocate.shared_host_memory, BufferAllocated.shared).
//   1.4: Dispatch.workgroup_count_x/y/z (a client sends the repeated
//        workgroup_count to an older daemon).
//   1.5: DeviceProperties.capabilities set (device-address, stream-priority:
//        protocol/capabilities.h); BufferDeviceAddress and BufferAddress.
//   1.6: DeviceProperties.shared_device_memory: DEVICE buffers may be the
//        tenant's memfd (BufferAllocate.shared_host_memory).
inline constexpr uint32_t kProtocolMajor = 1;
inline constexpr uint32_t kProtocolMinor = 6;
// The first minor version whose daemons read Dispatch.workgroup_count_x/y/z.
inline constexpr uint32_t kDispatchGridScalarsMinor = 4;

// The largest frame payload either side accepts: 64 MiB of bulk data plus
// room for the message around it. Clients split copies larger than
// Welcome.max_frame_bytes - 4096.
inline constexpr uint64_t kMaxFrameBytes = (64u << 20) + (64u << 10);

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_PROTOCOL_WIRE_VERSION_H_
