// Immediate command lists (a worker thread each, commands in order), events
// and their pools, and kernel launches checked against the SPIR-V entry
// point before the kernel's CPU twin runs.
#include <chrono>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "tests/fake_level_zero/fake_ze_api.h"
#include "tests/fake_level_zero/fake_ze_state.h"
#include "tests/fake_vendor/launch_check.h"

namespace hal::fake::level_zero::api {
namespace {

// The live list, or nullptr.
std::shared_ptr<_ze_command_list_handle_t> LiveList(ze_command_list_handle_t list) {
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  const auto it = state.command_lists.find(list);
  return it == state.command_lists.end() ? nullptr : it->second;
}

bool LiveEvent(ze_event_handle_t event) {
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  if (event == nullptr || state.event_pools.count(event->pool) == 0) return false;
  for (const auto& [index, live] : event->pool->events) {
    if (live.get() == event) return true;
  }
  return false;
}

// Checks the events of an append and enqueues its command between the waits
// and the signal, as the Level Zero spec orders them.
ze_result_t Append(ze_command_list_handle_t handle, ze_event_handle_t signal, uint32_t wait_count,
                   const ze_event_handle_t* waits, std::function<void()> command) {
  const std::shared_ptr<_ze_command_list_handle_t> list = LiveList(handle);
  if (list == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (wait_count > 0 && waits == nullptr) return ZE_RESULT_ERROR_INVALID_SIZE;
  std::vector<ze_event_handle_t> wait_events(waits, waits + wait_count);
  for (ze_event_handle_t event : wait_events) {
    if (!LiveEvent(event)) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  }
  if (signal != nullptr && !LiveEvent(signal)) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  list->worker.Enqueue([wait_events = std::move(wait_events), signal,
                        command = std::move(command)] {
    for (ze_event_handle_t event : wait_events) event->Wait();
    if (command) command();
    if (signal != nullptr) signal->Signal();
  });
  return ZE_RESULT_SUCCESS;
}

// A device-side range of a copy or fill must lie inside one live allocation;
// host memory the device does not know is the caller's (Level Zero copies
// take any host pointer).
bool RangeIsUsable(const void* pointer, size_t size, const char* what) {
  State& state = Fake();
  const auto address = reinterpret_cast<uintptr_t>(pointer);
  if (!state.registry.Find(address) || state.registry.FindSpan(address, size)) return true;
  state.ledger.RecordViolation(absl::StrCat(what, ": ", size, " bytes at 0x", absl::Hex(address),
                                            " run past the end of their allocation"));
  return false;
}

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ze_result_t ZE_APICALL CommandListCreateImmediate(ze_context_handle_t context,
                                                  ze_device_handle_t device,
                                                  const ze_command_queue_desc_t* desc,
                                                  ze_command_list_handle_t* out) {
  FAKE_ZE_ENTER("zeCommandListCreateImmediate");
  State& state = Fake();
  if (context != &state.context || !IsDevice(device)) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (desc == nullptr || out == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  if (desc->ordinal != 1) {
    state.ledger.RecordViolation(absl::StrCat("zeCommandListCreateImmediate: queue group ",
                                              desc->ordinal, " cannot run kernels (group 1 can)"));
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  }
  auto list = std::make_shared<_ze_command_list_handle_t>();
  list->device = device;
  list->priority = desc->priority;
  std::lock_guard lock(state.mutex);
  *out = list.get();
  state.command_lists.emplace(list.get(), std::move(list));
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL CommandListDestroy(ze_command_list_handle_t handle) {
  FAKE_ZE_ENTER("zeCommandListDestroy");
  std::shared_ptr<_ze_command_list_handle_t> list;
  {
    State& state = Fake();
    std::lock_guard lock(state.mutex);
    const auto it = state.command_lists.find(handle);
    if (it == state.command_lists.end()) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
    list = std::move(it->second);
    state.command_lists.erase(it);
  }
  return ZE_RESULT_SUCCESS;  // the worker finishes what it was given
}

ze_result_t ZE_APICALL CommandListAppendMemoryCopy(ze_command_list_handle_t list, void* dst,
                                                   const void* src, size_t size,
                                                   ze_event_handle_t signal, uint32_t wait_count,
                                                   ze_event_handle_t* waits) {
  FAKE_ZE_ENTER("zeCommandListAppendMemoryCopy");
  if (dst == nullptr || src == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  if (!RangeIsUsable(dst, size, "zeCommandListAppendMemoryCopy destination") ||
      !RangeIsUsable(src, size, "zeCommandListAppendMemoryCopy source")) {
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  }
  return Append(list, signal, wait_count, waits, [dst, src, size] { std::memmove(dst, src, size); });
}

ze_result_t ZE_APICALL CommandListAppendMemoryFill(ze_command_list_handle_t list, void* dst,
                                                   const void* pattern, size_t pattern_size,
                                                   size_t size, ze_event_handle_t signal,
                                                   uint32_t wait_count, ze_event_handle_t* waits) {
  FAKE_ZE_ENTER("zeCommandListAppendMemoryFill");
  if (dst == nullptr || pattern == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  if (pattern_size == 0 || pattern_size > 128 || (pattern_size & (pattern_size - 1)) != 0 ||
      size % pattern_size != 0) {
    return ZE_RESULT_ERROR_INVALID_SIZE;
  }
  if (!RangeIsUsable(dst, size, "zeCommandListAppendMemoryFill")) {
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  }
  const auto* bytes = static_cast<const uint8_t*>(pattern);
  return Append(list, signal, wait_count, waits,
                [dst, size, copy = std::vector<uint8_t>(bytes, bytes + pattern_size)] {
                  auto* out = static_cast<uint8_t*>(dst);
                  for (size_t at = 0; at < size; at += copy.size()) {
                    std::memcpy(out + at, copy.data(), copy.size());
                  }
                });
}

ze_result_t ZE_APICALL CommandListAppendBarrier(ze_command_list_handle_t list,
                                                ze_event_handle_t signal, uint32_t wait_count,
                                                ze_event_handle_t* waits) {
  FAKE_ZE_ENTER("zeCommandListAppendBarrier");
  return Append(list, signal, wait_count, waits, nullptr);
}

ze_result_t ZE_APICALL CommandListAppendWaitOnEvents(ze_command_list_handle_t list, uint32_t count,
                                                     ze_event_handle_t* events) {
  FAKE_ZE_ENTER("zeCommandListAppendWaitOnEvents");
  return Append(list, nullptr, count, events, nullptr);
}

ze_result_t ZE_APICALL CommandListAppendSignalEvent(ze_command_list_handle_t list,
                                                    ze_event_handle_t event) {
  FAKE_ZE_ENTER("zeCommandListAppendSignalEvent");
  if (event == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  return Append(list, event, 0, nullptr, nullptr);
}

ze_result_t ZE_APICALL CommandListAppendWriteGlobalTimestamp(ze_command_list_handle_t list,
                                                             uint64_t* dst,
                                                             ze_event_handle_t signal,
                                                             uint32_t wait_count,
                                                             ze_event_handle_t* waits) {
  FAKE_ZE_ENTER("zeCommandListAppendWriteGlobalTimestamp");
  if (dst == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  if (!Fake().registry.FindSpan(reinterpret_cast<uintptr_t>(dst), sizeof(uint64_t))) {
    Fake().ledger.RecordViolation(
        "zeCommandListAppendWriteGlobalTimestamp: the destination is no device-reachable memory");
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  }
  // Written after every earlier command of the list completed.
  return Append(list, signal, wait_count, waits,
                [dst] { *dst = static_cast<uint64_t>(SteadyNs()) / kTimerResolutionNs; });
}

ze_result_t ZE_APICALL CommandListAppendLaunchKernel(ze_command_list_handle_t list,
                                                     ze_kernel_handle_t kernel,
                                                     const ze_group_count_t* groups,
                                                     ze_event_handle_t signal,
                                                     uint32_t wait_count,
                                                     ze_event_handle_t* waits) {
  FAKE_ZE_ENTER("zeCommandListAppendLaunchKernel");
  State& state = Fake();
  std::shared_ptr<_ze_kernel_handle_t> live;
  {
    std::lock_guard lock(state.mutex);
    const auto it = state.kernels.find(kernel);
    if (it == state.kernels.end()) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
    live = it->second;
  }
  if (groups == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  // The arguments and group size are captured now, as Level Zero specifies.
  std::vector<std::vector<uint8_t>> arguments;
  std::array<uint32_t, 3> group_size;
  {
    std::lock_guard lock(live->mutex);
    group_size = live->group_size;
    for (size_t i = 0; i < live->arguments.size(); ++i) {
      if (!live->arguments[i]) {
        state.ledger.RecordViolation(absl::StrCat("kernel \"", live->name, "\": argument ", i,
                                                  " was never set"));
        return ZE_RESULT_ERROR_INVALID_ARGUMENT;
      }
      arguments.push_back(*live->arguments[i]);
    }
  }
  std::vector<void*> params;
  for (std::vector<uint8_t>& argument : arguments) params.push_back(argument.data());
  const LaunchShape shape{{groups->groupCountX, groups->groupCountY, groups->groupCountZ},
                          group_size};
  absl::StatusOr<CpuLaunch> launch =
      CheckLaunch(live->twin, live->params.layout, params.data(), shape, state.registry);
  if (!launch.ok()) {
    state.ledger.RecordViolation(std::string(launch.status().message()));
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  }
  return Append(list, signal, wait_count, waits,
                [twin = live->twin, launch = *std::move(launch)] { RunOnCpu(twin, launch); });
}

ze_result_t ZE_APICALL EventPoolCreate(ze_context_handle_t context,
                                       const ze_event_pool_desc_t* desc, uint32_t device_count,
                                       ze_device_handle_t* devices, ze_event_pool_handle_t* out) {
  FAKE_ZE_ENTER("zeEventPoolCreate");
  State& state = Fake();
  if (context != &state.context) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (desc == nullptr || out == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  if (desc->count == 0) return ZE_RESULT_ERROR_INVALID_SIZE;
  for (uint32_t i = 0; i < device_count; ++i) {
    if (!IsDevice(devices[i])) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  }
  auto pool = std::make_unique<_ze_event_pool_handle_t>();
  pool->count = desc->count;
  pool->flags = desc->flags;
  std::lock_guard lock(state.mutex);
  *out = pool.get();
  state.event_pools.emplace(pool.get(), std::move(pool));
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL EventPoolDestroy(ze_event_pool_handle_t handle) {
  FAKE_ZE_ENTER("zeEventPoolDestroy");
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  const auto it = state.event_pools.find(handle);
  if (it == state.event_pools.end()) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (!it->second->events.empty()) {
    state.ledger.RecordViolation("zeEventPoolDestroy: the pool still has events");
    return ZE_RESULT_ERROR_HANDLE_OBJECT_IN_USE;
  }
  state.event_pools.erase(it);
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL EventCreate(ze_event_pool_handle_t pool, const ze_event_desc_t* desc,
                                   ze_event_handle_t* out) {
  FAKE_ZE_ENTER("zeEventCreate");
  State& state = Fake();
  if (desc == nullptr || out == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  std::lock_guard lock(state.mutex);
  if (state.event_pools.count(pool) == 0) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (desc->index >= pool->count || pool->events.count(desc->index) > 0) {
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  }
  auto event = std::make_unique<_ze_event_handle_t>();
  event->pool = pool;
  *out = event.get();
  pool->events.emplace(desc->index, std::move(event));
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL EventDestroy(ze_event_handle_t event) {
  FAKE_ZE_ENTER("zeEventDestroy");
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  if (event == nullptr || state.event_pools.count(event->pool) == 0) {
    return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  }
  auto& events = event->pool->events;
  for (auto it = events.begin(); it != events.end(); ++it) {
    if (it->second.get() == event) {
      events.erase(it);
      return ZE_RESULT_SUCCESS;
    }
  }
  return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
}

ze_result_t ZE_APICALL EventHostSynchronize(ze_event_handle_t event, uint64_t timeout) {
  FAKE_ZE_ENTER("zeEventHostSynchronize");
  if (!LiveEvent(event)) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (timeout == UINT64_MAX) {
    event->Wait();
    return ZE_RESULT_SUCCESS;
  }
  std::unique_lock lock(event->mutex);
  return event->changed.wait_for(lock, std::chrono::nanoseconds(timeout),
                                 [event] { return event->is_signalled; })
             ? ZE_RESULT_SUCCESS
             : ZE_RESULT_NOT_READY;
}

ze_result_t ZE_APICALL EventQueryStatus(ze_event_handle_t event) {
  FAKE_ZE_ENTER("zeEventQueryStatus");
  if (!LiveEvent(event)) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  return event->signalled() ? ZE_RESULT_SUCCESS : ZE_RESULT_NOT_READY;
}

ze_result_t ZE_APICALL EventHostReset(ze_event_handle_t event) {
  FAKE_ZE_ENTER("zeEventHostReset");
  if (!LiveEvent(event)) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  event->Reset();
  return ZE_RESULT_SUCCESS;
}

}  // namespace hal::fake::level_zero::api
