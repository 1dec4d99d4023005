#include "daemon/pool_status.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace hal::daemon {
namespace {

using remote::v1::PhysicalDeviceStatus;
using remote::v1::SessionStatus;
using remote::v1::VirtualDeviceStatus;

void FillDevice(const Pool::DeviceUsage& usage, PhysicalDeviceStatus& out) {
  out.set_id(usage.device->id());
  out.set_name(usage.device->properties().name);
  out.set_capacity_bytes(usage.capacity_bytes);
  out.set_quota_placed_bytes(usage.quota_placed);
  out.set_compute_placed(usage.compute_placed);
  out.set_overcommitted(usage.residency.has_value());
  if (!usage.residency) return;
  const Pool::ResidencyUsage& residency = *usage.residency;
  out.set_resident_bytes(residency.resident_bytes);
  out.set_evictions(residency.evictions);
  out.set_bytes_evicted(residency.bytes_evicted);
  out.set_restores(residency.restores);
  out.set_bytes_restored(residency.bytes_restored);
  out.set_stalls(residency.stalls);
}

void FillVirtualDevice(const VirtualDevice& vd, const SessionRegistry& sessions,
                       absl::Duration uptime, VirtualDeviceStatus& out) {
  out.set_name(vd.name());
  out.set_device(vd.placement().id());
  out.set_memory_quota_bytes(vd.memory_quota());
  out.set_memory_used_bytes(vd.memory_used());
  out.set_memory_cached_bytes(vd.memory_cached());
  out.set_quota_refusals(vd.quota_refusals());
  out.set_compute_enforcement(ComputeEnforcementName(vd.compute_enforcement()));
  out.set_compute_share(vd.spec().compute_share);
  out.set_compute_busy_ns(vd.compute_busy_ns());
  out.set_compute_held_back_ns(vd.compute_held_back_ns());
  const double wall_ns = absl::ToDoubleNanoseconds(uptime);
  out.set_achieved_share(wall_ns > 0 ? static_cast<double>(vd.compute_busy_ns()) / wall_ns : 0);
  out.set_sessions(static_cast<uint32_t>(sessions.AttachedTo(vd.name())));
  out.set_priority(vd.spec().priority);
}

void FillSession(const SessionSnapshot& session, absl::Time now, SessionStatus& out) {
  out.set_id(session.id);
  out.set_virtual_device(session.virtual_device);
  out.set_peer(session.peer);
  out.set_bytes_allocated(session.bytes_allocated);
  out.set_buffers(session.buffers);
  out.set_streams(session.streams);
  out.set_commands(session.commands);
  out.set_registered_shared_memory_bytes(session.registered_shared_memory_bytes);
  out.set_connected_unix_ns(absl::ToUnixNanos(session.connected));
  out.set_connected_for_ns(static_cast<uint64_t>(
      std::max<int64_t>(0, absl::ToInt64Nanoseconds(now - session.connected))));
}

}  // namespace

PoolStatus BuildPoolStatus(const hal::Pool& pool, const SessionRegistry& sessions,
                           absl::Time daemon_started,
                           const std::map<std::string, std::string>& owners) {
  const absl::Time now = absl::Now();
  const absl::Duration uptime = std::max(absl::ZeroDuration(), now - daemon_started);
  PoolStatus status;
  status.set_daemon_version(absl::StrCat("hald ", HAL_DAEMON_VERSION));
  status.set_uptime_ns(static_cast<uint64_t>(absl::ToInt64Nanoseconds(uptime)));
  status.set_overcommit_ratio(pool.options().overcommit_ratio);
  status.set_placement(PlacementPolicyName(pool.options().placement));
  status.set_time_slice(TimeSliceModeName(pool.options().time_slice));
  for (const Pool::DeviceUsage& usage : pool.usage()) FillDevice(usage, *status.add_devices());
  for (const auto& vd : pool.virtual_devices()) {
    VirtualDeviceStatus& out = *status.add_virtual_devices();
    FillVirtualDevice(*vd, sessions, uptime, out);
    if (auto owner = owners.find(vd->name()); owner != owners.end()) {
      out.set_dynamic(true);
      out.set_owner(owner->second);
    }
  }
  // Without overcommit nothing is evicted: what is charged is resident.
  for (PhysicalDeviceStatus& device : *status.mutable_devices()) {
    if (device.overcommitted()) continue;
    for (const VirtualDeviceStatus& vd : status.virtual_devices()) {
      if (vd.device() == device.id()) {
        device.set_resident_bytes(device.resident_bytes() + vd.memory_used_bytes());
      }
    }
  }
  std::vector<SessionSnapshot> snapshot = sessions.Snapshot();
  std::sort(snapshot.begin(), snapshot.end(),
            [](const SessionSnapshot& a, const SessionSnapshot& b) { return a.id < b.id; });
  for (const SessionSnapshot& session : snapshot) {
    FillSession(session, now, *status.add_sessions());
  }
  // From the same snapshot, so the sums match the sessions listed.
  for (VirtualDeviceStatus& vd : *status.mutable_virtual_devices()) {
    uint64_t registered = 0;
    for (const SessionSnapshot& session : snapshot) {
      if (session.virtual_device == vd.name()) registered += session.registered_shared_memory_bytes;
    }
    vd.set_registered_shared_memory_bytes(registered);
  }
  return status;
}

}  // namespace hal::daemon
