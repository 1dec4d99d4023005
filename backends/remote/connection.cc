#include "backends/remote/connection.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <random>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "backends/common/streaming_stores.h"
#include "backends/remote/protocol/status_codec.h"
#include "backends/remote/protocol/wire_version.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

namespace hal::remote {
namespace {

constexpr absl::Duration kConnectTimeout = absl::Seconds(2);
// How long the handshake may take once connected: a daemon that accepts but
// never answers must not hang the tenant's initialize().
constexpr absl::Duration kHandshakeTimeout = absl::Seconds(10);

// Bytes an entry adds to the batch frame: its own size plus the field's tag
// and length prefix.
uint64_t EntryBytes(const ClientMessage& message) { return message.ByteSizeLong() + 16; }
// What precedes an entry's bytes: its tag and length (varints).
constexpr size_t kEntryPrefixBytes = 2 + 5;
// The batch buffer kept between batches: a batch goes out at
// kBatchFlushBytes plus its last entry, at most an inline copy's chunk of
// 1 MiB (transfers.h), so bulk copies reuse warm memory; a rare larger
// entry's buffer is freed after its frame.
constexpr size_t kKeptBatchBytes = 2 << 20;

// Bytes a command moves through shared memory: they count toward sending the
// batch, so the daemon starts on a large copy's first chunks while the
// next ones are being filled.
uint64_t SharedMemoryBytes(const ClientMessage& message) {
  if (message.has_copy_host_to_device()) return message.copy_host_to_device().shm().size();
  if (message.has_copy_device_to_host()) return message.copy_device_to_host().shm().size();
  return 0;
}

// The stream a successful answer to `request` reports complete (every
// command posted to it before the request has run); 0 for other answers.
// A failed synchronize is not one: hald may answer a stream's first failure
// while its later work still runs.
uint64_t CompletedStream(const ClientMessage& request, const DaemonMessage& answer) {
  switch (request.body_case()) {
    case ClientMessage::kStreamSynchronize:
      return request.stream_synchronize().stream();
    case ClientMessage::kStreamDestroy:
      return request.stream_destroy().stream();
    case ClientMessage::kStreamQuery:
      return answer.stream_state().idle() ? request.stream_query().stream() : 0;
    default:
      return 0;
  }
}

}  // namespace

// A caller waiting for the answer to its request.
struct Connection::Pending {
  bool done = false;
  absl::Status status;  // the connection's loss, when it ends first
  DaemonMessage answer;
};

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const Endpoint& endpoint,
                                                             const std::string& token) {
  absl::StatusOr<UniqueFd> socket = Connect(endpoint, kConnectTimeout);
  if (!socket.ok()) {
    return absl::UnavailableError(absl::StrCat("no hald at ", endpoint.ToString(), ": ",
                                               socket.status().message(),
                                               " (set HAL_REMOTE_ENDPOINT)"));
  }
  return OverSocket(*std::move(socket), absl::StrCat("hald at ", endpoint.ToString()), token);
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::OverSocket(UniqueFd socket,
                                                                   std::string daemon_name,
                                                                   const std::string& token) {
  std::unique_ptr<Connection> connection(new Connection(std::move(socket), std::move(daemon_name)));
  if (absl::Status status = connection->Handshake(token); !status.ok()) return status;
  connection->reader_ = std::thread([raw = connection.get()] { raw->ReadLoop(); });
  return connection;
}

Connection::Connection(UniqueFd socket, std::string daemon_name)
    : channel_(std::move(socket)), daemon_name_(std::move(daemon_name)), owner_(getpid()) {}

Connection::~Connection() {
  if (getpid() != owner_) {
    // A forked child's copy: the session and the reader thread are the
    // parent's. shutdown() would end the parent's session and join() wait
    // for a thread this process does not have; only the child's descriptor
    // is closed, and the thread object is left, never joined.
    new std::thread(std::move(reader_));
    // The condition variable's copied state counts the parent's reader as a
    // waiter, whom its destructor would wait for forever: the child's copy
    // is replaced by a fresh one first.
    new (&changed_) std::condition_variable();
    new (&reader_wake_) std::condition_variable();
    return;
  }
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    reader_wake_.notify_one();
  }
  channel_.Shutdown();
  if (reader_.joinable()) reader_.join();
}

