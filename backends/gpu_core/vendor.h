// What a GPU vendor library gives the shared driver core: the primitive calls
// the ABI's functions are made of. The core (driver_table.cc, context.cc,
// memory.cc, streams.cc, events.cc, modules.cc) implements the whole driver
// ABI once over this interface; the CUDA and HIP drivers implement it over
// libcuda and libamdhip64, each call one vendor function checked through the
// vendor's error table (message set, sticky errors marking context.health
// lost). Vendor handles (CUstream, hipStream_t, device pointers) travel
// widened to uint64_t.
#ifndef HAL_BACKENDS_GPU_CORE_VENDOR_H_
#define HAL_BACKENDS_GPU_CORE_VENDOR_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "backends/gpu_core/caching_allocator.h"
#include "backends/gpu_core/event_clock.h"
#include "backends/gpu_core/gpu_objects.h"
#include "backends/gpu_core/partitions.h"
#include "hal/driver/hal_driver.h"

namespace hal::gpu {

class Vendor;

// A device the driver serves. Vendors derive to keep their own handles.
struct Device {
  virtual ~Device() = default;
  int ordinal = 0;
  hal_device_properties properties{};
  bool can_map_host_memory = false;
  std::unique_ptr<PartitionLedger> partitions;  // when properties.partition_kind is not NONE
};

// The device memory of a context, under its caching allocator.
class ContextMemory : public BlockProvider {
 public:
  explicit ContextMemory(class Context& context) : context_(context) {}
  hal_result AllocateBlock(uint64_t size, uint64_t* out_address) override;
  void FreeBlock(uint64_t address, uint64_t size) override;

 private:
  Context& context_;
};

// Anchor events on the context's own stream, for its EventClock.
class ContextAnchors : public AnchorSource {
 public:
  explicit ContextAnchors(class Context& context) : context_(context) {}
  hal_result RecordAnchor(uint64_t* out_event) override;
  void DestroyAnchor(uint64_t event) override;
  hal_result ElapsedMs(uint64_t from, uint64_t to, float* out_ms) override;

