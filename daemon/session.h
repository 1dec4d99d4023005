// One tenant connection: a session. Its thread shakes hands (Hello ->
// Welcome, or a refusal naming both protocol versions), then executes what
// the client sends in order: requests are answered (a blocking wait by the
// thread that received it, which hands receiving to another thread first:
// receiver_role.h; so a wait never stalls the session), one-way commands run on
// their stream's hal::Queue and a failure is kept for the stream's next
// StreamSynchronize/StreamQuery (or, naming no stream, the session's next
// request). Everything is done through the virtual device's own hal::Device,
// so its quota, isolation and scheduling hold for every tenant process.
//
// When the connection ends (EOF, a malformed or hostile frame, a daemon
// shutdown) the session waits for its queues, frees all its objects (their
// charges go back through the ledger) and unregisters.
#ifndef HAL_DAEMON_SESSION_H_
#define HAL_DAEMON_SESSION_H_

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "backends/remote/protocol/channel.h"
#include "backends/remote/protocol/shared_memory.h"
#include "daemon/access_policy.h"
#include "daemon/blocking_waiter.h"
#include "daemon/completion_notifier.h"
#include "daemon/cross_memory.h"
#include "daemon/daemon_context.h"
#include "daemon/handle_table.h"
#include "daemon/receiver_role.h"
#include "daemon/tenant_modules.h"
#include "hal/buffer.h"
#include "hal/event.h"
#include "hal/kernel.h"
#include "hal/queue.h"
#include "hal_remote.pb.h"

namespace hal::daemon {

class Session {
 public:
  // `on_finished` runs on the session's thread once it has freed everything
  // (the server then joins and drops it).
  Session(DaemonContext& daemon, std::unique_ptr<remote::Channel> channel,
          std::function<void()> on_finished);
  ~Session();  // joins the reader thread (call Close() first to end it early)
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void Start();
  // Ends the connection: the reader wakes and the session frees everything.
  void Close();
  bool finished() const { return finished_.load(); }
  uint64_t id() const { return counters_->id(); }

 private:
  using DaemonMessage = remote::v1::DaemonMessage;
  using ClientMessage = remote::v1::ClientMessage;
  // Answers one request, now or later (from a waiter thread).
  using Reply = std::function<void(absl::StatusOr<DaemonMessage>)>;

  struct Stream {
    // hal::Queue is used by one thread at a time: the reader submitting, or
    // a waiter synchronizing or destroying it.
    std::mutex mu;
    std::unique_ptr<Queue> queue;  // guarded by mu
    absl::Status failure;          // first failed one-way command; guarded by mu
  };
  struct TenantEvent {
    std::shared_ptr<Event> event;
    // Set by the first SignalEvent: before it the driver ABI says "not
    // ready" to a query and FailedPrecondition to a wait.
    bool signalled = false;
  };

  // session.cc: the connection.
  void Run();
  absl::Status Handshake();
  absl::Status Serve();
  // Receives and handles frames while the calling thread is the receiver.
  void ReceiveWhileHolding();
  // Runs a blocking wait on this thread while another takes receiving over
  // if a frame comes, or on a waiter thread when no thread can.
  void RunBlocking(std::function<void()> job);
  void TearDown();
  absl::Status Send(const DaemonMessage& message);
  void Answer(uint64_t request_id, absl::StatusOr<DaemonMessage> answer);

  // session_requests.cc: requests (answered).
  void HandleMessage(ClientMessage& message, remote::UniqueFd fd);
  void HandleRequest(ClientMessage& message, remote::UniqueFd fd, Reply reply);
  absl::StatusOr<DaemonMessage> ListDevices();
  absl::StatusOr<DaemonMessage> MemoryInfo(const remote::v1::MemoryInfo& request);
  absl::StatusOr<DaemonMessage> Attach(const remote::v1::Attach& request);
  absl::StatusOr<DaemonMessage> AttachShm(const remote::v1::ShmAttach& request,
                                          remote::UniqueFd fd);
  // Once the session has both its shared memory and its device: registers
  // the memory with the device (host registration) within the daemon's
  // budget (SessionLimits::registered_shared_memory_bytes), so the device
  // copies between it and buffers in place. Where it cannot (no capability,
  // no budget left, the driver refuses), copies read the shared memory as
  // plain host memory, as before; nothing fails.
  void RegisterSharedMemory();
  absl::StatusOr<DaemonMessage> PoolStatus();
  // The pool's overcommit ratio is above 1 (ListedProperties).
  bool PoolOvercommits() const;
  // A request with shared_host_memory and a memfd, on a Unix socket,
  // registers the tenant's memfd (RegisterSharedBuffer: mapped, charged to
  // the quota) and answers shared: a HOST_STAGING one where the device has
  // host registration, a DEVICE one where SharesDeviceMemory; every other
  // request allocates on the device.
  absl::StatusOr<DaemonMessage> AllocateBuffer(const remote::v1::BufferAllocate& request,
                                               remote::UniqueFd fd);
  absl::StatusOr<std::shared_ptr<Buffer>> RegisterSharedBuffer(uint64_t size, remote::UniqueFd fd);
  // Answers the buffer's device address, pinning it first where it would
  // have none otherwise (overcommitted pools); Unimplemented where the
  // virtual device is listed without device-address (ForwardedCapabilities).
  absl::StatusOr<DaemonMessage> BufferDeviceAddress(uint64_t handle);
  absl::StatusOr<DaemonMessage> CreateStream(const remote::v1::StreamCreate& request);
  absl::StatusOr<DaemonMessage> CreateEvent(const remote::v1::EventCreate& request);
  absl::StatusOr<DaemonMessage> QueryStream(uint64_t handle);
  absl::StatusOr<DaemonMessage> QueryEvent(uint64_t handle);
  absl::StatusOr<DaemonMessage> EventTimestamp(uint64_t handle);
  absl::StatusOr<DaemonMessage> LoadModule(remote::v1::ModuleLoad& request);
  absl::StatusOr<DaemonMessage> GetKernel(const remote::v1::KernelGet& request);
  void SynchronizeStream(uint64_t handle, Reply reply);
  void SynchronizeEvent(uint64_t handle, Reply reply);
  void DestroyStream(uint64_t handle, Reply reply);

