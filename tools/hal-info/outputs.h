// hal-info's two renderings of a MachineReport.
#ifndef HAL_TOOLS_HAL_INFO_OUTPUTS_H_
#define HAL_TOOLS_HAL_INFO_OUTPUTS_H_

#include <cstdint>
#include <string>

#include "tools/hal-info/machine_report.h"

namespace hal::info {

// The human table; `verbose` adds every property, manifests and search paths.
std::string RenderTable(const MachineReport& report, bool verbose);
// One JSON object, schema "hal_info_schema": 1 (docs/hal-info.md).
std::string RenderJson(const MachineReport& report);
// "512 B", "1.5 GiB".
std::string HumanBytes(uint64_t bytes);

}  // namespace hal::info

#endif  // HAL_TOOLS_HAL_INFO_OUTPUTS_H_
