#include "backends/remote/protocol/channel.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "backends/remote/protocol/brief_poll.h"
#include "backends/remote/protocol/wire_version.h"

namespace hal::remote {
namespace {

// The receive buffer starts at this and doubles as a frame's bytes arrive.
constexpr size_t kFirstChunk = 64 << 10;
// A send or receive buffer larger than this is freed after its frame (a
// session should not keep 64 MiB for one rare huge frame). It holds the
// remote driver's inline copy chunks (at most 4 MiB plus the message around
// them), so bulk copies reuse warm memory instead of page-faulting a fresh
// buffer per frame, which held TCP loopback to 0.1 GB/s.
constexpr size_t kKeptBufferBytes = (4 << 20) + (64 << 10);

absl::Status ConnectionClosed() { return absl::UnavailableError("connection closed by peer"); }

absl::Status SocketError(absl::string_view what, int error) {
  return absl::UnavailableError(absl::StrCat(what, ": ", std::strerror(error)));
}

bool IsUnixSocket(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  return getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0 &&
         address.ss_family == AF_UNIX;
}

std::string TcpPeerName(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "tcp ?";
  char host[INET6_ADDRSTRLEN] = "?";
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &v4->sin_addr, host, sizeof(host));
    return absl::StrCat("tcp ", host, ":", ntohs(v4->sin_port));
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
  inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof(host));
  return absl::StrCat("tcp [", host, "]:", ntohs(v6->sin6_port));
}

// Closes every descriptor of an SCM_RIGHTS message but the first, which it
// hands to `keep` when that is not null and empty.
void TakeDescriptors(msghdr* message, UniqueFd* keep) {
  for (cmsghdr* c = CMSG_FIRSTHDR(message); c != nullptr; c = CMSG_NXTHDR(message, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd = -1;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      if (keep != nullptr && !keep->valid()) {
        keep->reset(fd);
      } else {
        close(fd);
      }
    }
  }
}

}  // namespace

Channel::Channel(UniqueFd socket) : socket_(std::move(socket)) {
  is_unix_ = IsUnixSocket(socket_.get());
  if (!is_unix_) {
    peer_name_ = TcpPeerName(socket_.get());
  } else if (absl::StatusOr<remote::PeerCredentials> peer = PeerCredentials(); peer.ok()) {
    peer_name_ = absl::StrCat("unix pid ", peer->pid, " uid ", peer->uid);
  } else {
    peer_name_ = "unix ?";
  }
}

absl::Status Channel::SendWithFields(const google::protobuf::MessageLite& message,
                                     absl::string_view fields, int fd_to_pass) {
  const size_t message_size = message.ByteSizeLong();
  const size_t size = message_size + fields.size();
  if (size == 0 || size > kMaxFrameBytes) {
    return absl::InvalidArgumentError(absl::StrCat("cannot send a message of ", size,
                                                   " bytes: frames carry 1 to ", kMaxFrameBytes));
  }
  if (fd_to_pass >= 0 && !is_unix_) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot pass a file descriptor to ", peer_name_, ": not a Unix socket"));
  }
  std::lock_guard<std::mutex> lock(send_mutex_);
  // Serialized into the buffer kept between frames, header first, so the
  // frame leaves in one sendmsg.
  send_buffer_.resize(kFrameHeaderBytes + message_size);
  for (size_t i = 0; i < kFrameHeaderBytes; ++i) {
    send_buffer_[i] = static_cast<char>((size >> (8 * i)) & 0xff);
  }
  message.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(send_buffer_.data()) +
                                          kFrameHeaderBytes);
  absl::Status status = SendBuffered(fields, fd_to_pass);
  if (send_buffer_.capacity() > kKeptBufferBytes) std::string().swap(send_buffer_);
  return status;
}

