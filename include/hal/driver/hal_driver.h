/* hal driver ABI: the only header a backend includes.
 *
 * A driver is a shared library that exports exactly one symbol,
 * HAL_DRIVER_ENTRY_POINT, returning a table of function pointers. The runtime
 * discovers drivers through manifest files (docs/driver-guide.md), checks the
 * table's ABI version, and does all validation (handles, ranges, sizes,
 * ownership, quotas) above this ABI: a driver only translates calls to its
 * vendor API and may assume its arguments are valid unless a function says
 * otherwise.
 *
 * Versioning: a driver whose major version differs from the runtime's is
 * refused, a 1.x driver with a message saying it must be rebuilt for ABI 2.
 * Minor versions only append functions to the end of the table (the table's
 * `struct_size` tells what a driver knows) and options as new chained
 * structs (see hal_chain_header).
 *
 * Threading: every function is thread-safe, except that calls naming the same
 * hal_drv_stream must be externally synchronized (the runtime's Queue is).
 *
 * Errors: every function returns hal_result. On failure the driver stores a
 * message for the calling thread, which last_error_message() returns until the
 * next call from that thread. A vendor error keeps its code and name in that
 * message (e.g. "cuMemAlloc failed: CUDA_ERROR_OUT_OF_MEMORY (2)").
 */
#ifndef HAL_DRIVER_HAL_DRIVER_H_
#define HAL_DRIVER_HAL_DRIVER_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HAL_DRIVER_ABI_VERSION_MAJOR 2
#define HAL_DRIVER_ABI_VERSION_MINOR 0
#define HAL_DRIVER_ENTRY_POINT hal_driver_get_table
#define HAL_DRIVER_ENTRY_POINT_NAME "hal_driver_get_table"

#if defined(_WIN32)
#define HAL_DRIVER_EXPORT __declspec(dllexport)
#else
#define HAL_DRIVER_EXPORT __attribute__((visibility("default")))
#endif

/* Kernel ABI limits, the same for every backend. */
#define HAL_MAX_BINDINGS 16
#define HAL_MAX_PUSH_CONSTANT_SIZE 128

/* Result codes. Each maps to one absl::StatusCode in the runtime. */
typedef enum hal_result {
  HAL_SUCCESS = 0,
  HAL_NOT_READY = 1,                  /* event_query: not yet signalled. Not an error. */
  HAL_ERROR_INVALID_ARGUMENT = -1,    /* InvalidArgument: e.g. an image the vendor rejects */
  HAL_ERROR_OUT_OF_MEMORY = -2,       /* ResourceExhausted */
  HAL_ERROR_NOT_FOUND = -3,           /* NotFound: e.g. no such kernel in a module */
  HAL_ERROR_UNAVAILABLE = -4,         /* Unavailable: vendor library missing, device lost */
  HAL_ERROR_FAILED_PRECONDITION = -5, /* FailedPrecondition: wrong state */
  HAL_ERROR_UNSUPPORTED = -6,         /* Unimplemented: optional feature absent */
  HAL_ERROR_INTERNAL = -7             /* Internal: a driver bug */
} hal_result;

/* Opaque driver objects. The runtime never looks inside them. */
typedef struct hal_drv_context hal_drv_context;
typedef struct hal_drv_buffer hal_drv_buffer;
typedef struct hal_drv_stream hal_drv_stream;
typedef struct hal_drv_event hal_drv_event;
typedef struct hal_drv_module hal_drv_module;
typedef struct hal_drv_kernel hal_drv_kernel;

/* --- Descriptor structs and their extension chain (ABI 2) ---
 *
 * Every struct passed across the table starts with a type tag and a `next`
 * pointer, Vulkan's sType/pNext: a new option is a new struct chained to an
 * existing one, never a new entry point or a changed signature. A driver
 * skips chained structs whose type it does not know; an option that must not
 * be ignored is guarded by a capability bit the runtime checks before it
 * chains the struct. The runtime sets `type` correctly on every struct it
 * passes; a driver may rely on it. */
