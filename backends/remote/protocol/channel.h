#ifndef HAL_BACKENDS_REMOTE_PROTOCOL_CHANNEL_H_
#define HAL_BACKENDS_REMOTE_PROTOCOL_CHANNEL_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "backends/remote/protocol/frame_codec.h"
#include "backends/remote/protocol/unique_fd.h"

namespace google::protobuf {
class MessageLite;
}

namespace hal::remote {

// Who is at the other end of a Unix socket (SO_PEERCRED).
struct PeerCredentials {
  uint32_t uid = 0;
  uint32_t gid = 0;
  int32_t pid = 0;
};

// Frames over one connected stream socket (Unix or TCP), which it owns.
// Send is thread-safe; one thread at a time may receive. Every frame a peer
// sends is hostile input: lengths are checked before anything is allocated
// and messages are decoded with frame_codec.h's structural checks.
class Channel {
 public:
  explicit Channel(UniqueFd socket);
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Sends one whole frame (MSG_NOSIGNAL). `fd_to_pass` travels with it as
  // SCM_RIGHTS (Unix sockets only: FailedPrecondition on TCP). A message
  // that serializes to nothing or to more than kMaxFrameBytes is
  // InvalidArgument; a broken connection is Unavailable.
  absl::Status Send(const google::protobuf::MessageLite& message, int fd_to_pass = -1) {
    return SendWithFields(message, {}, fd_to_pass);
  }
  // The same, with `fields` after `message` in the frame: more fields of the
  // same message type, already serialized (a parser merges them), such as
  // repeated entries serialized as they were made. The frame's limits count
  // both.
  absl::Status SendWithFields(const google::protobuf::MessageLite& message,
                              absl::string_view fields, int fd_to_pass = -1);

  // Blocks for the next frame. `fd`, when given, receives the descriptor
  // that came with the frame (left empty when none did); descriptors that
  // arrive when not asked for are closed. EOF is Unavailable "connection
  // closed by peer"; an oversize length or undecodable payload is
  // InvalidArgument (the connection is then out of step: close it).
  // ReceiveDaemonMessage without `fd` (the driver's side) asks the socket for
  // more than the frame's header at once and keeps what belongs to the next
  // frames: one recvmsg per small frame instead of two, about 1.3 us of a
  // round trip on a 2-vCPU VM. Bytes kept that way are not visible to poll()
  // on fd(): hald, which polls its sessions' sockets, does not read ahead.
  absl::Status ReceiveClientMessage(ClientMessage* message, UniqueFd* fd = nullptr);
  absl::Status ReceiveDaemonMessage(DaemonMessage* message, UniqueFd* fd = nullptr);

  // How long a receive waits for the peer's next bytes before it fails with
  // DeadlineExceeded; zero (the default) waits as long as it takes. Set by
  // the receiving thread or before receiving starts.
  void SetReceiveTimeout(absl::Duration timeout);

  // shutdown(SHUT_RDWR): wakes a blocked receiver (with Unavailable) and
  // makes later sends fail. The descriptor stays open until destruction.
  void Shutdown();

  // The peer's SO_PEERCRED; FailedPrecondition on TCP.
  absl::StatusOr<remote::PeerCredentials> PeerCredentials() const;

  // "unix pid 42 uid 1000" or "tcp 127.0.0.1:5555", for logs and messages.
  const std::string& peer_name() const { return peer_name_; }
  bool is_unix() const { return is_unix_; }
  // For poll(); owned by the channel.
  int fd() const { return socket_.get(); }

 private:
  // Reads one frame's payload into `payload_` (and any passed descriptor);
  // `read_ahead`: the header's read may take up to kFirstChunk more bytes.
  absl::Status ReceiveFrame(UniqueFd* fd, bool read_ahead);
  // Reads at least `least` and at most `most` bytes, collecting descriptors
  // that come along; returns how many came. `frame_bytes_before`: how much
  // of the frame came earlier (for the message when the peer closes).
  absl::StatusOr<size_t> ReadAtLeast(uint8_t* data, size_t least, size_t most, UniqueFd* fd,
                                     size_t frame_bytes_before);
  // Blocks until the socket has bytes to read, EOF or an error, or the
  // receive timeout passes (DeadlineExceeded).
  absl::Status WaitReadable();
  // Makes inbox_ hold at least `needed` unread bytes, asking for up to
  // `ahead` more.
  absl::Status FillInbox(size_t needed, size_t ahead, UniqueFd* fd);
  // Sends `send_buffer_` and then `tail` whole (send_mutex_ held).
  absl::Status SendBuffered(absl::string_view tail, int fd_to_pass);
  void ReleaseLargeBuffer();

  UniqueFd socket_;
  std::atomic<int> receive_timeout_ms_{-1};  // poll()'s: -1 waits forever
  bool is_unix_ = false;
  std::string peer_name_;
  std::mutex send_mutex_;
  std::string send_buffer_;  // the frame being sent, reused between frames
  std::string payload_;  // the receiver's buffer, reused between frames
  std::string inbox_;    // bytes received, [inbox_begin_, inbox_end_) not yet taken
  size_t inbox_begin_ = 0;
  size_t inbox_end_ = 0;
};

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_PROTOCOL_CHANNEL_H_
