// A MessagePack reader for the AMDGPU code object metadata (the .note of an
// hsaco holds amdhsa.kernels as one msgpack map). The bytes are hostile
// input: every length is checked against what remains, nesting is bounded,
// and anything malformed is InvalidArgument naming the byte offset.
#ifndef HAL_BACKENDS_GPU_CORE_MSGPACK_H_
#define HAL_BACKENDS_GPU_CORE_MSGPACK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace hal::gpu {

struct MsgpackValue {
  enum class Kind { kNil, kBool, kInt, kFloat, kString, kBinary, kArray, kMap };
  Kind kind = Kind::kNil;
  bool boolean = false;
  int64_t integer = 0;
  double floating = 0;
  std::string string;  // kString and kBinary
  std::vector<MsgpackValue> array;
  // A map's keys and values, entry i at index i of both (parallel vectors:
  // a pair of the type being defined does not compile with libstdc++).
  std::vector<MsgpackValue> keys;
  std::vector<MsgpackValue> values;

  // The value of string key `key` of a map; nullptr if absent or not a map.
  const MsgpackValue* Find(absl::string_view key) const;
};

// Exactly one value filling `bytes`.
absl::StatusOr<MsgpackValue> ParseMsgpack(absl::Span<const uint8_t> bytes);

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_MSGPACK_H_
