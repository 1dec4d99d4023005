// vector_add_i32 for HIP: the CUDA source, which HIP compiles unchanged once the HIP
// runtime header declares blockIdx, __syncthreads and kin (kernels/README.md).
#include <hip/hip_runtime.h>

#include "../cuda/vector_add_i32.cu"
