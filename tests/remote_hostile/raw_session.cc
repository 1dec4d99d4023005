#include "tests/remote_hostile/raw_session.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "backends/remote/protocol/status_codec.h"
#include "backends/remote/protocol/wire_version.h"
#include "hal/status_macros.h"

namespace hal::testing {

using remote::v1::ClientMessage;
using remote::v1::DaemonMessage;

absl::StatusOr<remote::UniqueFd> ConnectRaw(const remote::Endpoint& endpoint) {
  HAL_ASSIGN_OR_RETURN(remote::UniqueFd fd, remote::Connect(endpoint, absl::Seconds(2)));
  const timeval timeout = absl::ToTimeval(kReceiveTimeout);
  if (setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) != 0) {
    return absl::InternalError(absl::StrCat("SO_RCVTIMEO: ", std::strerror(errno)));
  }
  return fd;
}

absl::Status WriteAll(int fd, const std::string& bytes) {
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = send(fd, bytes.data() + written, bytes.size() - written, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::UnavailableError(absl::StrCat("send: ", std::strerror(errno)));
    written += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

std::string FrameHeader(uint32_t length) {
  std::string header(4, '\0');
  for (int i = 0; i < 4; ++i) header[i] = static_cast<char>(length >> (8 * i));
  return header;
}

absl::Status WaitForClose(int fd) {
  const absl::Time deadline = absl::Now() + kReceiveTimeout;
  char sink[4096];
  while (absl::Now() < deadline) {
    pollfd readable{fd, POLLIN, 0};
    const int remaining_ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (poll(&readable, 1, remaining_ms > 0 ? remaining_ms : 0) <= 0) break;
    const ssize_t n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) return absl::OkStatus();
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return absl::InternalError(absl::StrCat("recv: ", std::strerror(errno)));
    }
  }
  return absl::DeadlineExceededError(absl::StrCat("the daemon kept the connection open for ",
                                                  absl::FormatDuration(kReceiveTimeout)));
}

absl::StatusOr<std::unique_ptr<RawSession>> RawSession::Connect(const remote::Endpoint& endpoint) {
  HAL_ASSIGN_OR_RETURN(remote::UniqueFd fd, ConnectRaw(endpoint));
  return std::unique_ptr<RawSession>(new RawSession(std::move(fd)));
}

absl::StatusOr<std::unique_ptr<RawSession>> RawSession::Open(const remote::Endpoint& endpoint,
                                                             const std::string& virtual_device) {
  HAL_ASSIGN_OR_RETURN(std::unique_ptr<RawSession> session, Connect(endpoint));
  HAL_RETURN_IF_ERROR(session->Hello(remote::kProtocolMajor));
  HAL_RETURN_IF_ERROR(session->Attach(virtual_device));
  return session;
}

absl::Status RawSession::Hello(uint32_t protocol_major) {
  ClientMessage message;
  message.mutable_hello()->set_protocol_major(protocol_major);
  message.mutable_hello()->set_protocol_minor(remote::kProtocolMinor);
  message.mutable_hello()->set_client("hal_remote_hostile_tests");
  HAL_ASSIGN_OR_RETURN(const DaemonMessage answer, Call(std::move(message)));
  HAL_RETURN_IF_ERROR(remote::FromWire(answer.status()));
  if (!answer.has_welcome()) return absl::InternalError("Hello was answered without a Welcome");
  return absl::OkStatus();
}

absl::Status RawSession::Attach(const std::string& virtual_device) {
  ClientMessage message;
  message.mutable_attach()->set_virtual_device(virtual_device);
  return Request(std::move(message));
}

absl::StatusOr<DaemonMessage> RawSession::Call(ClientMessage message, int fd) {
  const uint64_t id = next_request_id_++;
  message.set_request_id(id);
  HAL_RETURN_IF_ERROR(channel_->Send(message, fd));
  for (;;) {
    DaemonMessage answer;
    HAL_RETURN_IF_ERROR(channel_->ReceiveDaemonMessage(&answer));
    if (answer.request_id() == id) return answer;
    if (answer.request_id() != 0) {
      return absl::InternalError(absl::StrCat("an answer to request ", answer.request_id(),
                                              " arrived while waiting for ", id));
    }
    if (answer.has_download_complete()) {
      downloads_[answer.download_complete().download()] = answer.download_complete().inline_data();
    }
  }
}

