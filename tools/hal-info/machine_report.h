// What hal-info reports, collected once from the runtime into plain values so
// the table and JSON writers share one source of truth.
#ifndef HAL_TOOLS_HAL_INFO_MACHINE_REPORT_H_
#define HAL_TOOLS_HAL_INFO_MACHINE_REPORT_H_

#include <optional>
#include <string>
#include <vector>

#include "hal/runtime.h"
#include "tools/hal-info/pool_report.h"

namespace hal::info {

struct DeviceReport {
  std::string id;        // "cpu:0"
  std::string selector;  // "cpu:<uuid>", pasteable into HAL_DEVICE_SELECTOR
  std::string uuid;
  std::string driver;
  DeviceProperties properties;
  std::optional<uint64_t> free_memory_bytes;  // absent when the query failed
  std::string free_memory_error;
};

struct MachineReport {
  std::vector<Driver::Info> drivers;
  std::vector<DeviceReport> devices;
  std::vector<std::string> search_paths;
  std::string selector;
  std::vector<std::string> selector_unmatched;  // why terms matched nothing
  std::optional<PoolReport> pool;               // with --pool
};

MachineReport CollectReport(const Runtime& runtime);

// Process exit codes (docs/hal-info.md).
enum ExitCode : int {
  kExitUsableDevice = 0,
  kExitError = 1,
  kExitNoDevice = 2,
  kExitNoDriver = 3,
  kExitNoDaemon = 4,        // --pool without FILE: nothing answered at the endpoint
  kExitDaemonRefused = 5,   // --pool without FILE: the daemon refused (access, version)
};
ExitCode ExitCodeFor(const MachineReport& report);

}  // namespace hal::info

#endif  // HAL_TOOLS_HAL_INFO_MACHINE_REPORT_H_
