#include "tools/hal-info/pool_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace hal::info {

PoolReport CollectPoolReport(const Pool& pool) {
  PoolReport report;
  report.options = pool.options();
  for (const Pool::DeviceUsage& usage : pool.usage()) {
    report.devices.push_back({usage.device->id(), usage.capacity_bytes, usage.quota_placed,
                              usage.compute_placed, usage.residency});
  }
  for (const auto& vd : pool.virtual_devices()) {
    report.virtual_devices.push_back({vd->spec(), vd->placement().id(), vd->memory_used(),
                                      vd->memory_cached(), vd->quota_refusals(),
                                      vd->compute_enforcement(), vd->compute_busy_ns(),
                                      vd->compute_held_back_ns()});
  }
  return report;
}

std::string RenderPoolTable(const PoolReport& report) {
  std::string out = absl::StrFormat(
      "\nPool: overcommit %.2fx, placement %s, time-slice %s\n", report.options.overcommit_ratio,
      PlacementPolicyName(report.options.placement), TimeSliceModeName(report.options.time_slice));
  for (const PoolDeviceReport& d : report.devices) {
    absl::StrAppendFormat(&out, "  %-8s capacity %d B, quotas placed %d B, compute placed %.2f\n",
                          d.id, d.capacity_bytes, d.quota_placed, d.compute_placed);
    if (d.residency) {
      absl::StrAppendFormat(&out,
                            "           resident %d B, evictions %d (%d B), restores %d (%d B), "
                            "stalls %d\n",
                            d.residency->resident_bytes, d.residency->evictions,
                            d.residency->bytes_evicted, d.residency->restores,
                            d.residency->bytes_restored, d.residency->stalls);
    }
  }
  absl::StrAppend(&out, "\nVirtual devices (", report.virtual_devices.size(), ")\n");
  for (const VirtualDeviceReport& vd : report.virtual_devices) {
    absl::StrAppendFormat(&out,
                          "  %-12s on %-8s memory %d / %d B (%d cached, %d refused), "
                          "compute %.2f (%s), priority %d\n",
                          vd.spec.name, vd.device, vd.memory_used, vd.spec.memory_quota,
                          vd.memory_cached, vd.quota_refusals, vd.spec.compute_share,
                          ComputeEnforcementName(vd.enforcement), vd.spec.priority);
  }
  return out;
}

}  // namespace hal::info
