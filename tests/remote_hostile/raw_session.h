// A tenant that speaks hald's wire protocol by hand, without the remote
// driver: what the hostile-peer tests use to send frames no driver would
// (other sessions' handles, ranges past a buffer, refused memfds), and to check
// that the daemon still serves a well-behaved tenant afterwards.
//
// Every socket it opens has a receive timeout (kReceiveTimeout), so a daemon
// that never answers fails a test instead of hanging it. Not thread-safe: one
// thread drives a session.
#ifndef HAL_TESTS_REMOTE_HOSTILE_RAW_SESSION_H_
#define HAL_TESTS_REMOTE_HOSTILE_RAW_SESSION_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "backends/remote/protocol/channel.h"
#include "backends/remote/protocol/endpoint.h"
#include "backends/remote/protocol/unique_fd.h"
#include "backends/remote/protocol/wire_version.h"
#include "hal_remote.pb.h"

namespace hal::testing {

inline constexpr absl::Duration kReceiveTimeout = absl::Seconds(10);

// A connected socket with kReceiveTimeout set, for peers that write raw bytes.
absl::StatusOr<remote::UniqueFd> ConnectRaw(const remote::Endpoint& endpoint);

// Writes all of `bytes` to `fd` (MSG_NOSIGNAL).
absl::Status WriteAll(int fd, const std::string& bytes);
// A frame header claiming `length` bytes (4 bytes, little-endian).
std::string FrameHeader(uint32_t length);

// Waits until the peer of `fd` closes the connection (EOF or reset), reading
// and dropping whatever it sends first. DeadlineExceeded when it stays open
// for kReceiveTimeout.
absl::Status WaitForClose(int fd);

class RawSession {
 public:
  // Connects and sends nothing.
  static absl::StatusOr<std::unique_ptr<RawSession>> Connect(const remote::Endpoint& endpoint);
  // Connects, says Hello and attaches to `virtual_device`.
  static absl::StatusOr<std::unique_ptr<RawSession>> Open(const remote::Endpoint& endpoint,
                                                          const std::string& virtual_device);

  // Hello with `protocol_major`; the daemon's refusal as a status.
  absl::Status Hello(uint32_t protocol_major);
  absl::Status Attach(const std::string& virtual_device);

  // Sends `message` with a fresh request id (and `fd` as SCM_RIGHTS when not
  // -1) and returns the daemon's answer to it, keeping downloads that complete
  // before it. Unavailable when the daemon closed the connection.
  absl::StatusOr<remote::v1::DaemonMessage> Call(remote::v1::ClientMessage message, int fd = -1);
  // Call, then the answer's status.
  absl::Status Request(remote::v1::ClientMessage message, int fd = -1);
  // Sends a one-way command (request id 0).
  absl::Status Send(const remote::v1::ClientMessage& message);

  // Requests and one-way commands of a well-behaved tenant, handles chosen by
  // the caller. Copies carry their bytes inline.
  absl::Status Allocate(uint64_t buffer, uint64_t size);
  absl::Status CreateStream(uint64_t stream);
  absl::Status Upload(uint64_t stream, uint64_t buffer, uint64_t offset, const std::string& bytes);
  absl::Status Synchronize(uint64_t stream);
  // Downloads `size` bytes of `buffer` at `offset` inline, synchronizes the
  // stream and returns the bytes the daemon sent. The synchronization's
  // failure when the download failed.
  absl::StatusOr<std::string> Download(uint64_t stream, uint64_t buffer, uint64_t offset,
                                       uint64_t size);
  // What a well-behaved tenant does with OpenTenant's buffer 1 and stream 1:
  // writes `bytes` at offset 0 and reads them back. Internal when other bytes
  // come back.
  absl::Status RoundTrip(const std::string& bytes);

  remote::Channel& channel() { return *channel_; }
  // Writes `bytes` to the socket as they are, past the channel's framing.
  absl::Status SendRaw(const std::string& bytes);
  // WaitForClose on the session's socket.
  absl::Status WaitForClose();

 private:
  explicit RawSession(remote::UniqueFd socket)
      : channel_(std::make_unique<remote::Channel>(std::move(socket))) {
    channel_->SetReceiveTimeout(kReceiveTimeout);
  }

  std::unique_ptr<remote::Channel> channel_;
  uint64_t next_request_id_ = 1;
  uint64_t next_download_ = 1;
  // Inline bytes of the DownloadComplete messages that arrived, by download id.
  std::map<uint64_t, std::string> downloads_;
};

// A host-to-device copy of `size` bytes into `buffer` at `offset`, its source
// (inline bytes or a shared-memory range) left for the caller to set.
remote::v1::ClientMessage CopyToDevice(uint64_t stream, uint64_t buffer, uint64_t offset,
                                       uint64_t size);
// A device-to-host copy of `size` bytes of `buffer` at `offset` as download
// `download`; inline unless the caller sets a shared-memory range.
remote::v1::ClientMessage CopyToHost(uint64_t stream, uint64_t buffer, uint64_t offset,
                                     uint64_t size, uint64_t download);

// A pattern of `size` bytes that differs per `seed`.
std::string Pattern(uint64_t size, uint32_t seed);

}  // namespace hal::testing

#endif  // HAL_TESTS_REMOTE_HOSTILE_RAW_SESSION_H_