typedef enum hal_structure_type {
  HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES = 1,
  HAL_STRUCTURE_TYPE_CONTEXT_DESC = 2,
  HAL_STRUCTURE_TYPE_CONTEXT_MEMORY_ACCOUNTING = 3, /* chained to hal_context_desc */
  HAL_STRUCTURE_TYPE_BUFFER_DESC = 4,
  HAL_STRUCTURE_TYPE_HOST_REGISTRATION_DESC = 5,
  HAL_STRUCTURE_TYPE_STREAM_DESC = 6,
  HAL_STRUCTURE_TYPE_EVENT_DESC = 7,
  HAL_STRUCTURE_TYPE_MODULE_DESC = 8,
  HAL_STRUCTURE_TYPE_KERNEL_DESC = 9,
  HAL_STRUCTURE_TYPE_DISPATCH_DESC = 10,
  HAL_STRUCTURE_TYPE_DRIVER_TABLE = 11
} hal_structure_type;

/* The header every descriptor struct starts with. */
typedef struct hal_chain_header {
  hal_structure_type type;
  const void* next; /* NULL or another struct starting with a hal_chain_header */
} hal_chain_header;

/* The first struct of `type` in the chain starting at `next`, or NULL. */
static inline const void* hal_chain_find(const void* next, hal_structure_type type) {
  for (const hal_chain_header* h = (const hal_chain_header*)next; h != NULL;
       h = (const hal_chain_header*)h->next) {
    if (h->type == type) return h;
  }
  return NULL;
}

/* --- Optional capabilities (hal_device_properties.capabilities) ---
 * Each bit says the driver implements the entry points or fields named with
 * it for that device; the runtime never calls an optional entry point of a
 * device without the bit (the entry point may then be NULL). Next to each:
 * the drivers that implement it. The remote driver forwards device addresses
 * and stream priorities where hald lists them (backends/remote/README.md). */
typedef enum hal_capability_bits {
  /* buffer_device_address: a buffer's address as kernels see it, stable for
   * the buffer's life. CUDA, HIP, Level Zero, CPU (the host address),
   * remote (hald's). */
  HAL_CAPABILITY_DEVICE_ADDRESS = 1u << 0,
  /* HAL_BUFFER_FLAG_DECOMMITTABLE, buffer_decommit, buffer_recommit:
   * stable-address eviction on a reserved virtual range (cuMemAddressReserve/
   * cuMemCreate/cuMemMap and kin; mmap/mprotect on the CPU). CUDA, HIP,
   * Level Zero, CPU. */
  HAL_CAPABILITY_VIRTUAL_MEMORY = 1u << 1,
  /* host_register: DMA to and from host memory the caller owns (hald's shared
   * memory, a framework's pinned pool). CUDA, HIP, Level Zero, OpenCL, CPU,
   * Vulkan (with VK_EXT_external_memory_host). */
  HAL_CAPABILITY_HOST_REGISTRATION = 1u << 2,
  /* native_handle: the vendor object behind a driver object, for interop
   * (CUstream, VkBuffer, ...). CUDA, HIP, Level Zero, OpenCL, Vulkan. */
  HAL_CAPABILITY_NATIVE_HANDLES = 1u << 3,
  /* hal_stream_desc.priority is honoured (otherwise ignored). CUDA, HIP,
   * Level Zero, remote (hald's device's). */
  HAL_CAPABILITY_STREAM_PRIORITY = 1u << 4,
  /* The driver keeps freed memory in a cache for reuse without a vendor call:
   * it honours hal_context_memory_accounting and implements
   * context_trim_memory. CUDA, HIP. */
  HAL_CAPABILITY_MEMORY_CACHE = 1u << 5
} hal_capability_bits;

