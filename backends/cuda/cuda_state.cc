#include "backends/cuda/cuda_state.h"

namespace hal::cuda {

DriverState& State() {
  // Destroyed when the runtime unloads the driver, after shutdown(): a
  // leaked heap object would be unreachable once the plugin is closed.
  static DriverState state;
  return state;
}

}  // namespace hal::cuda
