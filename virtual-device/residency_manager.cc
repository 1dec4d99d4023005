#include "virtual-device/residency_manager.h"

#include <algorithm>
#include <new>
#include <utility>

#include "absl/strings/str_cat.h"
#include "hal/status_macros.h"
#include "runtime/buffer_zeroing.h"
#include "runtime/driver_descs.h"
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

// Stable-address eviction: on a device with HAL_CAPABILITY_VIRTUAL_MEMORY,
// device buffers of at least its virtual-memory granularity are allocated
// decommittable, so evicting one releases its physical memory and restoring
// it maps new memory at the same device address (same driver buffer). A
// smaller buffer would be rounded up to that granularity (2 MiB on NVIDIA),
// taking more room than it saves: it is freed and allocated anew instead.
bool Decommittable(const DeviceState& device, hal_buffer_kind kind, uint64_t size) {
  const DeviceProperties& props = device.props();
  return kind == HAL_BUFFER_DEVICE && props.capabilities.has(Capability::kVirtualMemory) &&
         props.virtual_memory_granularity > 0 && size >= props.virtual_memory_granularity;
}

hal_buffer_kind DriverKind(const BufferState& buffer) {
  return buffer.kind == BufferKind::kHostStaging ? HAL_BUFFER_HOST_STAGING : HAL_BUFFER_DEVICE;
}

// The descriptor of a buffer the residency manager allocates.
hal_buffer_desc ResidentBufferDesc(const DeviceState& device, hal_buffer_kind kind, uint64_t size) {
  hal_buffer_desc desc = BufferDesc(kind, size);
  if (Decommittable(device, kind, size)) desc.flags |= HAL_BUFFER_FLAG_DECOMMITTABLE;
  return desc;
}

}  // namespace

void ResidencyManager::Watch(CompletionSource& source) {
  std::lock_guard<std::mutex> lock(sources_mu_);
  sources_.insert(&source);
}

void ResidencyManager::Unwatch(CompletionSource& source) {
  std::lock_guard<std::mutex> lock(sources_mu_);
  sources_.erase(&source);
}

void ResidencyManager::CollectCompletedWork() {
  std::vector<std::shared_ptr<const void>> completed;
  {
    std::lock_guard<std::mutex> lock(sources_mu_);
    for (CompletionSource* source : sources_) source->TakeCompleted(completed);
  }
  // `completed` goes here, with no lock held: its tokens take mu_.
}

void ResidencyManager::WaitUntilSettled(Lock& lock, const BufferState& buffer) {
  changed_.wait(lock, [&] { return !buffer.residency_slot.moving; });
}