/* How a device can split its compute among contexts. */
typedef enum hal_partition_kind {
  HAL_PARTITION_NONE = 0,     /* no hardware partition: the runtime time-slices */
  HAL_PARTITION_SM = 1,       /* CUDA green contexts: units are SMs */
  HAL_PARTITION_CU_MASK = 2,  /* HIP CU masks: units are compute units */
  /* Level Zero / OpenCL sub-devices: units are Level Zero sub-devices and
     OpenCL compute units (clCreateSubDevices by counts) */
  HAL_PARTITION_SUBDEVICE = 3
} hal_partition_kind;

typedef enum hal_device_type {
  HAL_DEVICE_TYPE_OTHER = 0,
  HAL_DEVICE_TYPE_CPU = 1,
  HAL_DEVICE_TYPE_DISCRETE_GPU = 2,
  HAL_DEVICE_TYPE_INTEGRATED_GPU = 3,
  HAL_DEVICE_TYPE_VIRTUAL_GPU = 4
} hal_device_type;

#define HAL_DEVICE_NAME_SIZE 256
#define HAL_DEVICE_VENDOR_SIZE 64
#define HAL_DEVICE_FORMATS_SIZE 256
#define HAL_DEVICE_ARCHITECTURE_SIZE 32
#define HAL_DEVICE_PCI_BUS_ID_SIZE 32

typedef struct hal_device_properties {
  hal_structure_type type; /* HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES */
  void* next;              /* output structs a later ABI adds; the driver fills those it knows */
  char name[HAL_DEVICE_NAME_SIZE];     /* NUL-terminated */
  char vendor[HAL_DEVICE_VENDOR_SIZE]; /* NUL-terminated, e.g. "NVIDIA" */
  uint8_t uuid[16];                    /* stable across boots and machines' ordinals */
  hal_device_type device_type;
  /* The vendor's name of the instruction set, NUL-terminated: "sm_90",
   * "gfx90a:sramecc+:xnack-", "x86_64"; "" when the vendor has none. */
  char architecture[HAL_DEVICE_ARCHITECTURE_SIZE];
  /* "domain:bus:device.function" in hex ("0000:65:00.0"); "" when not on PCI. */
  char pci_bus_id[HAL_DEVICE_PCI_BUS_ID_SIZE];
  uint64_t total_memory_bytes;
  uint64_t l2_cache_bytes; /* 0 when unknown */
  uint32_t compute_units;  /* SMs, CUs, EUs or CPU threads */
  uint32_t capabilities;   /* hal_capability_bits */
  /* Kernel image formats the device accepts, best first, comma-separated,
   * e.g. "cubin:sm_90,ptx" or "cpu-elf:x86_64". */
  char kernel_formats[HAL_DEVICE_FORMATS_SIZE];
  /* Compute partitions (hal_context_desc.partition_units). A context asks
   * for N units; the driver grants max(N, partition_min_units) rounded up to
   * a multiple of partition_alignment, at most partition_max_units, and
   * reports the grant through context_get_partition. */
  hal_partition_kind partition_kind;
  uint32_t partition_min_units;
  uint32_t partition_alignment;
  uint32_t partition_max_units; /* units in the whole device */
  uint32_t max_workgroup_size[3];
  uint32_t max_workgroup_invocations;
  uint32_t max_workgroup_count[3];
  uint64_t min_buffer_alignment;     /* every buffer starts at a multiple of this */
  uint64_t binding_offset_alignment; /* binding offsets must be multiples of this */
  uint64_t allocation_granularity;   /* allocations are rounded up to this */
  /* HAL_CAPABILITY_VIRTUAL_MEMORY: decommittable buffers are rounded up to
   * this (CU_MEM_ALLOC_GRANULARITY_MINIMUM, 2 MiB on NVIDIA); 0 otherwise. */
  uint64_t virtual_memory_granularity;
  uint64_t timestamp_resolution_ns; /* smallest step of event timestamps */
  /* Nonzero when buffer_map works on HAL_BUFFER_DEVICE buffers too (device
   * memory is host memory, or host-visible). */
  uint32_t device_buffers_mappable;
} hal_device_properties;