 private:
  Context& context_;
};

// A hal context: the whole device, or a compute partition of it (the ledger
// groups it holds). It owns the caching allocator of its device memory and
// the clock of its event timestamps.
class Context {
 public:
  Context(Vendor& vendor, Device& device) : vendor(vendor), device(device) {}
  // Releases the clock, cache and anchor stream, then the vendor's context,
  // then gives the partition back.
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  Vendor& vendor;
  Device& device;
  uint64_t native = 0;             // the vendor's context (CUcontext); 0 where it has none
  uint64_t native_partition = 0;   // the vendor's partition object (CUgreenCtx); 0: none
  bool opened = false;             // Vendor::OpenContext succeeded
  std::vector<uint32_t> groups;    // the partition ledger's groups it holds
  uint32_t units = 0;              // compute units it runs on
  ContextHealth health;
  ContextMemory memory{*this};
  std::unique_ptr<CachingAllocator> allocator;
  uint64_t anchor_stream = 0;
  ContextAnchors anchors{*this};
  std::unique_ptr<EventClock> clock;
};

// Names of the vendor's types behind the ABI's objects (native_handle).
struct NativeTypeNames {
  const char* context;
  const char* buffer;
  const char* stream;
  const char* event;
  const char* module;
  const char* kernel;
};

// The vendor's calls, each once: VENDOR_CALL(return type, name, (parameters)).
// Vendor declares them pure virtual; a vendor's class declares its overrides
// with HAL_GPU_VENDOR_OVERRIDES. Calls taking a Context run with it current
// (MakeCurrent) unless they are its own life cycle.
#define HAL_GPU_VENDOR_CALLS(VENDOR_CALL)                                                          \
  /* --- The driver --- */                                                                         \
  /* Loads and initializes the vendor library; HAL_ERROR_UNAVAILABLE with */                       \
  /* the reason when it cannot be used. */                                                         \
  VENDOR_CALL(hal_result, Load, ())                                                                \
  VENDOR_CALL(hal_result, DeviceCount, (int* out_count))                                           \
  /* Reads device `ordinal`. On failure *out_device holds what was read */                         \
  /* (its name, when that much was). */                                                            \
  VENDOR_CALL(hal_result, OpenDevice, (int ordinal, std::unique_ptr<Device>* out_device))          \
  /* Before the devices go (shutdown): releases what the vendor keeps for */                       \
  /* them, and forgets the library. */                                                             \
  VENDOR_CALL(void, Unload, (std::span<const std::unique_ptr<Device>> devices))                    \
  VENDOR_CALL(hal_result, MemoryInfo, (Device& device, uint64_t* out_free, uint64_t* out_total))   \
  /* --- Contexts --- */                                                                           \
  /* Opens the vendor's side of `context`: the whole device, or the */                             \
  /* partition of context.groups when it holds some; sets native and */                            \
  /* native_partition. On failure it leaves nothing open. */                                       \
  VENDOR_CALL(hal_result, OpenContext, (Context& context))                                         \
  VENDOR_CALL(void, CloseContext, (Context& context))                                              \
  /* Makes the context current on the calling thread (until ReleaseCurrent). */                    \
  VENDOR_CALL(hal_result, MakeCurrent, (Context& context))                                         \
  VENDOR_CALL(void, ReleaseCurrent, (Context& context))                                            \
  /* --- Device memory --- */                                                                      \
  VENDOR_CALL(hal_result, MemAlloc, (Context& context, uint64_t size, uint64_t* out_address))      \
  VENDOR_CALL(void, MemFree, (Context& context, uint64_t address))                                 \
  /* Pinned host memory the device reaches, and its device address. */                             \
  VENDOR_CALL(hal_result, HostAlloc, (Context& context, uint64_t size, void** out_host))           \
  VENDOR_CALL(void, HostFree, (Context& context, void* host))                                      \
  VENDOR_CALL(hal_result, HostDevicePointer,                                                       \
              (Context& context, void* host, uint64_t* out_address))                               \
  /* `mapped`: map it into the device's address space too. */                                      \
  VENDOR_CALL(hal_result, HostRegister,                                                            \
              (Context& context, void* host, uint64_t size, bool mapped))                          \
  VENDOR_CALL(void, HostUnregister, (Context& context, void* host))                                \
  /* Virtual memory (HAL_CAPABILITY_VIRTUAL_MEMORY): a reserved range, and */                      \
  /* physical memory mapped read-write into it and out again. */                                   \
  VENDOR_CALL(hal_result, AddressReserve,                                                          \
              (Context& context, uint64_t size, uint64_t* out_address))                            \
  VENDOR_CALL(void, AddressFree, (Context& context, uint64_t address, uint64_t size))              \
  VENDOR_CALL(hal_result, PhysicalCreate,                                                          \
              (Context& context, uint64_t size, uint64_t* out_physical))                           \
  VENDOR_CALL(void, PhysicalRelease, (Context& context, uint64_t physical))                        \
  VENDOR_CALL(hal_result, Map,                                                                     \
              (Context& context, uint64_t address, uint64_t size, uint64_t physical))              \
  VENDOR_CALL(void, Unmap, (Context& context, uint64_t address, uint64_t size))                    \
  /* --- Streams --- */                                                                            \
  VENDOR_CALL(hal_result, StreamPriorityRange,                                                     \
              (Context& context, int* out_least, int* out_greatest))                               \
  /* A non-blocking stream of the context (of its partition when it has one). */                   \
  VENDOR_CALL(hal_result, StreamCreate, (Context& context, int priority, uint64_t* out_stream))    \
  /* Waits for the stream's work, then destroys it. */                                             \
  VENDOR_CALL(void, StreamDestroy, (Context& context, uint64_t stream))                            \
  VENDOR_CALL(hal_result, StreamSynchronize, (Context& context, uint64_t stream))                  \
  /* HAL_NOT_READY while work is pending. */                                                       \
  VENDOR_CALL(hal_result, StreamQuery, (Context& context, uint64_t stream))                        \
  VENDOR_CALL(hal_result, StreamWaitEvent, (Context& context, uint64_t stream, uint64_t event))    \
  VENDOR_CALL(hal_result, CopyHostToDevice,                                                        \
              (Context& context, uint64_t stream, uint64_t dst, const void* src, uint64_t size))   \
  VENDOR_CALL(hal_result, CopyDeviceToHost,                                                        \
              (Context& context, uint64_t stream, void* dst, uint64_t src, uint64_t size))         \
  VENDOR_CALL(hal_result, CopyDeviceToDevice,                                                      \
              (Context& context, uint64_t stream, uint64_t dst, uint64_t src, uint64_t size))      \
  /* `count` 32-bit words of `pattern`. */                                                         \
  VENDOR_CALL(hal_result, Fill32,                                                                  \
              (Context& context, uint64_t stream, uint64_t dst, uint32_t pattern, uint64_t count)) \
  VENDOR_CALL(hal_result, Launch,                                                                  \
              (Context& context, uint64_t stream, uint64_t function, const uint32_t grid[3],       \
               const uint32_t block[3], void** params))                                            \
  /* --- Events (with timing) --- */                                                               \
  VENDOR_CALL(hal_result, EventCreate, (Context& context, uint64_t* out_event))                    \
  VENDOR_CALL(void, EventDestroy, (Context& context, uint64_t event))                              \
  VENDOR_CALL(hal_result, EventRecord, (Context& context, uint64_t event, uint64_t stream))        \
  /* HAL_NOT_READY while the recorded work is pending. */                                          \
  VENDOR_CALL(hal_result, EventQuery, (Context& context, uint64_t event))                          \
  VENDOR_CALL(hal_result, EventSynchronize, (Context& context, uint64_t event))                    \
  VENDOR_CALL(hal_result, EventElapsedMs,                                                          \
              (Context& context, uint64_t from, uint64_t to, float* out_ms))                       \
  /* --- Modules --- */                                                                            \
  /* `image` is an 8-byte aligned, NUL-terminated copy of desc.image whose */                      \
  /* headers lie within desc.image_size (image_extent.h). */                                       \
  VENDOR_CALL(hal_result, ModuleLoad,                                                              \
              (Context& context, const hal_module_desc& desc, const void* image,                   \
               uint64_t* out_module))                                                              \
  VENDOR_CALL(void, ModuleUnload, (Context& context, uint64_t module))                             \
  VENDOR_CALL(hal_result, GetFunction,                                                             \
              (Context& context, uint64_t module, const char* name, uint64_t* out_function))       \
  /* The byte sizes of the kernel's parameters as its image declares them; */                      \
  /* *out_known false when the library cannot say. */                                              \
  VENDOR_CALL(hal_result, KernelParamSizes,                                                        \
              (Context& context, uint64_t function, std::vector<size_t>* out_sizes,                \
               bool* out_known))                                                                   \
  /* The kernel's maximum threads per block (its launch bounds); */                                \
  /* *out_known false when the library cannot say. */                                              \
  VENDOR_CALL(hal_result, KernelMaxThreads,                                                        \
              (Context& context, uint64_t function, int* out_threads, bool* out_known))

#define HAL_GPU_VENDOR_DECLARE_PURE(type, name, parameters) virtual type name parameters = 0;
#define HAL_GPU_VENDOR_DECLARE_OVERRIDE(type, name, parameters) type name parameters override;
// In a vendor's class, in namespace hal::gpu's terms.
#define HAL_GPU_VENDOR_OVERRIDES                                                                   \
  using Device = ::hal::gpu::Device;                                                               \
  using Context = ::hal::gpu::Context;                                                             \
  HAL_GPU_VENDOR_CALLS(HAL_GPU_VENDOR_DECLARE_OVERRIDE)

class Vendor {
 public:
  virtual ~Vendor() = default;
  virtual const char* driver_name() const = 0;   // "cuda"
  virtual const char* display_name() const = 0;  // "CUDA", in messages
  virtual NativeTypeNames native_type_names() const = 0;
  HAL_GPU_VENDOR_CALLS(HAL_GPU_VENDOR_DECLARE_PURE)
};

// The driver ABI's table over `vendor`, which lives as long as the process
// (one vendor per driver library).
const hal_driver_table* DriverTable(Vendor& vendor);

}  // namespace hal::gpu

// The driver library's one exported entry point: the core's table over a
// `VendorType`.
#define HAL_GPU_DRIVER_ENTRY_POINT(VendorType)                                        \
  extern "C" HAL_DRIVER_EXPORT const hal_driver_table* hal_driver_get_table(          \
      uint16_t runtime_abi_major, uint16_t /*minor*/) {                               \
    static VendorType vendor;                                                         \
    const hal_driver_table* table = ::hal::gpu::DriverTable(vendor);                  \
    return runtime_abi_major == HAL_DRIVER_ABI_VERSION_MAJOR ? table : nullptr;       \
  }

namespace hal::gpu {

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_VENDOR_H_
