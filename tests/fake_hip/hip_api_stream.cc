// Streams (a worker thread each; CU-mask streams record their mask) and
// events (steady-clock timestamps).
#include "tests/fake_hip/fake_hip_state.h"

namespace hal::fake::hip {
namespace {

hipError_t CreateStream(hipStream_t* stream, int priority, std::vector<uint32_t> cu_mask) {
  if (stream == nullptr) return hipErrorInvalidValue;
  const int current = CurrentDevice();
  if (const hipError_t error = DeviceError(current)) return error;
  auto created = std::make_shared<ihipStream_t>();
  created->device = current;
  created->priority = priority;
  created->cu_mask = std::move(cu_mask);
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  state.streams.emplace(created.get(), created);
  *stream = created.get();
  return hipSuccess;
}

std::shared_ptr<FakeEvent> LiveEvent(hipEvent_t event, bool* timing = nullptr) {
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  const auto it = state.events.find(event);
  if (it == state.events.end()) return nullptr;
  if (timing != nullptr) *timing = it->second->timing;
  return it->second->event;
}

}  // namespace
}  // namespace hal::fake::hip

using hal::fake::hip::Fake;

FAKE_HIP_EXPORT hipError_t hipStreamCreateWithPriority(hipStream_t* stream, unsigned int flags,
                                                       int priority) {
  FAKE_HIP_ENTER_INITIALIZED("hipStreamCreateWithPriority");
  if (flags != hipStreamDefault && flags != hipStreamNonBlocking) return hipErrorInvalidValue;
  return hal::fake::hip::CreateStream(stream, priority, {});
}

FAKE_HIP_EXPORT hipError_t hipExtStreamCreateWithCUMask(hipStream_t* stream, uint32_t cuMaskSize,
                                                        const uint32_t* cuMask) {
  FAKE_HIP_ENTER_INITIALIZED("hipExtStreamCreateWithCUMask");
  const hal::fake::hip::Device* device =
      hal::fake::hip::DeviceAt(hal::fake::hip::CurrentDevice());
  if (device == nullptr) return hipErrorInvalidDevice;
  if (cuMask == nullptr || cuMaskSize == 0) return hipErrorInvalidValue;
  std::vector<uint32_t> mask(cuMask, cuMask + cuMaskSize);
  // A mask naming no CU of the device, or a CU it does not have, is refused.
  bool any = false;
  for (uint32_t bit = 0; bit < cuMaskSize * 32; ++bit) {
    if ((mask[bit / 32] >> (bit % 32) & 1) == 0) continue;
    if (bit >= device->cus) {
      Fake().ledger.RecordViolation("a CU mask naming a CU the device does not have");
      return hipErrorInvalidValue;
    }
    any = true;
  }
  if (!any) return hipErrorInvalidValue;
  return hal::fake::hip::CreateStream(stream, 0, std::move(mask));
}

FAKE_HIP_EXPORT hipError_t hipStreamDestroy(hipStream_t stream) {
  FAKE_HIP_ENTER_INITIALIZED("hipStreamDestroy");
  std::shared_ptr<ihipStream_t> doomed;
  {
    hal::fake::hip::State& state = Fake();
    std::lock_guard lock(state.mutex);
    const auto it = state.streams.find(stream);
    if (it == state.streams.end()) return hipErrorInvalidHandle;
    doomed = std::move(it->second);
    state.streams.erase(it);
  }
  return hipSuccess;  // `doomed` finishes its work as it goes
}

FAKE_HIP_EXPORT hipError_t hipStreamSynchronize(hipStream_t stream) {
  FAKE_HIP_ENTER_INITIALIZED("hipStreamSynchronize");
  std::shared_ptr<ihipStream_t> resolved = hal::fake::hip::ResolveStream(stream);
  if (!resolved) return hipErrorInvalidHandle;
  resolved->worker.WaitIdle();
  return hal::fake::hip::DeviceError(resolved->device);
}

FAKE_HIP_EXPORT hipError_t hipStreamQuery(hipStream_t stream) {
  FAKE_HIP_ENTER_INITIALIZED("hipStreamQuery");
  std::shared_ptr<ihipStream_t> resolved = hal::fake::hip::ResolveStream(stream);
  if (!resolved) return hipErrorInvalidHandle;
  if (const hipError_t error = hal::fake::hip::DeviceError(resolved->device)) return error;
  return resolved->worker.Idle() ? hipSuccess : hipErrorNotReady;
}

