#include "tools/hal-info/machine_report.h"

namespace hal::info {

MachineReport CollectReport(const Runtime& runtime) {
  MachineReport report;
  for (const Driver* driver : runtime.drivers()) report.drivers.push_back(driver->info());
  for (const PhysicalDevice* device : runtime.devices()) {
    DeviceReport entry;
    entry.id = device->id();
    entry.selector = device->uuid_selector();
    entry.uuid = device->uuid_string();
    entry.driver = device->driver_name();
    entry.properties = device->properties();
    if (auto free_bytes = device->QueryFreeMemory(); free_bytes.ok()) {
      entry.free_memory_bytes = *free_bytes;
    } else {
      entry.free_memory_error = std::string(free_bytes.status().message());
    }
    report.devices.push_back(std::move(entry));
  }
  report.search_paths = runtime.search_paths();
  report.selector = runtime.selector().text();
  report.selector_unmatched = runtime.unmatched_selector_terms();
  return report;
}

ExitCode ExitCodeFor(const MachineReport& report) {
  if (!report.devices.empty()) return kExitUsableDevice;
  return report.drivers.empty() ? kExitNoDriver : kExitNoDevice;
}

}  // namespace hal::info
