// libFuzzer target for hald's and the remote driver's message decoders: any
// input must either decode (and then re-encode into bytes that decode again)
// or be refused with InvalidArgument. The first 4 bytes also go through the
// frame header check. Build with -DHAL_BUILD_FUZZERS=ON and clang.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "backends/remote/protocol/frame_codec.h"

namespace {

template <typename Message>
void CheckDecoder(absl::Status (*decode)(absl::Span<const uint8_t>, Message*),
                  absl::Span<const uint8_t> payload) {
  Message message;
  const absl::Status status = decode(payload, &message);
  if (!status.ok()) {
    if (status.code() != absl::StatusCode::kInvalidArgument) std::abort();
    return;
  }
  const std::string again = message.SerializeAsString();
  Message reparsed;
  if (!decode(absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(again.data()), again.size()),
              &reparsed)
           .ok()) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::Span<const uint8_t> payload(data, size);
  CheckDecoder(&hal::remote::DecodeClientMessage, payload);
  CheckDecoder(&hal::remote::DecodeDaemonMessage, payload);
  if (size >= hal::remote::kFrameHeaderBytes) {
    const absl::StatusOr<uint32_t> length = hal::remote::ParseFrameLength(data);
    if (!length.ok() && length.status().code() != absl::StatusCode::kInvalidArgument) {
      std::abort();
    }
  }
  return 0;
}