absl::Status Connection::Handshake(const std::string& token) {
  ClientMessage hello;
  hello.set_request_id(next_request_id_++);
  v1::Hello& body = *hello.mutable_hello();
  body.set_protocol_major(kProtocolMajor);
  body.set_protocol_minor(kProtocolMinor);
  body.set_client(absl::StrCat("hal remote driver pid ", getpid()));
  body.set_token(token);
  if (absl::Status status = channel_.Send(hello); !status.ok()) {
    return absl::UnavailableError(
        absl::StrCat(daemon_name_, " closed the connection: ", status.message()));
  }
  channel_.SetReceiveTimeout(kHandshakeTimeout);
  DaemonMessage welcome;
  absl::Status received = channel_.ReceiveDaemonMessage(&welcome);
  channel_.SetReceiveTimeout(absl::ZeroDuration());
  if (!received.ok()) {
    return absl::UnavailableError(
        absl::StrCat(daemon_name_, " did not answer Hello: ", received.message()));
  }
  if (welcome.has_status() && welcome.status().code() != 0) {
    return absl::UnavailableError(absl::StrCat(daemon_name_, " refused the connection: ",
                                               FromWire(welcome.status()).message()));
  }
  if (!welcome.has_welcome()) {
    return absl::UnavailableError(
        absl::StrCat(daemon_name_, " answered Hello with something other than Welcome"));
  }
  const v1::Welcome& answer = welcome.welcome();
  if (answer.protocol_major() != kProtocolMajor) {
    return absl::UnavailableError(absl::StrCat(daemon_name_, " speaks protocol ",
                                               answer.protocol_major(), ".",
                                               answer.protocol_minor(), "; this driver speaks ",
                                               kProtocolMajor, ".", kProtocolMinor));
  }
  // A daemon that names no limit, or one larger than ours, gets ours.
  max_frame_bytes_ = answer.max_frame_bytes();
  if (max_frame_bytes_ <= 2 * kFrameOverheadBytes || max_frame_bytes_ > kMaxFrameBytes) {
    max_frame_bytes_ = kMaxFrameBytes;
  }
  session_ = answer.session();
  daemon_protocol_minor_ = answer.protocol_minor();
  daemon_pid_ = answer.cross_memory_pid();
  return absl::OkStatus();
}

// --- Requests and the batch ---

absl::StatusOr<DaemonMessage> Connection::Call(ClientMessage request, int fd_to_pass) {
  // Refused here rather than by the channel, which would end the session.
  if (EntryBytes(request) > max_frame_bytes_) {
    return absl::InvalidArgumentError(
        absl::StrCat("a request of ", request.ByteSizeLong(), " bytes is larger than the ",
                     max_frame_bytes_, " bytes ", daemon_name_, " accepts in one message"));
  }
  Pending pending;
  const uint64_t id = next_request_id_++;
  request.set_request_id(id);
  {
    std::lock_guard lock(mutex_);
    if (lost_) return LostStatusLocked();
    pending_.emplace(id, &pending);
  }
  absl::Status sent;
  Mark mark;
  {
    std::lock_guard lock(send_mutex_);
    // The batch rides in the request's frame when both fit, else goes first.
    if (batch_used_ + EntryBytes(request) > max_frame_bytes_) sent = FlushLocked();
    if (sent.ok()) {
      mark = posted_;
      batch_flush_entries_ = kFirstBatchFlushEntries;
      sent = SendLocked(request, fd_to_pass);
    }
  }
  std::unique_lock lock(mutex_);
  if (!sent.ok()) {
    pending_.erase(id);
    return sent;
  }
  WaitLocked(lock, [&] { return pending.done; });
  if (!pending.status.ok()) return pending.status;
  if (pending.answer.has_status() && pending.answer.status().code() != 0) {
    return FromWire(pending.answer.status());
  }
  if (const uint64_t stream = CompletedStream(request, pending.answer); stream != 0) {
    SettleLocked(stream, mark);
  }
  return std::move(pending.answer);
}

absl::Status Connection::Post(const ClientMessage& command) {
  std::lock_guard lock(send_mutex_);
  return PostLocked(command);
}

absl::Status Connection::PostDownload(ClientMessage command, uint8_t* destination) {
  std::lock_guard lock(send_mutex_);
  v1::CopyDeviceToHost& copy = *command.mutable_copy_device_to_host();
  const uint64_t id = ++posted_.download;
  copy.set_download(id);
  {
    std::lock_guard state_lock(mutex_);
    downloads_.emplace(id, Download{destination, copy.size(),
                                    copy.has_shm() ? std::optional<ShmRange>(copy.shm())
                                                   : std::nullopt,
                                    copy.stream(), copy.has_tenant_address()});
    WakeReaderLocked();  // it now expects this DownloadComplete
  }
  return PostLocked(command);
}

