#include "nlohmann/json.hpp"
#include "tools/hal-info/outputs.h"

namespace hal::info {
namespace {

nlohmann::json DriverJson(const Driver::Info& d) {
  return {{"name", d.name},         {"available", d.available},
          {"reason", d.reason},     {"version", d.version},
          {"abi_version", d.abi_version}, {"manifest", d.manifest_path},
          {"library", d.library_path}};
}

nlohmann::json DeviceJson(const DeviceReport& d) {
  const DeviceProperties& p = d.properties;
  nlohmann::json device = {
      {"id", d.id},
      {"selector", d.selector},
      {"uuid", d.uuid},
      {"driver", d.driver},
      {"vendor", p.vendor},
      {"name", p.name},
      {"type", DeviceTypeName(p.type)},
      {"memory_bytes", p.memory_bytes},
      {"free_memory_bytes", nullptr},
      {"compute_units", p.compute_units},
      {"kernel_formats", p.kernel_formats},
      {"partition",
       {{"kind", PartitionKindName(p.partition.kind)},
        {"granularity", p.partition.granularity},
        {"max_units", p.partition.max_units}}},
      {"limits",
       {{"max_workgroup_size", p.max_workgroup_size},
        {"max_workgroup_invocations", p.max_workgroup_invocations},
        {"max_workgroup_count", p.max_workgroup_count},
        {"min_buffer_alignment", p.min_buffer_alignment},
        {"binding_offset_alignment", p.binding_offset_alignment},
        {"allocation_granularity", p.allocation_granularity},
        {"timestamp_resolution_ns", p.timestamp_resolution_ns}}}};
  if (d.free_memory_bytes) device["free_memory_bytes"] = *d.free_memory_bytes;
  return device;
}

}  // namespace

std::string RenderJson(const MachineReport& report) {
  nlohmann::json json = {{"hal_info_schema", 1},
                         {"selector", report.selector},
                         {"search_paths", report.search_paths},
                         {"drivers", nlohmann::json::array()},
                         {"devices", nlohmann::json::array()}};
  for (const Driver::Info& driver : report.drivers) json["drivers"].push_back(DriverJson(driver));
  for (const DeviceReport& device : report.devices) json["devices"].push_back(DeviceJson(device));
  return json.dump(2) + "\n";
}

}  // namespace hal::info
