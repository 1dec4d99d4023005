// One connection to hald, the tenant side of a session: requests answered in
// any order, one-way commands batched, the session's shared memory, and the
// asynchronous notifications (DownloadComplete, ShmReleased).
//
// One thread at a time receives daemon messages and handles them in arrival
// order (notifications before anyone waiting for a later answer is woken), so
// a caller that sees a stream complete has its downloaded bytes already. A
// caller waiting for an answer (or for shared memory) receives itself when no
// one else does, so a lone round trip costs no thread hop on this side; a
// reader thread receives while notifications are due and no caller does. A lost
// connection (EOF, a failed send, a malformed frame) fails every waiter and
// every later call with Unavailable "hald at <endpoint> closed the
// connection"; nothing waits for an answer that cannot come. A forked child's
// copy leaves the parent's session alone when destroyed.
#ifndef HAL_BACKENDS_REMOTE_CONNECTION_H_
#define HAL_BACKENDS_REMOTE_CONNECTION_H_

#include <sys/types.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "backends/remote/protocol/channel.h"
#include "backends/remote/protocol/endpoint.h"
#include "backends/remote/protocol/frame_codec.h"
#include "backends/remote/protocol/shared_memory.h"
#include "backends/remote/protocol/unique_fd.h"
#include "backends/remote/range_allocator.h"

namespace hal::remote {

class Connection {
 public:
  // The batch is sent once it holds (or moves through shared memory) this
  // many bytes, or holds this many entries (or a request goes out, or
  // someone waits for shared memory).
  static constexpr uint64_t kBatchFlushBytes = 256u << 10;
  static constexpr int kBatchFlushEntries = 1024;
  // After a request, which hald answers once it has caught up, the first
  // batch goes out at this many entries and each next one at twice the last,
  // up to kBatchFlushEntries: hald starts on the commands while the tenant
  // builds the rest, instead of idling until a whole batch is built.
  static constexpr int kFirstBatchFlushEntries = 32;
  // Bytes a frame keeps for the message around inline data.
  static constexpr uint64_t kFrameOverheadBytes = 4096;

  // Connects to `endpoint` (2 s timeout), says Hello with `token`, reads
  // Welcome. Unavailable "no hald at <endpoint>: ..." when no one listens;
  // Unavailable with the daemon's message when it refuses the Hello.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const Endpoint& endpoint,
                                                          const std::string& token);
  // The same handshake over a socket already connected to a daemon;
  // `daemon_name` names it in messages (tests use a socketpair).
  static absl::StatusOr<std::unique_ptr<Connection>> OverSocket(UniqueFd socket,
                                                                std::string daemon_name,
                                                                const std::string& token);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends `request` (a request id is set) with the batched one-way commands
  // ahead of it, and blocks for its answer. A failure the daemon answers is
  // returned as its status; a lost connection is Unavailable. A successful
  // answer that reports a stream complete (synchronize, an idle query,
  // destroy) also settles the stream's copies whose notice never came
  // (commands the daemon refused): their downloads are dropped and their
  // shared memory is free again.
  absl::StatusOr<DaemonMessage> Call(ClientMessage request, int fd_to_pass = -1);
  // Appends a one-way command to the batch (serialized at once: the caller
  // may reuse the message), sending the batch when it is full. Unavailable
  // once the connection is lost. A CopyHostToDevice's shared-memory range is
  // held until its ShmReleased.
  absl::Status Post(const ClientMessage& command);
  // Sends the batch now.
  absl::Status Flush();

  // Creates the session's shared memory of `bytes` and sends it with
  // ShmAttach (Unix sockets only: FailedPrecondition on TCP).
  absl::Status AttachSharedMemory(uint64_t bytes);
  bool has_shared_memory() const { return shared_memory_.has_value(); }
  uint8_t* shared_memory_data() const { return shared_memory_->data(); }
  uint64_t shared_memory_size() const { return shared_memory_->size(); }

  // Cross-memory attach (Unix sockets, where Welcome named hald's pid): lets
  // hald ptrace-read and write this process (prctl(PR_SET_PTRACER) for Yama)
  // and asks it to copy straight to and from the addresses later copies name
  // (hald probes a canary). FailedPrecondition where hald offers none; the
  // daemon's status when it refuses. Copies then use shared memory.
  absl::Status AttachCrossMemory();
  bool has_cross_memory() const { return cross_memory_; }

  // A range of shared memory (size <= shared_memory_size()) for one copy.
  // Blocks while the memory is full, sending the batch first so that what
  // holds it can complete. An upload's range comes back with its
  // ShmReleased, a download's with its DownloadComplete.
  absl::StatusOr<ShmRange> AllocateRange(uint64_t size);

  // Posts a CopyDeviceToHost (its download id is set here) whose bytes the
  // reader copies to `destination` when its DownloadComplete arrives.
  absl::Status PostDownload(ClientMessage command, uint8_t* destination);
  // Sends the batch and blocks until every download posted so far has
  // arrived: each stream with downloads in flight is synchronized.
  absl::Status WaitForDownloads();

  // The most bytes of data one message may carry inline.
  uint64_t max_inline_bytes() const { return max_frame_bytes_ - kFrameOverheadBytes; }
  uint64_t session() const { return session_; }
  // The minor version of the protocol the daemon speaks (Welcome): what it
  // added since this driver's major is what may be sent to it.
  uint32_t daemon_protocol_minor() const { return daemon_protocol_minor_; }
  // "hald at unix:/run/hal/hald.sock".
  const std::string& daemon_name() const { return daemon_name_; }
  bool is_unix() const { return channel_.is_unix(); }

