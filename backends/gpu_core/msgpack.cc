#include "backends/gpu_core/msgpack.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace hal::gpu {
namespace {

constexpr int kMaxDepth = 32;
// A one-byte value becomes a MsgpackValue of about 128 bytes, so the count
// of values is bounded, not just the input: code object metadata holds a few
// thousand at most, and a crafted note of 8 MiB of single-byte values would
// otherwise take a GiB.
constexpr uint64_t kMaxValues = uint64_t{1} << 18;

class Reader {
 public:
  explicit Reader(absl::Span<const uint8_t> bytes) : bytes_(bytes) {}

  size_t offset() const { return offset_; }

  absl::Status Malformed(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed msgpack at byte ", offset_, ": ", what));
  }

  // The next `size` bytes, big-endian as an unsigned integer.
  absl::StatusOr<uint64_t> Unsigned(size_t size) {
    if (bytes_.size() - offset_ < size) return Malformed("truncated");
    uint64_t value = 0;
    for (size_t i = 0; i < size; ++i) value = value << 8 | bytes_[offset_ + i];
    offset_ += size;
    return value;
  }

  absl::StatusOr<std::string> Bytes(uint64_t size) {
    if (bytes_.size() - offset_ < size) {
      return Malformed(absl::StrCat("a string of ", size, " bytes runs past the end"));
    }
    std::string text(reinterpret_cast<const char*>(bytes_.data() + offset_), size);
    offset_ += size;
    return text;
  }

  absl::Status Value(MsgpackValue& value, int depth);

