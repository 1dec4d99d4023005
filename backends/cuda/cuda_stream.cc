// Streams and events through libcuda: non-blocking streams (of the green
// context when the context is partitioned) with a priority, async copies,
// cuMemsetD32Async fills, cuLaunchKernel, and timing events.
#include "backends/cuda/cuda_errors.h"
#include "backends/cuda/cuda_state.h"
#include "backends/cuda/cuda_vendor.h"
#include "backends/gpu_core/native_handles.h"

namespace hal::cuda {
namespace {

using gpu::Narrow;

CUstream Stream(uint64_t stream) { return Narrow<CUstream>(stream); }
CUevent Event(uint64_t event) { return Narrow<CUevent>(event); }

// CUDA_ERROR_NOT_READY is an answer, not an error.
hal_result Pending(CUresult result, const char* function, gpu::ContextHealth* health) {
  return result == CUDA_ERROR_NOT_READY ? HAL_NOT_READY : Check(result, function, health);
}

}  // namespace

hal_result CudaVendor::StreamPriorityRange(Context& context, int* out_least, int* out_greatest) {
  return HAL_CU(&context.health, cuCtxGetStreamPriorityRange, out_least, out_greatest);
}

hal_result CudaVendor::StreamCreate(Context& context, int priority, uint64_t* out_stream) {
  CUstream stream = nullptr;
  const hal_result result =
      context.native_partition != 0
          ? HAL_CU(&context.health, cuGreenCtxStreamCreate, &stream,
                   Narrow<CUgreenCtx>(context.native_partition), CU_STREAM_NON_BLOCKING, priority)
          : HAL_CU(&context.health, cuStreamCreateWithPriority, &stream, CU_STREAM_NON_BLOCKING,
                   priority);
  *out_stream = gpu::Widen(stream);
  return result;
}

void CudaVendor::StreamDestroy(Context& /*context*/, uint64_t stream) {
  Api().cuStreamSynchronize(Stream(stream));
  Api().cuStreamDestroy(Stream(stream));
}

hal_result CudaVendor::StreamSynchronize(Context& context, uint64_t stream) {
  return HAL_CU(&context.health, cuStreamSynchronize, Stream(stream));
}

hal_result CudaVendor::StreamQuery(Context& context, uint64_t stream) {
  return Pending(Api().cuStreamQuery(Stream(stream)), "cuStreamQuery", &context.health);
}

hal_result CudaVendor::StreamWaitEvent(Context& context, uint64_t stream, uint64_t event) {
  return HAL_CU(&context.health, cuStreamWaitEvent, Stream(stream), Event(event), 0);
}

hal_result CudaVendor::CopyHostToDevice(Context& context, uint64_t stream, uint64_t dst,
                                        const void* src, uint64_t size) {
  return HAL_CU(&context.health, cuMemcpyHtoDAsync, dst, src, size, Stream(stream));
}

hal_result CudaVendor::CopyDeviceToHost(Context& context, uint64_t stream, void* dst, uint64_t src,
                                        uint64_t size) {
  return HAL_CU(&context.health, cuMemcpyDtoHAsync, dst, src, size, Stream(stream));
}

hal_result CudaVendor::CopyDeviceToDevice(Context& context, uint64_t stream, uint64_t dst,
                                          uint64_t src, uint64_t size) {
  return HAL_CU(&context.health, cuMemcpyDtoDAsync, dst, src, size, Stream(stream));
}

hal_result CudaVendor::Fill32(Context& context, uint64_t stream, uint64_t dst, uint32_t pattern,
                              uint64_t count) {
  return HAL_CU(&context.health, cuMemsetD32Async, dst, pattern, count, Stream(stream));
}

hal_result CudaVendor::Launch(Context& context, uint64_t stream, uint64_t function,
                              const uint32_t grid[3], const uint32_t block[3], void** params) {
  return HAL_CU(&context.health, cuLaunchKernel, Narrow<CUfunction>(function), grid[0], grid[1],
                grid[2], block[0], block[1], block[2], 0, Stream(stream), params, nullptr);
}

hal_result CudaVendor::EventCreate(Context& context, uint64_t* out_event) {
  CUevent event = nullptr;
  const hal_result result = HAL_CU(&context.health, cuEventCreate, &event, CU_EVENT_DEFAULT);
  *out_event = gpu::Widen(event);
  return result;
}

void CudaVendor::EventDestroy(Context& /*context*/, uint64_t event) {
  Api().cuEventDestroy(Event(event));
}

hal_result CudaVendor::EventRecord(Context& context, uint64_t event, uint64_t stream) {
  return HAL_CU(&context.health, cuEventRecord, Event(event), Stream(stream));
}

hal_result CudaVendor::EventQuery(Context& context, uint64_t event) {
  return Pending(Api().cuEventQuery(Event(event)), "cuEventQuery", &context.health);
}

hal_result CudaVendor::EventSynchronize(Context& context, uint64_t event) {
  return HAL_CU(&context.health, cuEventSynchronize, Event(event));
}

hal_result CudaVendor::EventElapsedMs(Context& context, uint64_t from, uint64_t to, float* out_ms) {
  return HAL_CU(&context.health, cuEventElapsedTime, out_ms, Event(from), Event(to));
}

}  // namespace hal::cuda
