// Copies and fills whose destination is not read again soon: large copies
// out of a buffer that stays hot (a shared-memory ring, say) into memory that
// is only written, and copies and fills too large for the caches anyway.
// Plain stores first read each destination line into the caches and evict
// what was there to make room for it; non-temporal stores go straight to
// memory and leave the caches alone. On a 2-vCPU EPYC VM, downloads through
// hald's shared memory, drained so, went 9-13% faster, and the CPU driver's
// 256 MiB copies and fills about 1.35x (bench/README.md).
#ifndef HAL_BACKENDS_COMMON_STREAMING_STORES_H_
#define HAL_BACKENDS_COMMON_STREAMING_STORES_H_

#include <cstddef>
#include <cstdint>

namespace hal::driver_support {

// Copies below this many bytes go through memcpy: they fit the caches, and
// the next reader of the destination may well find them there.
inline constexpr size_t kStreamingCopyMinBytes = size_t{256} << 10;

// Copies and fills of at least this many bytes would evict most of the
// last-level cache anyway, so they stream their stores: 3/4 of its size
// (proc_files.h), at least kStreamingCopyMinBytes; UINT64_MAX where sysfs
// does not say. Read once; thread-safe.
uint64_t CacheEvictingBytes();

// memcpy's contract (no overlap) and result; from kStreamingCopyMinBytes up,
// on x86-64, the destination is written with non-temporal stores, which are
// ordered before this function returns.
void StreamingCopy(void* destination, const void* source, size_t size);

// std::fill_n(destination, words, pattern) in 16-byte stores on x86-64,
// which the compiler does not make of fill_n's loop at -O2 (the CPU driver's
// 16 MiB fill went from 29-30 to 149-152 GiB/s: bench/README.md).
// `destination` is 4-byte aligned.
void FillWords(uint32_t* destination, size_t words, uint32_t pattern);

// FillWords with the same store rule as StreamingCopy (from
// kStreamingCopyMinBytes, on x86-64).
void StreamingFill(uint32_t* destination, size_t words, uint32_t pattern);

}  // namespace hal::driver_support

#endif  // HAL_BACKENDS_COMMON_STREAMING_STORES_H_