typedef enum hal_context_flag_bits {
  /* The context serves a virtual device, whose kernels share the device with
   * other tenants': confine kernels' memory accesses to their bindings where
   * the device can (Vulkan: robust buffer access). */
  HAL_CONTEXT_FLAG_VIRTUAL_DEVICE = 1u << 0
} hal_context_flag_bits;

typedef struct hal_context_desc {
  hal_structure_type type; /* HAL_STRUCTURE_TYPE_CONTEXT_DESC */
  const void* next;
  /* 0: the whole device. Otherwise the partition units the context asks for
   * (see hal_device_properties). Ignored when partition_kind is NONE. */
  uint32_t partition_units;
  uint32_t flags; /* hal_context_flag_bits */
} hal_context_desc;

/* Chained to hal_context_desc by the runtime for a driver with
 * HAL_CAPABILITY_MEMORY_CACHE. Every byte the driver's cache holds (freed
 * blocks kept for reuse, the unused part of a slab it carves buffers from) is
 * charged through these callbacks, so a virtual device's usage is its live
 * buffers' allocated sizes plus its context's cache, through one ledger.
 * Without this struct a caching driver uses its own default limit and charges
 * nothing. */
typedef struct hal_context_memory_accounting {
  hal_structure_type type; /* HAL_STRUCTURE_TYPE_CONTEXT_MEMORY_ACCOUNTING */
  const void* next;
  /* The most bytes the cache may hold; 0 disables caching (every free goes
   * back to the vendor at once). */
  uint64_t cache_limit_bytes;
  void* user;
  /* Called before the cache keeps `bytes` (a freed block, a new slab's unused
   * part). HAL_ERROR_OUT_OF_MEMORY (quota full): the driver gives the bytes
   * back to the vendor instead. Thread-safe; never calls back into the driver. */
  hal_result (*charge)(void* user, uint64_t bytes);
  /* Called after the cache stops holding `bytes` (reused for a buffer, which
   * the runtime then charges itself, or given back to the vendor). */
  void (*uncharge)(void* user, uint64_t bytes);
} hal_context_memory_accounting;

typedef enum hal_buffer_kind {
  HAL_BUFFER_DEVICE = 0,      /* device-local memory */
  HAL_BUFFER_HOST_STAGING = 1 /* host memory the device reaches fast (pinned) */
} hal_buffer_kind;

typedef enum hal_buffer_flag_bits {
  /* HAL_CAPABILITY_VIRTUAL_MEMORY: back the buffer with a reserved virtual
   * range whose physical memory buffer_decommit can release and
   * buffer_recommit bring back at the same device address. */
  HAL_BUFFER_FLAG_DECOMMITTABLE = 1u << 0
} hal_buffer_flag_bits;

typedef struct hal_buffer_desc {
  hal_structure_type type; /* HAL_STRUCTURE_TYPE_BUFFER_DESC */
  const void* next;
  hal_buffer_kind kind;
  uint32_t flags; /* hal_buffer_flag_bits */
  uint64_t size;  /* >= 1 */
} hal_buffer_desc;

typedef struct hal_host_registration_desc {
  hal_structure_type type; /* HAL_STRUCTURE_TYPE_HOST_REGISTRATION_DESC */
  const void* next;
  void* host;    /* page-aligned, owned by the caller, valid until buffer_free */
  uint64_t size; /* a multiple of the page size, >= 1 */
} hal_host_registration_desc;

typedef enum hal_stream_priority {
  HAL_STREAM_PRIORITY_NORMAL = 0,
  HAL_STREAM_PRIORITY_LOW = 1,
  HAL_STREAM_PRIORITY_HIGH = 2
} hal_stream_priority;

typedef struct hal_stream_desc {
  hal_structure_type type; /* HAL_STRUCTURE_TYPE_STREAM_DESC */
  const void* next;
  hal_stream_priority priority; /* honoured with HAL_CAPABILITY_STREAM_PRIORITY */
} hal_stream_desc;

