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
 * refused. Minor versions only append fields to the end of structs and
 * functions to the end of the table; `struct_size` tells what a peer knows.
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

#define HAL_DRIVER_ABI_VERSION_MAJOR 1
#define HAL_DRIVER_ABI_VERSION_MINOR 2
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

/* How a device can split its compute among contexts. */
typedef enum hal_partition_kind {
  HAL_PARTITION_NONE = 0,     /* no hardware partition: the runtime time-slices */
  HAL_PARTITION_SM = 1,       /* CUDA green contexts: units are SMs */
  HAL_PARTITION_CU_MASK = 2,  /* HIP CU masks: units are compute units */
  HAL_PARTITION_SUBDEVICE = 3 /* Level Zero sub-devices: units are sub-devices */
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

typedef struct hal_device_properties {
  uint32_t struct_size;                /* set by the caller to sizeof(hal_device_properties) */
  char name[HAL_DEVICE_NAME_SIZE];     /* NUL-terminated */
  char vendor[HAL_DEVICE_VENDOR_SIZE]; /* NUL-terminated, e.g. "NVIDIA" */
  uint8_t uuid[16];                    /* stable across boots and machines' ordinals */
  hal_device_type type;
  uint64_t total_memory_bytes;
  uint32_t compute_units; /* SMs, CUs, EUs or CPU threads */
  /* Kernel image formats the device accepts, best first, comma-separated,
   * e.g. "cubin:sm_90,ptx" or "cpu-elf:x86_64". */
  char kernel_formats[HAL_DEVICE_FORMATS_SIZE];
  hal_partition_kind partition_kind;
  uint32_t partition_granularity; /* units are granted in multiples of this */
  uint32_t partition_max_units;   /* units in the whole device */
  uint32_t max_workgroup_size[3];
  uint32_t max_workgroup_invocations;
  uint32_t max_workgroup_count[3];
  uint64_t min_buffer_alignment;     /* every buffer starts at a multiple of this */
  uint64_t binding_offset_alignment; /* binding offsets must be multiples of this */
  uint64_t allocation_granularity;   /* allocations are rounded up to this */
  uint64_t timestamp_resolution_ns;  /* smallest step of event timestamps */
  /* --- ABI 1.2 --- */
  /* Nonzero when buffer_map works on HAL_BUFFER_DEVICE buffers too (device
   * memory is host memory, or host-visible); 0 (what an older driver leaves)
   * when only HAL_BUFFER_HOST_STAGING buffers can be mapped. */
  uint32_t device_buffers_mappable;
} hal_device_properties;

typedef struct hal_context_desc {
  uint32_t struct_size;
  /* 0: the whole device. Otherwise the number of partition units the context
   * asks for; the driver rounds up to its granularity and reports the grant
   * through context_get_partition. Ignored when partition_kind is NONE. */
  uint32_t partition_units;
  /* --- ABI 1.2 --- */
  /* Nonzero when the context serves a virtual device, whose kernels share the
   * device with other tenants': the driver then confines kernels' memory
   * accesses to their bindings where the device can (Vulkan: robust buffer
   * access). A desc whose struct_size ends before this field means 0. */
  uint32_t virtual_device;
} hal_context_desc;

typedef enum hal_buffer_kind {
  HAL_BUFFER_DEVICE = 0,      /* device-local memory */
  HAL_BUFFER_HOST_STAGING = 1 /* host memory the device reaches fast (pinned) */
} hal_buffer_kind;

typedef struct hal_binding {
  hal_drv_buffer* buffer;
  uint64_t offset; /* a multiple of binding_offset_alignment, inside the buffer */
} hal_binding;

typedef struct hal_kernel_signature {
  uint32_t binding_count;      /* <= HAL_MAX_BINDINGS */
  uint32_t push_constant_size; /* <= HAL_MAX_PUSH_CONSTANT_SIZE, multiple of 4 */
  uint32_t workgroup_size[3];  /* as declared by the kernel */
} hal_kernel_signature;

typedef struct hal_dispatch_desc {
  uint32_t struct_size;
  uint32_t workgroup_count[3]; /* each >= 1 and <= max_workgroup_count */
  const hal_binding* bindings; /* binding_count entries, as the kernel declares */
  uint32_t binding_count;
  const void* push_constants; /* push_constant_size bytes; copied before return */
  uint32_t push_constant_size;
} hal_dispatch_desc;

typedef struct hal_driver_table {
  uint32_t struct_size; /* sizeof(hal_driver_table) as the driver was built */
  uint16_t abi_major;   /* HAL_DRIVER_ABI_VERSION_MAJOR the driver was built with */
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
  /* props->struct_size is set by the caller; the driver fills what it knows. */
  hal_result (*device_get_properties)(uint32_t device_index, hal_device_properties* props);
  hal_result (*device_get_memory_info)(uint32_t device_index, uint64_t* out_free_bytes,
                                       uint64_t* out_total_bytes);

  /* --- Contexts: one opened device, optionally a compute partition --- */
  hal_result (*context_create)(uint32_t device_index, const hal_context_desc* desc,
                               hal_drv_context** out_context);
  /* All objects of the context are destroyed before this is called. */
  void (*context_destroy)(hal_drv_context* context);
  /* Units granted to the context (the whole device when not partitioned). */
  hal_result (*context_get_partition)(hal_drv_context* context, uint32_t* out_units);

  /* --- Memory --- */
  /* size >= 1. *out_allocated_size receives the bytes really taken from the
   * device (the size rounded to the driver's granularity): this is what quotas
   * are charged. HAL_ERROR_OUT_OF_MEMORY when the device has no room. */
  hal_result (*buffer_allocate)(hal_drv_context* context, hal_buffer_kind kind, uint64_t size,
                                hal_drv_buffer** out_buffer, uint64_t* out_allocated_size);
  /* No stream may still be using the buffer. */
  void (*buffer_free)(hal_drv_context* context, hal_drv_buffer* buffer);
  /* Host address of a HOST_STAGING buffer (or of any buffer on devices whose
   * memory is host memory); HAL_ERROR_UNSUPPORTED otherwise. */
  hal_result (*buffer_map)(hal_drv_context* context, hal_drv_buffer* buffer, void** out_host);

  /* --- Streams: in-order, asynchronous --- */
  hal_result (*stream_create)(hal_drv_context* context, hal_drv_stream** out_stream);
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

  /* --- Events --- */
  hal_result (*event_create)(hal_drv_context* context, hal_drv_event** out_event);
  void (*event_destroy)(hal_drv_event* event);
  /* HAL_SUCCESS when signalled, HAL_NOT_READY when not yet. */
  hal_result (*event_query)(hal_drv_event* event);
  hal_result (*event_synchronize)(hal_drv_event* event);
  /* Device time of the signal in nanoseconds on a clock that is monotonic per
   * context. HAL_ERROR_FAILED_PRECONDITION if the event was never signalled. */
  hal_result (*event_timestamp_ns)(hal_drv_event* event, uint64_t* out_ns);

  /* --- Modules and kernels --- */
  /* format is one of the device's kernel_formats. The image bytes are copied
   * or consumed before return. A rejected image is HAL_ERROR_INVALID_ARGUMENT
   * with the vendor's log in the message. */
  hal_result (*module_load)(hal_drv_context* context, const char* format, const void* image,
                            size_t image_size, hal_drv_module** out_module);
  /* No stream may still be running the module's kernels. */
  void (*module_destroy)(hal_drv_module* module);
  /* The kernel lives as long as its module. HAL_ERROR_NOT_FOUND if absent. */
  hal_result (*kernel_get)(hal_drv_module* module, const char* name,
                           const hal_kernel_signature* signature, hal_drv_kernel** out_kernel);

  /* --- ABI 1.1 --- */
  /* Devices the driver found but does not serve (too old an API version, no
   * compute queue, a missing extension), so that tools list them with the
   * reason instead of dropping them silently. Optional: NULL, like a driver
   * of minor version 0, means none. Called after a successful initialize(). */
  uint32_t (*unusable_device_count)(void);
  /* index < unusable_device_count(). *out_name (the device's own name) and
   * *out_reason are NUL-terminated and stay valid until shutdown(). */
  void (*unusable_device_get)(uint32_t index, const char** out_name, const char** out_reason);
} hal_driver_table;

/* The one symbol a driver exports. Returns NULL if the driver cannot serve a
 * runtime of the given major version; otherwise a table valid until unload. */
typedef const hal_driver_table* (*hal_driver_get_table_fn)(uint16_t runtime_abi_major,
                                                           uint16_t runtime_abi_minor);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // HAL_DRIVER_HAL_DRIVER_H_
