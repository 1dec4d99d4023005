// The connection side of a session: handshake, the receive loop, answers,
// and freeing everything at the end.
#include "daemon/session.h"

#include <unistd.h>

#include <iostream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backends/remote/protocol/status_codec.h"
#include "backends/remote/protocol/wire_version.h"
#include "google/protobuf/arena.h"

namespace hal::daemon {
namespace {

// Waits that may run at once for one session (each a thread while it runs).
constexpr size_t kMaxConcurrentWaits = 16;
// The arena block a session keeps for parsing frames: a full batch of
// dispatches (1024 of them, a few hundred bytes each once parsed) fits.
constexpr size_t kArenaFirstBlockBytes = 512 << 10;

}  // namespace

Session::Session(DaemonContext& daemon, std::unique_ptr<remote::Channel> channel,
                 std::function<void()> on_finished)
    : daemon_(daemon),
      channel_(std::move(channel)),
      on_finished_(std::move(on_finished)),
      counters_(daemon.sessions().Register(channel_->peer_name())),
      waiter_(std::make_unique<BlockingWaiter>(kMaxConcurrentWaits)) {
  counters_->SetCloser([this] { Close(); });
}

Session::~Session() {
  if (reader_.joinable()) reader_.join();
}

void Session::Start() {
  reader_ = std::thread([this] { Run(); });
}

void Session::Close() { channel_->Shutdown(); }

void Session::Run() {
  std::cerr << "hald: session " << id() << " opened by " << channel_->peer_name() << "\n";
  absl::Status status = Handshake();
  if (status.ok()) status = Serve();
  const std::string attached =
      virtual_device_ ? absl::StrCat(" (virtual device ", virtual_device_->name(), ")") : "";
  TearDown();
  std::cerr << "hald: session " << id() << attached << " closed: " << status.message() << "\n";
  finished_.store(true);
  on_finished_();
}

absl::Status Session::Handshake() {
  ClientMessage hello;
  if (absl::Status status = channel_->ReceiveClientMessage(&hello); !status.ok()) return status;
  absl::Status refusal;
  if (hello.body_case() != ClientMessage::kHello) {
    refusal = absl::FailedPreconditionError("the first message of a connection must be Hello");
  } else if (hello.hello().protocol_major() != remote::kProtocolMajor) {
    refusal = absl::FailedPreconditionError(absl::StrCat(
        "the client speaks hald protocol ", hello.hello().protocol_major(), ".",
        hello.hello().protocol_minor(), ", this hald speaks ", remote::kProtocolMajor, ".",
        remote::kProtocolMinor, " (a different major version)"));
  }
  if (!refusal.ok()) {
    Answer(hello.request_id(), refusal);
    return refusal;
  }
  identity_.name = channel_->peer_name();
  identity_.token = hello.hello().token();
  if (absl::StatusOr<remote::PeerCredentials> credentials = channel_->PeerCredentials();
      credentials.ok()) {
    identity_.unix_socket = true;
    identity_.uid = credentials->uid;
    identity_.gid = credentials->gid;
    identity_.pid = credentials->pid;
    identity_.in_daemon_pid_namespace = InDaemonPidNamespace(credentials->pid);
    if (absl::StatusOr<TenantMemory> memory = TenantMemory::Open(credentials->pid); memory.ok()) {
      tenant_memory_.emplace(*std::move(memory));
    }
  }
  identity_.scope = daemon_.policy()->ScopeOf(identity_);
  DaemonMessage welcome;
  remote::v1::Welcome& body = *welcome.mutable_welcome();
  body.set_protocol_major(remote::kProtocolMajor);
  body.set_protocol_minor(remote::kProtocolMinor);
  body.set_daemon(absl::StrCat("hald ", HAL_DAEMON_VERSION));
  body.set_session(id());
  body.set_max_frame_bytes(remote::kMaxFrameBytes);
  if (tenant_memory_.has_value()) body.set_cross_memory_pid(getpid());
  Answer(hello.request_id(), std::move(welcome));
  return absl::OkStatus();
}

absl::Status Session::Serve() {
  // Each frame is parsed onto an arena that is reset between frames and keeps
  // its first block: a batch of a thousand dispatches costs no allocation to
  // parse and none to free, where a heap-parsed one cost thousands of each.
  std::vector<char> first_block(kArenaFirstBlockBytes);
  google::protobuf::ArenaOptions options;
  options.initial_block = first_block.data();
  options.initial_block_size = first_block.size();
  // One arena serves whichever thread receives: one at a time does.
  google::protobuf::Arena arena(options);
  arena_ = &arena;
  // Receiving ends on the thread that meets the end; this one waits for it.
  while (role_.Acquire()) ReceiveWhileHolding();
  return role_.end_status();
}

void Session::ReceiveWhileHolding() {
  do {
    arena_->Reset();
    ClientMessage* message = google::protobuf::Arena::CreateMessage<ClientMessage>(arena_);
    remote::UniqueFd fd;
    // A malformed frame leaves the stream out of step: the session ends.
    if (absl::Status status =
            channel_->ReceiveClientMessage(message, channel_->is_unix() ? &fd : nullptr);
        !status.ok()) {
      role_.End(status);
      return;
    }
    HandleMessage(*message, std::move(fd));
  } while (role_.HoldsRole());
}

void Session::RunBlocking(std::function<void()> job) {
  if (role_.BeginInlineWait()) {
    job();
    role_.EndInlineWait();
  } else if (role_.HandOff()) {
    job();
  } else {
    waiter_->Run(std::move(job));
  }
}

absl::Status Session::Send(const DaemonMessage& message) { return channel_->Send(message); }

void Session::Answer(uint64_t request_id, absl::StatusOr<DaemonMessage> answer) {
  DaemonMessage message;
  if (answer.ok()) {
    message = *std::move(answer);
  } else {
    *message.mutable_status() = remote::ToWire(answer.status());
  }
  message.set_request_id(request_id);
  // A failed send means the client is gone; the reader sees that too.
  Send(message).IgnoreError();
}

void Session::TearDown() {
  channel_->Shutdown();  // the client learns at once; late answers go nowhere
  waiter_.reset();  // finishes what was waiting
  role_.StopStandby();
  streams_.ForEach([](const std::shared_ptr<Stream>& stream) {
    std::lock_guard<std::mutex> lock(stream->mu);
    stream->queue.reset();  // waits for its work
  });
  streams_.Clear();
  notifier_.reset();
  kernels_.Clear();
  modules_.Clear();
  events_.Clear();
  buffers_.Clear();  // the charges go back to the virtual device's quota
  shared_buffer_bytes_.clear();
  shm_registration_.reset();  // its keep_alive unmaps shm_ and returns the budget
  device_.reset();
  virtual_device_.reset();
  shm_.reset();
  daemon_.sessions().Unregister(id());
  EndLeases();  // after Unregister: a destroy waits for attached sessions, this one too
}

}  // namespace hal::daemon
