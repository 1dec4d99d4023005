// The remote driver's function table and its one exported symbol: each ABI
// call becomes a message to hald. Calls
// that return something the caller needs (objects created, queries, waits)
// are requests answered on the context's connection; stream commands, frees
// and destroys are one-way and batched (connection.h).
#include <unistd.h>

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "backends/common/device_properties.h"
#include "backends/common/driver_error.h"
#include "backends/remote/connection.h"
#include "backends/remote/remote_commands.h"
#include "backends/remote/remote_config.h"
#include "backends/remote/remote_devices.h"
#include "backends/remote/remote_objects.h"
#include "backends/remote/protocol/status_codec.h"
#include "hal/driver/hal_driver.h"

namespace hal::remote {
namespace {

using driver_support::Fail;
using driver_support::LastErrorMessage;

constexpr char kDriverVersion[] = "0.1.0";
inline constexpr driver_support::ExceptionBarrier Guarded{"the remote driver"};

// What initialize() found; null before it and after the last shutdown().
// Every Runtime of a process loads the same library and initializes it, so
// the state is shared and counted. A forked child that initializes again
// gets a state of its own (the parent's connection is the parent's).
struct DriverState {
  RemoteConfig config;
  std::unique_ptr<Connection> control;  // ListDevices and MemoryInfo
  std::vector<RemoteDevice> devices;
  pid_t pid = getpid();
  int references = 1;
};
std::mutex g_state_mutex;
std::unique_ptr<DriverState> g_state;

hal_result FailWith(const absl::Status& status) {
  return Fail(ResultFromStatus(status), ResultMessage(status));
}

// initialize() fails only as unavailable: the runtime lists the driver with
// the message.
hal_result FailUnavailable(const absl::Status& status) {
  return Fail(HAL_ERROR_UNAVAILABLE, std::string(status.message()));
}

// Sends `request` on `connection`; the answer, when wanted, in *answer.
hal_result Request(Connection& connection, ClientMessage request, DaemonMessage* answer = nullptr,
                   int fd_to_pass = -1) {
  absl::StatusOr<DaemonMessage> result = connection.Call(std::move(request), fd_to_pass);
  if (!result.ok()) return FailWith(result.status());
  if (answer != nullptr) *answer = *std::move(result);
  return HAL_SUCCESS;
}

hal_result Post(Connection& connection, ClientMessage command) {
  absl::Status status = connection.Post(std::move(command));
  return status.ok() ? HAL_SUCCESS : FailWith(status);
}

hal_result ToResult(const absl::Status& status) {
  return status.ok() ? HAL_SUCCESS : FailWith(status);
}

// --- Driver and devices ---

hal_result Initialize() {
  return Guarded([&] {
    std::lock_guard lock(g_state_mutex);
    if (g_state != nullptr && g_state->pid == getpid()) {
      ++g_state->references;
      return HAL_SUCCESS;
    }
    g_state.reset();  // inherited from the parent: Connection leaves its session alone
    absl::StatusOr<RemoteConfig> config = RemoteConfigFromEnvironment();
    if (!config.ok()) return FailUnavailable(config.status());
    absl::StatusOr<std::unique_ptr<Connection>> control =
        Connection::Open(config->endpoint, config->token);
    if (!control.ok()) return FailUnavailable(control.status());
    absl::StatusOr<std::vector<RemoteDevice>> devices = ListRemoteDevices(**control);
    if (!devices.ok()) return FailUnavailable(devices.status());
    g_state = std::make_unique<DriverState>();
    g_state->config = *std::move(config);
    g_state->control = *std::move(control);
    g_state->devices = *std::move(devices);
    return HAL_SUCCESS;
  });
}

void Shutdown() {
  std::lock_guard lock(g_state_mutex);
  if (g_state != nullptr && (g_state->pid != getpid() || --g_state->references == 0)) {
    g_state.reset();
  }
}

hal_result DeviceCount(uint32_t* out_count) {
  *out_count = static_cast<uint32_t>(g_state->devices.size());
  return HAL_SUCCESS;
}

hal_result DeviceGetProperties(uint32_t device_index, hal_device_properties* props) {
  return driver_support::CopyDeviceProperties(g_state->devices[device_index].properties, props);
}

hal_result DeviceGetMemoryInfo(uint32_t device_index, uint64_t* out_free_bytes,
                               uint64_t* out_total_bytes) {
  return Guarded([&] {
    ClientMessage request;
    request.mutable_memory_info()->set_virtual_device(g_state->devices[device_index].virtual_device);
    DaemonMessage answer;
    if (hal_result result = Request(*g_state->control, std::move(request), &answer);
        result != HAL_SUCCESS) {
      return result;
    }
    *out_free_bytes = answer.memory_info().free_bytes();
    *out_total_bytes = answer.memory_info().total_bytes();
    return HAL_SUCCESS;
  });
}

// The daemon serves what its peer may attach to; there is nothing listed
// that this driver cannot serve.
uint32_t UnusableDeviceCount() { return 0; }
void UnusableDeviceGet(uint32_t /*index*/, const char** /*out_name*/, const char** /*out_reason*/) {
}

// --- Contexts: a session each ---

hal_result ContextCreate(uint32_t device_index, const hal_context_desc* desc,
                         hal_drv_context** out_context) {
  return Guarded([&] {
    const RemoteConfig& config = g_state->config;
    absl::StatusOr<std::unique_ptr<Connection>> connection =
        Connection::Open(config.endpoint, config.token);
    if (!connection.ok()) return FailWith(connection.status());
    auto context = std::make_unique<Context>();
    context->connection = *std::move(connection);
    if (g_state->devices[device_index].shared_device_memory && context->connection->is_unix()) {
      context->copy_pool =
          std::make_unique<driver_support::ThreadPool>(driver_support::UsableCpuCount() - 1);
    }
    if (config.shared_memory_bytes > 0 && context->connection->is_unix()) {
      if (absl::Status status = context->connection->AttachSharedMemory(config.shared_memory_bytes);
          !status.ok()) {
        return FailWith(status);
      }
    }
    if (config.cross_memory && context->connection->is_unix()) {
      // Refused (hald offers none, cannot read this process, or the canary
      // differs): copies go through shared memory. A lost connection shows
      // in the Attach below.
      context->connection->AttachCrossMemory().IgnoreError();
    }
    ClientMessage request;
    v1::Attach& attach = *request.mutable_attach();
    attach.set_virtual_device(g_state->devices[device_index].virtual_device);
    attach.set_flags(desc->flags);
    DaemonMessage answer;
    if (hal_result result = Request(*context->connection, std::move(request), &answer);
        result != HAL_SUCCESS) {
      return result;
    }
    // No partitions through the daemon: the whole device, as the properties
    // say, unless the daemon names its grant.
    context->partition_units = answer.attached().partition_units() != 0
                                   ? answer.attached().partition_units()
                                   : g_state->devices[device_index].properties.partition_max_units;
    *out_context = Wrap<hal_drv_context>(std::move(context));
    return HAL_SUCCESS;
  });
}

// Closing the connection ends the session: the daemon frees what is left.
void ContextDestroy(hal_drv_context* context) { Destroy(context); }

hal_result ContextGetPartition(hal_drv_context* context, uint32_t* out_units) {
  *out_units = Unwrap(context)->partition_units;
  return HAL_SUCCESS;
}

// --- Memory ---

hal_result BufferAllocate(hal_drv_context* context, const hal_buffer_desc* desc,
                          hal_drv_buffer** out_buffer, uint64_t* out_allocated_size) {
  return Guarded([&] {
    Context& remote = *Unwrap(context);
    auto buffer = std::make_unique<Buffer>(
        Buffer{&remote, remote.NewHandle(), desc->size, desc->kind, nullptr, false});
    const bool share_device_buffer = desc->kind == HAL_BUFFER_DEVICE &&
                                     remote.shares_device_buffers() &&
                                     desc->size >= kSharedDeviceBufferMinBytes;
    if (desc->kind == HAL_BUFFER_HOST_STAGING || share_device_buffer) {
      buffer->shadow = HostShadow::Allocate(
          desc->size, remote.connection->is_unix(),
          share_device_buffer ? HostShadow::kDeviceBufferMemfdName : HostShadow::kStagingMemfdName);
      // A device buffer whose memfd cannot be made is hald's own memory.
      if (buffer->shadow == nullptr && !share_device_buffer) {
        return Fail(HAL_ERROR_OUT_OF_MEMORY,
                    absl::StrCat("the remote driver cannot map ", desc->size,
                                 " bytes of host memory for a staging buffer"));
      }
    }
    ClientMessage request;
    v1::BufferAllocate& allocate = *request.mutable_buffer_allocate();
    allocate.set_buffer(buffer->handle);
    allocate.set_kind(desc->kind);
    allocate.set_flags(desc->flags);
    allocate.set_size(desc->size);
    // A memfd shadow is offered to hald, which may make it the buffer.
    const int shadow_fd = buffer->shadow != nullptr ? buffer->shadow->fd() : -1;
    allocate.set_shared_host_memory(shadow_fd >= 0);
    DaemonMessage answer;
    if (hal_result result = Request(*remote.connection, std::move(request), &answer, shadow_fd);
        result != HAL_SUCCESS) {
      return result;
    }
    if (shadow_fd >= 0) {
      buffer->shared = answer.buffer_allocated().shared();
      buffer->shadow->CloseDescriptor();
      if (buffer->shared && buffer->kind == HAL_BUFFER_HOST_STAGING) {
        remote.shared_staging.Add(*buffer);
      }
    }
    // A device buffer hald allocated itself has no bytes here.
    if (share_device_buffer && !buffer->shared) buffer->shadow.reset();
    *out_allocated_size = answer.buffer_allocated().allocated_size();
    *out_buffer = Wrap<hal_drv_buffer>(std::move(buffer));
    return HAL_SUCCESS;
  });
}

void BufferFree(hal_drv_context* /*context*/, hal_drv_buffer* buffer) {
  const Buffer& remote = *Unwrap(buffer);
  ClientMessage command;
  command.mutable_buffer_free()->set_buffer(remote.handle);
  // Sent at once, not with the next request: the charge it returns is the
  // whole virtual device's, and a sibling process attached to it (an MPI
  // rank) must not be refused while this one sits idle. A lost connection
  // has freed it already.
  Guarded([&] {
    Connection& connection = *remote.context->connection;
    if (const hal_result posted = Post(connection, std::move(command)); posted != HAL_SUCCESS) {
      return posted;
    }
    return ToResult(connection.Flush());
  });
  if (remote.shared && remote.kind == HAL_BUFFER_HOST_STAGING) {
    remote.context->shared_staging.Remove(remote);
  }
  Destroy(buffer);
}

hal_result BufferMap(hal_drv_context* /*context*/, hal_drv_buffer* buffer, void** out_host) {
  const Buffer& remote = *Unwrap(buffer);
  if (remote.kind != HAL_BUFFER_HOST_STAGING) {
    return Fail(HAL_ERROR_UNSUPPORTED,
                "a remote device's buffers live in hald; only host-staging buffers map");
  }
  *out_host = remote.shadow->data();
  return HAL_SUCCESS;
}

// HAL_CAPABILITY_DEVICE_ADDRESS, where hald lists it: the address of the
// buffer in hald, which pins it there so that it stays. Asked each time (not
// kept here), so that a lost daemon makes this call Unavailable like any.
hal_result BufferDeviceAddress(hal_drv_context* /*context*/, hal_drv_buffer* buffer,
                               uint64_t* out_address) {
  return Guarded([&] {
    const Buffer& remote = *Unwrap(buffer);
    ClientMessage request;
    request.mutable_buffer_device_address()->set_buffer(remote.handle);
    DaemonMessage answer;
    if (hal_result result = Request(*remote.context->connection, std::move(request), &answer);
        result != HAL_SUCCESS) {
      return result;
    }
    if (!answer.has_buffer_address() || answer.buffer_address().address() == 0) {
      return Fail(HAL_ERROR_UNAVAILABLE, absl::StrCat(remote.context->connection->daemon_name(),
                                                      " answered BufferDeviceAddress without an "
                                                      "address"));
    }
    *out_address = answer.buffer_address().address();
    return HAL_SUCCESS;
  });
}

// --- Streams ---

hal_result StreamCreate(hal_drv_context* context, const hal_stream_desc* desc,
                        hal_drv_stream** out_stream) {
  return Guarded([&] {
    Context& remote = *Unwrap(context);
    auto stream = std::make_unique<Stream>(Stream{&remote, remote.NewHandle()});
    ClientMessage request;
    v1::StreamCreate& create = *request.mutable_stream_create();
    create.set_stream(stream->handle);
    create.set_priority(desc->priority);
    if (hal_result result = Request(*remote.connection, std::move(request));
        result != HAL_SUCCESS) {
      return result;
    }
    *out_stream = Wrap<hal_drv_stream>(std::move(stream));
    return HAL_SUCCESS;
  });
}

// A request, not a one-way command: the daemon answers once the stream's
// work (and so every download into the caller's memory) is done.
void StreamDestroy(hal_drv_stream* stream) {
  const Stream& remote = *Unwrap(stream);
  ClientMessage request;
  request.mutable_stream_destroy()->set_stream(remote.handle);
  Guarded([&] { return Request(*remote.context->connection, std::move(request)); });
  Destroy(stream);
}

hal_result StreamCopyHostToDevice(hal_drv_stream* stream, const void* src, hal_drv_buffer* dst,
                                  uint64_t dst_offset, uint64_t size) {
  return Guarded([&] {
    return ToResult(CopyHostToDevice(*Unwrap(stream), src, *Unwrap(dst), dst_offset, size));
  });
}

hal_result StreamCopyDeviceToHost(hal_drv_stream* stream, hal_drv_buffer* src, uint64_t src_offset,
                                  void* dst, uint64_t size) {
  return Guarded([&] {
    return ToResult(CopyDeviceToHost(*Unwrap(stream), *Unwrap(src), src_offset, dst, size));
  });
}

hal_result StreamCopyBuffer(hal_drv_stream* stream, hal_drv_buffer* src, uint64_t src_offset,
                            hal_drv_buffer* dst, uint64_t dst_offset, uint64_t size) {
  return Guarded([&] {
    return ToResult(
        CopyBuffer(*Unwrap(stream), *Unwrap(src), src_offset, *Unwrap(dst), dst_offset, size));
  });
}

hal_result StreamFill(hal_drv_stream* stream, hal_drv_buffer* dst, uint64_t offset, uint64_t size,
                      uint32_t pattern) {
  return Guarded(
      [&] { return ToResult(Fill(*Unwrap(stream), *Unwrap(dst), offset, size, pattern)); });
}

hal_result StreamDispatch(hal_drv_stream* stream, hal_drv_kernel* kernel,
                          const hal_dispatch_desc* desc) {
  return Guarded(
      [&] { return ToResult(DispatchKernel(*Unwrap(stream), *Unwrap(kernel), *desc)); });
}

hal_result StreamSignalEvent(hal_drv_stream* stream, hal_drv_event* event) {
  return Guarded([&] { return ToResult(SignalEvent(*Unwrap(stream), *Unwrap(event))); });
}

hal_result StreamWaitEvent(hal_drv_stream* stream, hal_drv_event* event) {
  return Guarded([&] { return ToResult(WaitEvent(*Unwrap(stream), *Unwrap(event))); });
}

hal_result StreamSynchronize(hal_drv_stream* stream) {
  return Guarded([&] {
    const Stream& remote = *Unwrap(stream);
    ClientMessage request;
    request.mutable_stream_synchronize()->set_stream(remote.handle);
    return Request(*remote.context->connection, std::move(request));
  });
}

hal_result StreamQuery(hal_drv_stream* stream) {
  return Guarded([&] {
    const Stream& remote = *Unwrap(stream);
    ClientMessage request;
    request.mutable_stream_query()->set_stream(remote.handle);
    DaemonMessage answer;
    if (hal_result result = Request(*remote.context->connection, std::move(request), &answer);
        result != HAL_SUCCESS) {
      return result;
    }
    return answer.stream_state().idle() ? HAL_SUCCESS : HAL_NOT_READY;
  });
}

// --- Events ---

hal_result EventCreate(hal_drv_context* context, const hal_event_desc* /*desc*/,
                       hal_drv_event** out_event) {
  return Guarded([&] {
    Context& remote = *Unwrap(context);
    auto event = std::make_unique<Event>(Event{&remote, remote.NewHandle()});
    ClientMessage request;
    request.mutable_event_create()->set_event(event->handle);
    if (hal_result result = Request(*remote.connection, std::move(request));
        result != HAL_SUCCESS) {
      return result;
    }
    *out_event = Wrap<hal_drv_event>(std::move(event));
    return HAL_SUCCESS;
  });
}

void EventDestroy(hal_drv_event* event) {
  const Event& remote = *Unwrap(event);
  ClientMessage command;
  command.mutable_event_destroy()->set_event(remote.handle);
  Guarded([&] { return Post(*remote.context->connection, std::move(command)); });
  Destroy(event);
}

hal_result EventQuery(hal_drv_event* event) {
  return Guarded([&] {
    const Event& remote = *Unwrap(event);
    ClientMessage request;
    request.mutable_event_query()->set_event(remote.handle);
    DaemonMessage answer;
    if (hal_result result = Request(*remote.context->connection, std::move(request), &answer);
        result != HAL_SUCCESS) {
      return result;
    }
    return answer.event_state().signalled() ? HAL_SUCCESS : HAL_NOT_READY;
  });
}

hal_result EventSynchronize(hal_drv_event* event) {
  return Guarded([&] {
    const Event& remote = *Unwrap(event);
    ClientMessage request;
    request.mutable_event_synchronize()->set_event(remote.handle);
    return Request(*remote.context->connection, std::move(request));
  });
}

hal_result EventTimestampNs(hal_drv_event* event, uint64_t* out_ns) {
  return Guarded([&] {
    const Event& remote = *Unwrap(event);
    ClientMessage request;
    request.mutable_event_timestamp()->set_event(remote.handle);
    DaemonMessage answer;
    if (hal_result result = Request(*remote.context->connection, std::move(request), &answer);
        result != HAL_SUCCESS) {
      return result;
    }
    *out_ns = answer.event_time().ns();
    return HAL_SUCCESS;
  });
}

// --- Modules and kernels ---

hal_result ModuleLoad(hal_drv_context* context, const hal_module_desc* desc,
                      hal_drv_module** out_module) {
  return Guarded([&] {
    Context& remote = *Unwrap(context);
    auto module = std::make_unique<Module>();
    module->context = &remote;
    module->handle = remote.NewHandle();
    ClientMessage request;
    v1::ModuleLoad& load = *request.mutable_module_load();
    load.set_module(module->handle);
    load.set_format(desc->format);
    load.set_image(desc->image, desc->image_size);
    if (hal_result result = Request(*remote.connection, std::move(request));
        result != HAL_SUCCESS) {
      return result;
    }
    *out_module = Wrap<hal_drv_module>(std::move(module));
    return HAL_SUCCESS;
  });
}

void ModuleDestroy(hal_drv_module* module) {
  const Module& remote = *Unwrap(module);
  ClientMessage command;
  command.mutable_module_destroy()->set_module(remote.handle);
  Guarded([&] { return Post(*remote.context->connection, std::move(command)); });
  Destroy(module);
}

hal_result KernelGet(hal_drv_module* module, const hal_kernel_desc* desc,
                     hal_drv_kernel** out_kernel) {
  return Guarded([&] {
    Module& remote = *Unwrap(module);
    auto kernel = std::make_unique<Kernel>(Kernel{remote.context->NewHandle()});
    ClientMessage request;
    v1::KernelGet& get = *request.mutable_kernel_get();
    get.set_kernel(kernel->handle);
    get.set_module(remote.handle);
    get.set_name(desc->name);
    v1::KernelSignature& signature = *get.mutable_signature();
    signature.set_binding_count(desc->signature.binding_count);
    signature.set_push_constant_size(desc->signature.push_constant_size);
    for (uint32_t size : desc->signature.workgroup_size) signature.add_workgroup_size(size);
    if (hal_result result = Request(*remote.context->connection, std::move(request));
        result != HAL_SUCCESS) {
      return result;
    }
    std::lock_guard lock(remote.kernels_mutex);
    remote.kernels.push_back(std::move(kernel));
    *out_kernel = Wrap<hal_drv_kernel>(remote.kernels.back().get());
    return HAL_SUCCESS;
  });
}

constexpr hal_driver_table kTable = {
    .type = HAL_STRUCTURE_TYPE_DRIVER_TABLE,
    .struct_size = sizeof(hal_driver_table),
    .abi_major = HAL_DRIVER_ABI_VERSION_MAJOR,
    .abi_minor = HAL_DRIVER_ABI_VERSION_MINOR,
    .name = "remote",
    .version = kDriverVersion,
    .initialize = Initialize,
    .shutdown = Shutdown,
    .last_error_message = LastErrorMessage,
    .device_count = DeviceCount,
    .device_get_properties = DeviceGetProperties,
    .device_get_memory_info = DeviceGetMemoryInfo,
    .unusable_device_count = UnusableDeviceCount,
    .unusable_device_get = UnusableDeviceGet,
    .context_create = ContextCreate,
    .context_destroy = ContextDestroy,
    .context_get_partition = ContextGetPartition,
    .buffer_allocate = BufferAllocate,
    .buffer_free = BufferFree,
    .buffer_map = BufferMap,
    .stream_create = StreamCreate,
    .stream_destroy = StreamDestroy,
    .stream_copy_host_to_device = StreamCopyHostToDevice,
    .stream_copy_device_to_host = StreamCopyDeviceToHost,
    .stream_copy_buffer = StreamCopyBuffer,
    .stream_fill = StreamFill,
    .stream_dispatch = StreamDispatch,
    .stream_signal_event = StreamSignalEvent,
    .stream_wait_event = StreamWaitEvent,
    .stream_synchronize = StreamSynchronize,
    .stream_query = StreamQuery,
    .event_create = EventCreate,
    .event_destroy = EventDestroy,
    .event_query = EventQuery,
    .event_synchronize = EventSynchronize,
    .event_timestamp_ns = EventTimestampNs,
    .module_load = ModuleLoad,
    .module_destroy = ModuleDestroy,
    .kernel_get = KernelGet,
    // kForwardedCapabilities (protocol/capabilities.h): device addresses,
    // and stream priorities, which StreamCreate sends.
    .buffer_device_address = BufferDeviceAddress,
    .buffer_decommit = nullptr,
    .buffer_recommit = nullptr,
    .host_register = nullptr,
    .native_handle = nullptr,
    .context_trim_memory = nullptr,
};

}  // namespace
}  // namespace hal::remote

extern "C" HAL_DRIVER_EXPORT const hal_driver_table* HAL_DRIVER_ENTRY_POINT(
    uint16_t runtime_abi_major, uint16_t /*runtime_abi_minor*/) {
  // Any minor version is served: struct_size tells the runtime what exists.
  if (runtime_abi_major != HAL_DRIVER_ABI_VERSION_MAJOR) return nullptr;
  return &hal::remote::kTable;
}
