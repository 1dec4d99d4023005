#include "backends/cuda/cuda_context.h"

#include <string>

#include "backends/cuda/cuda_device.h"
#include "backends/gpu_core/partitions.h"

namespace hal::cuda {
namespace {

// Without the runtime's accounting the cache keeps at most this share of the
// device's memory.
constexpr uint64_t kDefaultCacheShare = 8;

uint64_t ToHandle(CUevent event) { return reinterpret_cast<uint64_t>(event); }
CUevent ToEvent(uint64_t handle) { return reinterpret_cast<CUevent>(handle); }

// Makes a green context of the ledger groups `groups` of `device`: the
// device's SMs split in groups of the alignment (the remainder last), the
// chosen ones combined into one descriptor.
hal_result CreateGreenContext(Device& device, const std::vector<uint32_t>& groups,
                              CUgreenCtx* out_green) {
  const uint32_t alignment = device.partitions->alignment();
  std::vector<CUdevResource> split(device.sm_resource.smCount / alignment + 1);
  unsigned int split_count = static_cast<unsigned int>(split.size() - 1);
  CUdevResource whole{};
  whole.type = CU_DEV_RESOURCE_TYPE_SM;
  whole.sm = device.sm_resource;
  CUdevResource remaining{};
  if (const hal_result r = HAL_CU(nullptr, cuDevSmResourceSplitByCount, split.data(), &split_count,
                                  &whole, &remaining, 0, alignment)) {
    return r;
  }
  split[split_count] = remaining;
  std::vector<CUdevResource> chosen;
  for (const uint32_t group : groups) {
    if (group > split_count || split[group].sm.smCount == 0) {
      return gpu::Fail(HAL_ERROR_INTERNAL,
                       "cuDevSmResourceSplitByCount gave " + std::to_string(split_count) +
                           " groups of " + std::to_string(alignment) +
                           " SMs, fewer than the device's SM count implies");
    }
    chosen.push_back(split[group]);
  }
  CUdevResourceDesc desc = nullptr;
  if (const hal_result r = HAL_CU(nullptr, cuDevResourceGenerateDesc, &desc, chosen.data(),
                                  static_cast<unsigned int>(chosen.size()))) {
    return r;
  }
  return HAL_CU(nullptr, cuGreenCtxCreate, out_green, desc, device.device,
                CU_GREEN_CTX_DEFAULT_STREAM);
}

hal_result Partition(Context& context, uint32_t requested) {
  Device& device = context.device;
  const hal_device_properties& props = device.properties;
  const uint32_t granted = gpu::GrantedUnits(requested, props.partition_min_units,
                                             props.partition_alignment, props.partition_max_units);
  auto groups = device.partitions->Take(granted);
  if (!groups.has_value()) {
    return gpu::Fail(HAL_ERROR_OUT_OF_MEMORY,
                     "a partition of " + std::to_string(requested) + " SMs (granted " +
                         std::to_string(granted) + ") does not fit: " +
                         std::to_string(device.partitions->free_units()) + " of " +
                         std::to_string(props.partition_max_units) +
                         " SMs are not in another context's partition");
  }
  context.groups = *groups;
  context.units = 0;
  for (const uint32_t group : context.groups) context.units += device.partitions->group_units(group);
  if (const hal_result r = CreateGreenContext(device, context.groups, &context.green)) return r;
  return HAL_CU(nullptr, cuCtxFromGreenCtx, &context.context, context.green);
}

}  // namespace

hal_result DeviceMemory::AllocateBlock(uint64_t size, uint64_t* out_address) {
  CUdeviceptr address = 0;
  const hal_result result = HAL_CU(&context_.health, cuMemAlloc, &address, size);
  *out_address = address;
  return result;
}

void DeviceMemory::FreeBlock(uint64_t address, uint64_t /*size*/) {
  // Called from buffer_free and trims too, which need no context otherwise. A
  // lost context answers every call with its sticky error; the memory goes
  // with the context then.
  ScopedCurrent current(context_);
  Api().cuMemFree(static_cast<CUdeviceptr>(address));
}

hal_result ContextAnchors::RecordAnchor(uint64_t* out_event) {
  CUevent event = nullptr;
  if (const hal_result r = HAL_CU(&context_.health, cuEventCreate, &event, CU_EVENT_DEFAULT)) {
    return r;
  }
  hal_result result = HAL_CU(&context_.health, cuEventRecord, event, context_.anchor_stream);
  if (result == HAL_SUCCESS) result = HAL_CU(&context_.health, cuEventSynchronize, event);
  if (result != HAL_SUCCESS) {
    Api().cuEventDestroy(event);
    return result;
  }
  *out_event = ToHandle(event);
  return HAL_SUCCESS;
}

void ContextAnchors::DestroyAnchor(uint64_t event) { Api().cuEventDestroy(ToEvent(event)); }

hal_result ContextAnchors::ElapsedMs(uint64_t from, uint64_t to, float* out_ms) {
  return HAL_CU(&context_.health, cuEventElapsedTime, out_ms, ToEvent(from), ToEvent(to));
}

Context::~Context() {
  if (context != nullptr) {
    ScopedCurrent current(*this);
    clock.reset();
    allocator.reset();
    if (anchor_stream != nullptr) Api().cuStreamDestroy(anchor_stream);
  }
  if (green != nullptr) Api().cuGreenCtxDestroy(green);
  if (!groups.empty()) device.partitions->Give(groups);
}

hal_result CreateContext(Device& device, const hal_context_desc& desc,
                         std::unique_ptr<Context>* out_context) {
  auto context = std::make_unique<Context>(device);
  const hal_device_properties& props = device.properties;
  if (desc.partition_units > 0 && props.partition_kind == HAL_PARTITION_SM) {
    if (const hal_result r = Partition(*context, desc.partition_units)) return r;
  } else {
    if (const hal_result r = RetainPrimary(device, &context->context)) return r;
    context->units = props.partition_max_units;
  }
  const auto* accounting = static_cast<const hal_context_memory_accounting*>(
      hal_chain_find(desc.next, HAL_STRUCTURE_TYPE_CONTEXT_MEMORY_ACCOUNTING));
  context->allocator = std::make_unique<gpu::CachingAllocator>(
      context->memory, accounting, props.total_memory_bytes / kDefaultCacheShare);
  const hal_result result = InContext(*context, [&] {
    if (const hal_result r = CreateStream(*context, 0, &context->anchor_stream)) return r;
    context->clock = std::make_unique<gpu::EventClock>(context->anchors);
    return context->clock->Start();
  });
  if (result != HAL_SUCCESS) return result;
  *out_context = std::move(context);
  return HAL_SUCCESS;
}

hal_result CreateStream(Context& context, int priority, CUstream* out_stream) {
  if (context.green != nullptr) {
    return HAL_CU(&context.health, cuGreenCtxStreamCreate, out_stream, context.green,
                  CU_STREAM_NON_BLOCKING, priority);
  }
  return HAL_CU(&context.health, cuStreamCreateWithPriority, out_stream, CU_STREAM_NON_BLOCKING,
                priority);
}

ScopedCurrent::ScopedCurrent(Context& context)
    : result_(HAL_CU(&context.health, cuCtxPushCurrent, context.context)) {}

ScopedCurrent::~ScopedCurrent() {
  if (result_ != HAL_SUCCESS) return;
  CUcontext popped = nullptr;
  Api().cuCtxPopCurrent(&popped);
}

}  // namespace hal::cuda