 private:
  absl::Status Elements(MsgpackValue& value, uint64_t count, bool map, int depth) {
    // Each element takes at least one byte: a count beyond the bytes left is
    // a lie, refused before anything is reserved for it.
    if (count > (bytes_.size() - offset_) / (map ? 2 : 1)) {
      return Malformed(absl::StrCat("a count of ", count, " elements exceeds the bytes left"));
    }
    value.kind = map ? MsgpackValue::Kind::kMap : MsgpackValue::Kind::kArray;
    for (uint64_t i = 0; i < count; ++i) {
      if (map) {
        if (absl::Status status = Value(value.keys.emplace_back(), depth + 1); !status.ok()) {
          return status;
        }
        if (absl::Status status = Value(value.values.emplace_back(), depth + 1); !status.ok()) {
          return status;
        }
      } else {
        if (absl::Status status = Value(value.array.emplace_back(), depth + 1); !status.ok()) {
          return status;
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status Text(MsgpackValue& value, size_t length_size, MsgpackValue::Kind kind) {
    absl::StatusOr<uint64_t> length = Unsigned(length_size);
    if (!length.ok()) return length.status();
    absl::StatusOr<std::string> text = Bytes(*length);
    if (!text.ok()) return text.status();
    value.kind = kind;
    value.string = *std::move(text);
    return absl::OkStatus();
  }

  absl::Status Integer(MsgpackValue& value, size_t size, bool is_signed) {
    absl::StatusOr<uint64_t> raw = Unsigned(size);
    if (!raw.ok()) return raw.status();
    value.kind = MsgpackValue::Kind::kInt;
    if (is_signed) {
      const int shift = 64 - static_cast<int>(size) * 8;
      value.integer = static_cast<int64_t>(*raw << shift) >> shift;
    } else {
      if (*raw > uint64_t{INT64_MAX}) return Malformed("an unsigned integer beyond int64");
      value.integer = static_cast<int64_t>(*raw);
    }
    return absl::OkStatus();
  }

  absl::Span<const uint8_t> bytes_;
  size_t offset_ = 0;
  uint64_t values_ = 0;
};

absl::Status Reader::Value(MsgpackValue& value, int depth) {
  if (depth > kMaxDepth) return Malformed(absl::StrCat("nested deeper than ", kMaxDepth));
  if (++values_ > kMaxValues) return Malformed(absl::StrCat("more than ", kMaxValues, " values"));
  absl::StatusOr<uint64_t> tag_read = Unsigned(1);
  if (!tag_read.ok()) return tag_read.status();
  const auto tag = static_cast<uint8_t>(*tag_read);
  using Kind = MsgpackValue::Kind;
  if (tag <= 0x7f) {
    value.kind = Kind::kInt;
    value.integer = tag;
    return absl::OkStatus();
  }
  if (tag >= 0xe0) {
    value.kind = Kind::kInt;
    value.integer = static_cast<int8_t>(tag);
    return absl::OkStatus();
  }
  if ((tag & 0xf0) == 0x80) return Elements(value, tag & 0x0f, /*map=*/true, depth);
  if ((tag & 0xf0) == 0x90) return Elements(value, tag & 0x0f, /*map=*/false, depth);
  if ((tag & 0xe0) == 0xa0) {
    absl::StatusOr<std::string> text = Bytes(tag & 0x1f);
    if (!text.ok()) return text.status();
    value.kind = Kind::kString;
    value.string = *std::move(text);
    return absl::OkStatus();
  }
  switch (tag) {
    case 0xc0:
      value.kind = Kind::kNil;
      return absl::OkStatus();
    case 0xc2:
    case 0xc3:
      value.kind = Kind::kBool;
      value.boolean = tag == 0xc3;
      return absl::OkStatus();
    case 0xc4: return Text(value, 1, Kind::kBinary);
    case 0xc5: return Text(value, 2, Kind::kBinary);
    case 0xc6: return Text(value, 4, Kind::kBinary);
    case 0xca:
    case 0xcb: {
      const size_t size = tag == 0xca ? 4 : 8;
      absl::StatusOr<uint64_t> raw = Unsigned(size);
      if (!raw.ok()) return raw.status();
      value.kind = Kind::kFloat;
      if (size == 4) {
        float single;
        const auto bits = static_cast<uint32_t>(*raw);
        std::memcpy(&single, &bits, sizeof(single));
        value.floating = single;
      } else {
        std::memcpy(&value.floating, &*raw, sizeof(value.floating));
      }
      return absl::OkStatus();
    }
    case 0xcc: return Integer(value, 1, false);
    case 0xcd: return Integer(value, 2, false);
    case 0xce: return Integer(value, 4, false);
    case 0xcf: return Integer(value, 8, false);
    case 0xd0: return Integer(value, 1, true);
    case 0xd1: return Integer(value, 2, true);
    case 0xd2: return Integer(value, 4, true);
    case 0xd3: return Integer(value, 8, true);
    case 0xd9: return Text(value, 1, Kind::kString);
    case 0xda: return Text(value, 2, Kind::kString);
    case 0xdb: return Text(value, 4, Kind::kString);
    case 0xdc:
    case 0xdd:
    case 0xde:
    case 0xdf: {
      absl::StatusOr<uint64_t> count = Unsigned(tag == 0xdc || tag == 0xde ? 2 : 4);
      if (!count.ok()) return count.status();
      return Elements(value, *count, /*map=*/tag >= 0xde, depth);
    }
    default:
      --offset_;
      return Malformed(absl::StrCat("unsupported type byte 0x", absl::Hex(tag)));
  }
}

}  // namespace

const MsgpackValue* MsgpackValue::Find(absl::string_view key) const {
  if (kind != Kind::kMap) return nullptr;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].kind == Kind::kString && keys[i].string == key) return &values[i];
  }
  return nullptr;
}

absl::StatusOr<MsgpackValue> ParseMsgpack(absl::Span<const uint8_t> bytes) {
  Reader reader(bytes);
  MsgpackValue value;
  if (absl::Status status = reader.Value(value, 0); !status.ok()) return status;
  if (reader.offset() != bytes.size()) return reader.Malformed("bytes after the value");
  return value;
}

}  // namespace hal::gpu
