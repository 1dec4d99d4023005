// The table and JSON of hal-info --pool when a running hald answers.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tools/hal-info/daemon_status.h"
#include "tools/hal-info/outputs.h"

namespace hal::info {
namespace {

// "3d04h05m", "2h03m04s", "4m05s", "6s".
std::string HumanDuration(uint64_t ns) {
  const uint64_t s = ns / 1'000'000'000u;
  if (s >= 86400)
    return absl::StrFormat("%dd%02dh%02dm", s / 86400, s % 86400 / 3600, s % 3600 / 60);
  if (s >= 3600) return absl::StrFormat("%dh%02dm%02ds", s / 3600, s % 3600 / 60, s % 60);
  if (s >= 60) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrCat(s, "s");
}

}  // namespace

std::string RenderDaemonStatusTable(const PoolStatus& status, const std::string& endpoint) {
  std::string out =
      absl::StrFormat("%s at %s, up %s\nPool: overcommit %.2fx, placement %s, time-slice %s\n",
                      status.daemon_version(), endpoint, HumanDuration(status.uptime_ns()),
                      status.overcommit_ratio(), status.placement(), status.time_slice());
  for (const auto& d : status.devices()) {
    absl::StrAppendFormat(&out,
                          "  %-8s %s: capacity %s, quotas placed %s, compute placed %.2f, "
                          "resident %s\n",
                          d.id(), d.name(), HumanBytes(d.capacity_bytes()),
                          HumanBytes(d.quota_placed_bytes()), d.compute_placed(),
                          HumanBytes(d.resident_bytes()));
    if (d.overcommitted()) {
      absl::StrAppendFormat(&out, "           evictions %d (%s), restores %d (%s), stalls %d\n",
                            d.evictions(), HumanBytes(d.bytes_evicted()), d.restores(),
                            HumanBytes(d.bytes_restored()), d.stalls());
    }
  }
  absl::StrAppendFormat(&out, "\nVirtual devices (%d)\n  %-12s %-8s %-24s %-8s %-20s %-8s %s\n",
                        status.virtual_devices_size(), "NAME", "DEVICE", "MEMORY USED / QUOTA",
                        "REFUSED", "COMPUTE", "ACHIEVED", "SESSIONS OWNER");
  for (const auto& vd : status.virtual_devices()) {
    // The achieved share is measured for time-sliced virtual devices only.
    const bool measured = vd.compute_enforcement() == "time-slice";
    // OWNER: only the admin requests' virtual devices have one.
    const std::string owner =
        !vd.dynamic() ? "" : absl::StrCat(" ", vd.owner().empty() ? "-" : vd.owner());
    absl::StrAppendFormat(&out, "  %-12s %-8s %-24s %-8d %-20s %-8s %-*d%s\n", vd.name(),
                          vd.device(),
                          absl::StrCat(HumanBytes(vd.memory_used_bytes()), " / ",
                                       HumanBytes(vd.memory_quota_bytes())),
                          vd.quota_refusals(),
                          absl::StrFormat("%.2f %s", vd.compute_share(), vd.compute_enforcement()),
                          measured ? absl::StrFormat("%.2f", vd.achieved_share()) : "-",
                          owner.empty() ? 0 : 8, vd.sessions(), owner);
  }
  absl::StrAppendFormat(&out, "\nSessions (%d)\n", status.sessions_size());
  if (status.sessions_size() > 0) {
    absl::StrAppendFormat(&out, "  %-6s %-12s %-28s %-10s %-8s %-8s %-10s %-10s %s\n", "ID",
                          "ATTACHED TO", "PEER", "MEMORY", "BUFFERS", "STREAMS", "COMMANDS",
                          "SHM REG.", "CONNECTED");
  }
  for (const auto& s : status.sessions()) {
    const uint64_t registered = s.registered_shared_memory_bytes();
    absl::StrAppendFormat(&out, "  %-6d %-12s %-28s %-10s %-8d %-8d %-10d %-10s %s ago\n", s.id(),
                          s.virtual_device().empty() ? "-" : s.virtual_device(), s.peer(),
                          HumanBytes(s.bytes_allocated()), s.buffers(), s.streams(), s.commands(),
                          registered == 0 ? "-" : HumanBytes(registered),
                          HumanDuration(s.connected_for_ns()));
  }
  return out;
}

std::string RenderDaemonStatusJson(const PoolStatus& status, const std::string& endpoint) {
  nlohmann::json json = {{"hal_pool_status_schema", 1},
                         {"endpoint", endpoint},
                         {"daemon", status.daemon_version()},
                         {"uptime_ns", status.uptime_ns()},
                         {"overcommit_ratio", status.overcommit_ratio()},
                         {"placement", status.placement()},
                         {"time_slice", status.time_slice()},
                         {"devices", nlohmann::json::array()},
                         {"virtual_devices", nlohmann::json::array()},
                         {"sessions", nlohmann::json::array()}};
  for (const auto& d : status.devices()) {
    json["devices"].push_back({{"id", d.id()},
                               {"name", d.name()},
                               {"capacity_bytes", d.capacity_bytes()},
                               {"quota_placed_bytes", d.quota_placed_bytes()},
                               {"compute_placed", d.compute_placed()},
                               {"overcommitted", d.overcommitted()},
                               {"resident_bytes", d.resident_bytes()},
                               {"evictions", d.evictions()},
                               {"bytes_evicted", d.bytes_evicted()},
                               {"restores", d.restores()},
                               {"bytes_restored", d.bytes_restored()},
                               {"stalls", d.stalls()}});
  }
  for (const auto& vd : status.virtual_devices()) {
    json["virtual_devices"].push_back(
        {{"name", vd.name()},
         {"device", vd.device()},
         {"memory_quota_bytes", vd.memory_quota_bytes()},
         {"memory_used_bytes", vd.memory_used_bytes()},
         {"memory_cached_bytes", vd.memory_cached_bytes()},
         {"quota_refusals", vd.quota_refusals()},
         {"compute_share", vd.compute_share()},
         {"compute_enforcement", vd.compute_enforcement()},
         {"compute_busy_ns", vd.compute_busy_ns()},
         {"compute_held_back_ns", vd.compute_held_back_ns()},
         {"achieved_share", vd.achieved_share()},
         {"sessions", vd.sessions()},
         {"registered_shared_memory_bytes", vd.registered_shared_memory_bytes()},
         {"priority", vd.priority()},
         {"dynamic", vd.dynamic()},
         {"owner", vd.owner()}});
  }
  for (const auto& s : status.sessions()) {
    json["sessions"].push_back(
        {{"id", s.id()},
         {"virtual_device", s.virtual_device()},
         {"peer", s.peer()},
         {"bytes_allocated", s.bytes_allocated()},
         {"buffers", s.buffers()},
         {"streams", s.streams()},
         {"commands", s.commands()},
         {"registered_shared_memory_bytes", s.registered_shared_memory_bytes()},
         {"connected_unix_ns", s.connected_unix_ns()},
         {"connected_for_ns", s.connected_for_ns()}});
  }
  // Names come from the pool file and peers: replaced (U+FFFD) where not UTF-8.
  return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace hal::info
