// Host bytes to and from buffers in the daemon: through the session's shared
// memory on a Unix socket, inline in the message otherwise (TCP, no shared
// memory, or a copy small enough that a shared-memory round trip costs more
// than the bytes). Large copies are split into chunks of at most 4 MiB
// through shared memory (and a quarter of it, so several are in flight) or
// 1 MiB inline.
#ifndef HAL_BACKENDS_REMOTE_TRANSFERS_H_
#define HAL_BACKENDS_REMOTE_TRANSFERS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "backends/remote/connection.h"

namespace hal::remote {

// Copies up to this many bytes travel inline even where shared memory exists.
inline constexpr uint64_t kInlineCopyBytes = 4096;
inline constexpr uint64_t kSharedMemoryChunkBytes = uint64_t{4} << 20;
inline constexpr uint64_t kInlineChunkBytes = uint64_t{1} << 20;

// Posts CopyHostToDevice commands on `stream` writing `size` bytes of
// `source` to `buffer` at `offset`. `source` is read before this returns.
absl::Status Upload(Connection& connection, uint64_t stream, const void* source, uint64_t buffer,
                    uint64_t offset, uint64_t size);

// Posts CopyDeviceToHost commands on `stream` reading `size` bytes of
// `buffer` at `offset` into `destination`, which the connection's reader
// fills as each chunk's DownloadComplete arrives.
absl::Status Download(Connection& connection, uint64_t stream, uint64_t buffer, uint64_t offset,
                      void* destination, uint64_t size);

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_TRANSFERS_H_
