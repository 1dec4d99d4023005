#include "backends/cuda/cuda_state.h"

namespace hal::cuda {

DriverState& State() {
  // Never destroyed: a driver thread may still read it while the process exits.
  static DriverState* const state = new DriverState();
  return *state;
}

}  // namespace hal::cuda
