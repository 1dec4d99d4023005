#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "hal/fault_injection.h"
#include "hal/status_macros.h"
#include "hal/virtual_device.h"
#include "runtime/access.h"
#include "runtime/device_open.h"
#include "virtual-device/placement.h"
#include "virtual-device/pool_state.h"
#include "virtual-device/quota_ledger.h"
#include "virtual-device/residency_manager.h"
#include "virtual-device/time_slice_scheduler.h"

namespace hal {

const char* PlacementPolicyName(PlacementPolicy policy) {
  return policy == PlacementPolicy::kBinpack ? "binpack" : "spread";
}

const char* TimeSliceModeName(TimeSliceMode mode) {
  return mode == TimeSliceMode::kStrict ? "strict" : "work-conserving";
}

namespace {

// The host's available memory (MemAvailable of /proc/meminfo), or no limit
// where the kernel does not say.
uint64_t HostMemoryAvailable() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    std::istringstream fields(line);
    std::string key;
    uint64_t kib = 0;
    if (fields >> key >> kib && key == "MemAvailable:") return kib * 1024;
  }
  return std::numeric_limits<uint64_t>::max();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Pool>> Pool::Create(std::vector<const PhysicalDevice*> devices,
                                                   const PoolOptions& options) {
  if (devices.empty()) return absl::InvalidArgumentError("a pool needs at least one device");
  if (!(options.overcommit_ratio >= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("pool overcommit ratio ", options.overcommit_ratio, " is below 1.0"));
  }
  absl::flat_hash_set<std::string> ids;
  std::vector<internal::PoolState::Member> members;
  for (const PhysicalDevice* device : devices) {
    if (!ids.insert(device->id()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("device ", device->id(), " is listed twice in the pool"));
    }
    members.push_back({device, device->properties().memory_bytes, nullptr,
                       std::make_shared<internal::TimeSliceScheduler>(options.time_slice)});
  }
  for (const auto& [id, cap] : options.capacity_caps) {
    auto it = std::find_if(members.begin(), members.end(),
                           [&wanted = id](const auto& m) { return m.device->id() == wanted; });
    if (it == members.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("capacity cap names device ", id, ", which is not in the pool"));
    }
    if (cap == 0 || cap > it->capacity_bytes) {
      return absl::InvalidArgumentError(absl::StrCat("capacity cap of ", cap, " bytes on device ",
                                                     id, " must be between 1 and its memory (",
                                                     it->capacity_bytes, " bytes)"));
    }
    it->capacity_bytes = cap;
  }
  // Overcommitted pools bound each device's resident bytes by its capacity
  // and evict to host memory beyond it; others need no residency tracking.
  const uint64_t host_limit = options.host_memory_limit_bytes.value_or(HostMemoryAvailable());
  if (options.overcommit_ratio > 1.0) {
    auto host_budget = std::make_shared<internal::HostMemoryBudget>(host_limit);
    for (auto& member : members) {
      member.residency = std::make_shared<internal::ResidencyManager>(
          member.device->id(), member.capacity_bytes, host_budget);
    }
  }
  return std::unique_ptr<Pool>(
      new Pool(std::make_unique<internal::PoolState>(std::move(members), options, host_limit)));
}

absl::Status InjectResidencyCopyHook(Pool& pool, const std::string& device_id,
                                     std::function<void()> hook) {
  if (!FaultInjectionEnabled()) {
    return absl::FailedPreconditionError(
        "fault injection is off: set HAL_FAULT_INJECTION=1 or call SetFaultInjectionEnabled(true)");
  }
  for (const internal::PoolState::Member& member : pool.state_->members()) {
    if (member.device->id() != device_id) continue;
    if (!member.residency) {
      return absl::FailedPreconditionError(
          absl::StrCat("device ", device_id,
                       " of the pool has no residency manager: the pool's overcommit ratio is ",
                       pool.options().overcommit_ratio));
    }
    member.residency->SetCopyHook(std::move(hook));
    return absl::OkStatus();
  }
  return absl::NotFoundError(absl::StrCat("device ", device_id, " is not in the pool"));
}

Pool::Pool(std::unique_ptr<internal::PoolState> state) : state_(std::move(state)) {}
Pool::~Pool() = default;

absl::StatusOr<std::shared_ptr<VirtualDevice>> Pool::CreateVirtualDevice(
    const VirtualDeviceSpec& spec) {
  return state_->CreateVirtualDevice(spec);
}
absl::Status Pool::DestroyVirtualDevice(absl::string_view name) {
  return state_->DestroyVirtualDevice(name);
}
std::vector<Pool::DeviceUsage> Pool::usage() const { return state_->Usage(); }
std::vector<std::shared_ptr<VirtualDevice>> Pool::virtual_devices() const {
  return state_->VirtualDevices();
}
const PoolOptions& Pool::options() const { return state_->options(); }
uint64_t Pool::host_memory_limit() const { return state_->host_memory_limit(); }

