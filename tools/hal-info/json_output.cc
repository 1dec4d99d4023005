#include "nlohmann/json.hpp"
#include "tools/hal-info/outputs.h"

namespace hal::info {
namespace {

nlohmann::json DriverJson(const Driver::Info& d) {
  nlohmann::json unusable = nlohmann::json::array();
  for (const Driver::UnusableDevice& device : d.unusable_devices) {
    unusable.push_back({{"name", device.name}, {"reason", device.reason}});
  }
  return {{"name", d.name},
          {"available", d.available},
          {"reason", d.reason},
          {"version", d.version},
          {"abi_version", d.abi_version},
          {"manifest", d.manifest_path},
          {"library", d.library_path},
          {"unusable_devices", std::move(unusable)}};
}

nlohmann::json DeviceJson(const DeviceReport& d) {
  const DeviceProperties& p = d.properties;
  nlohmann::json device = {{"id", d.id},
                           {"selector", d.selector},
                           {"uuid", d.uuid},
                           {"driver", d.driver},
                           {"vendor", p.vendor},
                           {"name", p.name},
                           {"type", DeviceTypeName(p.type)},
                           {"architecture", p.architecture},
                           {"pci_bus_id", p.pci_bus_id},
                           {"memory_bytes", p.memory_bytes},
                           {"l2_cache_bytes", p.l2_cache_bytes},
                           {"free_memory_bytes", nullptr},
                           {"compute_units", p.compute_units},
                           {"kernel_formats", p.kernel_formats},
                           {"capabilities", p.capabilities.names()},
                           {"partition",
                            {{"kind", PartitionKindName(p.partition.kind)},
                             {"min_units", p.partition.min_units},
                             {"alignment", p.partition.alignment},
                             // Schema 1 named the alignment so; kept, as the schema only grows.
                             {"granularity", p.partition.alignment},
                             {"max_units", p.partition.max_units}}},
                           {"limits",
                            {{"max_workgroup_size", p.max_workgroup_size},
                             {"max_workgroup_invocations", p.max_workgroup_invocations},
                             {"max_workgroup_count", p.max_workgroup_count},
                             {"min_buffer_alignment", p.min_buffer_alignment},
                             {"binding_offset_alignment", p.binding_offset_alignment},
                             {"allocation_granularity", p.allocation_granularity},
                             {"timestamp_resolution_ns", p.timestamp_resolution_ns}}},
                           {"device_buffers_mappable", p.device_buffers_mappable}};
  if (d.free_memory_bytes) device["free_memory_bytes"] = *d.free_memory_bytes;
  return device;
}

nlohmann::json PoolJson(const PoolReport& pool) {
  nlohmann::json json = {{"overcommit_ratio", pool.options.overcommit_ratio},
                         {"placement", PlacementPolicyName(pool.options.placement)},
                         {"time_slice", TimeSliceModeName(pool.options.time_slice)},
                         {"devices", nlohmann::json::array()},
                         {"virtual_devices", nlohmann::json::array()}};
  for (const PoolDeviceReport& d : pool.devices) {
    nlohmann::json device = {{"id", d.id},
                             {"capacity_bytes", d.capacity_bytes},
                             {"quota_placed_bytes", d.quota_placed},
                             {"compute_placed", d.compute_placed},
                             {"residency", nullptr}};
    if (d.residency) {
      device["residency"] = {{"resident_bytes", d.residency->resident_bytes},
                             {"evictions", d.residency->evictions},
                             {"restores", d.residency->restores},
                             {"bytes_evicted", d.residency->bytes_evicted},
                             {"bytes_restored", d.residency->bytes_restored},
                             {"stalls", d.residency->stalls}};
    }
    json["devices"].push_back(std::move(device));
  }
  for (const VirtualDeviceReport& vd : pool.virtual_devices) {
    json["virtual_devices"].push_back(
        {{"name", vd.spec.name},
         {"device", vd.device},
         {"memory_quota_bytes", vd.spec.memory_quota},
         {"memory_used_bytes", vd.memory_used},
         {"memory_cached_bytes", vd.memory_cached},
         {"quota_refusals", vd.quota_refusals},
         {"compute_share", vd.spec.compute_share},
         {"compute_enforcement", ComputeEnforcementName(vd.enforcement)},
         {"compute_busy_ns", vd.compute_busy_ns},
         {"compute_held_back_ns", vd.compute_held_back_ns},
         {"priority", vd.spec.priority}});
  }
  return json;
}

}  // namespace

std::string RenderJson(const MachineReport& report) {
  nlohmann::json json = {{"hal_info_schema", 1},
                         {"selector", report.selector},
                         {"selector_unmatched", report.selector_unmatched},
                         {"search_paths", report.search_paths},
                         {"drivers", nlohmann::json::array()},
                         {"devices", nlohmann::json::array()}};
  for (const Driver::Info& driver : report.drivers) json["drivers"].push_back(DriverJson(driver));
  for (const DeviceReport& device : report.devices) json["devices"].push_back(DeviceJson(device));
  if (report.pool) json["pool"] = PoolJson(*report.pool);
  // Paths and drivers' strings are bytes that need not be UTF-8: replaced
  // (U+FFFD) rather than thrown on, which would abort hal-info.
  return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace hal::info
