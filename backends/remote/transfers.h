// Host bytes to and from buffers in the daemon: on a Unix socket with
// cross-memory attach, one command that names the caller's own address (hald
// copies straight to or from it when the stream reaches the copy); else
// through the session's shared memory on a Unix socket; inline in the message
// otherwise (TCP, no shared memory, or a copy small enough that a round trip
// costs more than the bytes). Large copies through shared memory or inline are
// split into chunks of at most 4 MiB (and a quarter of the shared memory, so
// several are in flight) or 1 MiB.
#ifndef HAL_BACKENDS_REMOTE_TRANSFERS_H_
#define HAL_BACKENDS_REMOTE_TRANSFERS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "backends/remote/connection.h"

namespace hal::remote {

// Copies up to this many bytes travel inline even where shared memory exists.
inline constexpr uint64_t kInlineCopyBytes = 4096;
inline constexpr uint64_t kInlineChunkBytes = uint64_t{1} << 20;

// Posts CopyHostToDevice commands on `stream` writing `size` bytes of
// `source` to `buffer` at `offset`. Through cross-memory attach `source` is
// read when the stream reaches the copy (the driver ABI's contract: host
// memory stays valid until the copy completes); otherwise before this
// returns.
absl::Status Upload(Connection& connection, uint64_t stream, const void* source, uint64_t buffer,
                    uint64_t offset, uint64_t size);

// Posts CopyDeviceToHost commands on `stream` reading `size` bytes of
// `buffer` at `offset` into `destination`, which hald writes itself through
// cross-memory attach, or the connection's reader fills as each chunk's
// DownloadComplete arrives.
absl::Status Download(Connection& connection, uint64_t stream, uint64_t buffer, uint64_t offset,
                      void* destination, uint64_t size);

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_TRANSFERS_H_
