// Names and descriptions of every CUresult of cuda.h (cuda_error_table.inc).
#ifndef HAL_TESTS_FAKE_CUDA_CUDA_ERRORS_H_
#define HAL_TESTS_FAKE_CUDA_CUDA_ERRORS_H_

#include <cuda.h>

namespace hal::fake::cuda {

// nullptr for a value cuda.h does not define (cuGetErrorName then answers
// CUDA_ERROR_INVALID_VALUE, as the real driver does).
const char* ErrorName(CUresult error);
const char* ErrorDescription(CUresult error);

}  // namespace hal::fake::cuda

#endif  // HAL_TESTS_FAKE_CUDA_CUDA_ERRORS_H_
