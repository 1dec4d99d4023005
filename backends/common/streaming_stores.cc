#include "backends/common/streaming_stores.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>

#include "backends/common/proc_files.h"

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

namespace hal::driver_support {

uint64_t CacheEvictingBytes() {
  static const uint64_t bytes = [] {
    const std::optional<uint64_t> last_level = ReadLastLevelCacheBytes();
    if (!last_level) return std::numeric_limits<uint64_t>::max();
    return std::max<uint64_t>(*last_level / 4 * 3, kStreamingCopyMinBytes);
  }();
  return bytes;
}

void StreamingCopy(void* destination, const void* source, size_t size) {
#if defined(__x86_64__)
  if (size >= kStreamingCopyMinBytes) {
    auto* out = static_cast<uint8_t*>(destination);
    const auto* in = static_cast<const uint8_t*>(source);
    // Streaming stores need 16-byte-aligned destinations, and whole 64-byte
    // lines fill the write-combining buffers: the head up to the next line
    // goes through memcpy, as does the tail after the last whole line.
    const size_t head = (64 - reinterpret_cast<uintptr_t>(out) % 64) % 64;
    std::memcpy(out, in, head);
    out += head;
    in += head;
    size -= head;
    const size_t lines = size / 64;
    for (size_t line = 0; line < lines; ++line, out += 64, in += 64) {
      const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in));
      const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 16));
      const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 32));
      const __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 48));
      _mm_stream_si128(reinterpret_cast<__m128i*>(out), a);
      _mm_stream_si128(reinterpret_cast<__m128i*>(out + 16), b);
      _mm_stream_si128(reinterpret_cast<__m128i*>(out + 32), c);
      _mm_stream_si128(reinterpret_cast<__m128i*>(out + 48), d);
    }
    std::memcpy(out, in, size % 64);
    // Non-temporal stores are weakly ordered: whoever is told the copy is
    // done (another thread, another process through a release) must see it.
    _mm_sfence();
    return;
  }
#endif
  std::memcpy(destination, source, size);
}

#if defined(__x86_64__)
namespace {

// Word stores up to the next whole 64-byte line (a 4-byte-aligned destination
// reaches it in whole words), then whole lines of four 16-byte stores by
// `store`, then the tail's words.
template <typename Store>
void FillLines(uint32_t* destination, size_t words, uint32_t pattern, Store store) {
  const size_t head =
      std::min(words, (64 - reinterpret_cast<uintptr_t>(destination) % 64) % 64 / 4);
  std::fill_n(destination, head, pattern);
  destination += head;
  words -= head;
  const __m128i quarter = _mm_set1_epi32(static_cast<int>(pattern));
  const size_t lines = words / 16;
  for (size_t line = 0; line < lines; ++line, destination += 16) {
    auto* out = reinterpret_cast<__m128i*>(destination);
    store(out, quarter);
    store(out + 1, quarter);
    store(out + 2, quarter);
    store(out + 3, quarter);
  }
  std::fill_n(destination, words % 16, pattern);
}

}  // namespace
#endif

void FillWords(uint32_t* destination, size_t words, uint32_t pattern) {
#if defined(__x86_64__)
  FillLines(destination, words, pattern,
            [](__m128i* out, __m128i value) { _mm_store_si128(out, value); });
#else
  std::fill_n(destination, words, pattern);
#endif
}

void StreamingFill(uint32_t* destination, size_t words, uint32_t pattern) {
#if defined(__x86_64__)
  if (words * sizeof(uint32_t) >= kStreamingCopyMinBytes) {
    FillLines(destination, words, pattern,
              [](__m128i* out, __m128i value) { _mm_stream_si128(out, value); });
    _mm_sfence();  // as in StreamingCopy
    return;
  }
#endif
  FillWords(destination, words, pattern);
}

}  // namespace hal::driver_support
