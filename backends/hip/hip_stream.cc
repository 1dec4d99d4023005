// Streams and events through libamdhip64: non-blocking streams with a
// priority, or streams restricted to a partition's CUs
// (hipExtStreamCreateWithCUMask); async copies, hipMemsetD32Async fills,
// hipModuleLaunchKernel, and timing events.
#include <vector>

#include "backends/gpu_core/native_handles.h"
#include "backends/gpu_core/partitions.h"
#include "backends/hip/hip_api.h"
#include "backends/hip/hip_errors.h"
#include "backends/hip/hip_vendor.h"

namespace hal::hip {
namespace {

using gpu::Narrow;

hipStream_t AsStream(uint64_t stream) { return Narrow<hipStream_t>(stream); }
hipEvent_t AsEvent(uint64_t event) { return Narrow<hipEvent_t>(event); }
hipDeviceptr_t AsDevicePointer(uint64_t address) { return Narrow<hipDeviceptr_t>(address); }

// hipErrorNotReady answers a query on `context`; it is no failure.
hal_result Answer(gpu::Context& context, hipError_t result, const char* function) {
  return result == hipErrorNotReady ? HAL_NOT_READY : Check(result, function, &context.health);
}

// A stream on the CUs of the context's partition: the mask of its ledger
// groups, which no other partition of the device holds. The runtime gives
// such a stream the default priority.
hal_result CreateMaskedStream(gpu::Context& context, hipStream_t* out_stream) {
  const hal_device_properties& props = context.device.properties;
  const std::vector<uint32_t> mask =
      gpu::CuMask(context.groups, props.partition_alignment, props.partition_max_units);
  return HAL_HIP_IN(context, hipExtStreamCreateWithCUMask, out_stream,
                    static_cast<uint32_t>(mask.size()), mask.data());
}

}  // namespace

hal_result HipVendor::StreamPriorityRange(Context& context, int* out_least, int* out_greatest) {
  return HAL_HIP_IN(context, hipDeviceGetStreamPriorityRange, out_least, out_greatest);
}

hal_result HipVendor::StreamCreate(Context& context, int priority, uint64_t* out_stream) {
  hipStream_t stream = nullptr;
  const hal_result result = context.groups.empty()
                                ? HAL_HIP_IN(context, hipStreamCreateWithPriority, &stream,
                                             hipStreamNonBlocking, priority)
                                : CreateMaskedStream(context, &stream);
  *out_stream = gpu::Widen(stream);
  return result;
}

void HipVendor::StreamDestroy(Context& /*context*/, uint64_t stream) {
  Released(Api().hipStreamSynchronize(AsStream(stream)));
  Released(Api().hipStreamDestroy(AsStream(stream)));
}

hal_result HipVendor::StreamSynchronize(Context& context, uint64_t stream) {
  return HAL_HIP_IN(context, hipStreamSynchronize, AsStream(stream));
}

hal_result HipVendor::StreamQuery(Context& context, uint64_t stream) {
  return Answer(context, Api().hipStreamQuery(AsStream(stream)), "hipStreamQuery");
}

hal_result HipVendor::StreamWaitEvent(Context& context, uint64_t stream, uint64_t event) {
  return HAL_HIP_IN(context, hipStreamWaitEvent, AsStream(stream), AsEvent(event), 0);
}

hal_result HipVendor::CopyHostToDevice(Context& context, uint64_t stream, uint64_t dst,
                                       const void* src, uint64_t size) {
  // hipMemcpyHtoDAsync takes a non-const source it only reads.
  return HAL_HIP_IN(context, hipMemcpyHtoDAsync, AsDevicePointer(dst), const_cast<void*>(src), size,
                    AsStream(stream));
}

hal_result HipVendor::CopyDeviceToHost(Context& context, uint64_t stream, void* dst, uint64_t src,
                                       uint64_t size) {
  return HAL_HIP_IN(context, hipMemcpyDtoHAsync, dst, AsDevicePointer(src), size, AsStream(stream));
}

hal_result HipVendor::CopyDeviceToDevice(Context& context, uint64_t stream, uint64_t dst,
                                         uint64_t src, uint64_t size) {
  return HAL_HIP_IN(context, hipMemcpyDtoDAsync, AsDevicePointer(dst), AsDevicePointer(src), size,
                    AsStream(stream));
}

hal_result HipVendor::Fill32(Context& context, uint64_t stream, uint64_t dst, uint32_t pattern,
                             uint64_t count) {
  return HAL_HIP_IN(context, hipMemsetD32Async, AsDevicePointer(dst), static_cast<int>(pattern),
                    count, AsStream(stream));
}

hal_result HipVendor::Launch(Context& context, uint64_t stream, uint64_t function,
                             const uint32_t grid[3], const uint32_t block[3], void** params) {
  return HAL_HIP_IN(context, hipModuleLaunchKernel, Narrow<hipFunction_t>(function), grid[0],
                    grid[1], grid[2], block[0], block[1], block[2], 0, AsStream(stream), params,
                    nullptr);
}

hal_result HipVendor::EventCreate(Context& context, uint64_t* out_event) {
  hipEvent_t event = nullptr;
  const hal_result result = HAL_HIP_IN(context, hipEventCreateWithFlags, &event, hipEventDefault);
  *out_event = gpu::Widen(event);
  return result;
}

void HipVendor::EventDestroy(Context& /*context*/, uint64_t event) {
  Released(Api().hipEventDestroy(AsEvent(event)));
}

hal_result HipVendor::EventRecord(Context& context, uint64_t event, uint64_t stream) {
  return HAL_HIP_IN(context, hipEventRecord, AsEvent(event), AsStream(stream));
}

hal_result HipVendor::EventQuery(Context& context, uint64_t event) {
  return Answer(context, Api().hipEventQuery(AsEvent(event)), "hipEventQuery");
}

hal_result HipVendor::EventSynchronize(Context& context, uint64_t event) {
  return HAL_HIP_IN(context, hipEventSynchronize, AsEvent(event));
}

hal_result HipVendor::EventElapsedMs(Context& context, uint64_t from, uint64_t to, float* out_ms) {
  return HAL_HIP_IN(context, hipEventElapsedTime, out_ms, AsEvent(from), AsEvent(to));
}

}  // namespace hal::hip
