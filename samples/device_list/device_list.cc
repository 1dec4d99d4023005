// Lists the drivers hal found (or why each is unavailable) and the devices
// they provide: the first program to run on a new machine.
#include <iostream>

#include "absl/strings/str_join.h"
#include "hal/hal.h"

int main() {
  auto runtime = hal::Runtime::Create();
  if (!runtime.ok()) {
    std::cerr << "device_list: " << runtime.status() << "\n";
    return 1;
  }
  for (const hal::Driver* driver : (*runtime)->drivers()) {
    std::cout << "driver " << driver->name() << " " << driver->version() << ": "
              << (driver->available() ? "available" : "unavailable: " + driver->unavailable_reason())
              << "\n";
  }
  for (const hal::PhysicalDevice* device : (*runtime)->devices()) {
    const hal::DeviceProperties& p = device->properties();
    std::cout << device->id() << "  " << p.vendor << " " << p.name << "  "
              << (p.memory_bytes >> 20) << " MiB, " << p.compute_units << " compute units, formats ["
              << absl::StrJoin(p.kernel_formats, ", ") << "], partitions "
              << hal::PartitionKindName(p.partition.kind) << "\n"
              << "        select with HAL_DEVICE_SELECTOR=" << device->uuid_selector() << "\n";
  }
  return (*runtime)->devices().empty() ? 2 : 0;
}
