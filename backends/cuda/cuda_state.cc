#include "backends/cuda/cuda_state.h"

namespace hal::cuda {

CudaApi& MutableApi() {
  // Destroyed when the runtime unloads the driver, after shutdown(): a
  // leaked heap object would be unreachable once the plugin is closed.
  static CudaApi api;
  return api;
}

}  // namespace hal::cuda
