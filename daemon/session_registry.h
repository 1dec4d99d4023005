// The daemon's live sessions, for hal-info --pool and the metrics exporter.
// A session registers when its connection is accepted and unregisters when it
// has freed everything; in between it updates its counters (atomics, so the
// hot path takes no lock).
#ifndef HAL_DAEMON_SESSION_REGISTRY_H_
#define HAL_DAEMON_SESSION_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace hal::daemon {

struct SessionSnapshot {
  uint64_t id = 0;
  std::string virtual_device;  // "" until Attach
  std::string peer;            // Channel::peer_name()
  // The session's live buffers as its quota counts them: allocated sizes, and
  // a shared staging buffer's charge (it takes no device memory).
  uint64_t bytes_allocated = 0;
  uint64_t buffers = 0, streams = 0, commands = 0;  // live buffers/streams; commands executed
  uint64_t registered_shared_memory_bytes = 0;      // its shared memory registered with its device
  absl::Time connected;
};

// What one session updates as it runs. Owned by the registry and the session.
class SessionCounters {
 public:
  SessionCounters(uint64_t id, std::string peer, absl::Time connected)
      : id_(id), peer_(std::move(peer)), connected_(connected) {}

  void SetVirtualDevice(absl::string_view name);
  void AddBuffer(uint64_t allocated_bytes) {
    buffers_.fetch_add(1, std::memory_order_relaxed);
    bytes_.fetch_add(allocated_bytes, std::memory_order_relaxed);
  }
  void RemoveBuffer(uint64_t allocated_bytes) {
    buffers_.fetch_sub(1, std::memory_order_relaxed);
    bytes_.fetch_sub(allocated_bytes, std::memory_order_relaxed);
  }
  void AddStream() { streams_.fetch_add(1, std::memory_order_relaxed); }
  void RemoveStream() { streams_.fetch_sub(1, std::memory_order_relaxed); }
  void CountCommand() { commands_.fetch_add(1, std::memory_order_relaxed); }
  void SetRegisteredSharedMemory(uint64_t bytes) {
    registered_shared_memory_.store(bytes, std::memory_order_relaxed);
  }
  // What ends the session's connection (Session::Close), set by the session
  // once it is constructed; the registry calls it for CloseAttachedTo.
  void SetCloser(std::function<void()> closer);

  uint64_t id() const { return id_; }
  SessionSnapshot Snapshot() const;

 private:
  friend class SessionRegistry;  // CloseAttachedTo reads under mu_
  const uint64_t id_;
  const std::string peer_;
  const absl::Time connected_;
  mutable std::mutex mu_;
  std::string virtual_device_;    // guarded by mu_
  std::function<void()> closer_;  // guarded by mu_
  std::atomic<uint64_t> bytes_{0}, buffers_{0}, streams_{0}, commands_{0};
  std::atomic<uint64_t> registered_shared_memory_{0};
};

class SessionRegistry {
 public:
  std::vector<SessionSnapshot> Snapshot() const;  // thread-safe, ordered by id
  size_t AttachedTo(absl::string_view virtual_device) const;
  // Ends the connection of every session attached to `virtual_device` (its
  // sessions then free what they hold and unregister): a destroyed virtual
  // device's tenants see their devices turn Unavailable.
  void CloseAttachedTo(absl::string_view virtual_device);

  // A new session with the next id (ids start at 1 and are never reused).
  std::shared_ptr<SessionCounters> Register(std::string peer);
  void Unregister(uint64_t id);

 private:
  mutable std::mutex mu_;
  uint64_t next_id_ = 1;                                           // guarded by mu_
  std::map<uint64_t, std::shared_ptr<SessionCounters>> sessions_;  // guarded by mu_
};

}  // namespace hal::daemon

#endif  // HAL_DAEMON_SESSION_REGISTRY_H_