typedef struct hal_event_desc {
  hal_structure_type type; /* HAL_STRUCTURE_TYPE_EVENT_DESC */
  const void* next;
  uint32_t flags; /* none defined yet: 0 */
} hal_event_desc;

typedef struct hal_module_desc {
  hal_structure_type type; /* HAL_STRUCTURE_TYPE_MODULE_DESC */
  const void* next;
  const char* format; /* one of the device's kernel_formats */
  const void* image;  /* copied or consumed before module_load returns */
  size_t image_size;
} hal_module_desc;

typedef struct hal_binding {
  hal_drv_buffer* buffer;
  uint64_t offset; /* a multiple of binding_offset_alignment, inside the buffer */
} hal_binding;

typedef struct hal_kernel_signature {
  uint32_t binding_count;      /* <= HAL_MAX_BINDINGS */
  uint32_t push_constant_size; /* <= HAL_MAX_PUSH_CONSTANT_SIZE, multiple of 4 */
  uint32_t workgroup_size[3];  /* as declared by the kernel */
} hal_kernel_signature;

typedef struct hal_kernel_desc {
  hal_structure_type type; /* HAL_STRUCTURE_TYPE_KERNEL_DESC */
  const void* next;
  const char* name;
  hal_kernel_signature signature; /* from the bundle's manifest */
} hal_kernel_desc;

typedef struct hal_dispatch_desc {
  hal_structure_type type; /* HAL_STRUCTURE_TYPE_DISPATCH_DESC */
  const void* next;
  uint32_t workgroup_count[3]; /* each >= 1 and <= max_workgroup_count */
  const hal_binding* bindings; /* binding_count entries, as the kernel declares */
  uint32_t binding_count;
  const void* push_constants; /* push_constant_size bytes; copied before return */
  uint32_t push_constant_size;
} hal_dispatch_desc;

/* The kinds of driver object native_handle answers for. */
typedef enum hal_object_kind {
  HAL_OBJECT_CONTEXT = 0,
  HAL_OBJECT_BUFFER = 1,
  HAL_OBJECT_STREAM = 2,
  HAL_OBJECT_EVENT = 3,
  HAL_OBJECT_MODULE = 4,
  HAL_OBJECT_KERNEL = 5
} hal_object_kind;

typedef struct hal_native_handle {
  /* The vendor type's own name, a static string: "CUcontext", "CUdeviceptr",
   * "CUstream", "CUevent", "CUmodule", "CUfunction", "VkBuffer", "VkQueue",
   * "cl_mem", ... (docs/driver-guide.md lists them per driver). */
  const char* kind;
  uint64_t value; /* the handle or pointer, widened */
} hal_native_handle;