absl::Status Connection::PostLocked(const ClientMessage& command) {
  if (lost_) {
    std::lock_guard state_lock(mutex_);
    return LostStatusLocked();
  }
  const uint64_t bytes = EntryBytes(command);
  if (batch_used_ + bytes > max_frame_bytes_) {
    if (absl::Status status = FlushLocked(); !status.ok()) return status;
  }
  if (command.has_copy_host_to_device() && command.copy_host_to_device().has_shm()) {
    const v1::CopyHostToDevice& copy = command.copy_host_to_device();
    std::lock_guard state_lock(mutex_);
    upload_ranges_[copy.shm().offset()] =
        UploadRange{copy.shm().size(), copy.stream(), ++posted_.upload};
    WakeReaderLocked();  // it now expects this ShmReleased
  }
  batch_moved_bytes_ += SharedMemoryBytes(command);
  AppendEntry(command);
  ++batch_entries_;
  if (batch_used_ + batch_moved_bytes_ >= kBatchFlushBytes ||
      batch_entries_ >= batch_flush_entries_ || space_waiters_ > 0) {
    batch_flush_entries_ = std::min(2 * batch_flush_entries_, kBatchFlushEntries);
    return FlushLocked();
  }
  return absl::OkStatus();
}

absl::Status Connection::Flush() {
  std::lock_guard lock(send_mutex_);
  return FlushLocked();
}

absl::Status Connection::FlushLocked() {
  if (batch_entries_ == 0) return absl::OkStatus();
  return SendLocked(ClientMessage(), -1);
}

void Connection::AppendEntry(const ClientMessage& command) {
  using google::protobuf::io::CodedOutputStream;
  using google::protobuf::internal::WireFormatLite;
  // EntryBytes computed the size; it is cached in the message.
  const uint32_t size = static_cast<uint32_t>(command.GetCachedSize());
  const size_t needed = batch_used_ + kEntryPrefixBytes + size;
  if (batch_.size() < needed) batch_.resize(std::max(needed, 2 * batch_.size()));
  uint8_t* out = reinterpret_cast<uint8_t*>(batch_.data()) + batch_used_;
  out = CodedOutputStream::WriteTagToArray(
      WireFormatLite::MakeTag(ClientMessage::kBatchFieldNumber,
                              WireFormatLite::WIRETYPE_LENGTH_DELIMITED),
      out);
  out = CodedOutputStream::WriteVarint32ToArray(size, out);
  out = command.SerializeWithCachedSizesToArray(out);
  batch_used_ = out - reinterpret_cast<uint8_t*>(batch_.data());
}

absl::Status Connection::SendLocked(const ClientMessage& message, int fd_to_pass) {
  if (lost_) {
    std::lock_guard lock(mutex_);
    return LostStatusLocked();
  }
  // The entries follow the message's own fields, as protobuf orders a
  // request's fields before its batch (field 30).
  absl::Status status = channel_.SendWithFields(
      message, absl::string_view(batch_.data(), batch_used_), fd_to_pass);
  batch_used_ = 0;
  batch_entries_ = 0;
  batch_moved_bytes_ = 0;
  // A batch of inline copies grew it large: not kept for the next one.
  if (batch_.size() > kKeptBatchBytes) std::string().swap(batch_);
  if (status.ok()) return status;
  MarkLost(status);
  std::lock_guard lock(mutex_);
  return LostStatusLocked();
}

// --- The reader ---

void Connection::ReadLoop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    reader_wake_.wait(lock,
                      [&] { return stopping_ || lost_ || (!reading_ && NotificationsDueLocked()); });
    if (stopping_ || lost_) return;
    ReadOneLocked(lock);
  }
}

void Connection::ReadOneLocked(std::unique_lock<std::mutex>& lock) {
  reading_ = true;
  lock.unlock();
  DaemonMessage message;
  absl::Status status = channel_.ReceiveDaemonMessage(&message);
  if (status.ok()) status = Dispatch(message);
  if (!status.ok()) MarkLost(status);
  lock.lock();
  reading_ = false;
  changed_.notify_all();
  WakeReaderLocked();
}