namespace internal {

std::vector<Pool::DeviceUsage> PoolState::UsageLocked() const {
  std::vector<Pool::DeviceUsage> usage;
  for (const Member& member : members_) {
    Pool::DeviceUsage entry{member.device, member.capacity_bytes, 0, 0.0, 0, {}};
    if (member.residency) {
      const ResidencyStats stats = member.residency->stats();
      entry.residency = Pool::ResidencyUsage{stats.resident_bytes,
                                             stats.evictions,
                                             stats.restores,
                                             stats.bytes_evicted,
                                             stats.bytes_restored,
                                             stats.stalls,
                                             stats.stable_address_evictions,
                                             stats.host_reserved_bytes,
                                             stats.host_used_bytes};
    }
    for (const auto& vd : virtual_devices_) {
      if (&vd->placement() != member.device) continue;
      entry.quota_placed += vd->memory_quota();
      entry.compute_placed += vd->spec().compute_share;
      if (vd->compute_enforcement() == ComputeEnforcement::kHardPartition) {
        entry.partition_units_placed += vd->device()->partition_units();
      }
    }
    usage.push_back(entry);
  }
  return usage;
}

std::vector<Pool::DeviceUsage> PoolState::Usage() const {
  std::lock_guard<std::mutex> lock(mu_);
  return UsageLocked();
}

std::vector<std::shared_ptr<VirtualDevice>> PoolState::VirtualDevices() const {
  std::lock_guard<std::mutex> lock(mu_);
  return virtual_devices_;
}

namespace {

absl::Status ValidateSpec(const VirtualDeviceSpec& spec, const PoolOptions& options) {
  if (spec.name.empty()) return absl::InvalidArgumentError("a virtual device needs a name");
  if (spec.memory_quota == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("virtual device \"", spec.name, "\" has a memory quota of 0 bytes"));
  }
  if (!(spec.compute_share > 0.0 && spec.compute_share <= 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat("virtual device \"", spec.name,
                                                   "\" compute share ", spec.compute_share,
                                                   " is not in (0, 1]"));
  }
  if (spec.pin_limit && *spec.pin_limit > spec.memory_quota) {
    return absl::InvalidArgumentError(
        absl::StrCat("virtual device \"", spec.name, "\" pin limit of ", *spec.pin_limit,
                     " bytes is above its memory quota of ", spec.memory_quota, " bytes"));
  }
  if (spec.memory_cache_limit && *spec.memory_cache_limit > spec.memory_quota) {
    return absl::InvalidArgumentError(absl::StrCat(
        "virtual device \"", spec.name, "\" memory cache limit of ", *spec.memory_cache_limit,
        " bytes is above its memory quota of ", spec.memory_quota, " bytes"));
  }
  if (spec.memory_cache_limit.value_or(0) != 0 && options.overcommit_ratio > 1.0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "virtual device \"", spec.name, "\" asks for a memory cache of ", *spec.memory_cache_limit,
        " bytes in a pool that overcommits (ratio ", options.overcommit_ratio,
        "): its residency manager needs device memory to be exactly the live buffers it can "
        "evict, so caches there are 0"));
  }
  return absl::OkStatus();
}

// What overcommit may evict from a device to host memory: its quotas above
// its capacity.
uint64_t EvictionVolume(uint64_t quota_placed, uint64_t capacity) {
  return quota_placed > capacity ? quota_placed - capacity : 0;
}

}  // namespace

absl::StatusOr<uint64_t> PoolState::EvictionRoom(
    const VirtualDeviceSpec& spec, size_t member,
    const std::vector<Pool::DeviceUsage>& usage) const {
  if (!members_[member].residency) return 0;
  uint64_t reserved_elsewhere = 0;
  for (size_t i = 0; i < usage.size(); ++i) {
    if (i != member)
      reserved_elsewhere += EvictionVolume(usage[i].quota_placed, usage[i].capacity_bytes);
  }
  const uint64_t volume =
      EvictionVolume(usage[member].quota_placed + spec.memory_quota, usage[member].capacity_bytes);
  if (volume > host_memory_limit_ || reserved_elsewhere > host_memory_limit_ - volume) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "virtual device \"", spec.name, "\" (memory quota ", spec.memory_quota,
        " bytes) cannot be admitted on ", usage[member].device->id(),
        ": overcommit could then evict up to ", volume,
        " bytes of that device's quotas to host memory, and with the ", reserved_elsewhere,
        " bytes reserved for other devices that passes the pool's host memory limit of ",
        host_memory_limit_, " bytes"));
  }
  return volume;
}

