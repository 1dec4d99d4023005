// Green contexts: SM resources of a device, split in groups rounded as the
// real driver rounds them (to the co-scheduling alignment, at least the
// minimum partition), and contexts and streams on a group.
#include "tests/fake_cuda/entry_points.h"
#include "tests/fake_cuda/fake_cuda_state.h"

namespace hal::fake::cuda {
namespace {

void SetSmResource(CUdevResource* resource, uint32_t sm_count, const Device& device) {
  *resource = CUdevResource{};
  resource->type = CU_DEV_RESOURCE_TYPE_SM;
  resource->sm.smCount = sm_count;
  resource->sm.minSmPartitionSize = device.sm_alignment;
  resource->sm.smCoscheduledAlignment = device.sm_alignment;
}

CUresult CUDAAPI DeviceGetDevResource(CUdevice ordinal, CUdevResource* resource,
                                      CUdevResourceType type) {
  FAKE_CU_ENTER_INITIALIZED("cuDeviceGetDevResource");
  const Device* device = DeviceAt(ordinal);
  if (device == nullptr) return CUDA_ERROR_INVALID_DEVICE;
  if (resource == nullptr || type != CU_DEV_RESOURCE_TYPE_SM) return CUDA_ERROR_INVALID_VALUE;
  if (!device->green) return CUDA_ERROR_NOT_SUPPORTED;
  SetSmResource(resource, device->sms, *device);
  return CUDA_SUCCESS;
}

// The SMs of one group asked to hold at least `min_count`: rounded up to the
// co-scheduling alignment, and never below the minimum partition.
uint32_t RoundedGroupSize(const CUdevResource& input, unsigned int min_count) {
  const uint32_t alignment = std::max(1u, input.sm.smCoscheduledAlignment);
  const uint32_t at_least = std::max(min_count, input.sm.minSmPartitionSize);
  return (at_least + alignment - 1) / alignment * alignment;
}

CUresult CUDAAPI DevSmResourceSplitByCount(CUdevResource* result, unsigned int* groups,
                                           const CUdevResource* input, CUdevResource* remaining,
                                           unsigned int flags, unsigned int min_count) {
  FAKE_CU_ENTER_INITIALIZED("cuDevSmResourceSplitByCount");
  if (groups == nullptr || input == nullptr || input->type != CU_DEV_RESOURCE_TYPE_SM ||
      flags != 0) {
    return CUDA_ERROR_INVALID_VALUE;
  }
  const uint32_t size = RoundedGroupSize(*input, min_count);
  const uint32_t possible = size == 0 ? 0 : input->sm.smCount / size;
  if (possible == 0) return CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION;
  const uint32_t made = result == nullptr ? possible : std::min(*groups, possible);
  if (result != nullptr) {
    for (uint32_t i = 0; i < made; ++i) {
      result[i] = *input;
      result[i].sm.smCount = size;
    }
  }
  if (remaining != nullptr) {
    *remaining = *input;
    remaining->sm.smCount = input->sm.smCount - made * size;
  }
  *groups = made;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI DevResourceGenerateDesc(CUdevResourceDesc* desc, CUdevResource* resources,
                                         unsigned int count) {
  FAKE_CU_ENTER_INITIALIZED("cuDevResourceGenerateDesc");
  if (desc == nullptr || resources == nullptr || count == 0) return CUDA_ERROR_INVALID_VALUE;
  auto made = std::make_unique<CUdevResourceDesc_st>();
  for (unsigned int i = 0; i < count; ++i) {
    if (resources[i].type != CU_DEV_RESOURCE_TYPE_SM) return CUDA_ERROR_INVALID_RESOURCE_TYPE;
    made->sm_count += resources[i].sm.smCount;
  }
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  *desc = made.get();
  state.resource_descs.emplace(made.get(), std::move(made));
  return CUDA_SUCCESS;
}

CUresult CUDAAPI GreenCtxCreate(CUgreenCtx* handle, CUdevResourceDesc desc, CUdevice ordinal,
                                unsigned int flags) {
  FAKE_CU_ENTER_INITIALIZED("cuGreenCtxCreate");
  Device* device = DeviceAt(ordinal);
  if (device == nullptr) return CUDA_ERROR_INVALID_DEVICE;
  if (!device->green) return CUDA_ERROR_NOT_SUPPORTED;
  if (handle == nullptr || flags != CU_GREEN_CTX_DEFAULT_STREAM) return CUDA_ERROR_INVALID_VALUE;
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  const auto it = state.resource_descs.find(desc);
  if (it == state.resource_descs.end() || it->second->sm_count > device->sms) {
    return CUDA_ERROR_INVALID_VALUE;
  }
  auto green = std::make_unique<CUgreenCtx_st>();
  green->context.device = device;
  green->context.sm_count = it->second->sm_count;
  *handle = green.get();
  state.green_contexts.emplace(green.get(), std::move(green));
  return CUDA_SUCCESS;
}

CUresult CUDAAPI GreenCtxDestroy(CUgreenCtx handle) {
  FAKE_CU_ENTER_INITIALIZED("cuGreenCtxDestroy");
  std::unique_ptr<CUgreenCtx_st> green;
  {
    State& state = Fake();
    std::lock_guard lock(state.mutex);
    const auto it = state.green_contexts.find(handle);
    if (it == state.green_contexts.end()) return CUDA_ERROR_INVALID_CONTEXT;
    for (const auto& [key, stream] : state.streams) {
      // The real driver leaves such streams dangling; the fake says so.
      if (stream->context == &it->second->context) {
        state.ledger.RecordViolation("cuGreenCtxDestroy with a stream of it still alive");
        return CUDA_ERROR_CONTEXT_IS_DESTROYED;
      }
    }
    green = std::move(it->second);
    state.green_contexts.erase(it);
  }
  std::vector<CUctx_st*>& stack = ContextStack();
  std::erase(stack, &green->context);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI CtxFromGreenCtx(CUcontext* context, CUgreenCtx handle) {
  FAKE_CU_ENTER_INITIALIZED("cuCtxFromGreenCtx");
  if (context == nullptr) return CUDA_ERROR_INVALID_VALUE;
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  const auto it = state.green_contexts.find(handle);
  if (it == state.green_contexts.end()) return CUDA_ERROR_INVALID_CONTEXT;
  *context = &it->second->context;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI GreenCtxStreamCreate(CUstream* handle, CUgreenCtx green_handle,
                                      unsigned int flags, int priority) {
  FAKE_CU_ENTER_INITIALIZED("cuGreenCtxStreamCreate");
  if (handle == nullptr || (flags & CU_STREAM_NON_BLOCKING) == 0) return CUDA_ERROR_INVALID_VALUE;
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  const auto it = state.green_contexts.find(green_handle);
  if (it == state.green_contexts.end()) return CUDA_ERROR_INVALID_CONTEXT;
  if (const CUresult error = StickyError(&it->second->context)) return error;
  auto stream = std::make_shared<CUstream_st>();
  stream->context = &it->second->context;
  stream->priority = std::clamp(priority, -5, 0);
  *handle = stream.get();
  state.streams.emplace(stream.get(), std::move(stream));
  return CUDA_SUCCESS;
}

}  // namespace

std::vector<EntryPoint> GreenContextEntryPoints() {
  return {
      {"cuDeviceGetDevResource", 12040, AsEntry(&DeviceGetDevResource)},
      {"cuDevSmResourceSplitByCount", 12040, AsEntry(&DevSmResourceSplitByCount)},
      {"cuDevResourceGenerateDesc", 12040, AsEntry(&DevResourceGenerateDesc)},
      {"cuGreenCtxCreate", 12040, AsEntry(&GreenCtxCreate)},
      {"cuGreenCtxDestroy", 12040, AsEntry(&GreenCtxDestroy)},
      {"cuCtxFromGreenCtx", 12040, AsEntry(&CtxFromGreenCtx)},
      {"cuGreenCtxStreamCreate", 12050, AsEntry(&GreenCtxStreamCreate)},
  };
}

}  // namespace hal::fake::cuda