 private:
  struct Pending;
  struct Download {
    uint8_t* destination;
    uint64_t size;
    std::optional<ShmRange> range;
    uint64_t stream;
    bool cross_memory;  // hald writes the bytes itself; the notice has none
  };
  struct UploadRange {
    uint64_t size;
    uint64_t stream;
    uint64_t sequence;  // order of posting, for SettleLocked
  };
  // What was posted before a request went out: downloads and uploads up to
  // these are behind the request in the daemon's order.
  struct Mark {
    uint64_t download = 0;
    uint64_t upload = 0;
  };

  Connection(UniqueFd socket, std::string daemon_name);
  absl::Status Handshake(const std::string& token);
  void ReadLoop();
  // Receives and handles one message as the connection's receiver
  // (`reading_`); `lock` holds mutex_ before and after, not during.
  void ReadOneLocked(std::unique_lock<std::mutex>& lock);
  // Blocks until `done()`, receiving messages whenever no one else does.
  template <typename Predicate>
  void WaitLocked(std::unique_lock<std::mutex>& lock, Predicate done) {
    while (!done()) {
      if (!reading_ && !lost_) {
        ReadOneLocked(lock);
      } else {
        changed_.wait(lock);
      }
    }
  }
  // Whether DownloadComplete or ShmReleased messages are still to come.
  bool NotificationsDueLocked() const;
  // Wakes the reader thread when notifications are due and no one receives.
  void WakeReaderLocked();
  // Handles one message from the reader; a non-OK status is a protocol
  // violation that ends the connection.
  absl::Status Dispatch(DaemonMessage& message);
  absl::Status Answer(DaemonMessage& message);
  absl::Status CompleteDownload(const DaemonMessage& message);
  absl::Status ReleaseRange(const ShmRange& range);
  // A completed stream's downloads and uploads posted before `mark` whose
  // notification never came (a command the daemon refused) are settled:
  // dropped, their ranges freed.
  void SettleLocked(uint64_t stream, const Mark& mark);
  void FreeRangeLocked(const std::optional<ShmRange>& range);
  // Marks the connection lost (the first cause wins) and wakes everyone.
  void MarkLost(const absl::Status& cause);
  absl::Status LostStatusLocked() const;
  // With send_mutex_ held.
  absl::Status PostLocked(const ClientMessage& command);
  // Appends `command` (its size computed) to batch_.
  void AppendEntry(const ClientMessage& command);
  // Sends `message` with the batch's entries in its frame and empties the
  // batch.
  absl::Status SendLocked(const ClientMessage& message, int fd_to_pass);
  absl::Status FlushLocked();

  Channel channel_;
  const std::string daemon_name_;
  const pid_t owner_;  // the process that opened it (a forked child does not own it)
  uint64_t max_frame_bytes_ = 0;
  uint64_t session_ = 0;
  uint32_t daemon_protocol_minor_ = 0;
  std::optional<SharedMemory> shared_memory_;
  uint64_t daemon_pid_ = 0;  // Welcome.cross_memory_pid
  bool cross_memory_ = false;
  // Random bytes hald reads back through cross-memory attach to prove it
  // reaches this process.
  std::array<char, 16> canary_{};
  std::atomic<uint64_t> next_request_id_{1};

  // Guards the batch and the order frames leave in. Taken before mutex_.
  std::mutex send_mutex_;
  // The batch's entries, each serialized as ClientMessage.batch when posted:
  // no message per command is kept (or allocated, or freed) until the frame
  // goes. The first batch_used_ bytes are the entries; the string keeps its
  // size between batches so that appending does not zero-fill it again.
  std::string batch_;
  size_t batch_used_ = 0;
  int batch_entries_ = 0;
  uint64_t batch_moved_bytes_ = 0;
  // Entries at which the batch is sent next (kFirstBatchFlushEntries after a
  // request, doubling with each batch sent).
  int batch_flush_entries_ = kFirstBatchFlushEntries;
  Mark posted_;  // the last download id and upload sequence posted
  std::atomic<int> space_waiters_{0};

  // Guards what the reader shares with callers.
  mutable std::mutex mutex_;
  std::atomic<bool> lost_{false};
  absl::Status lost_status_;
  std::map<uint64_t, Pending*> pending_;  // request id -> its waiting caller
  std::map<uint64_t, Download> downloads_;  // download id -> where it goes
  std::optional<RangeAllocator> ranges_;
  std::map<uint64_t, UploadRange> upload_ranges_;  // by offset, until ShmReleased
  uint64_t releases_ = 0;  // counts ranges given back, for waiters
  bool reading_ = false;    // a thread is receiving from the channel
  bool stopping_ = false;   // the destructor runs: the reader thread ends
  // Signals callers: answers, released ranges, the end of a receive, and the
  // loss of the connection.
  std::condition_variable changed_;
  // Signals the reader thread alone, only when it has something to do
  // (notifications due and no one receiving, stopping, loss): a round trip
  // whose caller receives its own answer wakes no other thread.
  std::condition_variable reader_wake_;

  std::thread reader_;
};

}  // namespace hal::remote

#endif  // HAL_BACKENDS_REMOTE_CONNECTION_H_