  // admin_requests.cc: the admin requests (operators only) and the end of
  // the leases of virtual devices this session created.
  absl::StatusOr<DaemonMessage> CreateVirtualDevice(const remote::v1::VirtualDeviceCreate& request);
  absl::StatusOr<DaemonMessage> DestroyVirtualDevice(
      const remote::v1::VirtualDeviceDestroy& request);
  void EndLeases();

  // session_commands.cc: one-way commands.
  // Runs a one-way command; a failure is kept on its stream (or the session).
  void ExecuteOneWay(ClientMessage& command);
  absl::Status Execute(ClientMessage& command);
  // The session's shared memory `range` names, which must be `size` bytes.
  absl::StatusOr<uint8_t*> SharedBytes(const remote::v1::ShmRange& range, uint64_t size) const;
  absl::Status CopyHostToDevice(Stream& stream, remote::v1::CopyHostToDevice& command);
  absl::Status CopyDeviceToHost(Stream& stream, const remote::v1::CopyDeviceToHost& command);
  // Cross-memory attach (daemon/cross_memory.h): the request that turns it
  // on, and the copies that name a tenant address.
  absl::StatusOr<DaemonMessage> AttachCrossMemory(const remote::v1::CrossMemoryAttach& request);
  absl::Status CheckCrossMemoryCopy(const Buffer& buffer, uint64_t offset, uint64_t size) const;
  absl::Status CrossMemoryUpload(Stream& stream, const Buffer& dst,
                                 const remote::v1::CopyHostToDevice& command);
  absl::Status CrossMemoryDownload(Stream& stream, const Buffer& src,
                                   const remote::v1::CopyDeviceToHost& command);
  absl::Status Dispatch(Stream& stream, const remote::v1::Dispatch& command);
  // Signals a marker after the copy just queued on `stream` and hands the
  // notifier what to do once it is reached.
  absl::Status QueueCompletion(Stream& stream, std::unique_ptr<DaemonMessage> message,
                               std::shared_ptr<const void> keep_alive);
  // The stream a command names, borrowed from streams_ (see Borrow).
  absl::StatusOr<Stream*> StreamOf(const ClientMessage& command) const;
  absl::Status RequireAttached() const;

  DaemonContext& daemon_;
  const std::unique_ptr<remote::Channel> channel_;
  const std::function<void()> on_finished_;
  const std::shared_ptr<SessionCounters> counters_;
  std::thread reader_;
  std::atomic<bool> finished_{false};

  // Everything below is the receiver's (the thread holding role_), except
  // where noted.
  google::protobuf::Arena* arena_ = nullptr;   // frames are parsed onto it; set by Serve
  PeerIdentity identity_;                      // SO_PEERCRED and Hello.token, set by Handshake
  std::shared_ptr<remote::SharedMemory> shm_;  // set by AttachShm
  // shm_ registered with device_ (RegisterSharedMemory), or null.
  std::shared_ptr<Buffer> shm_registration_;
  // A pidfd of a Unix-socket peer's SO_PEERCRED pid (set by Handshake), and
  // whether CrossMemoryAttach proved hald may copy to and from its memory.
  std::optional<TenantMemory> tenant_memory_;
  bool cross_memory_ = false;
  // The session's first shared DEVICE buffer is logged, not every one.
  bool shares_device_buffers_ = false;
  std::shared_ptr<VirtualDevice> virtual_device_;  // set by Attach
  std::shared_ptr<Device> device_;
  bool native_kernels_ = false;
  absl::Status session_failure_;  // a failed one-way command naming no stream
  // Inline downloads copied and not yet sent (SessionLimits); released by
  // the notifier's thread.
  std::shared_ptr<std::atomic<uint64_t>> inline_download_bytes_ =
      std::make_shared<std::atomic<uint64_t>>(0);
  HandleTable<std::shared_ptr<Buffer>> buffers_{"buffer", 1u << 20};
  // Shared buffers' charged bytes by handle: they take no device
  // memory (allocated_size 0), but the session's bytes count them as the
  // quota does. Touched by the receiving thread only.
  absl::flat_hash_map<uint64_t, uint64_t> shared_buffer_bytes_;
  HandleTable<std::shared_ptr<Stream>> streams_{"stream", 1024};
  HandleTable<std::shared_ptr<TenantEvent>> events_{"event", 1u << 16};
  HandleTable<std::shared_ptr<const ModuleImage>> modules_{"module", 1024};
  HandleTable<std::shared_ptr<Kernel>> kernels_{"kernel", 1u << 16};
  // Created by Attach; thread-safe. Destroyed in TearDown, notifier after
  // the waiter and the queues.
  std::unique_ptr<CompletionNotifier> notifier_;
  std::unique_ptr<BlockingWaiter> waiter_;
  // Thread-safe. Its helpers run on waiter_; its standby is stopped in TearDown.
  ReceiverRole role_{[this] {
                       return waiter_->TryRun([this] {
                         if (role_.AcquireAsHelper()) ReceiveWhileHolding();
                       });
                     },
                     [this] { ReceiveWhileHolding(); }, channel_->fd()};
};

}  // namespace hal::daemon

#endif  // HAL_DAEMON_SESSION_H_