absl::StatusOr<std::shared_ptr<VirtualDevice>> PoolState::CreateVirtualDevice(
    const VirtualDeviceSpec& spec) {
  HAL_RETURN_IF_ERROR(ValidateSpec(spec, options_));
  // Placement and registration under one lock, so two admissions cannot both
  // take the last room of a device.
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& vd : virtual_devices_) {
    if (vd->name() == spec.name) {
      return absl::InvalidArgumentError(
          absl::StrCat("the pool already has a virtual device named \"", spec.name, "\""));
    }
  }
  std::vector<PlacementCandidate> candidates;
  const std::vector<Pool::DeviceUsage> usage_now = UsageLocked();
  for (const Pool::DeviceUsage& usage : usage_now) {
    const uint64_t room = static_cast<uint64_t>(static_cast<double>(usage.capacity_bytes) *
                                                options_.overcommit_ratio);
    const uint32_t units = usage.device->properties().partition.max_units;
    candidates.push_back({usage.device, room > usage.quota_placed ? room - usage.quota_placed : 0,
                          1.0 - usage.compute_placed,
                          units - std::min(usage.partition_units_placed, units)});
  }
  HAL_ASSIGN_OR_RETURN(size_t chosen, PlaceVirtualDevice(spec, candidates, options_.placement));
  const PhysicalDevice& device = *candidates[chosen].device;
  const Member& member = members_[chosen];
  HAL_ASSIGN_OR_RETURN(const uint64_t eviction_room, EvictionRoom(spec, chosen, usage_now));

  // A share below the whole device maps to a hard partition where the device
  // has one, and to the device's time-slice scheduler elsewhere.
  DeviceOptions device_options;
  TenantHooks hooks;
  ComputeEnforcement enforcement = ComputeEnforcement::kWholeDevice;
  std::shared_ptr<TimeSliceGate> time_slice;
  const PartitionInfo& partition = device.properties().partition;
  if (spec.compute_share < 1.0) {
    if (HasPartitions(partition)) {
      device_options.partition_units = PartitionUnitsAsked(partition, spec.compute_share);
      enforcement = ComputeEnforcement::kHardPartition;
    } else {
      time_slice = member.time_slice->AddTenant(spec.compute_share);
      hooks.compute_gate = time_slice;
      enforcement = ComputeEnforcement::kTimeSlice;
    }
  }
  const uint64_t pin_limit = spec.pin_limit.value_or(
      static_cast<uint64_t>(static_cast<double>(spec.memory_quota) / options_.overcommit_ratio));
  auto ledger =
      std::make_shared<QuotaLedger>(spec.name, spec.memory_quota, spec.priority, pin_limit);
  hooks.tenant = ledger;
  hooks.residency = member.residency;
  device_options.memory_cache_limit =
      member.residency ? 0 : spec.memory_cache_limit.value_or(spec.memory_quota / 8);
  HAL_ASSIGN_OR_RETURN(std::shared_ptr<Device> context,
                       OpenDevice(device, device_options, std::move(hooks)),
                       "opening virtual device \"", spec.name, "\" on ", device.id());
  auto vd = std::make_shared<VirtualDevice>(spec, &device, std::move(context), std::move(ledger),
                                            enforcement, std::move(time_slice));
  virtual_devices_.push_back(vd);
  if (member.residency) member.residency->SetHostReservation(eviction_room);
  return vd;
}

void PoolState::UpdateHostReservationsLocked() const {
  const std::vector<Pool::DeviceUsage> usage = UsageLocked();
  for (size_t i = 0; i < members_.size(); ++i) {
    if (!members_[i].residency) continue;
    members_[i].residency->SetHostReservation(
        EvictionVolume(usage[i].quota_placed, usage[i].capacity_bytes));
  }
}

absl::Status PoolState::DestroyVirtualDevice(absl::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = std::find_if(virtual_devices_.begin(), virtual_devices_.end(),
                         [&](const auto& vd) { return vd->name() == name; });
  if (it == virtual_devices_.end()) {
    return absl::NotFoundError(absl::StrCat("the pool has no virtual device named \"", name, "\""));
  }
  const VirtualDevice& vd = **it;
  // Copies of the pool's reference are only made under mu_ (VirtualDevices),
  // so counts of one cannot grow while it is held. The device's state is
  // shared by every object opened on it (buffers, queues, events, kernels).
  std::vector<std::string> in_use;
  if (it->use_count() > 1 || vd.device().use_count() > 1) {
    in_use.push_back("something besides the pool holds it");
  }
  if (const long objects = Access::State(*vd.device()).use_count() - 1; objects > 0) {
    in_use.push_back(absl::StrCat(objects, " of its objects are alive"));
  }
  if (vd.memory_used() > 0) {
    in_use.push_back(absl::StrCat(vd.memory_used(), " bytes are charged to it"));
  }
  if (!in_use.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "virtual device \"", name, "\" cannot be destroyed: ", absl::StrJoin(in_use, "; ")));
  }
  // Destroying the virtual device closes its context (giving back its
  // partition units) and its time-slice gate (leaving the device's
  // scheduler); its quota and share leave the usage sums with it.
  virtual_devices_.erase(it);
  UpdateHostReservationsLocked();
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace hal