bool Connection::NotificationsDueLocked() const {
  return !downloads_.empty() || !upload_ranges_.empty();
}

void Connection::WakeReaderLocked() {
  if (!reading_ && NotificationsDueLocked()) reader_wake_.notify_one();
}

absl::Status Connection::Dispatch(DaemonMessage& message) {
  if (message.request_id() != 0) return Answer(message);
  switch (message.body_case()) {
    case DaemonMessage::kDownloadComplete:
      return CompleteDownload(message);
    case DaemonMessage::kShmReleased:
      return ReleaseRange(message.shm_released().range());
    default:
      return absl::InternalError(absl::StrCat(
          "an asynchronous message of unexpected kind ", static_cast<int>(message.body_case())));
  }
}

absl::Status Connection::Answer(DaemonMessage& message) {
  std::lock_guard lock(mutex_);
  const auto it = pending_.find(message.request_id());
  if (it == pending_.end()) {
    return absl::InternalError(
        absl::StrCat("an answer to request ", message.request_id(), ", which no one waits for"));
  }
  Pending& pending = *it->second;
  pending_.erase(it);
  pending.answer = std::move(message);
  pending.done = true;
  changed_.notify_all();
  return absl::OkStatus();
}

absl::Status Connection::CompleteDownload(const DaemonMessage& message) {
  const v1::DownloadComplete& complete = message.download_complete();
  Download download;
  {
    std::lock_guard lock(mutex_);
    const auto it = downloads_.find(complete.download());
    if (it == downloads_.end()) {
      return absl::InternalError(
          absl::StrCat("DownloadComplete for unknown download ", complete.download()));
    }
    download = it->second;
  }
  // The bytes are copied outside the lock; the entry stays until they are.
  const bool failed = message.has_status() && message.status().code() != 0;
  if (!failed && !download.cross_memory) {
    if (download.range.has_value()) {
      if (!complete.has_shm() || complete.shm().offset() != download.range->offset() ||
          complete.shm().size() != download.range->size()) {
        return absl::InternalError(absl::StrCat("DownloadComplete for download ",
                                                complete.download(),
                                                " names another shared-memory range"));
      }
      // The ring stays in the caches for the next chunk; the destination
      // need not (streaming_stores.h).
      driver_support::StreamingCopy(
          download.destination, shared_memory_->data() + download.range->offset(), download.size);
    } else {
      if (!complete.has_inline_data() || complete.inline_data().size() != download.size) {
        return absl::InternalError(absl::StrCat("DownloadComplete for download ",
                                                complete.download(), " carries ",
                                                complete.inline_data().size(), " bytes, not ",
                                                download.size));
      }
      std::memcpy(download.destination, complete.inline_data().data(), download.size);
    }
  }
  std::lock_guard lock(mutex_);
  if (downloads_.erase(complete.download()) != 0) FreeRangeLocked(download.range);
  return absl::OkStatus();
}

absl::Status Connection::ReleaseRange(const ShmRange& range) {
  std::lock_guard lock(mutex_);
  const auto it = upload_ranges_.find(range.offset());
  if (it == upload_ranges_.end() || it->second.size != range.size()) {
    return absl::InternalError(absl::StrCat("ShmReleased for [", range.offset(), ", +",
                                            range.size(), "), which no upload holds"));
  }
  upload_ranges_.erase(it);
  FreeRangeLocked(range);
  return absl::OkStatus();
}

void Connection::FreeRangeLocked(const std::optional<ShmRange>& range) {
  if (!range.has_value()) return;
  ranges_->Free(range->offset());
  ++releases_;
  changed_.notify_all();
}

void Connection::SettleLocked(uint64_t stream, const Mark& mark) {
  for (auto it = downloads_.begin(); it != downloads_.end() && it->first <= mark.download;) {
    if (it->second.stream != stream) {
      ++it;
      continue;
    }
    FreeRangeLocked(it->second.range);
    it = downloads_.erase(it);
  }
  for (auto it = upload_ranges_.begin(); it != upload_ranges_.end();) {
    if (it->second.stream != stream || it->second.sequence > mark.upload) {
      ++it;
      continue;
    }
    ShmRange range;
    range.set_offset(it->first);
    range.set_size(it->second.size);
    FreeRangeLocked(range);
    it = upload_ranges_.erase(it);
  }
}

