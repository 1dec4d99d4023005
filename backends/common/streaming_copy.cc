#include "backends/common/streaming_copy.h"

#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

namespace hal::driver_support {

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

}  // namespace hal::driver_support
