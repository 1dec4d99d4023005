// A copy whose destination is not read again soon: large copies out of a
// buffer that stays hot (a shared-memory ring, say) into memory that is only
// written. Plain stores first read each destination line into the caches and
// then evict the hot buffer to make room for it; non-temporal stores go
// straight to memory and leave the caches to the hot buffer. Downloads
// through hald's shared memory, drained so, went 9-13% faster on a 2-vCPU
// EPYC VM (bench/README.md, "Downloads drained with streaming stores").
#ifndef HAL_BACKENDS_COMMON_STREAMING_COPY_H_
#define HAL_BACKENDS_COMMON_STREAMING_COPY_H_

#include <cstddef>

namespace hal::driver_support {

// Copies below this many bytes go through memcpy: they fit the caches, and
// the next reader of the destination may well find them there.
inline constexpr size_t kStreamingCopyMinBytes = size_t{256} << 10;

// memcpy's contract (no overlap) and result; from kStreamingCopyMinBytes up,
// on x86-64, the destination is written with non-temporal stores, which are
// ordered before this function returns.
void StreamingCopy(void* destination, const void* source, size_t size);

}  // namespace hal::driver_support

#endif  // HAL_BACKENDS_COMMON_STREAMING_COPY_H_