void Connection::MarkLost(const absl::Status& cause) {
  {
    std::lock_guard lock(mutex_);
    if (lost_) return;
    // EOF reads "connection closed by peer"; anything else (a malformed
    // frame, a protocol violation) is named after it.
    lost_status_ = absl::UnavailableError(
        absl::StrCat(daemon_name_, " closed the connection (", cause.message(), ")"));
    lost_ = true;
    for (auto& [id, pending] : pending_) {
      pending->status = lost_status_;
      pending->done = true;
    }
    pending_.clear();
    changed_.notify_all();
    reader_wake_.notify_one();
  }
  // Wakes the reader when a send failed first.
  channel_.Shutdown();
}

absl::Status Connection::LostStatusLocked() const { return lost_status_; }

// --- Shared memory ---

absl::Status Connection::AttachSharedMemory(uint64_t bytes) {
  if (!channel_.is_unix()) {
    return absl::FailedPreconditionError("shared memory needs a Unix socket");
  }
  absl::StatusOr<SharedMemory> memory = SharedMemory::Create(bytes, "hal-remote-session");
  if (!memory.ok()) return memory.status();
  // The tenant's memory, charged to the tenant before hald maps it (and,
  // where its device has host registration, pins it).
  memory->PopulateHere();
  ClientMessage attach;
  attach.mutable_shm_attach()->set_size(bytes);
  if (absl::StatusOr<DaemonMessage> answer = Call(std::move(attach), memory->fd()); !answer.ok()) {
    return answer.status();
  }
  std::lock_guard lock(mutex_);
  ranges_.emplace(bytes);
  shared_memory_ = *std::move(memory);
  return absl::OkStatus();
}

// --- Cross-memory attach ---

absl::Status Connection::AttachCrossMemory() {
  if (!channel_.is_unix() || daemon_pid_ == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(daemon_name_, " offers no cross-memory attach"));
  }
  // Under Yama's ptrace_scope 1 only an ancestor or the process named here
  // may read this one's memory. EINVAL where Yama is absent: nothing to do.
  prctl(PR_SET_PTRACER, static_cast<unsigned long>(daemon_pid_), 0, 0, 0);
  std::random_device random;
  for (char& byte : canary_) byte = static_cast<char>(random());
  ClientMessage request;
  v1::CrossMemoryAttach& attach = *request.mutable_cross_memory_attach();
  attach.set_pid(static_cast<uint64_t>(getpid()));
  attach.set_canary_address(reinterpret_cast<uintptr_t>(canary_.data()));
  attach.set_canary(canary_.data(), canary_.size());
  if (absl::StatusOr<DaemonMessage> answer = Call(std::move(request)); !answer.ok()) {
    return answer.status();
  }
  cross_memory_ = true;
  return absl::OkStatus();
}

absl::StatusOr<ShmRange> Connection::AllocateRange(uint64_t size) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (lost_) return LostStatusLocked();
    if (std::optional<uint64_t> offset = ranges_->Allocate(size)) {
      ShmRange range;
      range.set_offset(*offset);
      range.set_size(size);
      return range;
    }
    if (size > ranges_->capacity()) {
      return absl::InternalError(absl::StrCat("a transfer chunk of ", size,
                                              " bytes exceeds the shared memory's ",
                                              ranges_->capacity()));
    }
    // What holds the memory may still sit in the batch: send it, and have
    // Post send what others add while this thread waits.
    const uint64_t releases = releases_;
    ++space_waiters_;
    lock.unlock();
    absl::Status flushed = Flush();
    lock.lock();
    if (flushed.ok()) WaitLocked(lock, [&] { return lost_ || releases_ != releases; });
    --space_waiters_;
    if (!flushed.ok()) return flushed;
  }
}

// --- Downloads ---

absl::Status Connection::WaitForDownloads() {
  std::set<uint64_t> streams;
  {
    std::lock_guard lock(mutex_);
    if (lost_) return LostStatusLocked();
    for (const auto& [id, download] : downloads_) streams.insert(download.stream);
  }
  // A successful synchronize settles the stream's downloads; a failed one
  // (the stream's first failure) leaves them to its destroy, and the wait is
  // over for them: their bytes are not coming.
  for (uint64_t stream : streams) {
    ClientMessage request;
    request.mutable_stream_synchronize()->set_stream(stream);
    absl::StatusOr<DaemonMessage> answer = Call(std::move(request));
    if (!answer.ok() && lost_) return answer.status();
  }
  return absl::OkStatus();
}

}  // namespace hal::remote
