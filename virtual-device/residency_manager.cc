#include "virtual-device/residency_manager.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "runtime/service_stream.h"

namespace hal::internal {
namespace {

// Buffers under a residency manager belong to virtual devices, which all have
// a tenant; a plain context's would rank with priority 0.
int TenantPriority(const BufferState& buffer) {
  return buffer.device->tenant ? buffer.device->tenant->priority() : 0;
}

// Whether `candidate` should be evicted before `victim`: the less important
// tenant's first, then the least recently used.
bool EvictsBefore(const BufferState& candidate, const BufferState& victim) {
  const int candidate_priority = TenantPriority(candidate);
  const int victim_priority = TenantPriority(victim);
  if (candidate_priority != victim_priority) return candidate_priority < victim_priority;
  return candidate.residency_slot.last_use < victim.residency_slot.last_use;
}

}  // namespace

absl::Status ResidencyManager::MakeRoom(uint64_t bytes, bool may_wait) {
  const auto deadline = std::chrono::steady_clock::now() + kStallLimit;
  bool stalled = false;
  while (resident_bytes_ + bytes > capacity_) {
    // Of the buffers that nothing in flight uses, the least important
    // tenant's least recently used.
    BufferState* victim = nullptr;
    bool any_in_flight = false;
    for (BufferState* candidate : evictable_) {
      const ResidencySlot& slot = candidate->residency_slot;
      if (!slot.resident || slot.pinned) continue;
      if (slot.in_flight > 0) {
        any_in_flight = true;
        continue;
      }
      if (victim == nullptr || EvictsBefore(*candidate, *victim)) victim = candidate;
    }
    if (victim != nullptr) {
      if (absl::Status status = Evict(*victim); !status.ok()) return status;
      continue;
    }
    // Everything resident is in use by other queues' work: wait for some of
    // it to complete (a stall, counted) rather than fail at once.
    if (may_wait && any_in_flight && std::chrono::steady_clock::now() < deadline) {
      if (!stalled) ++counters_.stalls;
      stalled = true;
      released_.wait_until(mu_, deadline);  // mu_ is held by the caller
      continue;
    }
    return absl::ResourceExhaustedError(absl::StrCat(
        "device ", device_id_, " cannot make room for ", bytes, " bytes: ", resident_bytes_,
        " of its ", capacity_,
        " bytes of pool capacity are resident and pinned or in use by in-flight work"));
  }
  return absl::OkStatus();
}

std::vector<uint8_t> ResidencyManager::TakeHostCopy(uint64_t size) {
  // The first spare large enough; shrinking it writes nothing.
  auto fits =
      std::find_if(spare_copies_.begin(), spare_copies_.end(),
                   [size](const std::vector<uint8_t>& copy) { return copy.size() >= size; });
  if (fits == spare_copies_.end()) return std::vector<uint8_t>(size);
  std::vector<uint8_t> copy = std::move(*fits);
  spare_copies_.erase(fits);
  spare_bytes_ -= copy.size();
  copy.resize(size);
  return copy;
}

void ResidencyManager::KeepHostCopy(std::vector<uint8_t> copy) {
  if (copy.empty() || spare_bytes_ + copy.size() > capacity_) return;  // freed
  spare_bytes_ += copy.size();
  spare_copies_.push_back(std::move(copy));
}

absl::Status ResidencyManager::Evict(BufferState& victim) {
  ResidencySlot& slot = victim.residency_slot;
  slot.saved = TakeHostCopy(victim.size);
  if (absl::Status status =
          RunOnServiceStream(*victim.device, "evicting a buffer to host memory",
                             [&](const hal_driver_table& table, hal_drv_stream* stream) {
                               return table.stream_copy_device_to_host(
                                   stream, victim.buffer, 0, slot.saved.data(), victim.size);
                             });
      !status.ok()) {
    KeepHostCopy(std::exchange(slot.saved, {}));
    return status;
  }
  victim.device->table->buffer_free(victim.device->context, victim.buffer);
  victim.buffer = nullptr;
  slot.resident = false;
  resident_bytes_ -= victim.allocated_size;
  ++counters_.evictions;
  counters_.bytes_evicted += victim.size;
  return absl::OkStatus();
}

absl::Status ResidencyManager::Restore(BufferState& buffer, bool may_wait) {
  ResidencySlot& slot = buffer.residency_slot;
  if (slot.resident) return absl::OkStatus();
  if (absl::Status status = MakeRoom(buffer.allocated_size, may_wait); !status.ok()) {
    return status;
  }
  DeviceState& device = *buffer.device;
  const hal_buffer_kind kind =
      buffer.kind == BufferKind::kHostStaging ? HAL_BUFFER_HOST_STAGING : HAL_BUFFER_DEVICE;
  hal_drv_buffer* handle = nullptr;
  uint64_t allocated = 0;
  if (absl::Status status = device.driver->ToStatus(
          device.table->buffer_allocate(device.context, kind, buffer.size, &handle, &allocated),
          absl::StrCat("restoring an evicted buffer of ", buffer.size, " bytes on ", device.label));
      !status.ok()) {
    return status;
  }
  if (absl::Status status =
          RunOnServiceStream(device, "restoring an evicted buffer",
                             [&](const hal_driver_table& table, hal_drv_stream* stream) {
                               return table.stream_copy_host_to_device(stream, slot.saved.data(),
                                                                       handle, 0, buffer.size);
                             });
      !status.ok()) {
    device.table->buffer_free(device.context, handle);
    return status;
  }
  // The same size on the same device takes the same room as before.
  buffer.buffer = handle;
  slot.resident = true;
  KeepHostCopy(std::exchange(slot.saved, {}));
  resident_bytes_ += buffer.allocated_size;
  ++counters_.restores;
  counters_.bytes_restored += buffer.size;
  return absl::OkStatus();
}

absl::Status ResidencyManager::AllocateResident(DeviceState& device, hal_buffer_kind kind,
                                                uint64_t size, hal_drv_buffer** out_buffer,
                                                uint64_t* out_allocated) {
  const uint64_t granularity = device.props().allocation_granularity;
  const uint64_t expected = (size + granularity - 1) / granularity * granularity;
  std::lock_guard<std::mutex> lock(mu_);
  if (expected > capacity_) {
    return absl::ResourceExhaustedError(absl::StrCat("a buffer of ", size,
                                                     " bytes exceeds the pool capacity of device ",
                                                     device_id_, " (", capacity_, " bytes)"));
  }
  // With no room at once (everything resident is in use), the buffer starts
  // evicted: it takes device memory at its first use, when its queue can
  // wait for room without holding other work back.
  if (!MakeRoom(expected, /*may_wait=*/false).ok()) {
    *out_buffer = nullptr;
    *out_allocated = expected;
    return absl::OkStatus();
  }
  if (absl::Status status = device.driver->ToStatus(
          device.table->buffer_allocate(device.context, kind, size, out_buffer, out_allocated),
          absl::StrCat("allocating ", size, " bytes on device ", device.label));
      !status.ok()) {
    return status;
  }
  resident_bytes_ += *out_allocated;
  return absl::OkStatus();
}

void ResidencyManager::Register(BufferState& buffer) {
  std::lock_guard<std::mutex> lock(mu_);
  if (buffer.buffer == nullptr) {  // allocated evicted: its contents are zeros
    buffer.residency_slot.resident = false;
    buffer.residency_slot.saved.assign(buffer.size, 0);
  }
  buffer.residency_slot.registered = true;
  buffer.residency_slot.last_use = ++clock_;
  evictable_.insert(&buffer);
}

bool ResidencyManager::Unregister(BufferState& buffer) {
  std::lock_guard<std::mutex> lock(mu_);
  evictable_.erase(&buffer);
  const bool resident = buffer.residency_slot.resident;
  if (resident) resident_bytes_ -= buffer.allocated_size;
  KeepHostCopy(std::exchange(buffer.residency_slot.saved, {}));
  return resident;
}

absl::StatusOr<std::shared_ptr<const void>> ResidencyManager::Acquire(
    const std::shared_ptr<BufferState>& buffer, bool may_wait, hal_drv_buffer** handle) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (absl::Status status = Restore(*buffer, may_wait); !status.ok()) return status;
    ResidencySlot& slot = buffer->residency_slot;
    ++slot.in_flight;
    slot.last_use = ++clock_;
    *handle = buffer->buffer;
  }
  // The token keeps the buffer (and so this manager, through its device)
  // alive, and ends the in-flight mark when the queue releases it.
  return std::shared_ptr<const void>(nullptr, [buffer](const void*) {
    static_cast<ResidencyManager*>(buffer->device->residency.get())->Release(*buffer);
  });
}

void ResidencyManager::Release(BufferState& buffer) {
  std::lock_guard<std::mutex> lock(mu_);
  --buffer.residency_slot.in_flight;
  released_.notify_all();
}

absl::Status ResidencyManager::Pin(BufferState& buffer) {
  std::lock_guard<std::mutex> lock(mu_);
  if (absl::Status status = Restore(buffer, /*may_wait=*/true); !status.ok()) return status;
  buffer.residency_slot.pinned = true;
  return absl::OkStatus();
}

ResidencyStats ResidencyManager::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  ResidencyStats stats = counters_;
  stats.capacity_bytes = capacity_;
  stats.resident_bytes = resident_bytes_;
  return stats;
}

}  // namespace hal::internal
