#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/hal-info/outputs.h"

namespace hal::info {

std::string HumanBytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024.0 && unit < 4) {
    value /= 1024.0;
    ++unit;
  }
  return unit == 0 ? absl::StrCat(bytes, " B") : absl::StrFormat("%.1f %s", value, units[unit]);
}

namespace {

std::string PartitionText(const PartitionInfo& partition) {
  if (partition.kind == PartitionKind::kNone) return "none (time-sliced)";
  return absl::StrFormat("%s, %u units, grants of at least %u in multiples of %u",
                         PartitionKindName(partition.kind), partition.max_units,
                         partition.min_units, partition.alignment);
}

std::string CapabilitiesText(const CapabilitySet& capabilities) {
  const std::vector<std::string> names = capabilities.names();
  return names.empty() ? "none" : absl::StrJoin(names, ", ");
}

// "-" for what the driver left empty or unknown.
std::string OrDash(const std::string& text) { return text.empty() ? "-" : text; }

void AppendDrivers(const MachineReport& report, bool verbose, std::string& out) {
  absl::StrAppend(&out, "Drivers (", report.drivers.size(), ")\n");
  if (report.drivers.empty()) {
    absl::StrAppend(
        &out, "  none found; searched: ",
        report.search_paths.empty() ? "no folder" : absl::StrJoin(report.search_paths, ":"), "\n");
  }
  for (const Driver::Info& d : report.drivers) {
    absl::StrAppendFormat(&out, "  %-10s %-10s ABI %-5s %s\n", d.name,
                          d.version.empty() ? "-" : d.version,
                          d.abi_version.empty() ? "-" : d.abi_version,
                          d.available ? "loaded" : "unavailable: " + d.reason);
    for (const Driver::UnusableDevice& device : d.unusable_devices) {
      absl::StrAppend(&out, "             not used: ", device.name, ": ", device.reason, "\n");
    }
    if (verbose) {
      absl::StrAppend(&out, "             manifest ", d.manifest_path, "\n");
      absl::StrAppend(&out, "             library  ", d.library_path, "\n");
    }
  }
}

void AppendDevice(const DeviceReport& d, bool verbose, std::string& out) {
  const DeviceProperties& p = d.properties;
  absl::StrAppendFormat(&out, "  %-8s %s %s\n", d.id, p.vendor, p.name);
  absl::StrAppendFormat(&out, "           type %s, memory %s, %u compute units\n",
                        DeviceTypeName(p.type), HumanBytes(p.memory_bytes), p.compute_units);
  absl::StrAppendFormat(
      &out, "           architecture %s, L2 cache %s, PCI %s\n", OrDash(p.architecture),
      p.l2_cache_bytes ? HumanBytes(p.l2_cache_bytes) : "-", OrDash(p.pci_bus_id));
  absl::StrAppend(&out, "           kernel formats ", absl::StrJoin(p.kernel_formats, ", "), "\n");
  absl::StrAppend(&out, "           capabilities ", CapabilitiesText(p.capabilities), "\n");
  absl::StrAppend(&out, "           partitions ", PartitionText(p.partition), "\n");
  absl::StrAppend(&out, "           selector   ", d.selector, "\n");
  if (!verbose) return;
  absl::StrAppend(&out, "           uuid       ", d.uuid, "\n");
  absl::StrAppend(
      &out, "           free memory ",
      d.free_memory_bytes ? HumanBytes(*d.free_memory_bytes) : "unknown: " + d.free_memory_error,
      "\n");
  absl::StrAppend(&out, "           max workgroup size ", absl::StrJoin(p.max_workgroup_size, "x"),
                  " (", p.max_workgroup_invocations, " invocations)\n");
  absl::StrAppend(&out, "           max workgroup count ",
                  absl::StrJoin(p.max_workgroup_count, "x"), "\n");
  absl::StrAppend(&out, "           alignment: buffers ", p.min_buffer_alignment,
                  " B, binding offsets ", p.binding_offset_alignment, " B, allocations ",
                  p.allocation_granularity, " B\n");
  absl::StrAppend(&out, "           timestamp resolution ", p.timestamp_resolution_ns, " ns\n");
  absl::StrAppend(&out, "           Map(): ",
                  p.device_buffers_mappable ? "every buffer" : "host-staging buffers only", "\n");
}

}  // namespace

std::string RenderTable(const MachineReport& report, bool verbose) {
  std::string out;
  AppendDrivers(report, verbose, out);
  absl::StrAppend(
      &out, "\nDevices (", report.devices.size(), ")",
      report.selector.empty() ? "" : absl::StrCat(", selector \"", report.selector, "\""), "\n");
  if (report.devices.empty()) {
    absl::StrAppend(&out, report.selector.empty() ? "  none usable\n" : "  none selected\n");
  }
  for (const std::string& why : report.selector_unmatched) {
    absl::StrAppend(&out, "  selector term ", why, "\n");
  }
  for (const DeviceReport& device : report.devices) AppendDevice(device, verbose, out);
  if (report.pool) absl::StrAppend(&out, RenderPoolTable(*report.pool));
  if (verbose) {
    absl::StrAppend(&out, "\nManifest search paths\n");
    for (const std::string& path : report.search_paths) absl::StrAppend(&out, "  ", path, "\n");
  }
  return out;
}

}  // namespace hal::info