absl::Status Channel::SendBuffered(absl::string_view tail, int fd_to_pass) {
  const absl::string_view head = send_buffer_;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  size_t sent = 0;
  while (sent < head.size() + tail.size()) {
    // What is left of the head, then of the tail, in one sendmsg.
    const size_t head_sent = std::min(sent, head.size());
    const size_t tail_sent = sent - head_sent;
    iovec io[2] = {{const_cast<char*>(head.data()) + head_sent, head.size() - head_sent},
                   {const_cast<char*>(tail.data()) + tail_sent, tail.size() - tail_sent}};
    msghdr header{};
    header.msg_iov = io[0].iov_len > 0 ? &io[0] : &io[1];
    header.msg_iovlen = io[0].iov_len > 0 ? 2 : 1;
    // The descriptor rides on the frame's first bytes.
    if (sent == 0 && fd_to_pass >= 0) {
      header.msg_control = control;
      header.msg_controllen = sizeof(control);
      cmsghdr* c = CMSG_FIRSTHDR(&header);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int));
      std::memcpy(CMSG_DATA(c), &fd_to_pass, sizeof(int));
    }
    const ssize_t n = sendmsg(socket_.get(), &header, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return SocketError(absl::StrCat("sending to ", peer_name_), errno);
    }
    sent += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> Channel::ReadAtLeast(uint8_t* data, size_t least, size_t most,
                                             UniqueFd* fd, size_t frame_bytes_before) {
  size_t received = 0;
  while (received < least) {
    iovec io{data + received, most - received};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
    msghdr header{};
    header.msg_iov = &io;
    header.msg_iovlen = 1;
    header.msg_control = control;
    header.msg_controllen = sizeof(control);
    // Never blocks in recvmsg: a thread asleep there is also woken whenever
    // the peer takes bytes this side sent (the kernel wakes a socket's
    // waiters as its send buffer drains), which on a round trip is a
    // spurious wake-up, and a context switch, each way. poll() wakes for
    // bytes to read alone.
    const ssize_t n = recvmsg(socket_.get(), &header, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (absl::Status readable = WaitReadable(); !readable.ok()) return readable;
        continue;
      }
      if (errno == ECONNRESET || errno == EPIPE) return ConnectionClosed();
      return SocketError(absl::StrCat("receiving from ", peer_name_), errno);
    }
    // Descriptors beyond the control buffer are closed by the kernel
    // (MSG_CTRUNC); those that came are taken or closed here.
    TakeDescriptors(&header, fd);
    if (n == 0) {
      if (frame_bytes_before + received == 0) return ConnectionClosed();
      return absl::UnavailableError(absl::StrCat("connection closed by peer after ",
                                                 frame_bytes_before + received, " of ",
                                                 frame_bytes_before + least, " bytes of a frame"));
    }
    received += static_cast<size_t>(n);
  }
  return received;
}

void Channel::SetReceiveTimeout(absl::Duration timeout) {
  receive_timeout_ms_.store(timeout <= absl::ZeroDuration()
                                ? -1
                                : static_cast<int>(std::clamp<int64_t>(
                                      absl::ToInt64Milliseconds(timeout), 1, 1 << 30)),
                            std::memory_order_relaxed);
}

absl::Status Channel::WaitReadable() {
  pollfd readable{socket_.get(), POLLIN, 0};
  // A frame that is about to come (brief_poll.h) is polled for before poll()
  // sleeps for it. Errors are left to the blocking poll below.
  if (PollBriefly([&] { return poll(&readable, 1, 0) > 0; }, kReceivePollBudget)) {
    return absl::OkStatus();
  }
  for (;;) {
    const int ready = poll(&readable, 1, receive_timeout_ms_.load(std::memory_order_relaxed));
    // Bytes, EOF, a reset or a shutdown: recvmsg says which.
    if (ready > 0) return absl::OkStatus();
    if (ready == 0) {
      return absl::DeadlineExceededError(
          absl::StrCat("no answer from ", peer_name_, " within the receive timeout"));
    }
    if (errno != EINTR) return SocketError(absl::StrCat("waiting for ", peer_name_), errno);
  }
}

