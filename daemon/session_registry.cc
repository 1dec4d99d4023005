#include "daemon/session_registry.h"

#include "absl/time/clock.h"

namespace hal::daemon {

void SessionCounters::SetVirtualDevice(absl::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  virtual_device_ = std::string(name);
}

void SessionCounters::SetCloser(std::function<void()> closer) {
  std::lock_guard<std::mutex> lock(mu_);
  closer_ = std::move(closer);
}

SessionSnapshot SessionCounters::Snapshot() const {
  SessionSnapshot snapshot;
  snapshot.id = id_;
  snapshot.peer = peer_;
  snapshot.connected = connected_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot.virtual_device = virtual_device_;
  }
  snapshot.bytes_allocated = bytes_.load(std::memory_order_relaxed);
  snapshot.buffers = buffers_.load(std::memory_order_relaxed);
  snapshot.streams = streams_.load(std::memory_order_relaxed);
  snapshot.commands = commands_.load(std::memory_order_relaxed);
  snapshot.registered_shared_memory_bytes =
      registered_shared_memory_.load(std::memory_order_relaxed);
  return snapshot;
}

std::vector<SessionSnapshot> SessionRegistry::Snapshot() const {
  std::vector<SessionSnapshot> snapshots;
  std::lock_guard<std::mutex> lock(mu_);
  snapshots.reserve(sessions_.size());
  for (const auto& [id, counters] : sessions_) snapshots.push_back(counters->Snapshot());
  return snapshots;
}

size_t SessionRegistry::AttachedTo(absl::string_view virtual_device) const {
  size_t count = 0;
  for (const SessionSnapshot& session : Snapshot()) {
    if (session.virtual_device == virtual_device) ++count;
  }
  return count;
}

void SessionRegistry::CloseAttachedTo(absl::string_view virtual_device) {
  // Under the registry's lock a registered session is alive: it unregisters
  // before it is destroyed.
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, counters] : sessions_) {
    std::lock_guard<std::mutex> counters_lock(counters->mu_);
    if (counters->virtual_device_ == virtual_device && counters->closer_) counters->closer_();
  }
}

std::shared_ptr<SessionCounters> SessionRegistry::Register(std::string peer) {
  std::lock_guard<std::mutex> lock(mu_);
  auto counters = std::make_shared<SessionCounters>(next_id_++, std::move(peer), absl::Now());
  sessions_.emplace(counters->id(), counters);
  return counters;
}

void SessionRegistry::Unregister(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(id);
}

}  // namespace hal::daemon
