// Streams, events, and the copies and fills that run on streams.
#include <cstring>

#include "tests/fake_cuda/entry_points.h"
#include "tests/fake_cuda/fake_cuda_state.h"

namespace hal::fake::cuda {
namespace {

// The stream `handle` names (the NULL stream: the current context's) if it
// is live and its context holds no sticky error.
CUresult StreamFor(CUstream handle, std::shared_ptr<CUstream_st>* stream) {
  *stream = ResolveStream(handle, CurrentContext());
  if (*stream == nullptr) {
    return handle == nullptr ? CUDA_ERROR_INVALID_CONTEXT : CUDA_ERROR_INVALID_HANDLE;
  }
  return StickyError((*stream)->context);
}

// Runs `operation` on the stream unless its context went sticky before it.
void EnqueueGuarded(const std::shared_ptr<CUstream_st>& stream, std::function<void()> operation) {
  CUctx_st* context = stream->context;
  stream->worker.Enqueue([context, operation = std::move(operation)] {
    if (StickyError(context) == CUDA_SUCCESS) operation();
  });
}

bool DeviceSpan(CUdeviceptr pointer, uint64_t size) {
  return Fake().registry.FindSpan(pointer, size).has_value();
}

CUresult CUDAAPI StreamCreateWithPriority(CUstream* handle, unsigned int flags, int priority) {
  FAKE_CU_ENTER_INITIALIZED("cuStreamCreateWithPriority");
  CUctx_st* context = nullptr;
  if (const CUresult error = RequireContext(&context)) return error;
  if (handle == nullptr || (flags & ~CU_STREAM_NON_BLOCKING) != 0) return CUDA_ERROR_INVALID_VALUE;
  auto stream = std::make_shared<CUstream_st>();
  stream->context = context;
  stream->priority = std::clamp(priority, -5, 0);
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  *handle = stream.get();
  state.streams.emplace(stream.get(), std::move(stream));
  return CUDA_SUCCESS;
}

CUresult CUDAAPI StreamDestroy(CUstream handle) {
  FAKE_CU_ENTER_INITIALIZED("cuStreamDestroy");
  std::shared_ptr<CUstream_st> stream;
  {
    State& state = Fake();
    std::lock_guard lock(state.mutex);
    const auto it = state.streams.find(handle);
    if (it == state.streams.end()) return CUDA_ERROR_INVALID_HANDLE;
    stream = std::move(it->second);
    state.streams.erase(it);
  }
  return CUDA_SUCCESS;  // the worker finishes what it was given, then stops
}

CUresult CUDAAPI StreamSynchronize(CUstream handle) {
  FAKE_CU_ENTER_INITIALIZED("cuStreamSynchronize");
  std::shared_ptr<CUstream_st> stream;
  if (const CUresult error = StreamFor(handle, &stream); stream == nullptr) return error;
  stream->worker.WaitIdle();
  return StickyError(stream->context);
}

CUresult CUDAAPI StreamQuery(CUstream handle) {
  FAKE_CU_ENTER_INITIALIZED("cuStreamQuery");
  std::shared_ptr<CUstream_st> stream;
  if (const CUresult error = StreamFor(handle, &stream)) return error;
  return stream->worker.Idle() ? CUDA_SUCCESS : CUDA_ERROR_NOT_READY;
}

CUevent_st* LiveEvent(CUevent handle) {
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  const auto it = state.events.find(handle);
  return it == state.events.end() ? nullptr : it->second.get();
}

CUresult CUDAAPI StreamWaitEvent(CUstream handle, CUevent event_handle, unsigned int flags) {
  FAKE_CU_ENTER_INITIALIZED("cuStreamWaitEvent");
  std::shared_ptr<CUstream_st> stream;
  if (const CUresult error = StreamFor(handle, &stream)) return error;
  CUevent_st* event = LiveEvent(event_handle);
  if (event == nullptr) return CUDA_ERROR_INVALID_HANDLE;
  if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
  const uint64_t generation = event->event->latest();
  if (generation == 0) return CUDA_SUCCESS;  // never recorded: nothing to wait for
  stream->worker.Enqueue(
      [waited = event->event, generation] { waited->WaitFor(generation); });
  return CUDA_SUCCESS;
}

CUresult CUDAAPI EventCreate(CUevent* handle, unsigned int flags) {
  FAKE_CU_ENTER_INITIALIZED("cuEventCreate");
  CUctx_st* context = nullptr;
  if (const CUresult error = RequireContext(&context)) return error;
  if (handle == nullptr) return CUDA_ERROR_INVALID_VALUE;
  auto event = std::make_unique<CUevent_st>();
  event->context = context;
  event->timing = (flags & CU_EVENT_DISABLE_TIMING) == 0;
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  *handle = event.get();
  state.events.emplace(event.get(), std::move(event));
  return CUDA_SUCCESS;
}

CUresult CUDAAPI EventDestroy(CUevent handle) {
  FAKE_CU_ENTER_INITIALIZED("cuEventDestroy");
  std::unique_ptr<CUevent_st> event;
  {
    State& state = Fake();
    std::lock_guard lock(state.mutex);
    const auto it = state.events.find(handle);
    if (it == state.events.end()) return CUDA_ERROR_INVALID_HANDLE;
    event = std::move(it->second);
    state.events.erase(it);
  }
  return CUDA_SUCCESS;  // records still queued hold the event's state
}

CUresult CUDAAPI EventRecord(CUevent event_handle, CUstream handle) {
  FAKE_CU_ENTER_INITIALIZED("cuEventRecord");
  CUevent_st* event = LiveEvent(event_handle);
  if (event == nullptr) return CUDA_ERROR_INVALID_HANDLE;
  std::shared_ptr<CUstream_st> stream;
  if (const CUresult error = StreamFor(handle, &stream)) return error;
  const uint64_t generation = event->event->BeginRecord();
  // Unguarded: a record completes even after a sticky error, so that nothing
  // waiting on it hangs.
  stream->worker.EnqueueMarker(
      [recorded = event->event, generation] { recorded->Complete(generation); });
  return CUDA_SUCCESS;
}

CUresult CUDAAPI EventQuery(CUevent handle) {
  FAKE_CU_ENTER_INITIALIZED("cuEventQuery");
  CUevent_st* event = LiveEvent(handle);
  if (event == nullptr) return CUDA_ERROR_INVALID_HANDLE;
  if (const CUresult error = StickyError(event->context)) return error;
  return event->event->Completed() ? CUDA_SUCCESS : CUDA_ERROR_NOT_READY;
}

CUresult CUDAAPI EventSynchronize(CUevent handle) {
  FAKE_CU_ENTER_INITIALIZED("cuEventSynchronize");
  CUevent_st* event = LiveEvent(handle);
  if (event == nullptr) return CUDA_ERROR_INVALID_HANDLE;
  event->event->WaitFor(event->event->latest());
  return StickyError(event->context);
}

CUresult CUDAAPI EventElapsedTime(float* milliseconds, CUevent start_handle, CUevent end_handle) {
  FAKE_CU_ENTER_INITIALIZED("cuEventElapsedTime");
  CUevent_st* start = LiveEvent(start_handle);
  CUevent_st* end = LiveEvent(end_handle);
  if (start == nullptr || end == nullptr) return CUDA_ERROR_INVALID_HANDLE;
  if (milliseconds == nullptr) return CUDA_ERROR_INVALID_VALUE;
  if (const CUresult error = StickyError(start->context)) return error;
  if (!start->timing || !end->timing || start->event->latest() == 0 || end->event->latest() == 0) {
    return CUDA_ERROR_INVALID_HANDLE;
  }
  if (!start->event->Completed() || !end->event->Completed()) return CUDA_ERROR_NOT_READY;
  *milliseconds =
      static_cast<float>(end->event->timestamp_ns() - start->event->timestamp_ns()) / 1.0e6f;
  return CUDA_SUCCESS;
}

// A copy on a stream; `device_ranges` must lie inside live allocations.
CUresult EnqueueCopy(const char* name, void* destination, const void* source, size_t bytes,
                     CUstream handle, std::initializer_list<CUdeviceptr> device_ranges) {
  std::shared_ptr<CUstream_st> stream;
  if (const CUresult error = StreamFor(handle, &stream)) return error;
  for (const CUdeviceptr pointer : device_ranges) {
    if (!DeviceSpan(pointer, bytes)) {
      Fake().ledger.RecordViolation(std::string(name) + ": a device range outside any allocation");
      return CUDA_ERROR_INVALID_VALUE;
    }
  }
  if (bytes == 0) return CUDA_SUCCESS;
  EnqueueGuarded(stream, [=] { std::memmove(destination, source, bytes); });
  return CUDA_SUCCESS;
}

CUresult CUDAAPI MemcpyHtoDAsync(CUdeviceptr destination, const void* source, size_t bytes,
                                 CUstream stream) {
  FAKE_CU_ENTER_INITIALIZED("cuMemcpyHtoDAsync");
  return EnqueueCopy("cuMemcpyHtoDAsync", reinterpret_cast<void*>(destination), source, bytes,
                     stream, {destination});
}

CUresult CUDAAPI MemcpyDtoHAsync(void* destination, CUdeviceptr source, size_t bytes,
                                 CUstream stream) {
  FAKE_CU_ENTER_INITIALIZED("cuMemcpyDtoHAsync");
  return EnqueueCopy("cuMemcpyDtoHAsync", destination, reinterpret_cast<const void*>(source),
                     bytes, stream, {source});
}

CUresult CUDAAPI MemcpyDtoDAsync(CUdeviceptr destination, CUdeviceptr source, size_t bytes,
                                 CUstream stream) {
  FAKE_CU_ENTER_INITIALIZED("cuMemcpyDtoDAsync");
  return EnqueueCopy("cuMemcpyDtoDAsync", reinterpret_cast<void*>(destination),
                     reinterpret_cast<const void*>(source), bytes, stream, {destination, source});
}

CUresult CUDAAPI MemsetD32Async(CUdeviceptr destination, unsigned int value, size_t count,
                                CUstream handle) {
  FAKE_CU_ENTER_INITIALIZED("cuMemsetD32Async");
  std::shared_ptr<CUstream_st> stream;
  if (const CUresult error = StreamFor(handle, &stream)) return error;
  if (destination % 4 != 0 || count > SIZE_MAX / 4 || !DeviceSpan(destination, count * 4)) {
    return CUDA_ERROR_INVALID_VALUE;
  }
  EnqueueGuarded(stream, [=] {
    auto* words = reinterpret_cast<uint32_t*>(destination);
    for (size_t i = 0; i < count; ++i) words[i] = value;
  });
  return CUDA_SUCCESS;
}

}  // namespace

std::vector<EntryPoint> StreamEntryPoints() {
  return {
      {"cuStreamCreateWithPriority", 5050, AsEntry(&StreamCreateWithPriority)},
      LegacyEntry<&StreamDestroy>("cuStreamDestroy"),
      {"cuStreamDestroy", 4000, AsEntry(&StreamDestroy)},
      {"cuStreamSynchronize", 2000, AsEntry(&StreamSynchronize)},
      {"cuStreamQuery", 2000, AsEntry(&StreamQuery)},
      {"cuStreamWaitEvent", 3020, AsEntry(&StreamWaitEvent)},
      {"cuEventCreate", 2000, AsEntry(&EventCreate)},
      LegacyEntry<&EventDestroy>("cuEventDestroy"),
      {"cuEventDestroy", 4000, AsEntry(&EventDestroy)},
      {"cuEventRecord", 2000, AsEntry(&EventRecord)},
      {"cuEventQuery", 2000, AsEntry(&EventQuery)},
      {"cuEventSynchronize", 2000, AsEntry(&EventSynchronize)},
      {"cuEventElapsedTime", 2000, AsEntry(&EventElapsedTime)},
      {"cuEventElapsedTime", 12080, AsEntry(&EventElapsedTime)},
      LegacyEntry<&MemcpyHtoDAsync>("cuMemcpyHtoDAsync"),
      {"cuMemcpyHtoDAsync", 3020, AsEntry(&MemcpyHtoDAsync)},
      LegacyEntry<&MemcpyDtoHAsync>("cuMemcpyDtoHAsync"),
      {"cuMemcpyDtoHAsync", 3020, AsEntry(&MemcpyDtoHAsync)},
      LegacyEntry<&MemcpyDtoDAsync>("cuMemcpyDtoDAsync"),
      {"cuMemcpyDtoDAsync", 3020, AsEntry(&MemcpyDtoDAsync)},
      {"cuMemsetD32Async", 3020, AsEntry(&MemsetD32Async)},
  };
}

}  // namespace hal::fake::cuda