absl::Status RawSession::Request(ClientMessage message, int fd) {
  HAL_ASSIGN_OR_RETURN(const DaemonMessage answer, Call(std::move(message), fd));
  return remote::FromWire(answer.status());
}

absl::Status RawSession::Send(const ClientMessage& message) { return channel_->Send(message); }

absl::Status RawSession::SendRaw(const std::string& bytes) {
  return WriteAll(channel_->fd(), bytes);
}

absl::Status RawSession::WaitForClose() { return testing::WaitForClose(channel_->fd()); }

absl::Status RawSession::Allocate(uint64_t buffer, uint64_t size) {
  ClientMessage message;
  remote::v1::BufferAllocate& allocate = *message.mutable_buffer_allocate();
  allocate.set_buffer(buffer);
  allocate.set_size(size);
  return Request(std::move(message));
}

absl::Status RawSession::CreateStream(uint64_t stream) {
  ClientMessage message;
  message.mutable_stream_create()->set_stream(stream);
  return Request(std::move(message));
}

absl::Status RawSession::Upload(uint64_t stream, uint64_t buffer, uint64_t offset,
                                const std::string& bytes) {
  ClientMessage message = CopyToDevice(stream, buffer, offset, bytes.size());
  message.mutable_copy_host_to_device()->set_inline_data(bytes);
  return Send(message);
}

absl::Status RawSession::Synchronize(uint64_t stream) {
  ClientMessage message;
  message.mutable_stream_synchronize()->set_stream(stream);
  return Request(std::move(message));
}

absl::StatusOr<std::string> RawSession::Download(uint64_t stream, uint64_t buffer, uint64_t offset,
                                                 uint64_t size) {
  const uint64_t download = next_download_++;
  HAL_RETURN_IF_ERROR(Send(CopyToHost(stream, buffer, offset, size, download)));
  HAL_RETURN_IF_ERROR(Synchronize(stream));
  const auto found = downloads_.find(download);
  if (found == downloads_.end()) {
    return absl::InternalError(
        absl::StrCat("the stream synchronized before download ", download, " was delivered"));
  }
  std::string bytes = std::move(found->second);
  downloads_.erase(found);
  return bytes;
}

absl::Status RawSession::RoundTrip(const std::string& bytes) {
  HAL_RETURN_IF_ERROR(Upload(1, 1, 0, bytes));
  HAL_ASSIGN_OR_RETURN(const std::string read, Download(1, 1, 0, bytes.size()));
  if (read != bytes) return absl::InternalError("the buffer read back other bytes than written");
  return absl::OkStatus();
}

ClientMessage CopyToDevice(uint64_t stream, uint64_t buffer, uint64_t offset, uint64_t size) {
  ClientMessage message;
  remote::v1::CopyHostToDevice& copy = *message.mutable_copy_host_to_device();
  copy.set_stream(stream);
  copy.set_dst(buffer);
  copy.set_dst_offset(offset);
  copy.set_size(size);
  return message;
}

ClientMessage CopyToHost(uint64_t stream, uint64_t buffer, uint64_t offset, uint64_t size,
                         uint64_t download) {
  ClientMessage message;
  remote::v1::CopyDeviceToHost& copy = *message.mutable_copy_device_to_host();
  copy.set_stream(stream);
  copy.set_src(buffer);
  copy.set_src_offset(offset);
  copy.set_size(size);
  copy.set_download(download);
  return message;
}

std::string Pattern(uint64_t size, uint32_t seed) {
  std::string bytes(size, '\0');
  uint32_t state = seed * 2654435761u + 1;
  for (char& byte : bytes) {
    state = state * 1664525u + 1013904223u;
    byte = static_cast<char>(state >> 24);
  }
  return bytes;
}

}  // namespace hal::testing