FAKE_HIP_EXPORT hipError_t hipStreamWaitEvent(hipStream_t stream, hipEvent_t event,
                                              unsigned int flags) {
  FAKE_HIP_ENTER_INITIALIZED("hipStreamWaitEvent");
  if (flags != 0) return hipErrorInvalidValue;
  std::shared_ptr<ihipStream_t> resolved = hal::fake::hip::ResolveStream(stream);
  std::shared_ptr<hal::fake::FakeEvent> waited = hal::fake::hip::LiveEvent(event);
  if (!resolved || !waited) return hipErrorInvalidHandle;
  const uint64_t generation = waited->latest();
  resolved->worker.Enqueue([waited, generation] { waited->WaitFor(generation); });
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipEventCreateWithFlags(hipEvent_t* event, unsigned flags) {
  FAKE_HIP_ENTER_INITIALIZED("hipEventCreateWithFlags");
  if (event == nullptr || (flags & ~(hipEventDisableTiming | hipEventBlockingSync)) != 0) {
    return hipErrorInvalidValue;
  }
  auto created = std::make_unique<ihipEvent_t>();
  created->timing = (flags & hipEventDisableTiming) == 0;
  hal::fake::hip::State& state = Fake();
  std::lock_guard lock(state.mutex);
  *event = created.get();
  state.events.emplace(created.get(), std::move(created));
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipEventRecord(hipEvent_t event, hipStream_t stream) {
  FAKE_HIP_ENTER_INITIALIZED("hipEventRecord");
  std::shared_ptr<ihipStream_t> resolved = hal::fake::hip::ResolveStream(stream);
  std::shared_ptr<hal::fake::FakeEvent> recorded = hal::fake::hip::LiveEvent(event);
  if (!resolved || !recorded) return hipErrorInvalidHandle;
  const uint64_t generation = recorded->BeginRecord();
  resolved->worker.EnqueueMarker([recorded, generation] { recorded->Complete(generation); });
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipEventQuery(hipEvent_t event) {
  FAKE_HIP_ENTER_INITIALIZED("hipEventQuery");
  std::shared_ptr<hal::fake::FakeEvent> queried = hal::fake::hip::LiveEvent(event);
  if (!queried) return hipErrorInvalidHandle;
  return queried->Completed() ? hipSuccess : hipErrorNotReady;
}

FAKE_HIP_EXPORT hipError_t hipEventSynchronize(hipEvent_t event) {
  FAKE_HIP_ENTER_INITIALIZED("hipEventSynchronize");
  std::shared_ptr<hal::fake::FakeEvent> waited = hal::fake::hip::LiveEvent(event);
  if (!waited) return hipErrorInvalidHandle;
  waited->WaitFor(waited->latest());
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipEventElapsedTime(float* ms, hipEvent_t start, hipEvent_t stop) {
  FAKE_HIP_ENTER_INITIALIZED("hipEventElapsedTime");
  bool start_timing = false, stop_timing = false;
  std::shared_ptr<hal::fake::FakeEvent> first = hal::fake::hip::LiveEvent(start, &start_timing);
  std::shared_ptr<hal::fake::FakeEvent> last = hal::fake::hip::LiveEvent(stop, &stop_timing);
  if (ms == nullptr) return hipErrorInvalidValue;
  if (!first || !last || !start_timing || !stop_timing || first->latest() == 0 ||
      last->latest() == 0) {
    return hipErrorInvalidHandle;
  }
  if (!first->Completed() || !last->Completed()) return hipErrorNotReady;
  *ms = static_cast<float>(static_cast<double>(last->timestamp_ns() - first->timestamp_ns()) /
                           1e6);
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipEventDestroy(hipEvent_t event) {
  FAKE_HIP_ENTER_INITIALIZED("hipEventDestroy");
  hal::fake::hip::State& state = Fake();
  std::lock_guard lock(state.mutex);
  return state.events.erase(event) == 1 ? hipSuccess : hipErrorInvalidHandle;
}
