// gemm_f32 for HIP: the CUDA source, which HIP compiles unchanged once the HIP
// runtime header declares blockIdx, __syncthreads and kin (kernels/README.md).
#include <hip/hip_runtime.h>

#include "../cuda/gemm_f32.cu"
