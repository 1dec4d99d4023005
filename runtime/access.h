// How libhal's own code reaches the state behind the public handles, which
// keep it private so that users cannot reach into internals.
#ifndef HAL_RUNTIME_ACCESS_H_
#define HAL_RUNTIME_ACCESS_H_

#include "hal/physical_device.h"
#include "runtime/loaded_driver.h"

namespace hal::internal {

struct Access {
  // The internal state of a Buffer, Device, Event or Kernel.
  template <typename Handle>
  static const auto& State(const Handle& handle) {
    return handle.state_;
  }
  static const LoadedDriver& Driver(const PhysicalDevice& device) { return *device.driver_; }
};

}  // namespace hal::internal

#endif  // HAL_RUNTIME_ACCESS_H_
