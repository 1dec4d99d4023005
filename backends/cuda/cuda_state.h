// The CUDA driver's process-wide state: the libcuda entry points resolved at
// initialize(), forgotten at shutdown().
#ifndef HAL_BACKENDS_CUDA_CUDA_STATE_H_
#define HAL_BACKENDS_CUDA_CUDA_STATE_H_

#include "backends/cuda/cuda_api.h"

namespace hal::cuda {

CudaApi& MutableApi();
inline const CudaApi& Api() { return MutableApi(); }

}  // namespace hal::cuda

#endif  // HAL_BACKENDS_CUDA_CUDA_STATE_H_
