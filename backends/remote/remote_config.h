// What the remote driver reads from the environment, once, in initialize():
//   HAL_REMOTE_ENDPOINT   where hald listens (default unix:/run/hal/hald.sock;
//                         "none" disables the driver without connecting)
//   HAL_REMOTE_TOKEN      sent in Hello (TCP peers, jobs a scheduler starts)
//   HAL_REMOTE_SHM_BYTES  the session's shared memory on a Unix socket
//                         (default 16 MiB; 0: every copy travels inline)
//   HAL_REMOTE_CROSS_MEMORY  "on": cross-memory attach on a Unix socket
//                         (hald copies straight to and from this process's
//                         memory, one copy instead of two); "off" (default):
//                         the kernel pins 4 KiB pages one by one, which on
//                         the VM measured was slower than the two memcpys
//                         of shared memory; it wins for memory backed by
//                         transparent huge pages (bench/README.md)
#ifndef HAL_BACKENDS_REMOTE_REMOTE_CONFIG_H_
#define HAL_BACKENDS_REMOTE_REMOTE_CONFIG_H_

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "backends/remote/protocol/endpoint.h"

namespace hal::remote {

inline constexpr char kDefaultEndpoint[] = "unix:/run/hal/hald.sock";
// Four chunks of a copy in flight (transfers.h): few enough that a chunk is
// still in the last-level cache when the other side copies it out. On the
// 2-core VM measured (32 MiB L3), a 256 MiB pageable copy through hald moved
// 11.5-14.2 GiB/s with 16 MiB and 9.2-10.2 with 64 MiB (bench/README.md).
inline constexpr uint64_t kDefaultSharedMemoryBytes = uint64_t{16} << 20;
// The largest chunk one copy command moves through shared memory.
inline constexpr uint64_t kSharedMemoryChunkBytes = uint64_t{4} << 20;

// The chunk a copy through `shared_memory_bytes` of shared memory moves per
// command: at most kSharedMemoryChunkBytes, and a quarter of the memory, so
// several chunks are in flight (transfers.cc; bench/remote_bench.cc's bound).
constexpr uint64_t SharedMemoryChunkBytes(uint64_t shared_memory_bytes) {
  return std::min(kSharedMemoryChunkBytes, shared_memory_bytes / 4);
}
// The most HAL_REMOTE_SHM_BYTES may ask for, and the least it may ask for
// when not 0 (room for a few copies in flight).
inline constexpr uint64_t kMaxSharedMemoryBytes = uint64_t{16} << 30;
inline constexpr uint64_t kMinSharedMemoryBytes = uint64_t{64} << 10;

struct RemoteConfig {
  Endpoint endpoint;
  std::string token;
  uint64_t shared_memory_bytes = kDefaultSharedMemoryBytes;
  bool cross_memory = false;
};

// The configuration from the variables' values (nullptr: unset).
// Unavailable "disabled by HAL_REMOTE_ENDPOINT=none" for "none";
// InvalidArgument naming the variable for a value that does not parse.
absl::StatusOr<RemoteConfig> ParseRemoteConfig(const char* endpoint, const char* token,
                                               const char* shared_memory_bytes,
                                               const char* cross_memory = nullptr);

// ParseRemoteConfig of this process's environment.
absl::StatusOr<RemoteConfig> RemoteConfigFromEnvironment();

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_REMOTE_CONFIG_H_