typedef struct hal_driver_table {
  hal_structure_type type; /* HAL_STRUCTURE_TYPE_DRIVER_TABLE */
  uint32_t struct_size;    /* sizeof(hal_driver_table) as the driver was built */
  uint16_t abi_major;      /* HAL_DRIVER_ABI_VERSION_MAJOR the driver was built with */
  uint16_t abi_minor;
  const char* name;    /* "cpu", "cuda", ...: the selector's driver name */
  const char* version; /* the driver's own version, free form */

  /* Called once after loading. Returns HAL_ERROR_UNAVAILABLE with a message
   * when the vendor library or hardware is missing; the runtime then lists the
   * driver as unavailable and calls nothing else but shutdown. */
  hal_result (*initialize)(void);
  void (*shutdown)(void);
  /* The calling thread's message for its last failed call; never NULL. */
  const char* (*last_error_message)(void);

  /* --- Devices --- */
  hal_result (*device_count)(uint32_t* out_count);
  /* props->type is set by the caller; the driver fills every field. */
  hal_result (*device_get_properties)(uint32_t device_index, hal_device_properties* props);
  hal_result (*device_get_memory_info)(uint32_t device_index, uint64_t* out_free_bytes,
                                       uint64_t* out_total_bytes);
  /* Devices the driver found but does not serve (too old an API version, no
   * compute queue, a missing extension), so that tools list them with the
   * reason instead of dropping them silently. Called after a successful
   * initialize(). */
  uint32_t (*unusable_device_count)(void);
  /* index < unusable_device_count(). *out_name (the device's own name) and
   * *out_reason are NUL-terminated and stay valid until shutdown(). */
  void (*unusable_device_get)(uint32_t index, const char** out_name, const char** out_reason);

  /* --- Contexts: one opened device, optionally a compute partition --- */
  hal_result (*context_create)(uint32_t device_index, const hal_context_desc* desc,
                               hal_drv_context** out_context);
  /* All objects of the context are destroyed before this is called; the
   * driver releases its cache (uncharging it) here. */
  void (*context_destroy)(hal_drv_context* context);
  /* Units granted to the context (the whole device when not partitioned). */
  hal_result (*context_get_partition)(hal_drv_context* context, uint32_t* out_units);

  /* --- Memory --- */
  /* *out_allocated_size receives the bytes the buffer really takes from the
   * device (its size rounded to the driver's granularity or size class):
   * this is what quotas are charged. HAL_ERROR_OUT_OF_MEMORY when the device
   * has no room (a caching driver trims its cache and retries first). */
  hal_result (*buffer_allocate)(hal_drv_context* context, const hal_buffer_desc* desc,
                                hal_drv_buffer** out_buffer, uint64_t* out_allocated_size);
  /* No stream may still be using the buffer. A registered host range
   * (host_register) is unregistered; the caller's memory is untouched. */
  void (*buffer_free)(hal_drv_context* context, hal_drv_buffer* buffer);
  /* Host address of a HOST_STAGING or registered buffer (or of any buffer
   * when device_buffers_mappable); HAL_ERROR_UNSUPPORTED otherwise. */
  hal_result (*buffer_map)(hal_drv_context* context, hal_drv_buffer* buffer, void** out_host);

  /* --- Streams: in-order, asynchronous --- */
  hal_result (*stream_create)(hal_drv_context* context, const hal_stream_desc* desc,
                              hal_drv_stream** out_stream);
  /* Waits for the stream's work to finish, then releases it. */
  void (*stream_destroy)(hal_drv_stream* stream);
  /* Host memory passed to copies must stay valid until the copy completes. */
  hal_result (*stream_copy_host_to_device)(hal_drv_stream* stream, const void* src,
                                           hal_drv_buffer* dst, uint64_t dst_offset, uint64_t size);
  hal_result (*stream_copy_device_to_host)(hal_drv_stream* stream, hal_drv_buffer* src,
                                           uint64_t src_offset, void* dst, uint64_t size);
  hal_result (*stream_copy_buffer)(hal_drv_stream* stream, hal_drv_buffer* src, uint64_t src_offset,
                                   hal_drv_buffer* dst, uint64_t dst_offset, uint64_t size);
  /* offset and size are multiples of 4; pattern is repeated little-endian. */
  hal_result (*stream_fill)(hal_drv_stream* stream, hal_drv_buffer* dst, uint64_t offset,
                            uint64_t size, uint32_t pattern);
  hal_result (*stream_dispatch)(hal_drv_stream* stream, hal_drv_kernel* kernel,
                                const hal_dispatch_desc* desc);
  /* The event is signalled, with a device timestamp, when all earlier work of
   * the stream has completed. Re-signalling an event resets it. */
  hal_result (*stream_signal_event)(hal_drv_stream* stream, hal_drv_event* event);
  /* Later work of the stream waits until the event is signalled. */
  hal_result (*stream_wait_event)(hal_drv_stream* stream, hal_drv_event* event);
  /* Blocks until all submitted work completed; returns the first asynchronous
   * error the stream met (HAL_ERROR_UNAVAILABLE for a lost device). */
  hal_result (*stream_synchronize)(hal_drv_stream* stream);
  /* Does not block: HAL_SUCCESS when all submitted work completed,
   * HAL_NOT_READY while some is pending, or the first asynchronous error the
   * stream met, as stream_synchronize would return it. */
  hal_result (*stream_query)(hal_drv_stream* stream);

  /* --- Events --- */
  hal_result (*event_create)(hal_drv_context* context, const hal_event_desc* desc,
                             hal_drv_event** out_event);
  void (*event_destroy)(hal_drv_event* event);
  /* HAL_SUCCESS when signalled, HAL_NOT_READY when not yet. */
  hal_result (*event_query)(hal_drv_event* event);
  hal_result (*event_synchronize)(hal_drv_event* event);
  /* Device time of the signal in nanoseconds on a clock that is monotonic per
   * context. HAL_ERROR_FAILED_PRECONDITION if the event was never signalled. */
  hal_result (*event_timestamp_ns)(hal_drv_event* event, uint64_t* out_ns);

  /* --- Modules and kernels --- */
  /* A rejected image is HAL_ERROR_INVALID_ARGUMENT with the vendor's log (a
   * JIT or build log) in the message. */
  hal_result (*module_load)(hal_drv_context* context, const hal_module_desc* desc,
                            hal_drv_module** out_module);
  /* No stream may still be running the module's kernels. */
  void (*module_destroy)(hal_drv_module* module);
  /* The kernel lives as long as its module. HAL_ERROR_NOT_FOUND if absent;
   * HAL_ERROR_INVALID_ARGUMENT, naming both, when the image declares another
   * signature than desc->signature. */
  hal_result (*kernel_get)(hal_drv_module* module, const hal_kernel_desc* desc,
                           hal_drv_kernel** out_kernel);

  /* --- Optional: each NULL unless a device reports its capability --- */
  /* HAL_CAPABILITY_DEVICE_ADDRESS. */
  hal_result (*buffer_device_address)(hal_drv_context* context, hal_drv_buffer* buffer,
                                      uint64_t* out_address);
  /* HAL_CAPABILITY_VIRTUAL_MEMORY, on a buffer allocated with
   * HAL_BUFFER_FLAG_DECOMMITTABLE. decommit gives the physical memory back to
   * the device (contents are lost; the address range stays reserved; no
   * stream may be using the buffer); recommit maps new physical memory at the
   * same address (contents undefined; HAL_ERROR_OUT_OF_MEMORY when the device
   * has no room, the buffer then stays decommitted). Each called only in the
   * other state. */
  hal_result (*buffer_decommit)(hal_drv_context* context, hal_drv_buffer* buffer);
  hal_result (*buffer_recommit)(hal_drv_context* context, hal_drv_buffer* buffer);
  /* HAL_CAPABILITY_HOST_REGISTRATION: a buffer of kind HOST_STAGING over the
   * caller's memory, usable in copies; buffer_free unregisters it. It takes
   * no device memory, so nothing is charged for it. */
  hal_result (*host_register)(hal_drv_context* context, const hal_host_registration_desc* desc,
                              hal_drv_buffer** out_buffer);
  /* HAL_CAPABILITY_NATIVE_HANDLES. `object` is a hal_drv_* of `kind` from this
   * context (the context itself for HAL_OBJECT_CONTEXT). HAL_ERROR_UNSUPPORTED
   * when the driver has no vendor object for that kind. */
  hal_result (*native_handle)(hal_drv_context* context, hal_object_kind kind, const void* object,
                              hal_native_handle* out_handle);
  /* HAL_CAPABILITY_MEMORY_CACHE: gives every cached byte of the context back
   * to the vendor (uncharging it); the runtime calls it before refusing an
   * allocation for quota or for device memory. */
  void (*context_trim_memory)(hal_drv_context* context);
} hal_driver_table;

/* The one symbol a driver exports. Returns NULL if the driver cannot serve a
 * runtime of the given major version; otherwise a table valid until unload. */
typedef const hal_driver_table* (*hal_driver_get_table_fn)(uint16_t runtime_abi_major,
                                                           uint16_t runtime_abi_minor);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // HAL_DRIVER_HAL_DRIVER_H_
