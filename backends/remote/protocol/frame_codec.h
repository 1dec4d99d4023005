#ifndef HAL_BACKENDS_REMOTE_PROTOCOL_FRAME_CODEC_H_
#define HAL_BACKENDS_REMOTE_PROTOCOL_FRAME_CODEC_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hal_remote.pb.h"

namespace google::protobuf {
class MessageLite;
}

namespace hal::remote {

using ClientMessage = ::hal::remote::v1::ClientMessage;
using DaemonMessage = ::hal::remote::v1::DaemonMessage;

// The most one-way commands one ClientMessage.batch may carry.
inline constexpr int kMaxBatchEntries = 4096;
// The longest string an admin request or its answer carries (names, vendors,
// formats, owner, token), and the most attach_uids a create request lists.
inline constexpr size_t kMaxAdminStringBytes = 256;
inline constexpr int kMaxAttachUids = 1024;
// The most bytes CrossMemoryAttach.canary holds.
inline constexpr size_t kMaxCrossMemoryCanaryBytes = 64;
// Bytes of the frame header: the payload's length, 32-bit little-endian.
inline constexpr size_t kFrameHeaderBytes = 4;

// Pure decoding, no I/O: parses `payload` and checks the message's structure
// (InvalidArgument naming the field): batch entries are one-way (request_id
// 0) and not nested, at most kMaxBatchEntries of them, and each carries a
// command; workgroup_size and max_workgroup_* have exactly 3 values, a
// dispatch's workgroup_count 3 or none (then workgroup_count_x/y/z give the
// grid; a dispatch with both is refused); at most HAL_MAX_BINDINGS bindings; push constants at most
// HAL_MAX_PUSH_CONSTANT_SIZE bytes; uuids 16 bytes; admin requests are not
// batched, their strings are at most kMaxAdminStringBytes and their
// attach_uids at most kMaxAttachUids; a CrossMemoryAttach is not batched
// and its canary is 1 to kMaxCrossMemoryCanaryBytes bytes; a BufferAllocate
// asks for shared_host_memory only for a HOST_STAGING buffer. Handles, offsets and sizes
// are the daemon's to check against its state.
absl::Status DecodeClientMessage(absl::Span<const uint8_t> payload, ClientMessage* out);
absl::Status DecodeDaemonMessage(absl::Span<const uint8_t> payload, DaemonMessage* out);

// The grid of a dispatch that DecodeClientMessage accepted, whichever form
// its client sent (protocol 1.4's scalars or the older repeated field).
std::array<uint32_t, 3> WorkgroupCountOf(const v1::Dispatch& dispatch);

// Header + serialized message.
std::string EncodeFrame(const google::protobuf::MessageLite& message);

// The payload length a header announces; InvalidArgument for 0 or more than
// kMaxFrameBytes.
absl::StatusOr<uint32_t> ParseFrameLength(const uint8_t header[kFrameHeaderBytes]);

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_PROTOCOL_FRAME_CODEC_H_