absl::Status Channel::FillInbox(size_t needed, size_t ahead, UniqueFd* fd) {
  const size_t unread = inbox_end_ - inbox_begin_;
  if (unread >= needed) return absl::OkStatus();
  // Fewer bytes than a frame header are left: they move to the front.
  std::memmove(inbox_.data(), inbox_.data() + inbox_begin_, unread);
  inbox_begin_ = 0;
  inbox_end_ = unread;
  if (inbox_.size() < needed + ahead) inbox_.resize(needed + ahead);
  absl::StatusOr<size_t> received =
      ReadAtLeast(reinterpret_cast<uint8_t*>(inbox_.data()) + unread, needed - unread,
                  needed + ahead - unread, fd, unread);
  if (!received.ok()) return received.status();
  inbox_end_ += *received;
  return absl::OkStatus();
}

absl::Status Channel::ReceiveFrame(UniqueFd* fd, bool read_ahead) {
  if (fd != nullptr) fd->reset();
  if (absl::Status s = FillInbox(kFrameHeaderBytes, read_ahead ? kFirstChunk : 0, fd); !s.ok()) {
    return s;
  }
  absl::StatusOr<uint32_t> length =
      ParseFrameLength(reinterpret_cast<const uint8_t*>(inbox_.data()) + inbox_begin_);
  if (!length.ok()) return length.status();
  inbox_begin_ += kFrameHeaderBytes;
  // What came with the header first, then the rest straight from the socket.
  const size_t buffered = std::min<size_t>(*length, inbox_end_ - inbox_begin_);
  payload_.assign(inbox_.data() + inbox_begin_, buffered);
  inbox_begin_ += buffered;
  // The buffer grows with the bytes that actually arrive, so a peer that
  // announces a huge frame and sends little costs little memory.
  while (payload_.size() < *length) {
    const size_t have = payload_.size();
    const size_t chunk = std::min<size_t>(*length - have, std::max<size_t>(have, kFirstChunk));
    payload_.resize(have + chunk);
    if (absl::StatusOr<size_t> s =
            ReadAtLeast(reinterpret_cast<uint8_t*>(payload_.data()) + have, chunk, chunk, fd, have);
        !s.ok()) {
      return s.status();
    }
  }
  return absl::OkStatus();
}

void Channel::ReleaseLargeBuffer() {
  if (payload_.capacity() > kKeptBufferBytes) std::string().swap(payload_);
}

absl::Status Channel::ReceiveClientMessage(ClientMessage* message, UniqueFd* fd) {
  if (absl::Status s = ReceiveFrame(fd, /*read_ahead=*/false); !s.ok()) return s;
  const absl::Status status = DecodeClientMessage(
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(payload_.data()), payload_.size()),
      message);
  ReleaseLargeBuffer();
  return status;
}

absl::Status Channel::ReceiveDaemonMessage(DaemonMessage* message, UniqueFd* fd) {
  if (absl::Status s = ReceiveFrame(fd, /*read_ahead=*/fd == nullptr); !s.ok()) return s;
  const absl::Status status = DecodeDaemonMessage(
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(payload_.data()), payload_.size()),
      message);
  ReleaseLargeBuffer();
  return status;
}

void Channel::Shutdown() { shutdown(socket_.get(), SHUT_RDWR); }

absl::StatusOr<remote::PeerCredentials> Channel::PeerCredentials() const {
  if (!is_unix_) {
    return absl::FailedPreconditionError(
        absl::StrCat("no peer credentials on ", peer_name_, ": not a Unix socket"));
  }
  ucred credentials{};
  socklen_t length = sizeof(credentials);
  if (getsockopt(socket_.get(), SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) {
    return absl::FailedPreconditionError(absl::StrCat("SO_PEERCRED: ", std::strerror(errno)));
  }
  return remote::PeerCredentials{credentials.uid, credentials.gid, credentials.pid};
}

}  // namespace hal::remote