absl::Status ResidencyManager::MakeRoom(Lock& lock, uint64_t bytes, bool may_wait) {
  const auto deadline = std::chrono::steady_clock::now() + kStallLimit;
  bool stalled = false;
  bool collected = false;
  while (resident_bytes_ + bytes > capacity_) {
    // Of the buffers that nothing in flight uses, the least important
    // tenant's least recently used.
    BufferState* victim = nullptr;
    bool any_in_flight = false;
    bool any_moving = false;
    for (BufferState* candidate : evictable_) {
      const ResidencySlot& slot = candidate->residency_slot;
      any_moving |= slot.moving;
      if (!slot.resident || slot.moving || slot.pinned) continue;
      if (slot.in_flight > 0) {
        any_in_flight = true;
        continue;
      }
      if (victim == nullptr || EvictsBefore(*candidate, *victim)) victim = candidate;
    }
    if (victim != nullptr) {
      if (absl::Status status = Evict(lock, *victim); !status.ok()) return status;
      continue;
    }
    // Work in flight may have completed without its queue looking: collect
    // it (once per look) before waiting.
    if (any_in_flight && !collected) {
      collected = true;
      lock.unlock();
      CollectCompletedWork();
      lock.lock();
      continue;
    }
    // Everything resident is in use by other queues' work or moving: wait
    // for some of it to complete or settle (a stall, counted) rather than
    // fail at once.
    if (may_wait && (any_in_flight || any_moving) && std::chrono::steady_clock::now() < deadline) {
      if (!stalled) ++counters_.stalls;
      stalled = true;
      changed_.wait_until(lock,
                          std::min(deadline, std::chrono::steady_clock::now() + kPollInterval));
      collected = false;
      continue;
    }
    return absl::ResourceExhaustedError(absl::StrCat(
        "device ", device_id_, " cannot make room for ", bytes, " bytes: ", resident_bytes_,
        " of its ", capacity_,
        " bytes of pool capacity are resident and pinned or in use by in-flight work"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint8_t>> ResidencyManager::TakeHostCopy(uint64_t size) {
  // The first spare large enough, whole: shrinking it would give nothing
  // back to the host, so it stays accounted at its size.
  auto fits =
      std::find_if(spare_copies_.begin(), spare_copies_.end(),
                   [size](const std::vector<uint8_t>& copy) { return copy.size() >= size; });
  if (fits != spare_copies_.end()) {
    std::vector<uint8_t> copy = std::move(*fits);
    spare_copies_.erase(fits);
    spare_bytes_ -= copy.size();
    return copy;
  }
  bool taken = host_budget_->Take(size);
  while (!taken && !spare_copies_.empty()) {
    DropHostCopy(spare_copies_.back().size());
    spare_bytes_ -= spare_copies_.back().size();
    spare_copies_.pop_back();
    taken = host_budget_->Take(size);
  }
  if (!taken) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "device ", device_id_, " cannot evict a buffer of ", size,
        " bytes to host memory: the pool's host memory limit of ", host_budget_->limit(),
        " bytes has ", host_budget_->used(), " bytes of evicted contents in it (", host_used_,
        " of them from this device)"));
  }
  try {
    std::vector<uint8_t> copy(size);
    host_used_ += size;
    return copy;
  } catch (const std::bad_alloc&) {
    host_budget_->Give(size);
    return absl::ResourceExhaustedError(
        absl::StrCat("device ", device_id_, " cannot evict a buffer of ", size,
                     " bytes: the host is out of memory for its contents"));
  }
}

void ResidencyManager::DropHostCopy(uint64_t size) {
  host_used_ -= size;
  host_budget_->Give(size);
}

void ResidencyManager::KeepHostCopy(std::vector<uint8_t> copy) {
  if (copy.empty()) return;
  if (spare_bytes_ + copy.size() > capacity_) {
    DropHostCopy(copy.size());
    return;  // freed
  }
  spare_bytes_ += copy.size();
  spare_copies_.push_back(std::move(copy));
}

void ResidencyManager::RunCopyHook(Lock& lock) {
  std::function<void()> hook = copy_hook_;
  lock.unlock();
  if (hook) hook();
}

absl::Status ResidencyManager::Evict(Lock& lock, BufferState& victim) {
  ResidencySlot& slot = victim.residency_slot;
  absl::StatusOr<std::vector<uint8_t>> copy = TakeHostCopy(victim.size);
  if (!copy.ok()) return copy.status();
  // The buffer keeps its room until its copy is out; nothing else moves it,
  // binds it or frees it meanwhile (they wait for `moving` to clear).
  slot.moving = true;
  RunCopyHook(lock);
  absl::Status status =
      RunOnServiceStream(*victim.device, "evicting a buffer to host memory",
                         [&](const hal_driver_table& table, hal_drv_stream* stream) {
                           return table.stream_copy_device_to_host(stream, victim.buffer, 0,
                                                                   copy->data(), victim.size);
                         });
  lock.lock();
  slot.moving = false;
  changed_.notify_all();
  if (!status.ok()) {
    KeepHostCopy(*std::move(copy));
    return status;
  }
  DeviceState& device = *victim.device;
  if (slot.decommittable) {
    // The copy is out: if the driver cannot release the memory, the buffer
    // simply stays resident.
    if (absl::Status status =
            device.driver->ToStatus(device.table->buffer_decommit(device.context, victim.buffer),
                                    absl::StrCat("decommitting an evicted buffer of ", victim.size,
                                                 " bytes on ", device.label));
        !status.ok()) {
      KeepHostCopy(*std::move(copy));
      return status;
    }
    ++counters_.stable_address_evictions;
  } else {
    device.table->buffer_free(device.context, victim.buffer);
    victim.buffer = nullptr;
  }
  slot.saved = *std::move(copy);
  slot.resident = false;
  resident_bytes_ -= victim.allocated_size;
  ++counters_.evictions;
  counters_.bytes_evicted += victim.size;
  return absl::OkStatus();
}

absl::Status ResidencyManager::Restore(Lock& lock, BufferState& buffer, bool may_wait) {
  ResidencySlot& slot = buffer.residency_slot;
  // Making room may let another thread restore this buffer first.
  while (true) {
    WaitUntilSettled(lock, buffer);
    if (slot.resident) return absl::OkStatus();
    if (absl::Status status = MakeRoom(lock, buffer.allocated_size, may_wait); !status.ok()) {
      return status;
    }
    if (!slot.moving && !slot.resident) break;
  }
  DeviceState& device = *buffer.device;
  // A decommitted buffer gets memory back at its address; one evicted by
  // freeing it (or allocated evicted) is allocated anew.
  hal_drv_buffer* handle = buffer.buffer;
  const std::string what =
      absl::StrCat("restoring an evicted buffer of ", buffer.size, " bytes on ", device.label);
  if (handle != nullptr) {
    HAL_RETURN_IF_ERROR(
        device.driver->ToStatus(device.table->buffer_recommit(device.context, handle), what));
  } else {
    const hal_buffer_desc desc = ResidentBufferDesc(device, DriverKind(buffer), buffer.size);
    uint64_t allocated = 0;
    HAL_RETURN_IF_ERROR(device.driver->ToStatus(
        device.table->buffer_allocate(device.context, &desc, &handle, &allocated), what));
  }
  // The same size on the same device takes the same room as before; it is
  // taken now, before the copy, so no one else counts on it.
  resident_bytes_ += buffer.allocated_size;
  slot.moving = true;
  RunCopyHook(lock);
  absl::Status status = RunOnServiceStream(
      device, "restoring an evicted buffer",
      [&](const hal_driver_table& table, hal_drv_stream* stream) {
        // A buffer allocated evicted was never written: its contents are zeros.
        return slot.saved.empty() ? EnqueueZeroFill(table, stream, handle, buffer.size)
                                  : table.stream_copy_host_to_device(stream, slot.saved.data(),
                                                                     handle, 0, buffer.size);
      });
  lock.lock();
  slot.moving = false;
  changed_.notify_all();
  if (!status.ok()) {
    if (slot.decommittable && buffer.buffer != nullptr) {
      device.table->buffer_decommit(device.context, handle);
    } else {
      device.table->buffer_free(device.context, handle);
    }
    resident_bytes_ -= buffer.allocated_size;
    return status;
  }
  buffer.buffer = handle;
  slot.resident = true;
  KeepHostCopy(std::exchange(slot.saved, {}));
  ++counters_.restores;
  counters_.bytes_restored += buffer.size;
  return absl::OkStatus();
}

absl::Status ResidencyManager::AllocateResident(DeviceState& device, hal_buffer_kind kind,
                                                uint64_t size, hal_drv_buffer** out_buffer,
                                                uint64_t* out_allocated) {
  const uint64_t granularity = Decommittable(device, kind, size)
                                   ? device.props().virtual_memory_granularity
                                   : device.props().allocation_granularity;
  const uint64_t expected = (size + granularity - 1) / granularity * granularity;
  Lock lock(mu_);
  if (expected > capacity_) {
    return absl::ResourceExhaustedError(absl::StrCat("a buffer of ", size,
                                                     " bytes exceeds the pool capacity of device ",
                                                     device_id_, " (", capacity_, " bytes)"));
  }
  // With no room at once (everything resident is in use or moving), the
  // buffer starts evicted: it takes device memory at its first use, when its
  // queue can wait for room without holding other work back.
  if (!MakeRoom(lock, expected, /*may_wait=*/false).ok()) {
    *out_buffer = nullptr;
    *out_allocated = expected;
    return absl::OkStatus();
  }
  const hal_buffer_desc desc = ResidentBufferDesc(device, kind, size);
  if (absl::Status status = device.driver->ToStatus(
          device.table->buffer_allocate(device.context, &desc, out_buffer, out_allocated),
          absl::StrCat("allocating ", size, " bytes on device ", device.label));
      !status.ok()) {
    return status;
  }
  resident_bytes_ += *out_allocated;
  return absl::OkStatus();
}

void ResidencyManager::Register(BufferState& buffer) {
  std::lock_guard<std::mutex> lock(mu_);
  // Allocated evicted, its contents are zeros until its first restore.
  if (buffer.buffer == nullptr) buffer.residency_slot.resident = false;
  buffer.residency_slot.decommittable =
      Decommittable(*buffer.device, DriverKind(buffer), buffer.size);
  buffer.residency_slot.registered = true;
  buffer.residency_slot.last_use = ++clock_;
  evictable_.insert(&buffer);
}

bool ResidencyManager::Unregister(BufferState& buffer) {
  Lock lock(mu_);
  WaitUntilSettled(lock, buffer);
  ResidencySlot& slot = buffer.residency_slot;
  evictable_.erase(&buffer);
  if (slot.pinned) buffer.device->tenant->UnchargePin(buffer.allocated_size);
  if (slot.resident) resident_bytes_ -= buffer.allocated_size;
  KeepHostCopy(std::exchange(slot.saved, {}));
  // A decommitted buffer still holds its reserved address range.
  return buffer.buffer != nullptr;
}

absl::StatusOr<std::shared_ptr<const void>> ResidencyManager::Acquire(
    const std::shared_ptr<BufferState>& buffer, bool may_wait, hal_drv_buffer** handle) {
  {
    Lock lock(mu_);
    if (absl::Status status = Restore(lock, *buffer, may_wait); !status.ok()) return status;
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
  changed_.notify_all();
}

absl::Status ResidencyManager::Pin(BufferState& buffer) {
  Lock lock(mu_);
  if (buffer.residency_slot.pinned) return absl::OkStatus();
  Tenant& tenant = *buffer.device->tenant;
  if (absl::Status status = tenant.ChargePin(buffer.allocated_size); !status.ok()) return status;
  if (absl::Status status = Restore(lock, buffer, /*may_wait=*/true); !status.ok()) {
    tenant.UnchargePin(buffer.allocated_size);
    return status;
  }
  // Another thread's Pin may have won while Restore waited.
  if (buffer.residency_slot.pinned) {
    tenant.UnchargePin(buffer.allocated_size);
    return absl::OkStatus();
  }
  buffer.residency_slot.pinned = true;
  return absl::OkStatus();
}

void ResidencyManager::SetHostReservation(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  host_reserved_ = bytes;
}

void ResidencyManager::SetCopyHook(std::function<void()> hook) {
  std::lock_guard<std::mutex> lock(mu_);
  copy_hook_ = std::move(hook);
}

ResidencyStats ResidencyManager::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  ResidencyStats stats = counters_;
  stats.capacity_bytes = capacity_;
  stats.resident_bytes = resident_bytes_;
  stats.host_reserved_bytes = host_reserved_;
  stats.host_used_bytes = host_used_;
  return stats;
}

}  // namespace hal::internal
