// Contexts of the shared core: partitions taken from the device's ledger,
// the vendor's context opened over them, the caching allocator and the
// event clock on an anchor stream of the context's own.
#include <string>

#include "backends/gpu_core/handles.h"
#include "backends/gpu_core/partitions.h"

namespace hal::gpu {
namespace {

// Without the runtime's accounting the cache keeps at most this share of the
// device's memory.
constexpr uint64_t kDefaultCacheShare = 8;

const char* UnitName(hal_partition_kind kind) {
  switch (kind) {
    case HAL_PARTITION_SM:
      return "SMs";
    case HAL_PARTITION_CU_MASK:
      return "CUs";
    default:
      return "units";
  }
}

// Takes the ledger groups of a partition of `requested` units.
hal_result TakePartition(Context& context, uint32_t requested) {
  Device& device = context.device;
  const hal_device_properties& props = device.properties;
  const uint32_t granted = GrantedUnits(requested, props.partition_min_units,
                                        props.partition_alignment, props.partition_max_units);
  auto groups = device.partitions->Take(granted);
  const std::string units = UnitName(props.partition_kind);
  if (!groups.has_value()) {
    return Fail(HAL_ERROR_OUT_OF_MEMORY,
                "a partition of " + std::to_string(requested) + " " + units + " (granted " +
                    std::to_string(granted) +
                    ") does not fit: " + std::to_string(device.partitions->free_units()) + " of " +
                    std::to_string(props.partition_max_units) + " " + units +
                    " are not in another context's partition");
  }
  context.groups = *groups;
  context.units = 0;
  for (const uint32_t group : context.groups)
    context.units += device.partitions->group_units(group);
  return HAL_SUCCESS;
}

}  // namespace

hal_result ContextMemory::AllocateBlock(uint64_t size, uint64_t* out_address) {
  return context_.vendor.MemAlloc(context_, size, out_address);
}

void ContextMemory::FreeBlock(uint64_t address, uint64_t /*size*/) {
  // Called from buffer_free and trims too, which need no context otherwise. A
  // lost context answers every call with its sticky error; the memory goes
  // with the context then.
  ScopedCurrent current(context_);
  context_.vendor.MemFree(context_, address);
}

hal_result ContextAnchors::RecordAnchor(uint64_t* out_event) {
  Vendor& vendor = context_.vendor;
  uint64_t event = 0;
  if (const hal_result r = vendor.EventCreate(context_, &event)) return r;
  hal_result result = vendor.EventRecord(context_, event, context_.anchor_stream);
  if (result == HAL_SUCCESS) result = vendor.EventSynchronize(context_, event);
  if (result != HAL_SUCCESS) {
    vendor.EventDestroy(context_, event);
    return result;
  }
  *out_event = event;
  return HAL_SUCCESS;
}

void ContextAnchors::DestroyAnchor(uint64_t event) {
  context_.vendor.EventDestroy(context_, event);
}

hal_result ContextAnchors::ElapsedMs(uint64_t from, uint64_t to, float* out_ms) {
  return context_.vendor.EventElapsedMs(context_, from, to, out_ms);
}

Context::~Context() {
  if (opened) {
    {
      ScopedCurrent current(*this);
      clock.reset();
      allocator.reset();
      if (anchor_stream != 0) vendor.StreamDestroy(*this, anchor_stream);
    }
    vendor.CloseContext(*this);
  }
  if (!groups.empty()) device.partitions->Give(groups);
}

hal_result CreateContext(Vendor& vendor, Device& device, const hal_context_desc& desc,
                         std::unique_ptr<Context>* out_context) {
  auto context = std::make_unique<Context>(vendor, device);
  const hal_device_properties& props = device.properties;
  if (desc.partition_units > 0 && props.partition_kind != HAL_PARTITION_NONE) {
    if (const hal_result r = TakePartition(*context, desc.partition_units)) return r;
  } else {
    context->units = props.partition_max_units;
  }
  if (const hal_result r = vendor.OpenContext(*context)) return r;
  context->opened = true;
  const auto* accounting = static_cast<const hal_context_memory_accounting*>(
      hal_chain_find(desc.next, HAL_STRUCTURE_TYPE_CONTEXT_MEMORY_ACCOUNTING));
  context->allocator = std::make_unique<CachingAllocator>(
      context->memory, accounting, props.total_memory_bytes / kDefaultCacheShare);
  const hal_result result = InContext(*context, [&] {
    if (const hal_result r = vendor.StreamCreate(*context, 0, &context->anchor_stream)) return r;
    context->clock = std::make_unique<EventClock>(context->anchors);
    return context->clock->Start();
  });
  if (result != HAL_SUCCESS) return result;
  *out_context = std::move(context);
  return HAL_SUCCESS;
}

}  // namespace hal::gpu
